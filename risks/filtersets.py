"""One filterset per list, shared by the pages and the API (risk-grade catalogue, the warning loop)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Department

from .choices import Grade, InformationStatus, OrderStatus, RiskPointStatus, RiskType, WarningLevel
from .models import RiskInformation, RiskPoint, SupervisionOrder, WarningNotice


class DepartmentCodeForm(forms.Form):
    """Refuses a department code that does not exist instead of silently listing nothing."""

    def clean_department(self):
        code = (self.cleaned_data.get("department") or "").strip().upper()
        if code and not Department.objects.filter(code=code).exists():
            raise forms.ValidationError(_("没有编码为「%(code)s」的单位。"), params={"code": code})
        return code


class RiskPointFilterSet(django_filters.FilterSet):
    """风险等级目录 filters: /risks/ (page) and /api/v1/risk-points/ (API)."""

    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"), max_length=32)
    power = django_filters.CharFilter(field_name="power__code", label=_("权力事项统一编码"), max_length=30)
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("风险等级"))
    risk_type = django_filters.ChoiceFilter(choices=RiskType.choices, label=_("风险类型"))
    status = django_filters.ChoiceFilter(choices=RiskPointStatus.choices, label=_("状态"))
    post = django_filters.NumberFilter(
        field_name="post_id", label=_("岗位"), min_value=1, max_value=2**31 - 1
    )
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("关键词"), max_length=50
    )

    class Meta:
        model = RiskPoint
        fields = ["department", "power", "grade", "risk_type", "status", "post", "q"]
        form = DepartmentCodeForm


class RiskInformationFilterSet(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"), max_length=32)
    status = django_filters.ChoiceFilter(choices=InformationStatus.choices, label=_("状态"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("评估等级"))

    class Meta:
        model = RiskInformation
        fields = ["department", "status", "grade"]
        form = DepartmentCodeForm


class WarningFilterSet(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"), max_length=32)
    level = django_filters.ChoiceFilter(choices=WarningLevel.choices, label=_("预警级别"))

    class Meta:
        model = WarningNotice
        fields = ["department", "level"]
        form = DepartmentCodeForm


class OrderFilterSet(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", label=_("单位编码"), max_length=32)
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("状态"))

    class Meta:
        model = SupervisionOrder
        fields = ["department", "status"]
        form = DepartmentCodeForm
