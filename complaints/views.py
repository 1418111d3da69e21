"""Pages of the complaint platform.

Public (no login): the complaint form, its one-time receipt, tracking by code and query secret
(rate-limited, the secret by POST only, the tracked complaint kept in the session), rating and
reopening. Staff: the queues (supervisory and departmental), the hotline intake form, a complaint's
page with its trail, drill-down and the verbs, the audited identity view, attachments, and the
monthly report with its Excel export.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal import query_secret, ratelimit, tracking
from portal.access import RoleRequiredMixin
from portal.actions import DetailActionView
from portal.actions import Verb as ActionVerb
from portal.forms import NoteForm, ReasonForm
from portal.models import Department
from portal.tracking import TrackedVerb, no_store

from . import drilldown, indicators, services
from . import permissions as perm
from .choices import AT_SUPERVISORY, PUBLIC_VERBS, Channel, ComplaintState, Grade
from .filtersets import ComplaintFilterSet
from .forms import (
    ClassifyForm,
    ForwardForm,
    IntakeForm,
    MergeForm,
    PressForm,
    PublicComplaintForm,
    RatingForm,
    ReplyForm,
    ReportForm,
    TrackForm,
    attach_errors,
    department_options,
    power_options,
)
from .models import Complaint

PAGE_SIZE = 25
RECEIPT = "complaints.receipt"
TRACKED = "complaints.tracked"
TRACKING_SECONDS = tracking.SECONDS
TRACK_LIMIT_PER_MINUTE = tracking.LIMIT_PER_MINUTE


def pickers() -> dict:
    return {"department_options": department_options(), "power_options": power_options()}


# --- the public complaint form ---------------------------------------------------------------------


class SubmitView(View):
    """网上投诉: anonymous or named; honeypot, minimum fill time and the rate limit against spam."""

    template_name = "complaints/submit.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PublicComplaintForm(), **pickers()})

    def post(self, request):
        form = PublicComplaintForm(request.POST, request.FILES)
        if ratelimit.over_limit(request, "complaint-submit", services_limit()):
            form.is_valid()
            form.errors.clear()
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
            return render(request, self.template_name, {"form": form, **pickers()}, status=429)
        if form.is_valid():
            if form.is_robot():
                form.add_error(None, _("提交未成功，请检查后重新提交。"))
            else:
                try:
                    complaint, secret = services.submit(
                        channel=Channel.WEB, by=request.user, **form.about(), **form.reporter()
                    )
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    request.session[RECEIPT] = {"complaint": complaint.pk, "secret": secret}
                    return redirect("complaints:receipt")
        return render(request, self.template_name, {"form": form, **pickers()}, status=400)


def services_limit() -> int:
    from django.conf import settings

    return settings.COMPLAINTS_SUBMIT_PER_MINUTE


def receipt_complaint(request, key: str):
    """The complaint of a one-time receipt; the secret is handed out once, then forgotten."""
    data = request.session.get(key)
    if not data:
        return None, None
    secret = data.pop("secret", None)
    request.session[key] = data
    complaint = (
        Complaint.objects.select_related("category", "department").filter(pk=data["complaint"]).first()
    )
    return complaint, secret


class ReceiptView(View):
    """投诉回执: code and query secret, printable; the secret only on the first view."""

    def get(self, request):
        complaint, secret = receipt_complaint(request, RECEIPT)
        if complaint is None:
            messages.info(request, _("回执只在提交投诉后显示一次。查询投诉请使用投诉编号和查询密码。"))
            return redirect("complaints:track")
        return no_store(
            render(request, "complaints/receipt.html", {"complaint": complaint, "secret": secret})
        )


# --- tracking (portal.tracking) ----------------------------------------------------------------------


def tracking_context(complaint: Complaint, **forms_) -> dict:
    """What the citizen sees: states and dates, departments, the reply; never staff names or notes."""
    events = complaint.events.filter(verb__in=PUBLIC_VERBS).select_related("department").order_by("at", "id")
    context = {"complaint": complaint, "events": events}
    if complaint.state == ComplaintState.CLOSED and complaint.rated_at is None:
        context["rating_form"] = forms_.get("rating_form") or RatingForm()
    if services.can_reopen(complaint):
        context["reopen_form"] = forms_.get("reopen_form") or ReasonForm()
    return context


def _rate(complaint, proofs, form):
    data = form.cleaned_data
    services.rate(
        complaint, proof=proofs.get("track"), satisfaction=data["satisfaction"], comment=data["comment"]
    )


def _reopen(complaint, proofs, form):
    services.reopen(complaint, proof=proofs.get("track"), reason=form.cleaned_data["reason"])


class ComplaintTracking(tracking.Tracking):
    """投诉查询: a complaint by its code and query secret (the session keeps a keyed proof, never the secret)."""

    session_key, record_name, url_name = TRACKED, "complaint", "complaints:track"
    form_class = TrackForm
    form_template, page_template = "complaints/track_form.html", "complaints/track.html"
    limit_scope, limit_per_minute, seconds = "complaint-track", TRACK_LIMIT_PER_MINUTE, TRACKING_SECONDS
    wrong = services.WRONG
    expired = gettext_lazy("查询已过期，请重新输入投诉编号和查询密码。")
    left = gettext_lazy("已退出投诉查询。")
    verbs = {
        "rate": TrackedVerb(RatingForm, "rating_form", _rate, gettext_lazy("感谢您的评价。")),
        "reopen": TrackedVerb(
            ReasonForm, "reopen_form", _reopen, gettext_lazy("已申请重新办理，监察机关将重新分办。")
        ),
    }

    def find(self, code, secret):
        return services.find(code, secret)

    def make_proofs(self, complaint, secret, until):
        return {"track": services.tracking_proof(complaint, until)}

    def proves(self, complaint, proofs, until):
        value, _until = proofs.get("track") or ("", until)
        return query_secret.check_proof(
            value, services.PROOF, complaint.pk, complaint.query_secret_hash, until
        )

    def load(self, pk):
        return Complaint.objects.select_related("handling_department").filter(pk=pk).first()

    def context(self, complaint, proofs, **forms_):
        return tracking_context(complaint, **forms_)


TRACKING = ComplaintTracking()


# --- staff: queues and intake -------------------------------------------------------------------------


class QueueView(RoleRequiredMixin, View):
    """投诉工作台: the supervisory queue (to decide) or the department's queue, filtered and paged."""

    roles = perm.STAFF_ROLES

    def get(self, request):
        user = request.user
        base = Complaint.objects.visible_to(user).select_related(
            "category", "handling_department", "department"
        )
        data = request.GET.copy()
        tab = data.get("tab") or ("todo" if perm.can_see_queue(user) else "mine")
        if tab == "todo":
            base = base.filter(state__in=AT_SUPERVISORY)
        elif tab == "mine":
            base = base.filter(
                state__in=(ComplaintState.FORWARDED, ComplaintState.ACCEPTED, ComplaintState.REPLIED)
            )
        elif tab == "closing":
            base = base.filter(state=ComplaintState.CLOSING)
        filterset = ComplaintFilterSet(data, queryset=base)
        valid = filterset.is_valid()
        rows = filterset.qs if valid else Complaint.objects.none()
        page = Paginator(rows.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "form": filterset.form,
            "tab": tab,
            "supervisory": perm.can_see_queue(user),
            "can_take_calls": perm.can_take_calls(user),
            "can_see_reports": perm.can_see_reports(user),
            "today": timezone.localdate(),
        }
        return render(request, "complaints/queue.html", context, status=200 if valid else 400)


class IntakeView(RoleRequiredMixin, View):
    """热线登记: the operator's keyboard-first form (also letters and e-mails with their scans)."""

    roles = perm.INTAKE_ROLES

    def get(self, request):
        return render(request, "complaints/intake.html", {"form": IntakeForm(), **pickers()})

    def post(self, request):
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                complaint, secret = services.submit(
                    channel=form.cleaned_data["channel"],
                    category=form.cleaned_data.get("category"),
                    by=request.user,
                    **form.about(),
                    **form.reporter(),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                request.session[RECEIPT + ".staff"] = {"complaint": complaint.pk, "secret": secret}
                return redirect("complaints:intake_receipt")
        return render(request, "complaints/intake.html", {"form": form, **pickers()}, status=400)


class IntakeReceiptView(RoleRequiredMixin, View):
    roles = perm.INTAKE_ROLES

    def get(self, request):
        complaint, secret = receipt_complaint(request, RECEIPT + ".staff")
        if complaint is None:
            return redirect("complaints:intake")
        context = {"complaint": complaint, "secret": secret, "staff": True}
        return no_store(render(request, "complaints/receipt.html", context))


# --- staff: one complaint -------------------------------------------------------------------------------


def visible_complaint(request, code) -> Complaint:
    queryset = Complaint.objects.visible_to(request.user).select_related(
        "category", "department", "handling_department", "power", "merged_into"
    )
    return get_object_or_404(queryset, code=code)


def _clue_offered(user, complaint) -> bool:
    # Only when the risks app takes clues (its intake is registered).
    return services.risk_intake() is not None and perm.can_report_clue(user, complaint)


#: The verbs on a complaint, in the order of its handling (portal.actions).
VERBS = {
    "classify": ActionVerb(gettext_lazy("分类"), ClassifyForm, perm.can_classify, services.classify, primary=True),
    "forward": ActionVerb(gettext_lazy("转办"), ForwardForm, perm.can_forward, services.forward, primary=True),
    "keep": ActionVerb(gettext_lazy("自办"), NoteForm, perm.can_keep, services.keep),
    "route": ActionVerb(gettext_lazy("移送纪检监察"), NoteForm, perm.can_route, services.route),
    "merge": ActionVerb(gettext_lazy("合并为重复件"), MergeForm, perm.can_merge, services.merge),
    "return": ActionVerb(gettext_lazy("退回"), ReasonForm, perm.can_return, services.return_complaint, danger=True),
    "accept": ActionVerb(gettext_lazy("签收受理"), None, perm.can_accept, services.accept, primary=True),
    "reply": ActionVerb(gettext_lazy("答复"), ReplyForm, perm.can_reply, services.reply, primary=True),
    "propose": ActionVerb(gettext_lazy("申请办结"), NoteForm, perm.can_propose_closure, services.propose_closure,
                          primary=True),
    "approve": ActionVerb(gettext_lazy("审核办结"), NoteForm, perm.can_approve_closure, services.approve_closure,
                          primary=True),
    "refuse": ActionVerb(gettext_lazy("退回重办"), ReasonForm, perm.can_refuse_closure, services.refuse_closure,
                         danger=True),
    "press": ActionVerb(gettext_lazy("督办"), PressForm, perm.can_press, services.press),
    "clue": ActionVerb(gettext_lazy("转为廉政风险信息"), None, _clue_offered, services.report_clue),
}  # fmt: skip


class DetailView(DetailActionView):
    """投诉件: the matter, the trail, the forms of the verbs this user may use now, and the drill-down.

    GET ``complaints/desk/<code>/``; each verb posts to ``complaints/desk/<code>/<verb>/``
    (``portal.actions.DetailActionView``). A complaint forwarded out of the user's sight by the verb
    goes back to the queue instead of to a page the user may no longer open.
    """

    roles = perm.STAFF_ROLES
    verbs = VERBS
    detail_url_name = "complaints:detail"
    verb_url_name = "complaints:action"
    template_name = "complaints/detail.html"
    object_context_name = "complaint"

    def get_object(self):
        return visible_complaint(self.request, self.kwargs["code"])

    def get_context_data(self, *, bound=None, identity=None, **kwargs):
        user, complaint = self.request.user, self.object
        sees_identity = perm.can_see_identity(user, complaint)
        return super().get_context_data(
            bound=bound,
            events=complaint.events.select_related("department").order_by("at", "id"),
            can_see_identity=sees_identity,
            identity=identity,
            attachments=list(complaint.attachments.all()) if sees_identity else None,
            attachment_count=complaint.attachments.count(),
            duplicates=services.duplicates(complaint) if perm.can_merge(user, complaint) else (),
            drill=drilldown.for_complaint(complaint) if perm.can_see_queue(user) else None,
            timers=drilldown.timers_of(complaint),
            supervisory=perm.can_see_queue(user),
            **pickers(),
            **kwargs,
        )

    def render_page(self, **kwargs):
        return no_store(super().render_page(**kwargs))

    def post_verb(self, name):
        response = super().post_verb(name)
        visible = Complaint.objects.visible_to(self.request.user).filter(pk=self.object.pk).exists()
        if response.status_code == 302 and not visible:
            return redirect("complaints:list")
        return response


class IdentityView(DetailView):
    """查看投诉人信息: an audited POST; the page shows the identity once, in this response."""

    roles = perm.IDENTITY_ROLES
    http_method_names = ["post", "options"]

    def post(self, request, code):
        self.object = self.get_object()
        identity = services.view_identity(self.object, by=request.user)
        return self.render_page(identity=identity)


class AttachmentView(RoleRequiredMixin, View):
    """An attachment: only for those who may see the reporter (scans carry their name and address)."""

    roles = perm.IDENTITY_ROLES

    def get(self, request, code, pk):
        complaint = visible_complaint(request, code)
        if not perm.can_see_identity(request.user, complaint):
            raise PermissionDenied(_("附件可能含有投诉人信息，您无权查看。"))
        attachment = get_object_or_404(complaint.attachments, pk=pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=attachment.name)
        return no_store(response)


# --- the monthly report ---------------------------------------------------------------------------------


def report_period(request):
    last = timezone.localdate().replace(day=1) - timedelta(days=1)  # by default the last full month
    year, month = (last.year, last.month)
    form = ReportForm(request.GET if request.GET.get("month") else {"month": f"{year}-{month:02d}"})
    if form.is_valid() and form.cleaned_data["month"]:
        year, month = form.cleaned_data["month"]
    return form, year, month


def report_rows(year: int, month: int) -> list[dict]:
    start, end = indicators.month_bounds(year, month)
    figures = indicators.department_indicators(start, end)
    departments = Department.objects.in_bulk(list(figures))
    rows = []
    for dept_id, row in figures.items():
        rows.append({"department": departments[dept_id], **row, "grade_label": Grade(row["grade"]).label
                     if row["grade"] else "—"})  # fmt: skip
    rows.sort(key=lambda r: (r["department"].level, r["department"].code))
    return rows


class ReportView(RoleRequiredMixin, View):
    """月度报告: the nine indicators per department, the grade, charts; Excel export beside it."""

    roles = perm.REPORT_ROLES

    def get(self, request):
        form, year, month = report_period(request)
        rows = report_rows(year, month)
        chart = {
            "departments": [r["department"].short_name or r["department"].name for r in rows],
            "completion": [r["completion_rate"] for r in rows],
            "satisfaction": [r["satisfaction_rate"] for r in rows],
            "on_time": [r["on_time_completion_rate"] for r in rows],
            "volume": [r["volume"] for r in rows],
        }
        context = {
            "form": form,
            "year": year,
            "month": f"{year}-{month:02d}",
            "rows": rows,
            "columns": indicators.INDICATORS,
            "chart": chart,
            "export_url": reverse("complaints:report_export") + f"?month={year}-{month:02d}",
        }
        return render(request, "complaints/report.html", context)


class ReportExportView(RoleRequiredMixin, View):
    roles = perm.REPORT_ROLES

    def get(self, request):
        from .exports import report_workbook

        _form, year, month = report_period(request)
        return report_workbook(year, month, report_rows(year, month))
