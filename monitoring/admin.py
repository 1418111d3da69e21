"""Read-only admin for timers, alerts and sweep runs: they change only through monitoring's verbs."""

from django.contrib import admin

from monitoring.models import Alert, SweepRun, Timer, TimerPause


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
