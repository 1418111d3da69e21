"""Read-only API of the appraisal; changes go through the pages' verbs.

Visibility follows the pages: indicator systems, periods, survey results and results of a published
year are public; before publication the office sees everything and a unit its own results and
criteria. Filters are the pages' filtersets (performance.filtersets).
"""

from django.db.models import Q
from rest_framework import viewsets

from performance import filtersets, permissions
from performance.api import serializers
from performance.choices import YearStatus
from performance.models import (
    IndicatorScore,
    KeyTaskCriterion,
    Period,
    Result,
    ScoreEntry,
    Series,
    SurveyResult,
)
from portal.roles import department_of

PUBLISHED = Q(year__status=YearStatus.PUBLISHED)


def _year_scoped(queryset, user, path="year"):
    if permissions.is_office(user):
        return queryset
    published = Q(**{f"{path}__status": YearStatus.PUBLISHED})
    if user.is_authenticated:
        return queryset  # staff see the configuration of the current year too
    return queryset.filter(published)


class SeriesViewSet(viewsets.ReadOnlyModelViewSet):
    """Series (考评系列) with their indicator systems and rater weights."""

    serializer_class = serializers.SeriesSerializer
    filterset_class = filtersets.SeriesFilterSet

    def get_queryset(self):
        qs = Series.objects.select_related("year").prefetch_related(
            "categories__indicators", "rater_weights", "departments"
        )
        return _year_scoped(qs, self.request.user)


class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PeriodSerializer
    filterset_class = filtersets.PeriodFilterSet

    def get_queryset(self):
        return _year_scoped(Period.objects.select_related("year"), self.request.user)


class CriterionViewSet(viewsets.ReadOnlyModelViewSet):
    """Key-task criteria: the office sees all, a unit its own, the public none."""

    serializer_class = serializers.CriterionSerializer
    filterset_class = filtersets.CriterionFilterSet

    def get_queryset(self):
        qs = KeyTaskCriterion.objects.select_related("year", "department", "indicator")
        user = self.request.user
        if permissions.is_office(user):
            return qs
        department = department_of(user)
        return qs.filter(department=department) if department else qs.none()


class EntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Entered figures with their evidence: the office all, a unit its own."""

    serializer_class = serializers.EntrySerializer
    filterset_class = filtersets.EntryFilterSet

    def get_queryset(self):
        qs = ScoreEntry.objects.select_related("period__year", "department", "indicator")
        user = self.request.user
        if permissions.is_office(user):
            return qs
        department = department_of(user)
        return qs.filter(department=department) if department else qs.none()


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """Public evaluation survey results per unit and rater kind (online votes count in ``results``)."""

    serializer_class = serializers.SurveySerializer
    filterset_class = filtersets.SurveyFilterSet

    def get_queryset(self):
        qs = SurveyResult.objects.select_related("year", "department")
        return qs if permissions.is_office(self.request.user) else qs.filter(PUBLISHED)


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ResultSerializer
    filterset_class = filtersets.ResultFilterSet

    def get_queryset(self):
        return Result.objects.visible_to(self.request.user).select_related("year", "series", "department")


class ScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Each indicator's raw figure, score and basis, of the results the client may see."""

    serializer_class = serializers.ScoreSerializer
    filterset_class = filtersets.ScoreFilterSet

    def get_queryset(self):
        visible = Result.objects.visible_to(self.request.user).values("pk")
        return IndicatorScore.objects.filter(result__in=visible).select_related(
            "result__department", "indicator"
        )
