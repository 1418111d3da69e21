"""Filtersets of the supervision lists, shared by the pages and the API (STYLE.md: one per list)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.choices import AWAITING_ANSWER_STATUSES, AccountabilityMeasure, NoticeStatus
from monitoring.models import AccountabilityRecord, SupervisionNotice


class NoticeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=NoticeStatus.choices)
    department = django_filters.CharFilter(label=_("单位编码"), field_name="department__code")
    overdue = django_filters.BooleanFilter(
        label=_("已逾期未答复"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )
    alert = django_filters.NumberFilter(label=_("所涉预警"), field_name="alert_id")

    class Meta:
        model = SupervisionNotice
        fields = ["status", "department", "overdue", "alert"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=AWAITING_ANSWER_STATUSES, deadline_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class AccountabilityFilterSet(django_filters.FilterSet):
    department = django_filters.CharFilter(label=_("单位编码"), field_name="department__code")
    measure = django_filters.ChoiceFilter(label=_("问责方式"), choices=AccountabilityMeasure.choices)
    decided_after = django_filters.DateFilter(
        label=_("决定不早于"), field_name="decided_on", lookup_expr="gte"
    )
    decided_before = django_filters.DateFilter(
        label=_("决定不晚于"), field_name="decided_on", lookup_expr="lte"
    )

    class Meta:
        model = AccountabilityRecord
        fields = ["department", "measure", "decided_after", "decided_before"]
