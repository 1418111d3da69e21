from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.models import ApiToken, AuditEvent, Department, Post, StaffProfile
from portal.tokens import issue_token, revoke_token

admin.site.site_header = _("权力清单治理平台 · 系统管理")
admin.site.site_title = _("系统管理")

# --- organisation -------------------------------------------------------------


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "department"
    extra = 0
    fields = ["code", "name", "backup", "duties"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "series", "parent", "is_active"]
    list_filter = ["level", "kind", "series", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "backup"]
    list_filter = ["department__level"]
    search_fields = ["code", "name", "department__name"]
    autocomplete_fields = ["department", "backup"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "department"]
    search_fields = ["display_name", "user__username", "department__name"]
    autocomplete_fields = ["user", "department", "posts"]


# --- API tokens: issued and revoked through portal.tokens -------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "scope", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope"]
    search_fields = ["prefix", "user__username", "name"]
    readonly_fields = ["prefix", "digest", "created_at", "revoked_at", "last_used_at"]
    fields = ["user", "name", "scope", "expires_at", "prefix", "digest", "created_at", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:  # only name/scope/expiry may be edited afterwards
            super().save_model(request, obj, form, change)
            return
        days = max(1, (obj.expires_at - obj.created_at).days) if obj.created_at else None
        token, raw = issue_token(obj.user, name=obj.name, scope=obj.scope, days=days, by=request.user)
        ApiToken.objects.filter(pk=token.pk).update(expires_at=obj.expires_at)
        obj.pk = token.pk
        messages.warning(request, _("新令牌（只显示这一次，请立即复制保存）：%(raw)s") % {"raw": raw})

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token, by=request.user)
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": queryset.count()})


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


# --- working-day calendar (see portal/workdays.py) ---------------------------------
