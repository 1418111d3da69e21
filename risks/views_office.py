"""The inspection office's warning loop (信息收集—分析评估—风险预警—跟踪反馈) and the integrity file.

Risk information is the office's alone; warnings and orders are also seen by whom they address
(``WarningLoopQuerySet.visible_to``); the integrity file by the office and the person only.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from monitoring.alerts import accountability_of, open_for_intake
from portal.access import RoleRequiredMixin
from portal.actions import Verb
from portal.forms import NoteForm, ReasonForm

from . import permissions, services
from .filtersets import OrderFilterSet, RiskInformationFilterSet, WarningFilterSet
from .forms import (
    AssessForm,
    InformationForm,
    OrderForm,
    RectificationForm,
    ReturnOrderForm,
    WarningForm,
)
from .models import RiskInformation, SupervisionOrder, WarningNotice
from .views import OFFICE_ROLES, STAFF_ROLES, VerbView

PAGE_SIZE = 50


#: The verbs of the warning loop, in the order of the loop (portal.actions).
OFFICE_VERBS = {
    "assess": Verb(
        gettext_lazy("分析评估"), AssessForm, permissions.can_assess_information, services.assess_information,
        message=gettext_lazy("已评估。"),
    ),
    "dismiss": Verb(
        gettext_lazy("不予预警"), ReasonForm, permissions.can_assess_information, services.dismiss_information,
        message=gettext_lazy("已记录不予预警的理由。"),
    ),
    "issue_warning": Verb(
        gettext_lazy("发出廉政风险预警警报"), WarningForm, permissions.can_issue_warning, services.issue_warning,
        message=gettext_lazy("预警警报已发出。"),
    ),
    "issue_order": Verb(
        gettext_lazy("发出廉政风险督办书"), OrderForm, permissions.can_issue_order, services.issue_order,
        message=gettext_lazy("督办书已发出，整改期限开始计时。"),
    ),
    "acknowledge_warning": Verb(
        gettext_lazy("签收预警警报"), None, permissions.can_acknowledge_warning, services.acknowledge_warning,
        message=gettext_lazy("已签收。"),
    ),
    "answer_order": Verb(
        gettext_lazy("报送整改情况"), RectificationForm, permissions.can_answer_order, services.answer_order,
        message=gettext_lazy("整改情况已报送，等待核实。"),
    ),
    "close_order": Verb(
        gettext_lazy("核实办结"), NoteForm, permissions.can_verify_order, services.close_order,
        message=gettext_lazy("督办书已核实办结。"),
    ),
    "return_order": Verb(
        gettext_lazy("核实退回"), ReturnOrderForm, permissions.can_verify_order, services.return_order, danger=True,
        message=gettext_lazy("已退回重新整改，新的期限开始计时。"),
    ),
}  # fmt: skip


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


class OfficeView(RoleRequiredMixin, TemplateView):
    """The office's desk: gathered risk information and the alerts that can be turned into it."""

    template_name = "risks/office.html"
    roles = OFFICE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = RiskInformation.objects.visible_to(self.request.user).select_related("department")
        filterset = RiskInformationFilterSet(self.request.GET, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
        taken = set(
            RiskInformation.objects.filter(source="alert")
            .exclude(source_ref="")
            .values_list("source_ref", flat=True)
        )
        context.update(
            filter=filterset,
            page=_page(self.request, queryset),
            alerts=[a for a in open_for_intake(30) if str(a["id"]) not in taken][:15],
        )
        return context


class RecordInformationView(RoleRequiredMixin, View):
    roles = OFFICE_ROLES

    def get(self, request):
        from django.shortcuts import render

        return render(
            request, "risks/action.html", {"form": InformationForm(), "title": _("录入廉政风险信息")}
        )

    def post(self, request):
        from django.core.exceptions import ValidationError
        from django.shortcuts import render

        form = InformationForm(request.POST)
        if form.is_valid():
            try:
                info, _created = services.record_information(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("风险信息已录入。"))
                return redirect(info.get_absolute_url())
        return render(request, "risks/action.html", {"form": form, "title": _("录入廉政风险信息")})


class FromAlertView(RoleRequiredMixin, View):
    """One click: an overdue alarm or an anomaly becomes risk information (once)."""

    roles = OFFICE_ROLES

    def post(self, request, alert_id):
        from django.core.exceptions import ValidationError

        try:
            info, created = services.information_from_alert(alert_id, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("risks:office")
        messages.success(request, _("已转为风险信息。") if created else _("该预警已转为风险信息。"))
        return redirect(info.get_absolute_url())


class InformationDetailView(RoleRequiredMixin, TemplateView):
    template_name = "risks/information.html"
    roles = OFFICE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        info = get_object_or_404(
            RiskInformation.objects.visible_to(self.request.user).select_related(
                "department", "person", "power"
            ),
            pk=self.kwargs["pk"],
        )
        context.update(
            info=info,
            warnings=info.warnings.select_related("department").order_by("issued_at"),
            orders=info.orders.select_related("department").order_by("issued_at"),
        )
        return context


class AssessView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    verb = OFFICE_VERBS["assess"]


class DismissView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    verb = OFFICE_VERBS["dismiss"]


class IssueWarningView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    verb = OFFICE_VERBS["issue_warning"]

    def get_form(self, data=None):
        return WarningForm(data, department=self.object.department)


class IssueOrderView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    verb = OFFICE_VERBS["issue_order"]

    def call_verb(self, form):
        warning = self.object.warnings.order_by("-issued_at").first()
        return services.issue_order(self.object, by=self.request.user, warning=warning, **form.cleaned_data)


# --- warnings and orders: seen by the office and whom they address --------------------------------


class WarningListView(RoleRequiredMixin, TemplateView):
    template_name = "risks/warning_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = WarningNotice.objects.visible_to(self.request.user).select_related("department")
        filterset = WarningFilterSet(self.request.GET, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
        context.update(filter=filterset, page=_page(self.request, queryset))
        return context


class WarningDetailView(RoleRequiredMixin, TemplateView):
    template_name = "risks/warning.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        warning = get_object_or_404(
            WarningNotice.objects.visible_to(self.request.user).select_related("department", "information"),
            pk=self.kwargs["pk"],
        )
        context.update(
            warning=warning,
            can_acknowledge=permissions.can_acknowledge_warning(self.request.user, warning),
            office=permissions.is_office(self.request.user),
        )
        return context


class AcknowledgeWarningView(VerbView):
    model = WarningNotice
    verb = OFFICE_VERBS["acknowledge_warning"]


class OrderListView(RoleRequiredMixin, TemplateView):
    template_name = "risks/order_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = SupervisionOrder.objects.visible_to(self.request.user).select_related("department")
        filterset = OrderFilterSet(self.request.GET, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
        context.update(filter=filterset, page=_page(self.request, queryset))
        return context


class OrderDetailView(RoleRequiredMixin, TemplateView):
    template_name = "risks/order.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        order = get_object_or_404(
            SupervisionOrder.objects.visible_to(user).select_related("department", "information", "warning"),
            pk=self.kwargs["pk"],
        )
        from monitoring import timers

        context.update(
            order=order,
            timers=timers.for_target(order) if permissions.is_office(user) else [],
            can_answer=permissions.can_answer_order(user, order),
            can_verify=permissions.can_verify_order(user, order),
        )
        return context


class AnswerOrderView(VerbView):
    model = SupervisionOrder
    roles = STAFF_ROLES
    verb = OFFICE_VERBS["answer_order"]


class CloseOrderView(VerbView):
    model = SupervisionOrder
    roles = OFFICE_ROLES
    verb = OFFICE_VERBS["close_order"]


class ReturnOrderView(VerbView):
    model = SupervisionOrder
    roles = OFFICE_ROLES
    verb = OFFICE_VERBS["return_order"]


# --- the integrity file (廉政档案) ---------------------------------------------------------------


def integrity_file(person) -> dict:
    """Everything the integrity file shows for ``person`` (the caller checks who may see it)."""
    from .models import DemocraticEvaluation

    return {
        "warnings": WarningNotice.objects.filter(person=person)
        .select_related("department")
        .order_by("-issued_at"),
        "orders": SupervisionOrder.objects.filter(person=person)
        .select_related("department")
        .order_by("-issued_at"),
        "accountability": accountability_of(person),
        "evaluations": DemocraticEvaluation.objects.filter(person=person).order_by("-period_end"),
    }


class IntegrityFileView(RoleRequiredMixin, TemplateView):
    """廉政档案: visible to the inspection office and the person only (not colleagues, not the head)."""

    template_name = "risks/integrity_file.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = get_object_or_404(
            get_user_model().objects.select_related("staff_profile"), pk=self.kwargs["pk"]
        )
        if not permissions.can_view_integrity_file(self.request.user, person):
            raise PermissionDenied(_("廉政档案仅纪检监察机关和本人可以查看。"))
        from portal.roles import DEPT_HEAD

        heads = (
            get_user_model()
            .objects.filter(
                groups__name=DEPT_HEAD,
                staff_profile__department=getattr(getattr(person, "staff_profile", None), "department", None),
            )
            .exclude(pk=person.pk)
        )
        context.update(person=person, office=permissions.is_office(self.request.user), heads=heads,
                       **integrity_file(person))  # fmt: skip
        return context


class ShareIntegrityFileView(RoleRequiredMixin, View):
    """The office shares a person's integrity file with one viewer (their department head)."""

    roles = ("inspector", "administrator")

    def post(self, request, pk):
        from django.core.exceptions import ValidationError

        from .forms import ShareIntegrityFileForm

        person = get_object_or_404(get_user_model(), pk=pk)
        form = ShareIntegrityFileForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([m for errors in form.errors.values() for m in errors])
            services.share_integrity_file(
                person,
                viewer=form.cleaned_data["viewer"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已共享。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("risks:integrity_file", pk=person.pk)


class MyIntegrityFileView(RoleRequiredMixin, View):
    def get(self, request):
        return redirect("risks:integrity_file", pk=request.user.pk)


class WarningPdfView(RoleRequiredMixin, View):
    def get(self, request, pk):
        from .pdf import pdf_response, render_pdf

        warning = get_object_or_404(
            WarningNotice.objects.visible_to(request.user).select_related(
                "department", "person__staff_profile"
            ),
            pk=pk,
        )
        content = render_pdf("risks/pdf.html", {"warning": warning, "title": warning.number}, request)
        return pdf_response(f"warning-{warning.pk}.pdf", content)


class OrderPdfView(RoleRequiredMixin, View):
    def get(self, request, pk):
        from .pdf import pdf_response, render_pdf

        order = get_object_or_404(
            SupervisionOrder.objects.visible_to(request.user).select_related("department", "information"),
            pk=pk,
        )
        content = render_pdf("risks/pdf.html", {"order": order, "title": order.number}, request)
        return pdf_response(f"order-{order.pk}.pdf", content)
