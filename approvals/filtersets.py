"""Filters of the service centre: ONE filterset per list, shared by the HTML pages and the API.

Unknown choice values are form errors: the pages show them beside the field and the API
answers 400 with the reason.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import search

from .choices import OPEN_STATUSES, CaseKind, CaseStatus, Channel, DisclosureKind, DisclosureState
from .models import Case, ResultDisclosure, ServiceItem, Suspension

Q_MAX_LENGTH = search.MAX_QUERY_LENGTH


def yes_no(label, **kwargs):
    """A boolean filter that refuses anything but true/false (1/0), instead of ignoring it."""
    return django_filters.TypedChoiceFilter(
        choices=[("true", _("是")), ("false", _("否")), ("1", _("是")), ("0", _("否"))],
        coerce=lambda value: value in ("true", "1"),
        label=label,
        **kwargs,
    )


class ServiceItemFilterSet(django_filters.FilterSet):
    """/approvals/items/ (page) and /api/v1/service-items/ (API)."""

    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"))
    power = django_filters.CharFilter(field_name="power__code", label=_("权力事项编码"))
    q = django_filters.CharFilter(method="filter_q", label=_("检索"), max_length=Q_MAX_LENGTH)
    is_online = yes_no(_("可网上申请"))
    is_active = yes_no(_("在办"))

    class Meta:
        model = ServiceItem
        fields = ["department", "power", "q", "is_online", "is_active"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        by_code = queryset.filter(code__iexact=value)
        return by_code if by_code.exists() else search.search(queryset, value)


class CaseFilterSet(django_filters.FilterSet):
    """/approvals/desk/ (page) and /api/v1/cases/ (API)."""

    department = django_filters.CharFilter(field_name="department__code", label=_("办理单位编码"))
    item = django_filters.CharFilter(field_name="item__code", label=_("服务事项编码"))
    power = django_filters.CharFilter(field_name="power__code", label=_("权力事项编码"))
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label=_("类型"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("受理渠道"))
    is_open = yes_no(_("在办"), method="filter_open")
    overdue = yes_no(_("已超法定时限"), method="filter_overdue")
    suspended = yes_no(_("暂停计时中"), method="filter_suspended")
    green_channel = yes_no(_("绿色通道"))
    subcases = yes_no(_("会签件"), method="filter_subcases")
    accepted_after = django_filters.DateFilter(
        field_name="accepted_on", lookup_expr="gte", label=_("受理日期起")
    )
    accepted_before = django_filters.DateFilter(
        field_name="accepted_on", lookup_expr="lte", label=_("受理日期止")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("办件编号或申请人"), max_length=Q_MAX_LENGTH)

    class Meta:
        model = Case
        fields = ["department", "item", "power", "status", "kind", "channel", "green_channel"]

    def filter_open(self, queryset, name, value: bool):
        condition = Q(status__in=OPEN_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_overdue(self, queryset, name, value: bool):
        overdue = Case.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_suspended(self, queryset, name, value: bool):
        open_entry = Exists(Suspension.objects.filter(case=OuterRef("pk"), ended_at__isnull=True))
        return queryset.filter(open_entry if value else ~open_entry)

    def filter_subcases(self, queryset, name, value: bool):
        return queryset.filter(parent__isnull=not value)

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__istartswith=value) | Q(applicant_name__icontains=value))


class ResultDisclosureFilterSet(django_filters.FilterSet):
    """/results/ (public page, feed, CSV) and /api/v1/results/ (API): decisions made public (双公示)."""

    department = django_filters.CharFilter(field_name="department__code", label=_("决定机关编码"))
    kind = django_filters.ChoiceFilter(choices=DisclosureKind.choices, label=_("类别"))
    state = django_filters.ChoiceFilter(choices=DisclosureState.choices, label=_("公示状态"))
    party = django_filters.CharFilter(
        field_name="party_name", lookup_expr="icontains", label=_("行政相对人"), max_length=Q_MAX_LENGTH
    )
    q = django_filters.CharFilter(method="filter_q", label=_("检索"), max_length=Q_MAX_LENGTH)
    decided_from = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="gte", label=_("决定日期起")
    )
    decided_to = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte", label=_("决定日期止"))

    class Meta:
        model = ResultDisclosure
        fields = ["department", "kind", "state", "party", "q", "decided_from", "decided_to"]

    def filter_q(self, queryset, name, value):
        """Any of: the decision number, the matter, the party's public name or credit code."""
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(decision_number__icontains=value)
            | Q(matter__icontains=value)
            | Q(party_name__icontains=value)
            | Q(party_credit_code__iexact=value)
        )
