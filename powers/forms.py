"""Browser forms of the power list. They validate input; the state changes are the verbs in services.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import bounds
from portal.choices import LEVEL_ORDER
from portal.forms import ReasonForm, TextField
from portal.models import Department, Post

from . import discretion
from .choices import PowerStatus, StepKind
from .models import DiscretionBand, DiscretionStandard, FlowStep, LegalArticle, Power

ARTICLE_CHOICES_LIMIT = 50


def article_label(article: LegalArticle) -> str:
    return f"《{article.document.title}》{article.label}"


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return article_label(obj)


class PowerForm(forms.ModelForm):
    """Declare a power or edit a draft. The department is the user's own; the code is given by the service.

    The legal-basis select lists the articles already chosen plus those found by
    ``article_q`` (at most ARTICLE_CHOICES_LIMIT), so the page stays small with
    thousands of articles; any existing article id is accepted.
    """

    article_q = TextField(
        label=_("检索法条"),
        required=False,
        max_length=50,
        help_text=_("输入法律法规名称或条文关键词，点击“检索法条”后在下方勾选。"),
    )
    legal_articles = ArticleChoiceField(
        label=_("法律依据"),
        queryset=LegalArticle.objects.select_related("document"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("按住 Ctrl（⌘）可多选。申报前必须列明法律依据（具体到条款）。"),
    )

    # Bounded like every text a person types (the model's TextField is not).
    description = TextField(
        label=_("权力内容"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = Power
        fields = [
            "name", "category", "subject", "description", "time_limit_days", "promised_days", "time_limit_unit",
            "result_form", "fee_basis", "complaint_channel", "legal_articles",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, department=None, choose_department=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_department = department
        if self.instance.pk:
            # The category is part of the uniform code given at declaration.
            self.fields["category"].disabled = True
        elif choose_department:
            # An administrator declares on behalf of a department; staff always declare for their own.
            self.fields["department"] = forms.ModelChoiceField(
                label=_("实施主体"),
                queryset=Department.objects.filter(is_active=True).order_by("level", "code"),
            )
            self.order_fields(["name", "category", "department"])
        self.fields["legal_articles"].widget.choices = self._article_choices()

    def _chosen_articles(self) -> set[str]:
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("legal_articles"))
        elif "legal_articles" in self.initial:
            values = self.initial["legal_articles"]
        elif self.instance.pk:
            values = self.instance.legal_articles.values_list("pk", flat=True)
        else:
            values = []
        return {str(v) for v in values if str(v).isdigit() and bounds.in_int64(v)}

    def article_query(self) -> str:
        """The article search as typed, read before validation: printable characters only (a NUL would
        reach PostgreSQL, which refuses it in a string)."""
        source = self.data if self.is_bound else self.initial
        raw = str(source.get(self.add_prefix("article_q") if self.is_bound else "article_q") or "")
        return "".join(ch for ch in raw if ch.isprintable()).strip()[:50]

    def _article_choices(self):
        chosen = self._chosen_articles()
        query = self.article_query()
        condition = Q(pk__in=chosen)
        if query:
            condition |= (
                Q(document__title__icontains=query) | Q(text__icontains=query) | Q(document__code=query)
            )
        elif self.owner_department is not None:
            # Without a query, offer the articles the department's powers already cite.
            cited = LegalArticle.objects.filter(powers__department=self.owner_department).values("pk")
            condition |= Q(pk__in=cited[:ARTICLE_CHOICES_LIMIT])
        rows = (
            LegalArticle.objects.select_related("document")
            .filter(condition)
            .order_by("document__code", "number")[: ARTICLE_CHOICES_LIMIT + len(chosen)]
        )
        return [(a.pk, article_label(a)) for a in rows]

    def clean(self):
        data = super().clean()
        limit, promised = data.get("time_limit_days"), data.get("promised_days")
        if limit is not None and promised is not None and promised > limit:
            self.add_error("promised_days", _("承诺时限不能长于法定时限。"))
        return data

    def validate_constraints(self):
        # The model's check constraint (promised <= statutory) is checked in clean() with a readable message.
        pass

    def service_fields(self) -> dict:
        """cleaned_data without the form-only fields, for declare_power / update_draft."""
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("article_q", "legal_articles", "department")
        }
        if self.instance.pk:
            data.pop("category", None)
        return data


class ApproveForm(forms.Form):
    note = TextField(
        label=_("审核意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DelegationForm(ReasonForm):
    to_department = forms.ModelChoiceField(label=_("承接单位"), queryset=Department.objects.none())

    def __init__(self, *args, power: Power, **kwargs):
        super().__init__(*args, **kwargs)
        lower = LEVEL_ORDER[LEVEL_ORDER.index(power.department.level) + 1 :]
        self.fields["to_department"].queryset = Department.objects.filter(
            level__in=lower, is_active=True
        ).order_by("level", "code")
        self.fields["to_department"].label_from_instance = lambda d: f"{d.get_level_display()} · {d.name}"
        self.fields["to_department"].empty_label = _("请选择更低一级的承接单位")
        self.order_fields(["to_department", "reason"])


class MergeForm(forms.Form):
    powers = forms.ModelMultipleChoiceField(
        label=_("合并的事项"), queryset=Power.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    name = TextField(label=_("合并后的权力名称"), max_length=200)
    reason = TextField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["powers"].queryset = Power.objects.filter(
            department=department, status=PowerStatus.PUBLISHED
        ).order_by("code")
        self.fields["powers"].label_from_instance = lambda p: f"{p.code} {p.name}"

    def clean_powers(self):
        powers = self.cleaned_data["powers"]
        if len(powers) < 2:
            raise ValidationError(_("合并至少需要选择两项权力事项。"))
        return powers


# --- flowchart --------------------------------------------------------------------------


class FlowchartNoteForm(forms.Form):
    note = TextField(
        label=_("流程说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FlowStepForm(forms.ModelForm):
    class Meta:
        model = FlowStep
        fields = [
            "name",
            "kind",
            "post",
            "time_limit_days",
            "rules",
            "duties",
            "supervision_point",
            "complaint_channel",
        ]
        widgets = {"rules": forms.Textarea(attrs={"rows": 2}), "duties": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if posts is not None:
            self.fields["post"].queryset = posts
        self.fields["post"].empty_label = _("（未指定）")
        self.fields["post"].label_from_instance = lambda post: post.name
        self.fields["kind"].required = False  # 其他 unless chosen

    def clean_kind(self):
        return self.cleaned_data.get("kind") or StepKind.OTHER

    def has_changed(self):
        # A blank extra row whose order number the page's script filled in (or whose kind is left
        # as it came) is still blank.
        return any(name not in ("ORDER", "DELETE", "kind") for name in self.changed_data)


class BaseFlowStepFormSet(forms.BaseFormSet):
    """Steps in the order given by ORDER; blank extra rows are ignored; at least one step."""

    def __init__(self, *args, posts=None, **kwargs):
        self.posts = posts
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"posts": self.posts}

    def clean(self):
        # Without a valid management form (a forged post) there are no rows to read.
        if any(self.errors) or not self.management_form.is_valid():
            return
        steps = self.steps()
        if not steps:
            raise ValidationError(_("流程图至少需要一个环节。"))
        if sum(step.get("kind") == StepKind.DECISION for step in steps) > 1:
            raise ValidationError(_("一个流程图只能有一个“决定”环节。"))

    def steps(self) -> list[dict]:
        """The cleaned steps in their chosen order, for services.save_flowchart."""
        kept = [f for f in self.ordered_forms] if self.can_order else self.forms
        return [
            {k: v for k, v in form.cleaned_data.items() if k not in ("ORDER", "DELETE")}
            for form in kept
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


FlowStepFormSet = forms.formset_factory(
    FlowStepForm, formset=BaseFlowStepFormSet, extra=1, can_order=True, can_delete=True, max_num=60,
    validate_max=True,
)  # fmt: skip


def flowstep_initial(flowchart) -> list[dict]:
    if flowchart is None:
        return []
    return [
        {
            "name": s.name, "kind": s.kind, "post": s.post_id, "time_limit_days": s.time_limit_days, "rules": s.rules,
            "duties": s.duties, "supervision_point": s.supervision_point, "complaint_channel": s.complaint_channel,
        }
        for s in flowchart.steps.all()
    ]  # fmt: skip


def department_posts(department):
    return Post.objects.filter(department=department).order_by("code")


# --- discretion standards ---------------------------------------------------------------


class StandardForm(forms.ModelForm):
    class Meta:
        model = DiscretionStandard
        fields = [
            "title",
            "article",
            "fact_label",
            "fact_unit",
            "amount_unit",
            "requires_collective_discussion",
        ]

    def __init__(self, *args, power: Power, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["article"]
        field.queryset = power.legal_articles.select_related("document")
        field.label_from_instance = article_label
        field.empty_label = _("（未指定）")
        field.help_text = _("从本事项的法律依据中选择。")


BAND_FIELDS = ["severity", "fact_min", "fact_max", "amount_min", "amount_max", "description"]

# A plain form (not a ModelForm): the band rules are checked together by discretion.validate_bands,
# whose messages name the band, instead of the models' generic constraint messages.
BandForm = type("BandForm", (forms.Form,), forms.fields_for_model(DiscretionBand, fields=BAND_FIELDS))


class BaseBandFormSet(forms.BaseFormSet):
    """Bands in order; checked with discretion.validate_bands so the page says what the service would refuse."""

    def clean(self):
        if any(self.errors):
            return
        discretion.validate_bands(self.bands())

    def bands(self) -> list[dict]:
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


BandFormSet = forms.formset_factory(
    BandForm, formset=BaseBandFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


def band_initial(standard) -> list[dict]:
    if standard is None:
        return []
    return [{f: getattr(b, f) for f in BAND_FIELDS} for b in standard.bands.all()]


class CalculatorForm(forms.Form):
    """The officer's input to the discretion calculator: the fact (e.g. area in m²)."""

    standard = forms.IntegerField(widget=forms.HiddenInput)
    fact = forms.DecimalField(label=_("情节数值"), max_digits=14, decimal_places=2, min_value=0)
