"""Pages of the alert lifecycle, supervision notices (督办) and accountability (问责).

Each detail page offers the action forms its user may use now (``Action.allowed``); whatever is
posted is still decided by the verb (``monitoring.services`` / ``monitoring.supervision``), which
checks the permission and the transition again. A refused move shows its reason; nothing is stored.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from monitoring import permissions, services, supervision
from monitoring.alerts import with_target_urls
from monitoring.forms import (
    AccountabilityForm,
    AnswerForm,
    CloseForm,
    DismissForm,
    IssueNoticeForm,
    NoteForm,
    ReturnForm,
    WithdrawForm,
)
from monitoring.models import AccountabilityRecord, Alert, AnomalyRule, SupervisionNotice
from monitoring.permissions import INSPECTOR_ROLES, NOTICE_ROLES
from monitoring.supervision_filtersets import AccountabilityFilterSet, NoticeFilterSet
from portal.access import RoleRequiredMixin
from portal.forms import attach_errors
from portal.models import AuditEvent
from portal.services import TransitionError

# --- action forms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One verb as a form on a detail page."""

    name: str
    title: str
    submit_label: str
    form_class: type
    allowed: object  # (user, obj) -> bool
    perform: object  # (user, obj, cleaned_data) -> success message
    danger: bool = False


def _notify(user, alert, data):
    notice = supervision.issue_notice(alert, by=user, **_notice_fields(data))
    return _("已发出督办 %(number)s，答复期限 %(deadline)s。") % {
        "number": notice.number,
        "deadline": notice.deadline_on,
    }


def _notice_fields(data):
    return {
        "department": data["department"],
        "title": data["title"],
        "requirement": data["requirement"],
        "deadline_days": data.get("deadline_days"),
        "deadline_on": data.get("deadline_on"),
    }


def _record(user, obj, data):
    alert = obj if isinstance(obj, Alert) else None
    notice = obj if isinstance(obj, SupervisionNotice) else None
    supervision.record_accountability(by=user, alert=alert, notice=notice, **data)
    return _("问责记录已保存。")


ALERT_ACTIONS = [
    Action(
        "acknowledge", gettext_lazy("签收"), gettext_lazy("签收预警"), NoteForm,
        permissions.can_acknowledge,
        lambda u, a, d: services.acknowledge(a, by=u, note=d["note"]) and _("已签收。"),
    ),
    Action(
        "resolve", gettext_lazy("解除"), gettext_lazy("解除预警"), NoteForm,
        permissions.can_resolve,
        lambda u, a, d: services.resolve(a, by=u, note=d["note"]) and _("预警已解除。"),
    ),
    Action(
        "dismiss", gettext_lazy("排除（须说明理由）"), gettext_lazy("排除预警"), DismissForm,
        permissions.can_dismiss,
        lambda u, a, d: services.dismiss(a, by=u, reason=d["reason"]) and _("预警已排除。"),
        danger=True,
    ),
    Action(
        "notify", gettext_lazy("发出督办"), gettext_lazy("发出督办通知"), IssueNoticeForm,
        permissions.can_notify,
        _notify,
    ),
    Action(
        "accountability", gettext_lazy("记录问责"), gettext_lazy("保存问责记录"), AccountabilityForm,
        permissions.can_record_accountability,
        _record,
    ),
]  # fmt: skip

NOTICE_ACTIONS = [
    Action(
        "answer", gettext_lazy("整改答复"), gettext_lazy("提交答复"), AnswerForm,
        permissions.can_answer,
        lambda u, n, d: supervision.answer_notice(n, by=u, answer=d["answer"]) and _("答复已提交，等待纪检监察员审核。"),
    ),
    Action(
        "close", gettext_lazy("审核通过，办结"), gettext_lazy("办结"), CloseForm,
        permissions.can_close,
        lambda u, n, d: supervision.close_notice(n, by=u, review_note=d["review_note"]) and _("督办已办结。"),
    ),
    Action(
        "return", gettext_lazy("退回重办"), gettext_lazy("退回重办"), ReturnForm,
        permissions.can_return,
        lambda u, n, d: _("已退回重办，新的答复期限 %s。") % supervision.return_notice(
            n, by=u, review_note=d["review_note"], deadline_days=d.get("deadline_days"),
            deadline_on=d.get("deadline_on"),
        ).deadline_on,
        danger=True,
    ),
    Action(
        "withdraw", gettext_lazy("撤回督办"), gettext_lazy("撤回"), WithdrawForm,
        permissions.can_withdraw,
        lambda u, n, d: supervision.withdraw_notice(n, by=u, reason=d["reason"]) and _("督办已撤回。"),
        danger=True,
    ),
    Action(
        "accountability", gettext_lazy("记录问责"), gettext_lazy("保存问责记录"), AccountabilityForm,
        permissions.can_record_accountability,
        _record,
    ),
]  # fmt: skip


def _initial(action: Action, obj) -> dict:
    """Defaults that save typing: the responsible department, the alert's title."""
    department = getattr(obj, "department", None)
    if action.name == "notify":
        return {"department": department, "title": obj.title[:200]}
    if action.name == "accountability":
        return {"department": department}
    return {}


class ActionPage(View):
    """GET: the object with the forms its user may use; POST ``?action=<name>``: run one verb."""

    actions: list[Action] = []
    template_name = ""

    def get_object(self):
        raise NotImplementedError

    def extra_context(self, obj) -> dict:
        return {}

    def render_page(self, obj, bound=None, status=200):
        user = self.request.user
        forms = []
        for action in self.actions:
            if not action.allowed(user, obj):
                continue
            if bound is not None and bound[0] == action.name:
                form, is_open = bound[1], True
            else:
                form, is_open = action.form_class(initial=_initial(action, obj), prefix=action.name), False
            forms.append({"action": action, "form": form, "open": is_open})
        context = {"object": obj, "action_forms": forms, **self.extra_context(obj)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_object())

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        name = request.POST.get("action", "")
        action = next((a for a in self.actions if a.name == name), None)
        if action is None:
            return self.render_page(obj, status=400)
        if not action.allowed(request.user, obj):
            raise PermissionDenied(_("您现在不能执行「%s」。") % action.title)
        form = action.form_class(request.POST, prefix=action.name)
        if form.is_valid():
            try:
                message = action.perform(request.user, obj, form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            except TransitionError as exc:
                messages.error(request, str(exc))
                return redirect(request.path)
            else:
                messages.success(request, message)
                return redirect(request.path)
        return self.render_page(obj, bound=(action.name, form), status=400)


VERB_LABELS = {
    "monitoring.alert.raised": gettext_lazy("发出预警"),
    "monitoring.alert.acknowledged": gettext_lazy("签收"),
    "monitoring.alert.resolved": gettext_lazy("解除"),
    "monitoring.alert.dismissed": gettext_lazy("排除"),
    "monitoring.notice.issued": gettext_lazy("发出督办"),
    "monitoring.notice.answered": gettext_lazy("整改答复"),
    "monitoring.notice.closed": gettext_lazy("审核办结"),
    "monitoring.notice.returned": gettext_lazy("退回重办"),
    "monitoring.notice.withdrawn": gettext_lazy("撤回督办"),
}


def _audit_events(user, obj):
    events = AuditEvent.objects.visible_to(user).for_object(obj).select_related("actor").order_by("id")
    events = list(events[:200])
    for event in events:
        event.label = VERB_LABELS.get(event.verb, event.verb)
    return events


class AlertDetailView(RoleRequiredMixin, ActionPage):
    """One alert: its target, audit history, notices and accountability, and the lifecycle forms."""

    roles = INSPECTOR_ROLES

    actions = ALERT_ACTIONS
    template_name = "monitoring/alert_detail.html"

    def get_object(self):
        queryset = Alert.objects.visible_to(self.request.user).select_related("department", "timer")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def extra_context(self, alert):
        with_target_urls([alert])
        return {
            "alert": alert,
            "rule": AnomalyRule.objects.filter(code=alert.rule).first() if alert.rule else None,
            "audit_events": _audit_events(self.request.user, alert),
            "notices": list(alert.notices.select_related("department").order_by("-issued_at", "-id")),
            "records": list(alert.accountability.select_related("department").order_by("-decided_on", "-id")),
        }


class NoticeDetailView(RoleRequiredMixin, ActionPage):
    roles = NOTICE_ROLES

    actions = NOTICE_ACTIONS
    template_name = "monitoring/notice_detail.html"

    def get_object(self):
        queryset = SupervisionNotice.objects.visible_to(self.request.user).select_related(
            "department", "alert", "issued_by__staff_profile", "answered_by__staff_profile"
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def extra_context(self, notice):
        user = self.request.user
        records = (
            AccountabilityRecord.objects.visible_to(user).filter(notice=notice).select_related("department")
        )
        return {
            "notice": notice,
            "is_inspector": permissions.is_inspector(user),
            "audit_events": _audit_events(user, notice),
            "records": list(records),
        }


class NoticeListView(RoleRequiredMixin, ListView):
    """Notices: inspectors all, a department's head and handlers those addressed to it."""

    roles = NOTICE_ROLES

    template_name = "monitoring/notice_list.html"
    context_object_name = "notices"
    paginate_by = 50

    def get_queryset(self):
        queryset = SupervisionNotice.objects.visible_to(self.request.user).select_related(
            "department", "alert", "issued_by__staff_profile"
        )
        self.filterset = NoticeFilterSet(self.request.GET, queryset=queryset)
        return self.filterset.qs.order_by("-issued_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["is_inspector"] = permissions.is_inspector(self.request.user)
        return context


class NoticeCreateView(RoleRequiredMixin, View):
    """A notice that no alert led to (e.g. after a complaint or an inspection)."""

    roles = INSPECTOR_ROLES

    template_name = "monitoring/accountability_form.html"

    def _render(self, form, status=200):
        context = {"form": form, "heading": _("发出督办通知"), "submit_label": _("发出督办通知")}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(IssueNoticeForm())

    def post(self, request):
        form = IssueNoticeForm(request.POST)
        if form.is_valid():
            try:
                notice = supervision.issue_notice(None, by=request.user, **_notice_fields(form.cleaned_data))
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("已发出督办 %s。") % notice.number)
                return redirect(notice)
        return self._render(form, status=400)


class AccountabilityListView(RoleRequiredMixin, ListView):
    roles = INSPECTOR_ROLES

    template_name = "monitoring/accountability_list.html"
    context_object_name = "records"
    paginate_by = 50

    def get_queryset(self):
        queryset = AccountabilityRecord.objects.visible_to(self.request.user).select_related(
            "department", "alert", "notice", "recorded_by__staff_profile"
        )
        self.filterset = AccountabilityFilterSet(self.request.GET, queryset=queryset)
        return self.filterset.qs.order_by("-decided_on", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


class AccountabilityCreateView(RoleRequiredMixin, View):
    """Record accountability, optionally for ``?alert=<id>`` or ``?notice=<id>``."""

    roles = INSPECTOR_ROLES

    template_name = "monitoring/accountability_form.html"

    def _subject(self):
        alert = notice = None
        if self.request.GET.get("alert", "").isdigit():
            alert = get_object_or_404(Alert, pk=self.request.GET["alert"])
        if self.request.GET.get("notice", "").isdigit():
            notice = get_object_or_404(
                SupervisionNotice.objects.select_related("alert"), pk=self.request.GET["notice"]
            )
        return alert, notice

    def _render(self, form, alert, notice, status=200):
        context = {
            "form": form,
            "alert": alert,
            "notice": notice,
            "heading": _("记录问责"),
            "submit_label": _("保存问责记录"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        alert, notice = self._subject()
        subject = notice or alert
        return self._render(
            AccountabilityForm(initial={"department": getattr(subject, "department", None)}), alert, notice
        )

    def post(self, request):
        alert, notice = self._subject()
        form = AccountabilityForm(request.POST)
        if form.is_valid():
            try:
                supervision.record_accountability(
                    by=request.user, alert=alert, notice=notice, **form.cleaned_data
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("问责记录已保存。"))
                if notice is not None:
                    return redirect(notice)
                if alert is not None:
                    return redirect("monitoring:alert", alert.pk)
                return redirect("monitoring:accountability")
        return self._render(form, alert, notice, status=400)
