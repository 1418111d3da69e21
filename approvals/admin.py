"""Admin of the service centre. Service items are configured here (through the item verbs);
cases, their trail and ledgers are read-only: a case changes only through its service verbs.
"""

from django.contrib import admin

from portal.admin_audit import VerbAdminMixin

from . import services
from .models import (
    Case,
    CaseEvent,
    CaseStep,
    FeeItem,
    FeePayment,
    Material,
    Notification,
    PenaltyDecision,
    Rating,
    ServiceItem,
    Suspension,
    Window,
)
from .services.items import WINDOW_FIELDS

ITEM_FORM_FIELDS = [
    "statutory_days", "promised_days", "warn_days_before", "warn_ratio", "conditions", "result_form",
    "is_online", "is_active",
]  # fmt: skip


@admin.register(Window)
class WindowAdmin(VerbAdminMixin, admin.ModelAdmin):
    """Windows change only through ``save_window`` / ``remove_window`` (an administrator; audited with
    before/after; a window with fee records is switched off, not deleted)."""

    list_display = ["number", "name", "department", "is_fee_window", "is_active"]
    list_filter = ["is_fee_window", "is_active"]
    search_fields = ["number", "name"]
    autocomplete_fields = ["department"]
    fields = WINDOW_FIELDS
    delete_confirmation_template = "admin/delete_with_reason.html"

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data.get(field) for field in WINDOW_FIELDS}
        saved = services.save_window(obj if change else None, by=request.user, **data)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # a window has no inline rows; its items are chosen on the service item's page

    def delete_model(self, request, obj):
        services.remove_window(obj, by=request.user, reason=self.delete_reason(request))


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["order", "name", "required", "copies", "note"]


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    extra = 0
    fields = ["name", "amount", "basis"]


def _inline_rows(formsets, model, fields) -> list[dict]:
    """The kept rows of ``model``'s inline, as the verb's dicts (``id`` for an existing row), in order."""
    rows = []
    for formset in formsets:
        if formset.model is not model:
            continue
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            row = {field: data.get(field) for field in fields if field in data}
            row["id"] = form.instance.pk
            rows.append(row)
    if model is Material:
        rows.sort(key=lambda row: row.pop("order", None) or 0)
    return rows


@admin.register(ServiceItem)
class ServiceItemAdmin(VerbAdminMixin, admin.ModelAdmin):
    """Service items, their materials and fees change only through ``create_service_item`` /
    ``update_service_item`` (the item's own department or an administrator; audited with before/after)."""

    list_display = ["code", "name", "department", "statutory_days", "promised_days", "is_online", "is_active"]
    list_filter = ["is_online", "is_active", "department"]
    search_fields = ["code", "name", "power__code"]
    autocomplete_fields = ["power"]
    filter_horizontal = ["windows"]
    inlines = [MaterialInline, FeeItemInline]

    def get_fields(self, request, obj=None):
        head = ["code", "name", "power"] if obj is None else ["code", "name", "department", "power"]
        return [*head, *ITEM_FORM_FIELDS, "windows"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "department", "power"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # cases point at it: switch it off (在办) instead

    def save_model(self, request, obj, form, change):
        pass  # saved with its materials and fees in save_related, by the verb

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        fields = {name: data.get(name) for name in ITEM_FORM_FIELDS}
        children = {
            "materials": _inline_rows(formsets, Material, ["order", "name", "required", "copies", "note"]),
            "fees": _inline_rows(formsets, FeeItem, ["name", "amount", "basis"]),
            "windows": list(data.get("windows") or []),
        }
        if change:
            saved = services.update_service_item(
                form.instance, by=request.user, name=data["name"], **fields, **children
            )
        else:
            saved = services.create_service_item(
                data["power"], by=request.user, code=data["code"], name=data["name"], **fields, **children
            )
        form.instance.pk = saved.pk


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseStepInline(ReadOnlyInline):
    model = CaseStep
    fields = [
        "order",
        "name",
        "post",
        "started_at",
        "due_on",
        "finished_at",
        "handled_by",
        "acted_as_backup",
        "opinion",
    ]


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "kind", "actor_label", "post", "note"]


class SuspensionInline(ReadOnlyInline):
    model = Suspension
    fields = ["kind", "reason", "started_on", "ends_by", "ended_on", "working_days"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the verbs and tasks: viewable, never edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "code", "kind", "applicant_name", "department", "status", "green_channel", "accepted_on", "due_on",
        "due_provisional",
    ]  # fmt: skip
    list_filter = ["kind", "status", "channel", "green_channel", "due_provisional"]
    search_fields = ["code", "applicant_name"]
    list_select_related = ["department"]
    date_hierarchy = "submitted_at"
    exclude = ["query_secret_hash"]
    inlines = [CaseStepInline, SuspensionInline, CaseEventInline]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "started_on", "ends_by", "ended_on", "working_days"]
    list_filter = ["kind"]
    search_fields = ["case__code"]


@admin.register(FeePayment)
class FeePaymentAdmin(ReadOnlyAdmin):
    list_display = ["receipt_no", "case", "amount", "expected_amount", "recorded_at"]
    search_fields = ["receipt_no", "case__code"]


@admin.register(PenaltyDecision)
class PenaltyDecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "standard", "fact", "band_severity", "amount", "outside_band", "decided_at"]
    list_filter = ["outside_band"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["case", "score", "rated_at"]
    list_filter = ["score"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["case", "event", "channel", "recipient", "status", "sent_at"]
    list_filter = ["event", "status", "channel"]
    search_fields = ["case__code"]
