"""Read-only admin for timers, alerts and sweep runs: they change only through monitoring's verbs; the
anomaly rules' switches change through ``monitoring.services.rules.configure_rule``."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from monitoring.models import (
    AccountabilityRecord,
    Alert,
    AnomalyRule,
    SupervisionNotice,
    SweepRun,
    Timer,
    TimerPause,
)
from monitoring.services.rules import configure_rule
from portal.admin_audit import VerbAdminMixin
from portal.forms import TextField


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TimerPauseInline(admin.TabularInline):
    model = TimerPause
    extra = 0
    fields = ["paused_at", "resumed_at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "label",
        "purpose",
        "department",
        "started_at",
        "due_at",
        "provisional",
        "state_label",
        "next_fire_at",
    ]
    list_filter = ["provisional", "target_type"]
    search_fields = ["label", "purpose", "target_id"]
    list_select_related = ["department"]
    date_hierarchy = "due_at"
    inlines = [TimerPauseInline]

    @admin.display(description="状态")
    def state_label(self, obj):
        return obj.get_state_display()


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "level", "kind", "title", "department", "state", "raised_at"]
    list_filter = ["kind", "level", "state"]
    search_fields = ["title", "target_label", "rule"]
    list_select_related = ["department"]
    date_hierarchy = "raised_at"


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "duration_ms", "reminders", "alarms"]
    date_hierarchy = "finished_at"


class AnomalyRuleForm(forms.ModelForm):
    reason = TextField(
        label=_("理由"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("停用规则时必填，记入审计日志。"),
    )

    class Meta:
        model = AnomalyRule
        fields = ["level", "enabled"]


@admin.register(AnomalyRule)
class AnomalyRuleAdmin(VerbAdminMixin, admin.ModelAdmin):
    """The administrator's switch of each anomaly rule (异常规则); rows come from the registered rules.

    Saved only through ``monitoring.services.rules.configure_rule`` (switching off needs a reason).
    """

    form = AnomalyRuleForm
    list_display = ["code", "name", "level", "enabled", "updated_at"]
    list_filter = ["enabled", "level"]
    fields = ["code", "name", "description", "level", "enabled", "reason", "updated_at"]
    readonly_fields = ["code", "name", "description", "updated_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        configure_rule(
            obj,
            by=request.user,
            enabled=form.cleaned_data["enabled"],
            level=form.cleaned_data["level"],
            reason=form.cleaned_data.get("reason", ""),
        )


# Supervision notices and accountability change only through monitoring.services.supervision's verbs (pages, API).


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "department", "deadline_on", "status", "issued_by", "issued_at"]
    list_filter = ["status"]
    search_fields = ["number", "title", "requirement", "answer"]
    list_select_related = ["department", "issued_by"]
    date_hierarchy = "issued_at"
    raw_id_fields = ["alert"]


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(ReadOnlyAdmin):
    list_display = ["decided_on", "person_name", "person_title", "department", "measure", "recorded_by"]
    list_filter = ["measure"]
    search_fields = ["person_name", "facts"]
    list_select_related = ["department", "recorded_by"]
    date_hierarchy = "decided_on"
    raw_id_fields = ["alert", "notice", "person"]
