"""Forms of the risks pages. Every number a user types is bounded; the verbs validate again."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.forms import TextField
from portal.models import Post
from powers.models import FlowStep, Power

from .choices import MAX_DEADLINE_DAYS, SCORE_FIELDS, SCORE_MAX, SCORE_MIN, Grade, WarningLevel
from .models import RiskPoint

SCORE_CHOICES = [(n, str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]
SCORE_HELP = _("1 最低，5 最高")


def score_field(label, required=True):
    return forms.TypedChoiceField(
        label=label, choices=SCORE_CHOICES, coerce=int, required=required, help_text=SCORE_HELP
    )


class RiskPointForm(forms.ModelForm):
    """Declare or edit a risk point of one department: its powers, their steps and its posts only."""

    likelihood = score_field(_("发生可能性"))
    harm = score_field(_("危害程度"))
    frequency = score_field(_("行使频率"))
    discretion = score_field(_("裁量空间"))

    class Meta:
        model = RiskPoint
        fields = [
            "power", "step", "post", "title", "risk_type", "source", "holder", "description", "measures",
            "responsible_name", "commitment", "separation_rules", *SCORE_FIELDS,
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "commitment": forms.Textarea(attrs={"rows": 2}),
            "separation_rules": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["power"].queryset = Power.objects.filter(department=department, is_current=True).order_by(
            "code"
        )
        self.fields["step"].queryset = FlowStep.objects.filter(
            flowchart__power__department=department, flowchart__power__is_current=True
        ).select_related("flowchart__power")
        self.fields["step"].label_from_instance = lambda s: f"{s.flowchart.power.name} · {s.order}. {s.name}"
        self.fields["post"].queryset = Post.objects.filter(department=department)

    def clean(self):
        data = super().clean()
        step, power = data.get("step"), data.get("power")
        if step is not None and power is not None and step.flowchart.power_id != power.pk:
            self.add_error("step", _("流程环节应属于所选权力事项的流程图。"))
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AdjustScoresForm(forms.Form):
    likelihood = score_field(_("发生可能性"))
    harm = score_field(_("危害程度"))
    frequency = score_field(_("行使频率"))
    discretion = score_field(_("裁量空间"))
    reason = forms.CharField(label=_("调整理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class InformationForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(label=_("情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    department = forms.ModelChoiceField(label=_("涉及单位"), queryset=None)
    source = forms.ChoiceField(label=_("来源"), choices=[
        ("manual", _("人工录入")), ("complaint", _("投诉举报")), ("audit", _("审计")), ("inspection", _("巡察")),
    ])  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.models import Department

        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("code")


class AssessForm(forms.Form):
    grade = forms.ChoiceField(label=_("评估等级"), choices=Grade.choices)
    assessment = forms.CharField(
        label=_("分析评估意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WarningForm(forms.Form):
    level = forms.ChoiceField(
        label=_("预警级别"), choices=[("", _("按评估等级"))] + list(WarningLevel.choices), required=False
    )
    person = forms.ModelChoiceField(label=_("预警对象(个人，可不填)"), queryset=None, required=False)
    content = forms.CharField(label=_("预警内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    requirements = forms.CharField(
        label=_("防范要求"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        users = (
            get_user_model()
            .objects.filter(staff_profile__department=department)
            .select_related("staff_profile")
        )
        self.fields["person"].queryset = users
        self.fields["person"].label_from_instance = lambda u: u.staff_profile.display_name


class OrderForm(forms.Form):
    plan = forms.CharField(label=_("整改方案要求"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    prevention = forms.CharField(
        label=_("防范要求"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline_days = forms.IntegerField(
        label=_("整改期限(工作日)"), min_value=1, max_value=MAX_DEADLINE_DAYS, initial=10
    )


class RectificationForm(forms.Form):
    rectification = forms.CharField(
        label=_("整改情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReturnOrderForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline_days = forms.IntegerField(
        label=_("新的整改期限(工作日)"), min_value=1, max_value=MAX_DEADLINE_DAYS, initial=5
    )


class ShareIntegrityFileForm(forms.Form):
    """The office shares a person's integrity file with one viewer: who (an existing account) and why."""

    viewer = forms.ModelChoiceField(queryset=None, label=_("可查看人"))
    reason = TextField(label=_("共享理由"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["viewer"].queryset = get_user_model().objects.filter(is_active=True)
