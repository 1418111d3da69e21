import django_filters

from portal.choices import Level
from portal.models import Department


class DepartmentFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Department
        fields = ["level", "kind", "series", "parent"]
