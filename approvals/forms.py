"""Forms of the service-centre pages. They check input only; every state change is a verb in services.

Uploads are checked here, before any verb runs, so that a refused file stores nothing, by the one
upload policy of ``portal.uploads`` (size, type by extension *and* by the file's first bytes, count);
the verbs check the same policy again for the API.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.forms import TextField
from portal.models import Department
from portal.tracking import LookupForm
from portal.uploads import MultipleFileInput
from powers.models import Power

from .choices import (
    APPLICATION_DECISIONS,
    ENFORCEMENT_DECISIONS,
    RATING_SCORES,
    ApplicantType,
    CaseKind,
    Decision,
    SuspensionKind,
)
from .models import Material, ServiceItem
from .services.enforcement import ENFORCEMENT_CATEGORIES

# What a citizen may upload: the one upload policy of portal.uploads (PDF, JPG, PNG by content).
UPLOAD_ACCEPT = uploads.accept()
MAX_FILES_PER_MATERIAL = uploads.MAX_FILES_PER_FIELD
ID_NUMBER_RE = re.compile(r"^[0-9A-Z]{15,18}$")
PHONE_RE = re.compile(r"^[0-9+\- ]{7,20}$")


def check_upload(upload) -> None:
    """Refuse a file that is too large, of another type, or whose content does not match its name."""
    uploads.check_file(upload)


class MaterialFilesField(forms.FileField):
    """Zero or more files for one material, each checked by ``check_upload``."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": UPLOAD_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES_PER_MATERIAL:
            raise ValidationError(_("每项材料最多上传 %(n)d 个文件。"), params={"n": MAX_FILES_PER_MATERIAL})
        cleaned = [super(MaterialFilesField, self).clean(f, initial) for f in files]
        return uploads.check_files(cleaned)


def material_label(material: Material) -> str:
    parts = [material.name]
    if material.copies > 1:
        parts.append(f"（{material.copies}份）")
    return "".join(parts)


class MaterialUploadsMixin:
    """One ``material_<id>`` upload field per material of the item."""

    def add_material_fields(self, materials, *, require_required: bool, highlight=()):
        self.material_field_names = []
        for material in materials:
            name = f"material_{material.pk}"
            help_parts = [material.note] if material.note else []
            if material.pk in highlight:
                help_parts.insert(0, str(_("需补正")))
            self.fields[name] = MaterialFilesField(
                label=material_label(material),
                required=require_required and material.required,
                help_text="；".join(help_parts),
            )
            self.fields[name].material = material
            self.material_field_names.append(name)

    def material_fields(self):
        return [self[name] for name in self.material_field_names]

    def uploads(self) -> dict:
        """``{material id: [files]}`` for the verbs."""
        out = {}
        for name in self.material_field_names:
            files = self.cleaned_data.get(name) or []
            if files:
                out[self.fields[name].material.pk] = files
        return out


class ApplicantFields(forms.Form):
    """Who applies: shared by the online form and the window intake."""

    applicant_type = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ApplicantType.choices,
        initial=ApplicantType.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = TextField(label=_("申请人姓名或单位名称"), max_length=100)
    applicant_id_number = TextField(
        label=_("身份证号码或统一社会信用代码"),
        max_length=40,
        help_text=_("个人填写18位身份证号码，企业填写18位统一社会信用代码。"),
    )
    applicant_phone = TextField(
        label=_("联系电话"), max_length=30, help_text=_("用于接收受理、补正和办结短信。")
    )
    description = TextField(
        label=_("申请事项说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_applicant_id_number(self):
        value = "".join(self.cleaned_data.get("applicant_id_number", "").split()).upper()
        if value and not ID_NUMBER_RE.match(value):
            raise ValidationError(_("证件号码格式不正确：应为15或18位数字和大写字母。"))
        return value

    def clean_applicant_phone(self):
        value = self.cleaned_data.get("applicant_phone", "").strip()
        if value and not PHONE_RE.match(value):
            raise ValidationError(_("请填写有效的电话号码（手机号或带区号的固定电话）。"))
        return value

    def applicant(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "applicant_type",
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "description",
            )
        }


class ApplyForm(MaterialUploadsMixin, ApplicantFields):
    """The citizen's online application (网上申请). The green channel is not the citizen's to choose."""

    pledge = forms.BooleanField(
        label=_("本人承诺所填信息和所交材料真实、有效，如有虚假愿承担法律责任。"),
        error_messages={"required": _("请阅读并勾选承诺。")},
    )

    def __init__(self, *args, item: ServiceItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        pledge = self.fields.pop("pledge")
        self.add_material_fields(item.materials.all(), require_required=True)
        self.fields["pledge"] = pledge


class IntakeItemForm(forms.Form):
    """Step one of window intake: which item the walk-in applicant comes for."""

    item = forms.ModelChoiceField(
        label=_("服务事项"),
        queryset=ServiceItem.objects.none(),
        to_field_name="code",
        empty_label=_("请选择服务事项"),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.name}（{i.department.name}）"


class IntakeForm(MaterialUploadsMixin, ApplicantFields):
    """Window intake (窗口受理): a clerk records a walk-in application, paper checked and/or scans."""

    paper_materials = forms.MultipleChoiceField(
        label=_("已核验的纸质材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    accept_now = forms.BooleanField(
        label=_("材料齐全，当场受理"),
        required=False,
        initial=True,
        help_text=_("不勾选则只登记，稍后在办件页受理或一次性告知补正。"),
    )

    def __init__(self, *args, item: ServiceItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        materials = list(item.materials.all())
        self.fields["applicant_id_number"].required = False
        self.fields["applicant_phone"].required = False
        self.fields["paper_materials"].choices = [
            (str(m.pk), material_label(m) + ("" if m.required else str(_("（非必需）")))) for m in materials
        ]
        accept_now = self.fields.pop("accept_now")
        self.add_material_fields(materials, require_required=False)
        self.fields["accept_now"] = accept_now

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accept_now"):
            present = {int(pk) for pk in cleaned.get("paper_materials") or ()} | set(self.uploads())
            missing = [m.name for m in self.item.materials.all() if m.required and m.pk not in present]
            if missing:
                raise ValidationError(
                    _("缺少必需材料：%(names)s。不能当场受理——请取消“当场受理”，登记后一次性告知补正。"),
                    params={"names": "、".join(missing)},
                )
        return cleaned


class TrackForm(LookupForm):
    """办件查询: the case code and the query secret (``portal.tracking``)."""

    code = TextField(
        label=_("办件编号"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": _("例如 SP20261123000001")}
        ),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("满意度"), choices=RATING_SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = TextField(
        label=_("意见建议（选填）"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionForm(MaterialUploadsMixin, forms.Form):
    """Upload the materials a correction notice asks for (补正). At least one file."""

    def __init__(self, *args, item: ServiceItem, missing_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        materials = sorted(item.materials.all(), key=lambda m: (m.pk not in missing_ids, m.order, m.pk))
        self.add_material_fields(materials, require_required=False, highlight=set(missing_ids))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.uploads():
            raise ValidationError(_("请至少上传一份需补正的材料。"))
        return cleaned


class WindowCorrectionForm(CorrectionForm):
    """补正 at a window: the clerk checks paper materials and/or scans them in."""

    paper_materials = forms.MultipleChoiceField(
        label=_("已核验的纸质材料"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, item: ServiceItem, missing_ids=(), **kwargs):
        super().__init__(*args, item=item, missing_ids=missing_ids, **kwargs)
        self.fields["paper_materials"].choices = [
            (str(m.pk), material_label(m)) for m in item.materials.all()
        ]

    def clean(self):
        cleaned = forms.Form.clean(self)
        if not self.errors and not self.uploads() and not cleaned.get("paper_materials"):
            raise ValidationError(_("请勾选已核验的纸质材料或上传补正材料。"))
        return cleaned

    def paper(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("paper_materials") or ()]


# --- staff action forms (one per verb) ------------------------------------------------------


class RequestCorrectionForm(forms.Form):
    missing = forms.MultipleChoiceField(
        label=_("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other = TextField(
        label=_("其他需补正的内容"),
        required=False,
        max_length=500,
        help_text=_("每行一项，例如：申请表第二页未签字。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = TextField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [(str(m.pk), m.name) for m in case.item.materials.all()]

    def clean(self):
        cleaned = super().clean()
        other = [line.strip() for line in (cleaned.get("other") or "").splitlines() if line.strip()]
        cleaned["entries"] = [int(pk) for pk in cleaned.get("missing") or ()] + other
        if not cleaned["entries"]:
            raise ValidationError(_("请一次性列明需要补正的全部材料。"))
        return cleaned


class OpinionForm(forms.Form):
    opinion = TextField(
        label=_("办理意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(label=_("暂停计时情形"), choices=SuspensionKind.choices)
    reason = TextField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ResumeForm(forms.Form):
    note = TextField(
        label=_("恢复说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OpenParallelForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("会签单位"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("会签时限（工作日）"), min_value=1, max_value=60, initial=5)
    note = TextField(
        label=_("会签事项"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = (
            Department.objects.filter(is_active=True).exclude(pk=case.department_id).order_by("level", "code")
        )


class CompleteSubcaseForm(forms.Form):
    agree = forms.TypedChoiceField(
        label=_("会签结论"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = TextField(label=_("会签意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("办理结果"), widget=forms.RadioSelect)
    reason = TextField(
        label=_("决定理由"),
        required=False,
        max_length=2000,
        help_text=_("不予许可（处理）时必须填写。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_basis = TextField(
        label=_("法律依据"),
        required=False,
        max_length=1000,
        help_text=_("不予许可（处理）时必须写明所依据的法律条款。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = APPLICATION_DECISIONS if case.kind == CaseKind.APPLICATION else ENFORCEMENT_DECISIONS
        if case.kind == CaseKind.ENFORCEMENT and case.power.standards.exists():
            allowed = allowed - {Decision.IMPOSE}  # a penalty goes through the discretion calculator
        self.fields["decision"].choices = [(v, label) for v, label in Decision.choices if v in allowed]


class RecordFeeForm(forms.Form):
    amount = forms.DecimalField(label=_("实收金额（元）"), max_digits=12, decimal_places=2, min_value=0)
    receipt_no = TextField(label=_("票据号"), max_length=40)
    justification = TextField(
        label=_("差额说明"),
        required=False,
        max_length=1000,
        help_text=_("实收与应收不一致时必须说明依据（如减免文件）。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PenaltyForm(forms.Form):
    """The penalty decision through the discretion calculator (自由裁量)."""

    standard = forms.ModelChoiceField(label=_("适用的裁量基准"), queryset=None, empty_label=None)
    fact = forms.DecimalField(label=_("情节数值"), max_digits=14, decimal_places=2, min_value=0)
    amount = forms.DecimalField(
        label=_("决定金额"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    reasons = TextField(
        label=_("说明理由"),
        required=False,
        max_length=2000,
        help_text=_("决定金额超出基准幅度时必须填写。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    collective_discussion_record = TextField(
        label=_("集体讨论记录"),
        required=False,
        max_length=4000,
        help_text=_("超出基准幅度时附集体讨论的时间、参加人员和结论。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case, calculate_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = case.power.standards.prefetch_related("bands").order_by("id")
        self.fields["standard"].label_from_instance = lambda s: (
            f"{s.title}（{s.fact_label}，{s.fact_unit or '—'}）"
        )
        self.fields["amount"].required = not calculate_only


class EnforcementForm(forms.Form):
    """File an enforcement case (立案) on one of the officer's department's published powers."""

    power = forms.ModelChoiceField(
        label=_("适用的权力事项"), queryset=Power.objects.none(), empty_label=_("请选择")
    )
    party_type = forms.ChoiceField(
        label=_("当事人类型"),
        choices=ApplicantType.choices,
        initial=ApplicantType.ORGANISATION,
        widget=forms.RadioSelect,
    )
    party_name = TextField(label=_("当事人"), max_length=100)
    party_id_number = TextField(label=_("证件号码或统一社会信用代码"), max_length=40, required=False)
    party_phone = TextField(label=_("联系电话"), max_length=30, required=False)
    facts = TextField(label=_("案情（违法事实）"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["power"].queryset = (
            Power.objects.exercisable()
            .filter(department=department, category__in=ENFORCEMENT_CATEGORIES)
            .order_by("category", "code")
        )
        self.fields["power"].label_from_instance = lambda p: (
            f"{p.code} {p.name}（{p.get_category_display()}）"
        )

    def verb_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "party_name": data["party_name"],
            "party_type": data["party_type"],
            "party_id_number": data["party_id_number"],
            "party_phone": data["party_phone"],
            "facts": data["facts"],
        }
