from django.contrib import admin

from . import models


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    extra = 0


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "series", "weight", "order"]
    list_filter = ["series__year"]
    inlines = [IndicatorInline]


class CategoryInline(admin.TabularInline):
    model = models.Category
    extra = 0


class RaterWeightInline(admin.TabularInline):
    model = models.RaterWeight
    extra = 0


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    exclude = ["year"]
    autocomplete_fields = ["department"]


@admin.register(models.Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "year", "public_share", "order"]
    list_filter = ["year"]
    inlines = [CategoryInline, RaterWeightInline, MembershipInline]


class PeriodInline(admin.TabularInline):
    model = models.Period
    extra = 0


@admin.register(models.AppraisalYear)
class AppraisalYearAdmin(admin.ModelAdmin):
    """Status changes only through the verbs (the pages): computing, publishing, correcting."""

    list_display = ["year", "name", "status", "computed_at", "published_at"]
    readonly_fields = ["status", "computed_at", "published_at"]
    inlines = [PeriodInline]


@admin.register(models.Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["year", "series", "department", "total", "rank", "grade", "award_eligible"]
    list_filter = ["year", "series", "grade"]

    def has_change_permission(self, request, obj=None):
        return False  # computed by the run; changed only by an audited correction

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
