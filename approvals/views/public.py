"""Public pages of the service centre (no login): the service guide, applying online, tracking a case.

A citizen proves a case is theirs with its code and query secret. The secret is shown once, on the
receipt after applying; tracking takes it by POST (never in a URL), rate-limited per IP, and keeps
the tracked case in the server-side session for the next GETs of the tracking page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal import tracking
from portal.forms import attach_errors
from portal.models import Department
from portal.tracking import TrackedVerb, no_store
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
TRACKING_SECONDS = tracking.SECONDS
TRACK_LIMIT_PER_MINUTE = tracking.LIMIT_PER_MINUTE


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


# --- tracking (portal.tracking) ------------------------------------------------------------------


def tracking_context(case: Case, proofs=None, **forms_) -> dict:
    """What the applicant sees: steps by post, every limit, the suspension ledger, sub-cases, the result."""
    today = timezone.localdate()
    mark_due([case], today)
    notice = open_notice(case)
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
        context["correction_form"] = forms_.get("correction_form") or CorrectionForm(
            item=case.item, missing_ids=missing_ids(notice)
        )
    if case.status == CaseStatus.COMPLETED and context["rating"] is None:
        if proofs is not None and "rate" not in proofs:
            context["rating_needs_receipt_secret"] = True
        else:
            context["rating_form"] = forms_.get("rating_form") or RatingForm()
    return context


def open_notice(case: Case):
    """The correction notice the applicant still has to answer, if the case waits for one."""
    if case.status != CaseStatus.CORRECTION_REQUESTED:
        return None
    return next((n for n in reversed(case.corrections.all()) if n.resolved_at is None), None)


def missing_ids(notice) -> set:
    return {entry.get("material") for entry in notice.missing} if notice else set()


def _rate(case, proofs, form):
    services.rate_case(
        case, proof=proofs.get("rate"), score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
    )


def _correct(case, proofs, form):
    services.submit_correction(case, files=form.uploads(), proof=proofs.get("track"))


def _correction_form_kwargs(case):
    notice = next((n for n in reversed(case.corrections.all()) if n.resolved_at is None), None)
    return {"item": case.item, "missing_ids": missing_ids(notice)}


class CaseTracking(tracking.Tracking):
    """办件查询: a case by its code and query secret; rating needs the receipt's rating secret too.

    The session keeps the case, the deadline and keyed proofs (``services.tracking_proofs``): "track",
    and "rate" when the secret typed was the receipt's rating secret as well.
    """

    session_key, record_name, url_name = TRACKED, "case", "approvals:track"
    form_class = TrackForm
    form_template, page_template = "approvals/track_form.html", "approvals/track.html"
    limit_scope, limit_per_minute, seconds = "track", TRACK_LIMIT_PER_MINUTE, TRACKING_SECONDS
    wrong = query_secret.WRONG
    expired = gettext_lazy("查询已过期，请重新输入办件编号和查询密码。")
    left = gettext_lazy("已退出办件查询。")
    verbs = {
        # 满意度评议: once per completed case.
        "rate": TrackedVerb(
            RatingForm, "rating_form", _rate, gettext_lazy("感谢您的评议，您的意见将用于服务中心的效能考评。")
        ),
        # 补正: the applicant uploads what the correction notice asks for.
        "correct": TrackedVerb(
            CorrectionForm,
            "correction_form",
            _correct,
            gettext_lazy("补正材料已提交，服务中心将重新审核受理。"),
            form_kwargs=_correction_form_kwargs,
        ),
    }

    def find(self, code, secret):
        return services.track(code, secret)

    def make_proofs(self, case, secret, until):
        return services.tracking_proofs(case, secret, until)

    def proves(self, case, proofs, until):
        return services.proves(proofs.get("track"), services.TRACK, case.pk, case.query_secret_hash)

    def load(self, pk):
        return case_details(Case.objects).filter(pk=pk).first()

    def context(self, case, proofs, **forms_):
        return tracking_context(case, proofs, **forms_)


TRACKING = CaseTracking()
