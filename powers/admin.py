"""Admin for the catalogue. Every change of a power, its flowchart or its standards goes through powers.services.

The admin is a convenience for the legal-affairs office: a refused verb (wrong state, wrong
department, bad input) comes back as an error message and nothing is stored.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import REFUSALS, VerbAdminMixin, reason_of
from portal.forms import TextField

from . import services
from .choices import EDITABLE_STATUSES
from .models import (
    DiscretionBand,
    DiscretionStandard,
    Flowchart,
    FlowStep,
    LegalArticle,
    LegalDocument,
    Power,
)


def _editable(power) -> bool:
    return power is None or power.status in EDITABLE_STATUSES


# --- legal basis ----------------------------------------------------------------------------


class LegalArticleInline(admin.TabularInline):
    model = LegalArticle
    extra = 0
    fields = ["number", "label", "text"]


class LegalDocumentForm(forms.ModelForm):
    reason = TextField(
        label=_("理由"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("变更“现行有效”时必填（例如废止或修订的文件名称和日期），记入审计日志。"),
    )

    class Meta:
        model = LegalDocument
        fields = services.DOCUMENT_FIELDS


@admin.register(LegalDocument)
class LegalDocumentAdmin(VerbAdminMixin, admin.ModelAdmin):
    """Documents and their articles through the legal-basis verbs: a cited article never changes."""

    form = LegalDocumentForm
    fields = [*services.DOCUMENT_FIELDS, "reason"]
    list_display = ["code", "title", "kind", "issuer", "effective_on", "is_current"]
    list_filter = ["kind", "is_current"]
    search_fields = ["code", "title", "issuer"]
    inlines = [LegalArticleInline]
    delete_confirmation_template = "admin/delete_with_reason.html"

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data.get(field) for field in services.DOCUMENT_FIELDS}
        saved = services.save_legal_document(
            obj if change else None, by=request.user, reason=form.cleaned_data.get("reason", ""), **data
        )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("reason", "")
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if not data:
                continue
            article = row.instance if row.instance.pk else None
            if data.get("DELETE"):
                if article is not None:
                    services.remove_legal_article(article, by=request.user, reason=reason)
                continue
            if article is None or row.has_changed():
                fields = {field: data.get(field) for field in services.ARTICLE_FIELDS}
                services.save_legal_article(
                    article, by=request.user, document=form.instance, reason=reason, **fields
                )

    def delete_model(self, request, obj):
        services.remove_legal_document(obj, by=request.user, reason=self.delete_reason(request))


@admin.register(LegalArticle)
class LegalArticleAdmin(VerbAdminMixin, admin.ModelAdmin):
    list_display = ["document", "label", "number"]
    list_select_related = ["document"]
    search_fields = ["document__title", "document__code", "label", "text"]
    autocomplete_fields = ["document"]
    delete_confirmation_template = "admin/delete_with_reason.html"

    def get_readonly_fields(self, request, obj=None):
        return ["document"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {field: form.cleaned_data.get(field) for field in services.ARTICLE_FIELDS}
        saved = services.save_legal_article(
            obj if change else None,
            by=request.user,
            document=None if change else form.cleaned_data["document"],
            **fields,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_legal_article(obj, by=request.user, reason=self.delete_reason(request))


# --- powers ---------------------------------------------------------------------------------

CONTENT_FIELDS = [
    "name", "category", "subject", "description", "time_limit_days", "promised_days", "time_limit_unit",
    "result_form", "fee_basis", "complaint_channel",
]  # fmt: skip
WORKFLOW_FIELDS = [
    "code", "version", "status", "is_current", "change_kind", "change_reason", "review_note", "predecessor",
    "successor", "declared_by", "reviewed_by", "published_by", "published_at", "ended_at",
]  # fmt: skip


@admin.register(Power)
class PowerAdmin(VerbAdminMixin, admin.ModelAdmin):
    list_display = ["code", "version", "name", "category", "department", "level", "status", "is_current"]
    list_filter = ["category", "status", "department__level", "change_kind", "is_current"]
    list_select_related = ["department"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["department", "legal_articles"]
    actions = ["submit", "approve", "publish"]
    fieldsets = [
        (None, {"fields": ["department", *CONTENT_FIELDS, "legal_articles"]}),
        (_("流转与版本"), {"fields": WORKFLOW_FIELDS}),
    ]

    @admin.display(description=_("层级"), ordering="department__level")
    def level(self, power):
        return power.department.get_level_display()

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return WORKFLOW_FIELDS
        if not _editable(obj):
            return ["department", *CONTENT_FIELDS, "legal_articles", *WORKFLOW_FIELDS]
        return ["department", *WORKFLOW_FIELDS]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["department", *CONTENT_FIELDS, "legal_articles"]})]
        return self.fieldsets

    def has_delete_permission(self, request, obj=None):
        return False  # versions are history: abolish instead

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in CONTENT_FIELDS if field in form.cleaned_data}
        articles = form.cleaned_data.get("legal_articles")
        if change:
            changed = {field: value for field, value in data.items() if field in form.changed_data}
            services.update_draft(obj, by=request.user, legal_articles=articles, **changed)
        else:
            new = services.declare_power(
                by=request.user,
                department=form.cleaned_data["department"],
                legal_articles=articles or [],
                **data,
            )
            obj.pk, obj.code = new.pk, new.code

    def save_related(self, request, form, formsets, change):
        pass  # legal basis is set by the verb in save_model

    @admin.action(description=_("申报（提交法制审核）"))
    def submit(self, request, queryset):
        self.run_verb(request, queryset, services.submit_power, _("申报"))

    @admin.action(description=_("法制审核通过"))
    def approve(self, request, queryset):
        self.run_verb(request, queryset, services.approve_power, _("审核通过"))

    @admin.action(description=_("确认公布"))
    def publish(self, request, queryset):
        self.run_verb(request, queryset, services.publish_power, _("确认公布"))


# --- flowcharts and standards: saved through the verbs, editable only on drafts ------------


class DraftOnlyInline:
    def _allowed(self, obj):
        return obj is None or _editable(obj.power)

    def has_add_permission(self, request, obj=None):
        return self._allowed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(obj) and super().has_delete_permission(request, obj)


def _kept_rows(formsets, fields) -> list[dict]:
    """The inline rows the user kept, as dicts of ``fields``, in their ``order``."""
    rows = []
    for formset in formsets:
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append({field: data.get(field) for field in fields})
    return sorted(rows, key=lambda row: row.get("order") or 0)


class FlowStepInline(DraftOnlyInline, admin.TabularInline):
    model = FlowStep
    extra = 0
    fields = [
        "order",
        "name",
        "kind",
        "post",
        "rules",
        "duties",
        "supervision_point",
        "complaint_channel",
        "time_limit_days",
    ]
    autocomplete_fields = ["post"]


STEP_FIELDS = [
    "order",
    "name",
    "post",
    "rules",
    "duties",
    "supervision_point",
    "complaint_channel",
    "time_limit_days",
]


@admin.register(Flowchart)
class FlowchartAdmin(VerbAdminMixin, admin.ModelAdmin):
    list_display = ["power", "step_count", "updated_at"]
    list_select_related = ["power"]
    search_fields = ["power__code", "power__name"]
    autocomplete_fields = ["power"]
    inlines = [FlowStepInline]

    @admin.display(description=_("环节数"))
    def step_count(self, chart):
        return chart.steps.count()

    def get_readonly_fields(self, request, obj=None):
        return ["power"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return (obj is None or _editable(obj.power)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # saved with its steps in save_related, by the verb

    def save_related(self, request, form, formsets, change):
        steps = [{k: v for k, v in row.items() if k != "order"} for row in _kept_rows(formsets, STEP_FIELDS)]
        chart = services.save_flowchart(
            form.instance.power, by=request.user, steps=steps, note=form.instance.note
        )
        form.instance.pk = chart.pk


class DiscretionBandInline(DraftOnlyInline, admin.TabularInline):
    model = DiscretionBand
    extra = 0
    fields = ["order", "severity", "fact_min", "fact_max", "amount_min", "amount_max", "description"]


BAND_FIELDS = ["order", "severity", "fact_min", "fact_max", "amount_min", "amount_max", "description"]
STANDARD_FIELDS = [
    "article",
    "title",
    "fact_label",
    "fact_unit",
    "amount_unit",
    "requires_collective_discussion",
]


@admin.register(DiscretionStandard)
class DiscretionStandardAdmin(VerbAdminMixin, admin.ModelAdmin):
    list_display = ["title", "power", "fact_label", "fact_unit", "amount_unit"]
    list_select_related = ["power"]
    search_fields = ["title", "power__code", "power__name"]
    autocomplete_fields = ["power", "article"]
    inlines = [DiscretionBandInline]

    def get_readonly_fields(self, request, obj=None):
        return ["power"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return (obj is None or _editable(obj.power)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _editable(obj.power)) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        pass  # saved with its bands in save_related, by the verb

    def save_related(self, request, form, formsets, change):
        standard = form.instance
        fields = {
            field: form.cleaned_data.get(field) for field in STANDARD_FIELDS if field in form.cleaned_data
        }
        saved = services.save_standard(
            standard.power,
            by=request.user,
            standard=standard if change else None,
            bands=_kept_rows(formsets, BAND_FIELDS),
            **fields,
        )
        standard.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_standard(obj.power, by=request.user, standard=obj)

    def delete_queryset(self, request, queryset):
        for standard in queryset.select_related("power"):
            try:
                services.remove_standard(standard.power, by=request.user, standard=standard)
            except REFUSALS as exc:
                self.message_user(request, f"{standard}：{reason_of(exc)}", messages.ERROR)
