"""One filterset per list, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import CriterionStatus, EntryStatus, Grade, RaterKind
from .models import IndicatorScore, KeyTaskCriterion, Period, Result, ScoreEntry, Series, SurveyResult

YEAR = {"label": _("考评年度"), "min_value": 2000, "max_value": 2100}


class SeriesFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year__year", **YEAR)

    class Meta:
        model = Series
        fields = ["year", "code"]


class PeriodFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year__year", **YEAR)

    class Meta:
        model = Period
        fields = ["year", "quarter", "voting_open"]


class CriterionFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year__year", **YEAR)
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"))
    status = django_filters.ChoiceFilter(choices=CriterionStatus.choices, label=_("状态"))

    class Meta:
        model = KeyTaskCriterion
        fields = ["year", "department", "status"]


class EntryFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="period__year__year", **YEAR)
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"))
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("指标编码"))
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, label=_("状态"))

    class Meta:
        model = ScoreEntry
        fields = ["year", "department", "indicator", "status"]


class SurveyFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year__year", **YEAR)
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"))
    kind = django_filters.ChoiceFilter(choices=RaterKind.choices, label=_("评议主体"))

    class Meta:
        model = SurveyResult
        fields = ["year", "department", "kind"]


class ResultFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year__year", **YEAR)
    series = django_filters.CharFilter(field_name="series__code", label=_("系列编码"))
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("等次"))

    class Meta:
        model = Result
        fields = ["year", "series", "department", "grade", "award_eligible"]


class ScoreFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="result__year__year", **YEAR)
    department = django_filters.CharFilter(field_name="result__department__code", label=_("单位编码"))
    indicator = django_filters.CharFilter(field_name="indicator__code", label=_("指标编码"))

    class Meta:
        model = IndicatorScore
        fields = ["year", "department", "indicator"]
