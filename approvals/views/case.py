"""One case at the desk: its full trail (留痕), deadlines, ledger, materials, and the allowed action forms.

``CaseView`` is portal's ``DetailActionView`` over the verb table of ``case_actions``: every form
posts to ``desk/cases/<code>/<verb>/`` and calls its verb. A refused permission is a 403 page; a
refused transition is a message on the case page; bad input re-renders the page with the errors
beside the form (400); success redirects (POST/redirect/GET).
"""

import os

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from portal.access import RoleRequiredMixin
from portal.actions import DetailActionView
from portal.forms import attach_errors
from portal.models import AuditEvent
from powers import discretion

from .. import permissions as names
from ..choices import CaseKind, CaseStatus
from ..models import Case, fee_total_of
from ..permissions import DESK_ROLES, can_view_contact
from ..services.common import view_contact
from .case_actions import REISSUED, VERBS
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


class CaseView(DetailActionView):
    """The case page (GET ``desk/cases/<code>/``) and its verbs (POST ``desk/cases/<code>/<verb>/``)."""

    roles = DESK_ROLES
    verbs = VERBS
    detail_url_name = "approvals:case"
    template_name = "approvals/desk/case.html"
    object_context_name = "case"

    def get_object(self):
        return visible_case(self.request, self.kwargs["code"])

    def get_context_data(self, *, bound=None, calculation=None, contact=None, **kwargs):
        context = super().get_context_data(bound=bound, **kwargs)
        case, user, request = self.object, self.request.user, self.request
        offered = {a["name"] for a in context["action_forms"]}
        today = timezone.localdate()
        subcases = list(case.subcases.all())
        mark_due([case, *subcases], today)
        reissued = request.session.get(REISSUED)
        secret = None
        if reissued and reissued.get("case") == case.pk:
            secret = request.session.pop(REISSUED)["secret"]
        standards = []
        if names.DECIDE_PENALTY in offered:
            standards = list(case.power.standards.prefetch_related("bands").order_by("id"))
        events = AuditEvent.objects.visible_to(user).for_object(case).select_related("actor").order_by("id")
        context.update(
            {
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
                "read_only": not offered,
                "notices": notices_of(case),
                "secret": secret,
                "standards": standards,
                "calculation": calculation,
                "today": today,
                # ID number and phone are masked; in full only after the audited 查看完整联系方式 (issue 9).
                "can_view_contact": can_view_contact(user, case),
                "contact": contact,
                **progress(case),
            }
        )
        return context

    def render_page(self, *, bound=None, status=200, **kwargs):
        context = self.get_context_data(bound=bound, **kwargs)
        response = render(self.request, self.template_name, context, status=status)
        # A one-time secret or a full ID number on the page: never kept by a cache.
        return no_store(response) if (context["secret"] or context["contact"]) else response

    def post_verb(self, name):
        if name == names.DECIDE_PENALTY and "calculate" in self.request.POST:
            return self.calculate()
        return super().post_verb(name)

    def verb_done(self, name, result):
        if name == names.REISSUE_SECRET:
            self.request.session[REISSUED] = {"case": self.object.pk, "secret": result}

    def calculate(self):
        """The discretion calculator: the band and amount range for the entered fact, nothing decided."""
        name = names.DECIDE_PENALTY
        form = self.make_form(name, self.request.POST, calculate_only=True)
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
        shown = self.make_form(name, initial=self.request.POST.dict()) if calculation else form
        return self.render_page(bound={name: shown}, calculation=calculation)


class IdNumberView(CaseView):
    """查看完整联系方式 (ID number and telephone): a POST (never a link a crawler or prefetch follows),
    audited, the page not cached."""

    http_method_names = ["post", "options"]

    def post(self, request, code):
        self.object = self.get_object()
        try:
            contact = view_contact(self.object, by=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("approvals:case", self.object.code)
        return self.render_page(contact=contact)


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
