"""Forms of the appraisal pages. Every number is bounded; texts are stripped and length-limited."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Department

from .choices import Source, Vote
from .models import Indicator, Membership, Period


def _member_departments(year):
    ids = Membership.objects.filter(year=year).values("department_id")
    return Department.objects.filter(pk__in=ids).order_by("code")


class VoteForm(forms.Form):
    department = forms.ModelChoiceField(label=_("被评单位"), queryset=Department.objects.none())
    choice = forms.ChoiceField(label=_("您的评价"), choices=Vote.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("意见建议（选填）"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.RegexField(
        label=_("手机号码（选填）"),
        required=False,
        regex=r"^1\d{10}$",
        help_text=_("仅用于确认同一人每期只评一次，不保存号码本身，也不公开。"),
        error_messages={"invalid": _("请输入 11 位手机号码，或留空。")},
    )

    def __init__(self, *args, period: Period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _member_departments(period.year)


class CriterionForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("重点工作指标"), queryset=Indicator.objects.none())
    title = forms.CharField(label=_("重点工作"), max_length=200)
    work_report_ref = forms.CharField(label=_("政府工作报告依据"), max_length=200)
    criterion = forms.CharField(label=_("考评细则"), max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, year, department, **kwargs):
        super().__init__(*args, **kwargs)
        series = Membership.objects.filter(year=year, department=department).values("series_id")
        self.fields["indicator"].queryset = Indicator.objects.filter(
            category__series__in=series, is_key_task=True
        ).select_related("category")


class RedeclareForm(forms.Form):
    criterion = forms.CharField(label=_("修改后的考评细则"), max_length=4000, widget=forms.Textarea)


class EntryForm(forms.Form):
    period = forms.ModelChoiceField(label=_("考评周期"), queryset=Period.objects.none())
    department = forms.ModelChoiceField(label=_("单位"), queryset=Department.objects.none())
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.none())
    value = forms.DecimalField(
        label=_("数值"), max_digits=12, decimal_places=4, min_value=-(10**7), max_value=10**7
    )
    evidence = forms.CharField(
        label=_("佐证材料"), max_length=4000, widget=forms.Textarea, help_text=_("文件名称、文号、核查记录等")
    )

    def __init__(self, *args, year, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(year=year)
        departments = _member_departments(year)
        if department is not None:
            departments = departments.filter(pk=department.pk)
        self.fields["department"].queryset = departments
        self.fields["indicator"].queryset = Indicator.objects.filter(
            category__series__year=year, source=Source.ENTERED
        ).select_related("category__series")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.category.series} · {i.name}"

    def clean(self):
        data = super().clean()
        dept, ind = data.get("department"), data.get("indicator")
        if (
            dept
            and ind
            and not Membership.objects.filter(department=dept, series=ind.category.series_id).exists()
        ):
            raise forms.ValidationError(_("该指标不属于该单位所在的考评系列。"))
        return data


class CorrectionForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("更正项"), queryset=Indicator.objects.none(), required=False, empty_label=_("公众评议得分")
    )
    score = forms.DecimalField(
        label=_("更正后的得分"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    reason = forms.CharField(label=_("更正理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, result, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(category__series=result.series_id)


class RectificationForm(forms.Form):
    report = forms.CharField(label=_("整改报告"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_("查找原因、整改措施、完成时限，并说明已向市领导汇报的情况。"))  # fmt: skip


class SurveyUploadForm(forms.Form):
    file = forms.FileField(label=_("评议调查结果（.xlsx）"))
