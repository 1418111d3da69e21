"""Forms of the supervision pages. They check input only; every state change is a verb
(monitoring.services.alerts for alerts, monitoring.services.supervision for notices and accountability)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.choices import AccountabilityMeasure
from monitoring.services.supervision import MAX_DEADLINE_DAYS
from portal.forms import TextField
from portal.models import Department


def _text(label, *, required=True, rows=3, help_text=""):
    return TextField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class DismissForm(forms.Form):
    reason = _text(_("排除理由"), rows=2, help_text=_("必填：为什么这条预警不成立。"))


class DeadlineMixin(forms.Form):
    """Working days (default) or a date: the verb refuses both or neither."""

    deadline_days = forms.IntegerField(
        label=_("答复期限（工作日）"), required=False, min_value=1, max_value=MAX_DEADLINE_DAYS
    )
    deadline_on = forms.DateField(
        label=_("或指定日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("deadline_days") and data.get("deadline_on"):
            raise ValidationError(_("答复期限请填写工作日天数或具体日期，二者选一。"))
        return data


class IssueNoticeForm(DeadlineMixin):
    department = forms.ModelChoiceField(
        label=_("督办对象"), queryset=Department.objects.order_by("code"), to_field_name="code"
    )
    title = TextField(label=_("督办事项"), max_length=200)
    requirement = _text(_("督办要求"), rows=4)
    field_order = ["department", "title", "requirement", "deadline_days", "deadline_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline_days"].initial = 5
        self.fields["department"].label_from_instance = lambda d: f"{d.name}（{d.code}）"

    def clean(self):
        data = super().clean()
        if (
            not data.get("deadline_days")
            and not data.get("deadline_on")
            and not self.has_error("deadline_days")
        ):
            self.add_error("deadline_days", _("请填写答复期限。"))
        return data


class AnswerForm(forms.Form):
    answer = _text(_("整改答复"), rows=5, help_text=_("整改措施、结果与责任落实情况。"))


class CloseForm(forms.Form):
    review_note = _text(_("审核意见"), required=False, rows=2)


class ReturnForm(DeadlineMixin):
    review_note = _text(_("审核意见"), rows=2, help_text=_("必填：答复为何不足、还需做什么。"))
    field_order = ["review_note", "deadline_days", "deadline_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline_days"].help_text = _("不填则重新给予 5 个工作日。")


class WithdrawForm(forms.Form):
    reason = _text(_("撤回理由"), rows=2)


class AccountabilityForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Department.objects.order_by("code"), to_field_name="code"
    )
    person_name = TextField(label=_("被问责人"), max_length=60)
    person_title = TextField(label=_("职务"), max_length=60, required=False)
    measure = forms.ChoiceField(label=_("问责方式"), choices=AccountabilityMeasure.choices)
    facts = _text(_("问责事由"), rows=4)
    decided_on = forms.DateField(
        label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate
        self.fields["department"].label_from_instance = lambda d: f"{d.name}（{d.code}）"
