"""Filters of the power list: ONE filterset per list, shared by the HTML pages and the API.

Unknown choice values (category, level, status, kind) are form errors, so the
pages show them beside the field and the API answers 400 with the reason.
"""

import re

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import search
from portal.choices import Level
from portal.models import Department

from .choices import CODE_REGEX, Category, DocumentKind, PowerStatus
from .models import DiscretionStandard, Flowchart, LegalArticle, LegalDocument, Power

Q_MAX_LENGTH = search.MAX_QUERY_LENGTH
CODE_VALIDATOR = RegexValidator(CODE_REGEX, _("统一编码格式应为 类别-单位编码-四位序号，例如 XK-SCJG-0001。"))
# A query made only of code characters may be (the start of) a uniform code.
_CODE_LIKE = re.compile(r"^[A-Za-z0-9-]+$")


def _search_field(label):
    return django_filters.CharFilter(
        method="filter_q",
        label=label,
        max_length=Q_MAX_LENGTH,
        error_messages={"max_length": _("检索词不能超过 %(limit_value)d 个字符。")},
    )


class PowerFilterForm(forms.Form):
    """Refuses a department code that does not exist, instead of silently listing nothing."""

    def clean_department(self):
        code = (self.cleaned_data.get("department") or "").strip().upper()
        if code and not Department.objects.filter(code=code).exists():
            raise forms.ValidationError(_("没有编码为「%(code)s」的单位。"), params={"code": code})
        return code


class PowerFilterSet(django_filters.FilterSet):
    """Filters of /powers/ (page) and /api/v1/powers/ (API).

    By default only the current row of each code is listed (``versions=current``);
    ``versions=all`` lists every version, e.g. to find superseded ones.
    """

    q = _search_field(_("关键词"))
    code = django_filters.CharFilter(field_name="code", label=_("统一编码"), validators=[CODE_VALIDATOR])
    department = django_filters.CharFilter(field_name="department__code", label=_("实施主体(单位编码)"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("权力类别"))
    level = django_filters.ChoiceFilter(
        field_name="department__level", choices=Level.choices, label=_("层级")
    )
    status = django_filters.ChoiceFilter(choices=PowerStatus.choices, label=_("状态"))
    versions = django_filters.ChoiceFilter(
        choices=[("current", _("仅当前版本")), ("all", _("全部版本"))],
        method="filter_versions",
        label=_("版本"),
        empty_label=None,
    )

    class Meta:
        model = Power
        form = PowerFilterForm
        fields = ["q", "code", "department", "category", "level", "status", "versions"]

    def __init__(self, *args, matched=None, **kwargs):
        # The ids that ``q`` matches, when the caller searched once already (see ``matching``).
        self.matched = matched
        super().__init__(*args, **kwargs)

    @staticmethod
    def matching(queryset, value):
        """``queryset`` filtered to what the query ``value`` finds (name through the index, code prefix)."""
        value = value.strip()
        if not value:
            return queryset
        found = search.search(queryset, value, field_only=True)  # the index holds the names alone
        if _CODE_LIKE.match(value):
            # "XK-SCJG-0001" or its start ("XK-SCJG") finds by uniform code as well as by name.
            return queryset.filter(Q(code__startswith=value.upper()) | Q(pk__in=found.values("pk")))
        return found

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        if self.matched is not None:
            return queryset.filter(pk__in=self.matched)
        return self.matching(queryset, value)

    def filter_versions(self, queryset, name, value):
        return queryset  # applied in filter_queryset so that the default also applies when absent

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("versions") != "all":
            queryset = queryset.filter(is_current=True)
        return queryset


class LegalDocumentFilterSet(django_filters.FilterSet):
    q = _search_field(_("名称"))
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label=_("效力层级"))
    is_current = django_filters.BooleanFilter(label=_("现行有效"))

    class Meta:
        model = LegalDocument
        fields = ["q", "kind", "is_current"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(code__iexact=value))


class LegalArticleFilterSet(django_filters.FilterSet):
    document = django_filters.CharFilter(field_name="document__code", label=_("文件编号"))
    q = _search_field(_("条文"))

    class Meta:
        model = LegalArticle
        fields = ["document", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(text__icontains=value) if value else queryset


class FlowchartFilterSet(django_filters.FilterSet):
    power = django_filters.CharFilter(
        field_name="power__code", label=_("统一编码"), validators=[CODE_VALIDATOR]
    )

    class Meta:
        model = Flowchart
        fields = ["power"]


class DiscretionStandardFilterSet(django_filters.FilterSet):
    power = django_filters.CharFilter(
        field_name="power__code", label=_("统一编码"), validators=[CODE_VALIDATOR]
    )
    department = django_filters.CharFilter(field_name="power__department__code", label=_("单位编码"))
    q = _search_field(_("违法行为"))

    class Meta:
        model = DiscretionStandard
        fields = ["power", "department", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset
