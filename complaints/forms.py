"""Forms of the complaint platform. They check input only; every state change is a verb in services.

Department and power are typed (``<datalist>`` suggestions, no script needed): the field accepts the
code, the name or "code name" and resolves it. The public form resists spam without an external
service: a hidden honeypot field, a signed start time (too fast = a robot), and the rate limit.
"""

import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.forms import NoteForm, TextField
from portal.models import Department
from portal.tracking import LookupForm
from portal.uploads import UploadsField
from powers.models import Power

from .choices import STAFF_CHANNELS, Channel, Satisfaction
from .models import Category, Complaint
from .services import MAX_FILES

CONTACT_RE = re.compile(r"^[0-9A-Za-z@._+\- ]{5,100}$")
FORM_SALT = "complaints.form-started"


def attach_errors(form, exc: ValidationError) -> None:
    """Show a verb's ValidationError on the form: beside its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class PickField(forms.CharField):
    """A typed choice among many rows (department, power): code, name, or "code name" from the datalist."""

    def __init__(self, *args, list_id: str, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.list_id = list_id
        self.widget.attrs.update({"list": list_id, "autocomplete": "off"})

    def queryset(self):
        raise NotImplementedError

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        token = text.split()[0]
        rows = list(self.queryset().filter(self.match(text, token))[:2])
        if len(rows) != 1:
            raise ValidationError(_("没有找到「%(text)s」，请从提示列表中选择。"), params={"text": text[:40]})
        return rows[0]

    def match(self, text: str, token: str) -> Q:
        return Q(code__iexact=token) | Q(name=text)


class DepartmentField(PickField):
    def queryset(self):
        return Department.objects.filter(is_active=True)

    def match(self, text: str, token: str) -> Q:
        return super().match(text, token) | Q(short_name=text)


class PowerField(PickField):
    def queryset(self):
        return Power.objects.exercisable()


def department_options():
    return Department.objects.filter(is_active=True).order_by("level", "code").values_list("code", "name")


def power_options(limit: int = 500):
    return Power.objects.exercisable().order_by("code").values_list("code", "name")[:limit]


class AboutFields(forms.Form):
    """What the complaint is about (all optional but the matter itself)."""

    title = forms.CharField(
        label=_("投诉事项"), max_length=120, help_text=_("一句话概括，例如“办理营业执照超期未办结”。")
    )
    matter = forms.CharField(label=_("投诉内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    department = DepartmentField(label=_("被投诉单位"), list_id="complaint-departments")
    case_code = forms.CharField(label=_("相关办件编号"), max_length=40, required=False)
    power = PowerField(label=_("相关权力事项"), list_id="complaint-powers")
    official_name = forms.CharField(label=_("被投诉人员"), max_length=60, required=False)
    files = UploadsField(label=_("附件"), required=False, max_files=MAX_FILES,
                         help_text=_("PDF、JPG 或 PNG，每个不超过 10 MB，最多 5 个。"))  # fmt: skip

    def clean_case_code(self):
        return self.cleaned_data["case_code"].strip().upper()

    def clean_reporter_contact(self):
        contact = self.cleaned_data.get("reporter_contact", "").strip()
        if contact and not CONTACT_RE.match(contact):
            raise ValidationError(_("请填写有效的电话号码或电子邮箱。"))
        return contact

    def about(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "matter": data["matter"],
            "department": data.get("department"),
            "case_code": data.get("case_code", ""),
            "power": data.get("power"),
            "official_name": data.get("official_name", ""),
            "files": data.get("files") or [],
        }


class PublicComplaintForm(AboutFields):
    """网上投诉: anonymous or named; honeypot and minimum fill time against robots."""

    anonymous = forms.BooleanField(label=_("匿名投诉（不留姓名和联系方式）"), required=False)
    reporter_name = forms.CharField(label=_("您的姓名"), max_length=60, required=False)
    reporter_contact = forms.CharField(
        label=_("联系电话或邮箱"),
        max_length=100,
        required=False,
        help_text=_("只有受理和监察人员可见，用于告知办理结果。"),
    )
    # Robots fill every field; people never see this one.
    website = forms.CharField(label=_("网址（请留空）"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["title", "matter", "department", "case_code", "power", "official_name", "anonymous",
                   "reporter_name", "reporter_contact", "files", "website", "started"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=FORM_SALT)

    def is_robot(self) -> bool:
        """Honeypot filled, no or forged start time, or filled faster than a person can."""
        if self.data.get("website"):
            return True
        try:
            started = float(signing.loads(self.data.get("started", ""), salt=FORM_SALT, max_age=24 * 3600))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return time.time() - started < settings.COMPLAINTS_MIN_FILL_SECONDS

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("anonymous"):
            cleaned["reporter_name"] = cleaned["reporter_contact"] = ""
        return cleaned

    def reporter(self) -> dict:
        return {
            "reporter_name": self.cleaned_data.get("reporter_name", ""),
            "reporter_contact": self.cleaned_data.get("reporter_contact", ""),
        }


class IntakeForm(AboutFields):
    """热线/来信/邮件登记: the operator's keyboard-first form, common fields first."""

    channel = forms.ChoiceField(
        label=_("渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS], initial=Channel.HOTLINE
    )
    reporter_contact = forms.CharField(label=_("来电号码/联系方式"), max_length=100, required=False)
    reporter_name = forms.CharField(label=_("投诉人姓名"), max_length=60, required=False)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), required=False)

    field_order = ["channel", "reporter_contact", "title", "matter", "category", "department", "reporter_name",
                   "case_code", "power", "official_name", "files"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")
        self.fields["reporter_contact"].widget.attrs["autofocus"] = True
        self.fields["files"].label = _("来信/邮件扫描件")

    def reporter(self) -> dict:
        return {
            "reporter_name": self.cleaned_data.get("reporter_name", ""),
            "reporter_contact": self.cleaned_data.get("reporter_contact", ""),
        }


class TrackForm(LookupForm):
    """投诉查询: the complaint code and the query secret (``portal.tracking``)."""

    code = TextField(
        label=_("投诉编号"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("您对办理结果是否满意"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)  # fmt: skip
    comment = forms.CharField(
        label=_("意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmptyForm(forms.Form):
    """A verb without input: the form only carries the CSRF token."""


class ClassifyForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")


class ForwardForm(NoteForm):
    department = DepartmentField(label=_("承办单位"), list_id="complaint-departments", required=True)


class MergeForm(NoteForm):
    into = forms.CharField(label=_("并入投诉件编号"), max_length=32)

    def clean_into(self):
        code = self.cleaned_data["into"].strip().upper()
        target = Complaint.objects.filter(code=code).first()
        if target is None:
            raise ValidationError(_("没有编号为 %(code)s 的投诉件。"), params={"code": code[:32]})
        return target


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("答复意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class PressForm(forms.Form):
    requirement = forms.CharField(
        label=_("督办要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline_days = forms.IntegerField(label=_("答复期限（工作日）"), min_value=1, max_value=60, initial=3)


class ReportForm(forms.Form):
    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, required=False,
                             widget=forms.TextInput(attrs={"type": "month"}))  # fmt: skip

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = (int(p) for p in value.split("-"))
        if not 2000 <= year <= 2100:
            raise ValidationError(_("月份超出范围。"))
        return year, month
