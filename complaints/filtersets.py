"""One filterset for the complaint queues and the API list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Department

from .choices import Channel, ComplaintState
from .models import Category, Complaint


class ComplaintFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编号或事项"), method="search", max_length=60)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ComplaintState.choices)
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=Channel.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=Category.objects.all(), field_name="category", to_field_name="code"
    )
    department = django_filters.ModelChoiceFilter(
        label=_("承办单位"),
        queryset=Department.objects.all(),
        field_name="handling_department",
        to_field_name="code",
    )
    received_after = django_filters.DateFilter(
        label=_("登记起"),
        field_name="received_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_before = django_filters.DateFilter(
        label=_("登记止"),
        field_name="received_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(label=_("已超期"), method="filter_overdue")

    class Meta:
        model = Complaint
        fields = ["q", "state", "channel", "category", "department", "received_after", "received_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__iexact=value) | Q(title__icontains=value))

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        from .choices import AT_DEPARTMENT

        if value is None:
            return queryset
        late = Q(state__in=AT_DEPARTMENT, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
