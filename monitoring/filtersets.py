"""One filterset per list, shared by the inspectors' page and the API (STYLE.md)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from monitoring.choices import AlertKind, AlertLevel, AlertState
from monitoring.models import Alert, Timer
from portal.choices import Level


class AlertFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=AlertKind.choices)
    level = django_filters.ChoiceFilter(label=_("级别"), choices=AlertLevel.choices)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=AlertState.choices)
    department = django_filters.CharFilter(label=_("单位编码"), field_name="department__code")
    department_level = django_filters.ChoiceFilter(
        label=_("单位层级"), field_name="department__level", choices=Level.choices
    )
    raised_after = django_filters.DateTimeFilter(
        label=_("发出不早于"), field_name="raised_at", lookup_expr="gte"
    )
    raised_before = django_filters.DateTimeFilter(
        label=_("发出早于"), field_name="raised_at", lookup_expr="lt"
    )

    class Meta:
        model = Alert
        fields = ["kind", "level", "state", "department", "department_level", "raised_after", "raised_before"]


class TimerFilterSet(django_filters.FilterSet):
    department = django_filters.CharFilter(label=_("单位编码"), field_name="department__code")
    purpose = django_filters.CharFilter(label=_("计时用途"))
    active = django_filters.BooleanFilter(label=_("未停止"), field_name="stopped_at", lookup_expr="isnull")
    provisional = django_filters.BooleanFilter(label=_("暂定期限"))
    due_before = django_filters.DateTimeFilter(label=_("期限早于"), field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Timer
        fields = ["department", "purpose", "active", "provisional", "due_before"]
