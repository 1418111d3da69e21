import functools

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal import audit, workdays
from portal.admin_audit import AuditedAdminMixin, VerbAdminMixin, stored_snapshot
from portal.forms import TextField
from portal.login_guard import unlock_login
from portal.masking import mask_middle
from portal.models import (
    ApiToken,
    AuditEvent,
    CalendarYear,
    Department,
    NumberSeries,
    OutboxMessage,
    Post,
    StaffProfile,
    WorkdayOverride,
)
from portal.tokens import acting as acting_on_users
from portal.tokens import check_request as check_token_request
from portal.tokens import issue_token, rename_token, revoke_token

admin.site.site_header = _("权力清单治理平台 · 系统管理")
admin.site.site_title = _("系统管理")

# --- organisation -------------------------------------------------------------


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "department"
    extra = 0
    fields = ["code", "name", "backup", "duties"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_verb = "org.department"
    list_display = ["code", "name", "level", "kind", "series", "parent", "is_active"]
    list_filter = ["level", "kind", "series", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_verb = "org.post"
    list_display = ["code", "name", "department", "backup"]
    list_filter = ["department__level"]
    search_fields = ["code", "name", "department__name"]
    autocomplete_fields = ["department", "backup"]


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_verb = "org.staff_profile"
    list_display = ["display_name", "user", "department"]
    search_fields = ["display_name", "user__username", "department__name"]
    autocomplete_fields = ["user", "department", "posts"]


# --- accounts and roles (roles are groups: portal/roles.py) ------------------------


class PortalUserAdmin(AuditedAdminMixin, UserAdmin):
    """Django's user admin, audited (roles = group membership); a password change or a deactivation
    revokes the user's API tokens (portal.tokens), attributed to the acting administrator."""

    audit_verb = "account.user"

    def save_model(self, request, obj, form, change):
        with acting_on_users(request.user):
            super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        with acting_on_users(request.user):
            before = stored_snapshot(self.model, id)
            response = super().user_change_password(request, id, form_url)
            after = stored_snapshot(self.model, id)
            if before and after and before["password"] != after["password"]:
                user = self.model._default_manager.get(pk=id)
                audit.record(request.user, "account.user.password_changed", user, note="管理员重置密码")
        return response


class PortalGroupAdmin(AuditedAdminMixin, GroupAdmin):
    audit_verb = "account.group"


for _model, _admin in ((get_user_model(), PortalUserAdmin), (Group, PortalGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


# --- API tokens: issued and revoked through portal.tokens -------------------------


class ApiTokenAddForm(forms.ModelForm):
    """Issuing a token in the admin: the same role policy as the API (portal.tokens.policy_for)."""

    scope = forms.ChoiceField(
        label=_("权限范围"),
        choices=[("", _("按角色允许的最大范围")), *ApiToken.Scope.choices],
        required=False,
    )
    days = forms.IntegerField(
        label=_("有效天数"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("接口调用方最长 30 天；系统管理员的读写令牌和其他工作人员的只读令牌最长 1 天。"),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None:
            try:
                cleaned["scope"] = check_token_request(user, cleaned.get("scope") or None)
            except PermissionDenied as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(VerbAdminMixin, admin.ModelAdmin):
    """Tokens change only through portal.tokens: issue, rename (the label), revoke. A token is never
    deleted here: its row is the record of who could call the API, and when (revoke instead)."""

    list_display = [
        "prefix",
        "user",
        "name",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["scope"]
    search_fields = ["prefix", "user__username", "name"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope", "days"]
        return ["user", "name", "scope", "expires_at", "prefix", "created_at", "revoked_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Only the label may change; scope, holder and lifetime are fixed when the token is issued.
        return ["user", "scope", "expires_at", "prefix", "created_at", "revoked_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            rename_token(obj, name=form.cleaned_data.get("name", ""), by=request.user)
            return
        data = form.cleaned_data
        token, raw = issue_token(
            data["user"],
            name=data.get("name", ""),
            scope=data["scope"],
            days=data.get("days"),
            by=request.user,
        )
        obj.pk = token.pk
        messages.warning(request, _("新令牌（只显示这一次，请立即复制保存）：%(raw)s") % {"raw": raw})

    def save_related(self, request, form, formsets, change):
        pass  # a token has no related rows; the verbs wrote and audited it

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        self.run_verb(request, queryset, revoke_token, _("吊销"))


# --- audit trail: read-only -------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "actor_label", "verb", "target_repr"]
    list_filter = ["verb"]
    search_fields = ["verb", "target_repr", "actor_label", "target_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- outbox and numbering: read-only (portal/outbox.py, portal/numbering.py) --------


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What the outbox sends: failed messages (after the last attempt) stay here to be seen."""

    list_display = ["id", "kind", "masked_recipient", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["kind", "last_error"]
    exclude = ["recipient"]
    readonly_fields = ["kind", "masked_recipient", "body", "payload", "status", "attempts", "next_attempt_at",
                       "last_error", "created_at", "sent_at"]  # fmt: skip

    @admin.display(description=_("接收方"))
    def masked_recipient(self, obj):
        return mask_middle(obj.recipient, head=3, tail=4)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    list_display = ["series", "last"]
    search_fields = ["series"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- working-day calendar (see portal/workdays.py) ---------------------------------
# Owner: the working-day calendar (issue 4). Entries here change deadlines; every save is audited
# and drops the per-process calendar cache. Unknown upcoming years are announced on the admin index
# and on these pages (portal.workdays.calendar_warnings).


def _calendar_notice(request):
    from portal.workdays import calendar_warnings

    for message in calendar_warnings():
        messages.warning(request, message)


def _with_calendar_notice(index_view):
    @functools.wraps(index_view)
    def index(request, extra_context=None):
        _calendar_notice(request)
        return index_view(request, extra_context)

    return index


admin.site.index = _with_calendar_notice(admin.site.index)


class ReasonAdminForm(forms.ModelForm):
    """An admin form with the verb's stated reason (理由), kept in the audit trail."""

    reason = TextField(
        label=_("理由"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("更正已过去的日期时必填，记入审计日志。"),
    )


class _CalendarAdminMixin(VerbAdminMixin):
    """The calendar changes only through portal.workdays' verbs (permission, lock, audit, past dates)."""

    form = ReasonAdminForm
    delete_confirmation_template = "admin/delete_with_reason.html"

    def changelist_view(self, request, extra_context=None):
        _calendar_notice(request)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdminMixin, admin.ModelAdmin):
    audit_verb = "calendar.year"
    list_display = ["year", "source", "override_count", "entered_at"]
    fields = ["year", "source", "reason", "entered_at", "year_entries"]

    def get_readonly_fields(self, request, obj=None):
        return ["entered_at", "year_entries", *(["year"] if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        saved = workdays.save_calendar_year(
            obj if change else None,
            year=None if change else form.cleaned_data["year"],
            source=form.cleaned_data.get("source", ""),
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        workdays.remove_calendar_year(obj, by=request.user, reason=self.delete_reason(request))

    def get_queryset(self, request):
        entries = (
            WorkdayOverride.objects.filter(date__year=OuterRef("year"))
            .order_by()
            .values("date__year")
            .annotate(n=Count("id"))
            .values("n")
        )
        queryset = super().get_queryset(request)
        return queryset.annotate(entry_count=Subquery(entries, output_field=IntegerField()))

    @admin.display(description=_("节假日与调休条目"))
    def override_count(self, obj):
        return getattr(obj, "entry_count", None) or 0

    @admin.display(description=_("本年度条目"))
    def year_entries(self, obj):
        if obj.pk is None:
            return _("保存后在“节假日与调休”中逐日录入，或用 manage.py load_calendar 载入整年安排。")
        rows = WorkdayOverride.objects.filter(date__year=obj.year).order_by("date")
        url = reverse("admin:portal_workdayoverride_changelist") + f"?date__year={obj.year}"
        items = format_html_join(
            "",
            "<li>{} {} {}</li>",
            ((r.date, _("上班") if r.is_working_day else _("休息"), r.name) for r in rows),
        )
        return format_html('<ul>{}</ul><a href="{}">{}</a>', items, url, _("编辑本年度条目"))


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(_CalendarAdminMixin, admin.ModelAdmin):
    audit_verb = "calendar.override"
    list_display = ["date", "weekday", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]
    fields = ["date", "is_working_day", "name", "reason"]

    def save_model(self, request, obj, form, change):
        saved = workdays.save_workday(
            obj if change else None,
            day=form.cleaned_data["date"],
            is_working_day=form.cleaned_data["is_working_day"],
            name=form.cleaned_data.get("name", ""),
            by=request.user,
            reason=form.cleaned_data.get("reason", ""),
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        workdays.remove_workday(obj, by=request.user, reason=self.delete_reason(request))

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]


# --- login lockout (django-axes): unlocking goes through portal.login_guard.unlock_login (audited) ----

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["unlock", *AxesAccessAttemptAdmin.actions]

    @admin.action(description=_("解除所选登录锁定"))
    def unlock(self, request, queryset):
        removed = 0
        for attempt in list(queryset):
            removed += unlock_login(username=attempt.username, ip_address=attempt.ip_address, by=request.user)
        self.message_user(request, _("已解除 %(n)d 条登录锁定。") % {"n": removed})

    def delete_model(self, request, obj):
        unlock_login(username=obj.username, ip_address=obj.ip_address, by=request.user)

    def delete_queryset(self, request, queryset):
        self.unlock(request, queryset)
