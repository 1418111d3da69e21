"""Public pages of the service centre (no login): the service guide, applying online, tracking a case.

A citizen proves a case is theirs with its code and query secret. The secret is shown once, on the
receipt after applying; tracking takes it by POST (never in a URL), rate-limited per IP, and keeps
the tracked case in the server-side session for the next GETs of the tracking page.
"""

import time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from portal.forms import attach_errors
from portal.models import Department
from portal.ratelimit import over_limit
from portal.services import TransitionError
from powers.models import Power

from .. import query_secret, services
from ..choices import CaseStatus, Channel
from ..filtersets import ServiceItemFilterSet
from ..forms import ApplyForm, CorrectionForm, RatingForm, TrackForm
from ..models import Case, ServiceItem
from .common import (
    case_details,
    flow_steps,
    ledger,
    mark_due,
    progress,
    promised_provisional,
    step_plan,
)

PAGE_SIZE = 20
RECEIPT = "approvals.receipt"
TRACKED = "approvals.tracked"
# How long a successful lookup keeps the case open in this browser.
TRACKING_SECONDS = 30 * 60
TRACK_LIMIT_PER_MINUTE = 10


def no_store(response):
    """Pages showing a secret or a tracked case: never cached by the browser or a proxy."""
    add_never_cache_headers(response)
    return response


def exercisable_version(item: ServiceItem) -> Power | None:
    return Power.objects.exercisable().filter(code=item.power.code).select_related("department").first()


# --- the service guide ---------------------------------------------------------------------


class ItemListView(View):
    """办事服务: active service items, filtered by department and searched with the shared filterset."""

    template_name = "approvals/item_list.html"

    def get(self, request):
        data = request.GET.copy()
        base = ServiceItem.objects.visible_to(request.user)
        if not data.get("is_active"):
            base = base.filter(is_active=True)
        filterset = ServiceItemFilterSet(data, queryset=base.with_details())
        departments = Department.objects.filter(service_items__in=base).distinct().order_by("level", "code")
        filterset.form.fields["department"].widget = forms.Select(
            choices=[("", _("全部单位"))] + [(d.code, d.name) for d in departments]
        )
        valid = filterset.is_valid()
        rows = filterset.qs.order_by("code") if valid else ServiceItem.objects.none()
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"form": filterset.form, "page": page, "query": data.get("q", "")}
        return render(request, self.template_name, context, status=200 if valid else 400)


def visible_item(request, code) -> ServiceItem:
    return get_object_or_404(ServiceItem.objects.visible_to(request.user).with_details(), code=code)


class ItemDetailView(View):
    """办事指南 of one item: power, materials, fees, limits, windows, procedure and the apply button."""

    template_name = "approvals/item_detail.html"

    def get(self, request, code):
        item = visible_item(request, code)
        power = exercisable_version(item)
        context = {
            "item": item,
            "power": power or item.power,
            "in_force": power is not None,
            "steps": flow_steps(power),
            "can_apply": item.is_active and item.is_online and power is not None,
        }
        return render(request, self.template_name, context)


# --- applying online -------------------------------------------------------------------------


class ApplyView(View):
    """网上申请: the applicant's details and one upload per material; the receipt follows."""

    template_name = "approvals/apply.html"

    def item_or_refusal(self, request, code):
        item = visible_item(request, code)
        if not (item.is_active and item.is_online):
            messages.error(request, _("该事项不支持网上申请，请携带材料到服务中心窗口办理。"))
            return item, redirect("approvals:item", code=item.code)
        return item, None

    def get(self, request, code):
        item, refusal = self.item_or_refusal(request, code)
        return refusal or render(request, self.template_name, {"item": item, "form": ApplyForm(item=item)})

    def post(self, request, code):
        item, refusal = self.item_or_refusal(request, code)
        if refusal:
            return refusal
        form = ApplyForm(request.POST, request.FILES, item=item)
        if form.is_valid():
            try:
                case, secret = services.submit_application(
                    item, channel=Channel.ONLINE, files=form.uploads(), by=None, **form.applicant()
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                request.session[RECEIPT] = {"case": case.pk, "secret": secret}
                return redirect("approvals:receipt")
        return render(request, self.template_name, {"item": item, "form": form}, status=400)


def receipt_context(request, key: str):
    """The case of a one-time receipt kept in the session; the secret is handed out once, then forgotten."""
    data = request.session.get(key)
    if not data:
        return None
    secret = data.pop("secret", None)
    request.session[key] = data  # from now on only the case: a reload does not show the secret again
    case = (
        Case.objects.select_related("item__department", "department", "power").filter(pk=data["case"]).first()
    )
    if case is None:
        return None
    case.promised_provisional = promised_provisional(case)
    return {
        "case": case,
        "secret": secret,
        "missing": services.missing_materials(case) if case.item_id else [],
        "materials": list(case.materials.all()),
    }


class ReceiptView(View):
    """The applicant's receipt (申请回执): case code and query secret, printable."""

    def get(self, request):
        context = receipt_context(request, RECEIPT)
        if context is None:
            messages.info(request, _("回执只在提交申请后显示一次。查询办件请使用办件编号和查询密码。"))
            return redirect("approvals:track")
        return no_store(render(request, "approvals/receipt.html", context))


# --- tracking ------------------------------------------------------------------------------------


def tracked_case(request):
    """The case this browser looked up and the session's proofs, while the lookup is fresh and the secret valid.

    The session holds no secret (issue 9): only the case, the deadline and keyed proofs that the
    secret was verified (``services.tracking_proofs``); a secret reissued at a window voids them.
    """
    data = request.session.get(TRACKED)
    if not data or data.get("until", 0) < time.time():
        request.session.pop(TRACKED, None)
        return None, {}
    case = case_details(Case.objects).filter(pk=data["case"]).first()
    proofs = data.get("proofs") or {}
    if case is None or not services.proves(
        (proofs.get("track"), data["until"]), services.TRACK, case.pk, case.query_secret_hash
    ):
        request.session.pop(TRACKED, None)  # e.g. the secret was reissued at a window
        return None, {}
    return case, {kind: (value, data["until"]) for kind, value in proofs.items()}


def tracking_context(case: Case, proofs=None, **forms_) -> dict:
    """What the applicant sees: steps by post, every limit, the suspension ledger, sub-cases, the result."""
    today = timezone.localdate()
    mark_due([case], today)
    notice = None
    if case.status == CaseStatus.CORRECTION_REQUESTED:
        notice = next((n for n in reversed(case.corrections.all()) if n.resolved_at is None), None)
    context = {
        "case": case,
        "plan": step_plan(case),
        "suspensions": ledger(case),
        "subcases": list(case.subcases.all()),
        "notice": notice,
        "rating": getattr(case, "rating", None),
        "materials": list(case.materials.all()),
        "today": today,
        **progress(case),
    }
    if notice is not None:
        missing_ids = {entry.get("material") for entry in notice.missing}
        context["correction_form"] = forms_.get("correction_form") or CorrectionForm(
            item=case.item, missing_ids=missing_ids
        )
    if case.status == CaseStatus.COMPLETED and context["rating"] is None:
        if proofs is not None and "rate" not in proofs:
            context["rating_needs_receipt_secret"] = True
        else:
            context["rating_form"] = forms_.get("rating_form") or RatingForm()
    return context


class TrackView(View):
    """办件查询: code + secret by POST (rate-limited); the tracked case stays in the session for GETs."""

    form_template = "approvals/track_form.html"
    case_template = "approvals/track.html"

    def get(self, request):
        case, proofs = tracked_case(request)
        if case is None:
            return no_store(render(request, self.form_template, {"form": TrackForm()}))
        return no_store(render(request, self.case_template, tracking_context(case, proofs)))

    def post(self, request):
        form = TrackForm(request.POST)
        if over_limit(request, "track", TRACK_LIMIT_PER_MINUTE):
            message = _("查询过于频繁，请一分钟后再试。")
            return self.refused(request, request.POST.get("code", ""), message, status=429)
        if form.is_valid():
            case = services.track(form.cleaned_data["code"], form.cleaned_data["secret"])
            if case is not None:
                request.session.cycle_key()
                until = int(time.time() + TRACKING_SECONDS)
                request.session[TRACKED] = {
                    "case": case.pk,
                    "until": until,
                    "proofs": services.tracking_proofs(case, form.cleaned_data["secret"], until),
                }
                return redirect("approvals:track")
            return self.refused(request, form.cleaned_data["code"], query_secret.WRONG)
        return no_store(render(request, self.form_template, {"form": form}, status=400))

    def refused(self, request, code: str, message: str, status: int = 200):
        """The empty form again (the code kept, never the secret) with one message that reveals nothing."""
        form = TrackForm(initial={"code": code[:30]})
        return no_store(render(request, self.form_template, {"form": form, "error": message}, status=status))


class TrackedActionView(View):
    """A POST of the applicant on the tracked case (rating, correction): needs a fresh lookup."""

    form_name = ""

    def post(self, request):
        case, proofs = tracked_case(request)
        if case is None:
            messages.error(request, _("查询已过期，请重新输入办件编号和查询密码。"))
            return redirect("approvals:track")
        form = self.make_form(request, case)
        if form.is_valid():
            try:
                message = self.perform(case, proofs, form)
            except ValidationError as exc:
                attach_errors(form, exc)
            except (TransitionError, PermissionDenied) as exc:
                messages.error(request, str(exc))
                return redirect("approvals:track")
            else:
                messages.success(request, message)
                return redirect("approvals:track")
        context = tracking_context(case, proofs, **{self.form_name: form})
        return no_store(render(request, "approvals/track.html", context, status=400))


class RateView(TrackedActionView):
    """满意度评议: once per completed case."""

    form_name = "rating_form"

    def make_form(self, request, case):
        return RatingForm(request.POST)

    def perform(self, case, proofs, form):
        services.rate_case(
            case,
            proof=proofs.get("rate"),
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        return _("感谢您的评议，您的意见将用于服务中心的效能考评。")


class CorrectView(TrackedActionView):
    """补正: the applicant uploads what the correction notice asks for."""

    form_name = "correction_form"

    def make_form(self, request, case):
        notice = next((n for n in reversed(case.corrections.all()) if n.resolved_at is None), None)
        missing = {entry.get("material") for entry in notice.missing} if notice else set()
        return CorrectionForm(request.POST, request.FILES, item=case.item, missing_ids=missing)

    def perform(self, case, proofs, form):
        services.submit_correction(case, files=form.uploads(), proof=proofs.get("track"))
        return _("补正材料已提交，服务中心将重新审核受理。")


class TrackLeaveView(View):
    def post(self, request):
        request.session.pop(TRACKED, None)
        messages.info(request, _("已退出办件查询。"))
        return redirect("approvals:track")
