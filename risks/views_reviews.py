"""Pages of the reviews: a department's ten-clarities panel and self-reviews; the democratic evaluations."""

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from portal.access import RoleRequiredMixin
from portal.actions import Verb
from portal.forms import NoteForm, RequiredNoteForm
from portal.models import Department

from . import permissions, reviews
from .choices import EVIDENCED_CLARITIES, EvaluationDecision, Relation
from .models import ConflictDeclaration, DemocraticEvaluation, Recusal, SelfReview
from .views import OFFICE_ROLES, VerbView


class EvidenceForm(forms.Form):
    clarity = forms.ChoiceField(
        label=gettext_lazy("事项"), choices=[(c.value, c.label) for c in EVIDENCED_CLARITIES]
    )
    evidence = forms.CharField(
        label=gettext_lazy("佐证材料"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    report = forms.CharField(
        label=gettext_lazy("自查情况"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class EvaluationForm(forms.Form):
    person = forms.ModelChoiceField(label=gettext_lazy("被评议人"), queryset=None)
    period_start = forms.DateField(label=gettext_lazy("评议期起"))
    period_end = forms.DateField(label=gettext_lazy("评议期止"))
    respondents = forms.IntegerField(label=gettext_lazy("参评人数"), min_value=1, max_value=100000)
    satisfied = forms.IntegerField(label=gettext_lazy("满意人数"), min_value=0, max_value=100000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(staff_profile__isnull=False).select_related("staff_profile")
        self.fields["person"].queryset = users.order_by("staff_profile__department__code", "username")
        self.fields["person"].label_from_instance = lambda u: (
            f"{u.staff_profile.display_name}（{u.staff_profile.department}）"
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("研究决定"), choices=[c for c in EvaluationDecision.choices if c[0]]
    )
    note = forms.CharField(
        label=gettext_lazy("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DepartmentPanelView(RoleRequiredMixin, TemplateView):
    """十明确 panel and quarterly self-reviews of one department (its staff and the office)."""

    template_name = "risks/department.html"

    def dispatch(self, request, *args, **kwargs):
        self.department = get_object_or_404(Department, code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request):
        if not (
            permissions.is_office(request.user) or permissions.is_staff_of(request.user, self.department)
        ):
            raise PermissionDenied(_("只能查看本单位的十明确和自查。"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            department=self.department,
            clarities=reviews.clarities(self.department),
            reviews=SelfReview.objects.filter(department=self.department).order_by("-year", "-quarter"),
            evidence_form=kwargs.get("evidence_form") or EvidenceForm(),
            report_form=ReportForm(),
            office=permissions.is_office(self.request.user),
            staff=permissions.is_staff_of(self.request.user, self.department),
        )
        return context

    def post(self, request, code):
        form = EvidenceForm(request.POST)
        if form.is_valid():
            try:
                reviews.record_clarity_evidence(self.department, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("佐证已记录。"))
                return redirect("risks:department", code=code)
        return self.render_to_response(self.get_context_data(evidence_form=form))


#: A self-review's verbs, named by the URL (portal.actions).
SELF_REVIEW_VERBS = {
    "submit": Verb(
        gettext_lazy("报送自查情况"), ReportForm, permissions.can_submit_self_review, reviews.submit_self_review,
        message=gettext_lazy("自查情况已报送。"),
    ),
    "accept": Verb(
        gettext_lazy("审阅通过"), NoteForm, permissions.can_review_self_review,
        partial(reviews.accept_self_review, accept=True), message=gettext_lazy("已审阅通过。"),
    ),
    "reopen": Verb(
        gettext_lazy("退回重报"), RequiredNoteForm, permissions.can_review_self_review,
        partial(reviews.accept_self_review, accept=False), danger=True,
        message=gettext_lazy("已退回重报，新的期限开始计时。"),
    ),
}  # fmt: skip


class SelfReviewVerbView(VerbView):
    model = SelfReview
    verbs = SELF_REVIEW_VERBS

    def get_success_url(self, result=None):
        return reverse("risks:department", kwargs={"code": self.object.department.code})

    get_failure_url = get_success_url


class EvaluationsView(RoleRequiredMixin, View):
    """The office's democratic evaluations: record results, see who is flagged, record decisions."""

    roles = OFFICE_ROLES
    template_name = "risks/evaluations.html"

    def render_page(self, form=None):
        rows = DemocraticEvaluation.objects.select_related("person__staff_profile", "department").order_by(
            "-flagged", "-period_end", "satisfaction"
        )[:200]
        return render(self.request, self.template_name, {"form": form or EvaluationForm(), "rows": rows,
                                                          "decision_form": DecisionForm()})  # fmt: skip

    def get(self, request):
        return self.render_page()

    def post(self, request):
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                reviews.record_evaluation(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("评议结果已录入。"))
                return redirect("risks:evaluations")
        return self.render_page(form)


class DecideEvaluationView(RoleRequiredMixin, View):
    roles = OFFICE_ROLES

    def post(self, request, pk):
        evaluation = get_object_or_404(DemocraticEvaluation, pk=pk)
        form = DecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请选择研究决定并说明理由。"))
            reviews.decide_evaluation(evaluation, by=request.user, **form.cleaned_data)
            messages.success(request, _("研究决定已记录。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("risks:evaluations")


class DeclarationForm(forms.Form):
    relation = forms.ChoiceField(label=gettext_lazy("关系"), choices=Relation.choices)
    counterpart_name = forms.CharField(label=gettext_lazy("对方姓名或名称"), max_length=100)
    counterpart_id_number = forms.CharField(
        label=gettext_lazy("证件号码或统一社会信用代码"), max_length=40, required=False
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


class RecusalForm(forms.Form):
    matter = forms.CharField(label=gettext_lazy("回避事项"), max_length=200)
    matter_ref = forms.CharField(label=gettext_lazy("事项编号(如办件编号)"), max_length=64, required=False)
    reason = forms.CharField(
        label=gettext_lazy("回避理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MyDeclarationsView(RoleRequiredMixin, View):
    """防止利益冲突: a person's own declarations and recusals (the office sees all in the admin)."""

    template_name = "risks/declarations.html"

    def render_page(self, declaration_form=None, recusal_form=None):
        user = self.request.user
        return render(self.request, self.template_name, {
            "declarations": ConflictDeclaration.objects.visible_to(user).filter(person=user),
            "recusals": Recusal.objects.visible_to(user).filter(person=user),
            "declaration_form": declaration_form or DeclarationForm(),
            "recusal_form": recusal_form or RecusalForm(),
        })  # fmt: skip

    def get(self, request):
        return self.render_page()

    def post(self, request):
        from . import conflicts

        if request.POST.get("kind") == "recusal":
            form = RecusalForm(request.POST)
            if form.is_valid():
                try:
                    conflicts.record_recusal(by=request.user, **form.cleaned_data)
                    messages.success(request, _("回避已记录。"))
                    return redirect("risks:declarations")
                except ValidationError as exc:
                    form.add_error(None, exc)
            return self.render_page(recusal_form=form)
        if request.POST.get("withdraw"):
            declaration = get_object_or_404(
                ConflictDeclaration.objects.filter(person=request.user), pk=request.POST["withdraw"]
            )
            try:
                conflicts.withdraw_relation(declaration, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("risks:declarations")
        form = DeclarationForm(request.POST)
        if form.is_valid():
            try:
                conflicts.declare_relation(by=request.user, **form.cleaned_data)
                messages.success(request, _("申报已记录。"))
                return redirect("risks:declarations")
            except ValidationError as exc:
                form.add_error(None, exc)
        return self.render_page(declaration_form=form)
