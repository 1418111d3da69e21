"""One case at the desk: its full trail (留痕), deadlines, ledger, materials, and the allowed action forms.

Every action posts to ``desk/cases/<code>/<action>/`` and calls its verb. A refused permission is a
403 page; a refused transition is a message on the case page; bad input re-renders the page with
the errors beside the form; success redirects (POST/redirect/GET).
"""

import os

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from portal.access import RoleRequiredMixin
from portal.forms import attach_errors
from portal.models import AuditEvent
from portal.services import TransitionError
from powers import discretion

from .. import permissions as names
from .. import services
from ..choices import CaseKind, CaseStatus
from ..models import Case, fee_total_of
from ..permissions import DESK_ROLES, can_view_id_number
from ..services.common import view_id_number
from .case_actions import ACTIONS, REISSUED
from .common import case_details, ledger, mark_due, progress, step_plan
from .public import no_store


def visible_case(request, code) -> Case:
    case = case_details(Case.objects.visible_to(request.user)).filter(code=code).first()
    if case is None:
        raise Http404(_("没有找到该办件，或您无权查看。"))
    return case


def related_or_none(obj, name):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def notices_of(case: Case) -> list[tuple[str, str]]:
    """The printable notices this case has: (kind, title)."""
    out = []
    if case.parent_id is not None:
        return out
    if case.kind == CaseKind.APPLICATION and case.accepted_on:
        out.append(("accepted", _("受理通知书")))
    if case.corrections.all():
        out.append(("correction", _("补正通知书")))
    if case.status == CaseStatus.REJECTED:
        out.append(("rejected", _("不予受理通知书")))
    if case.decision:
        out.append(("decision", _("处罚决定书") if case.kind == CaseKind.ENFORCEMENT else _("决定书")))
    return out


def case_page(request, case: Case, *, bound=None, calculation=None, status=200, id_number=None):
    """Render the case page; ``bound`` maps an action name to its bound form (with errors)."""
    user = request.user
    bound = bound or {}
    allowed = services.allowed_actions(user, case)
    action_forms = []
    opened = bool(bound)
    for name, action in ACTIONS.items():
        if name in allowed or name in bound:
            show_open = name in bound or (action.primary and not opened)
            opened = opened or show_open
            action_forms.append(
                {
                    "action": action,
                    "form": bound.get(name) or action.initial_form(case),
                    "url": reverse("approvals:case_action", args=[case.code, name]),
                    "open": show_open,
                }
            )
    today = timezone.localdate()
    subcases = list(case.subcases.all())
    mark_due([case, *subcases], today)
    reissued = request.session.get(REISSUED)
    secret = None
    if reissued and reissued.get("case") == case.pk:
        secret = request.session.pop(REISSUED)["secret"]
    standards = []
    if names.DECIDE_PENALTY in allowed or names.DECIDE_PENALTY in bound:
        standards = list(case.power.standards.prefetch_related("bands").order_by("id"))
    events = AuditEvent.objects.visible_to(user).for_object(case).select_related("actor").order_by("id")
    context = {
        "case": case,
        "plan": step_plan(case),
        "events": list(case.events.all()),
        "audit_events": list(events[:200]),
        "suspensions": ledger(case),
        "subcases": subcases,
        "materials": list(case.materials.all()),
        "corrections": list(case.corrections.all()),
        "fees": list(case.item.fees.all()) if case.item_id else [],
        "fee_total": fee_total_of(case) if case.item_id else None,
        "payment": related_or_none(case, "fee_payment"),
        "penalty": related_or_none(case, "penalty"),
        "rating": related_or_none(case, "rating"),
        "action_forms": action_forms,
        "read_only": not allowed,
        "notices": notices_of(case),
        "secret": secret,
        "standards": standards,
        "calculation": calculation,
        "today": today,
        # The ID number is masked; the full one only after the audited 查看完整证件号 (issue 9).
        "can_view_id_number": can_view_id_number(user, case),
        "id_number": id_number,
        **progress(case),
    }
    response = render(request, "approvals/desk/case.html", context, status=status)
    return no_store(response) if (secret or id_number) else response


class IdNumberView(RoleRequiredMixin, View):
    """查看完整证件号: a POST (never a link a crawler or prefetch follows), audited, page not cached."""

    roles = DESK_ROLES

    def post(self, request, code):
        case = visible_case(request, code)
        try:
            full = view_id_number(case, by=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("approvals:case", case.code)
        return case_page(request, case, id_number=full)


class CaseDetailView(RoleRequiredMixin, View):
    roles = DESK_ROLES

    def get(self, request, code):
        return case_page(request, visible_case(request, code))


class CaseActionView(RoleRequiredMixin, View):
    """POST one action form; GET only shows the case page."""

    roles = DESK_ROLES

    def get(self, request, code, action):
        return redirect("approvals:case", code=code)

    def post(self, request, code, action):
        spec = ACTIONS.get(action)
        if spec is None:
            raise Http404(_("没有该操作。"))
        case = visible_case(request, code)
        if action == names.DECIDE_PENALTY and "calculate" in request.POST:
            return self.calculate(request, case, spec)
        form = spec.make_form(case, request.POST, request.FILES)
        if not form.is_valid():
            return case_page(request, case, bound={action: form}, status=400)
        try:
            message = spec.perform(request, case, form)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect("approvals:case", code=case.code)
        except ValidationError as exc:
            attach_errors(form, exc)
            return case_page(request, case, bound={action: form}, status=400)
        messages.success(request, message)
        return redirect("approvals:case", code=case.code)

    def calculate(self, request, case, spec):
        """The discretion calculator: the band and amount range for the entered fact, nothing decided."""
        form = spec.make_form(case, request.POST, calculate_only=True)
        calculation = None
        if form.is_valid():
            standard = form.cleaned_data["standard"]
            try:
                calculation = discretion.calculate(list(standard.bands.all()), form.cleaned_data["fact"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                calculation = {"result": calculation, "standard": standard}
        # Re-bind with the amount required again, keeping what was typed and without its errors.
        shown = spec.make_form(case, initial=request.POST.dict()) if calculation else form
        return case_page(request, case, bound={spec.name: shown}, calculation=calculation)


class MaterialDownloadView(RoleRequiredMixin, View):
    """A material's file, for those who may see the case."""

    roles = DESK_ROLES

    def get(self, request, code, pk):
        case = visible_case(request, code)
        material = next((m for m in case.materials.all() if m.pk == pk and m.file), None)
        if material is None:
            raise Http404(_("没有该材料文件。"))
        try:
            handle = material.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("材料文件已不存在。")) from None
        return FileResponse(handle, as_attachment=True, filename=os.path.basename(material.file.name))


class NoticeView(RoleRequiredMixin, View):
    """A printable notice of the case: 受理通知书, 补正通知书, 不予受理通知书 or 决定书."""

    roles = DESK_ROLES

    def get(self, request, code, kind):
        case = visible_case(request, code)
        available = dict(notices_of(case))
        if kind not in available:
            raise Http404(_("该办件没有此类文书。"))
        corrections = list(case.corrections.all())
        correction = corrections[-1] if corrections else None
        dated = {
            "accepted": case.accepted_on,
            "correction": correction.issued_at if correction else None,
            "rejected": case.decided_at,
            "decision": case.decided_at,
        }
        context = {
            "case": case,
            "kind": kind,
            "title": available[kind],
            "correction": correction,
            "penalty": related_or_none(case, "penalty"),
            "fee_total": fee_total_of(case) if case.item_id else None,
            "issued_on": dated[kind] or timezone.localdate(),
        }
        return render(request, "approvals/print/notice.html", context)
