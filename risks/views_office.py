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
from django.views import View
from django.views.generic import TemplateView

from monitoring.alerts import open_for_intake
from monitoring.supervision import accountability_of
from portal.access import RoleRequiredMixin

from . import permissions, services
from .filtersets import OrderFilterSet, RiskInformationFilterSet, WarningFilterSet
from .forms import (
    AssessForm,
    InformationForm,
    NoteForm,
    OrderForm,
    ReasonForm,
    RectificationForm,
    ReturnOrderForm,
    WarningForm,
)
from .models import RiskInformation, SupervisionOrder, WarningNotice
from .views import OFFICE_ROLES, STAFF_ROLES, VerbView

PAGE_SIZE = 50


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
    form_class = AssessForm
    title = _("分析评估")
    success_message = _("已评估。")

    def run(self, obj, data):
        return services.assess_information(obj, by=self.request.user, **data)


class DismissView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    form_class = ReasonForm
    title = _("不予预警")
    success_message = _("已记录不予预警的理由。")

    def run(self, obj, data):
        return services.dismiss_information(obj, by=self.request.user, reason=data["reason"])


class IssueWarningView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    title = _("发出廉政风险预警警报")
    success_message = _("预警警报已发出。")

    def get_form(self, data=None):
        return WarningForm(data, department=self.get_object().department)

    def run(self, obj, data):
        return services.issue_warning(obj, by=self.request.user, **data)


class IssueOrderView(VerbView):
    model = RiskInformation
    roles = OFFICE_ROLES
    form_class = OrderForm
    title = _("发出廉政风险督办书")
    success_message = _("督办书已发出，整改期限开始计时。")

    def run(self, obj, data):
        warning = obj.warnings.order_by("-issued_at").first()
        return services.issue_order(obj, by=self.request.user, warning=warning, **data)


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
    title = _("签收预警警报")
    success_message = _("已签收。")

    def run(self, obj, data):
        return services.acknowledge_warning(obj, by=self.request.user)


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
    form_class = RectificationForm
    title = _("报送整改情况")
    success_message = _("整改情况已报送，等待核实。")

    def run(self, obj, data):
        return services.answer_order(obj, by=self.request.user, **data)


class CloseOrderView(VerbView):
    model = SupervisionOrder
    roles = OFFICE_ROLES
    form_class = NoteForm
    title = _("核实办结")
    success_message = _("督办书已核实办结。")

    def run(self, obj, data):
        return services.close_order(obj, by=self.request.user, note=data["note"])


class ReturnOrderView(VerbView):
    model = SupervisionOrder
    roles = OFFICE_ROLES
    form_class = ReturnOrderForm
    title = _("核实退回")
    success_message = _("已退回重新整改，新的期限开始计时。")

    def run(self, obj, data):
        return services.return_order(obj, by=self.request.user, **data)


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

        person = get_object_or_404(get_user_model(), pk=pk)
        viewer = get_object_or_404(get_user_model(), pk=request.POST.get("viewer") or 0)
        try:
            services.share_integrity_file(
                person, viewer=viewer, by=request.user, reason=request.POST.get("reason", "")
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
