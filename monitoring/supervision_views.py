"""Pages of the alert lifecycle, supervision notices (督办) and accountability (问责).

The alert and notice pages are portal's ``DetailActionView`` over a table of verbs: each page offers
the forms its user may use now (the row's ``permissions.can_<verb>``), each posting to
``<page>/<verb>/``; whatever is posted is still decided by the verb (``monitoring.services.alerts`` /
``monitoring.services.supervision``), which checks the permission (403) and the transition (a message on the
page) again. Nothing is stored by a refused move.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from monitoring import permissions
from monitoring.alerts import with_target_urls
from monitoring.forms import (
    AccountabilityForm,
    AnswerForm,
    CloseForm,
    DismissForm,
    IssueNoticeForm,
    ReturnForm,
    WithdrawForm,
)
from monitoring.models import AccountabilityRecord, Alert, AnomalyRule, SupervisionNotice
from monitoring.permissions import INSPECTOR_ROLES, NOTICE_ROLES
from monitoring.services import alerts as services
from monitoring.services import supervision
from monitoring.supervision_filtersets import AccountabilityFilterSet, NoticeFilterSet
from portal.access import RoleRequiredMixin
from portal.actions import DetailActionView, Verb
from portal.forms import NoteForm, attach_errors
from portal.models import AuditEvent

# --- the verbs of the detail pages (portal.actions.Verb rows) ------------------------------------


def _department(obj) -> dict:
    """The responsible department, preselected."""
    return {"department": getattr(obj, "department", None)}


def _notice_fields(data):
    return {
        "department": data["department"],
        "title": data["title"],
        "requirement": data["requirement"],
        "deadline_days": data.get("deadline_days"),
        "deadline_on": data.get("deadline_on"),
    }


def _record(obj, *, by, **data):
    """问责 on the alert or the notice of the page."""
    alert = obj if isinstance(obj, Alert) else None
    notice = obj if isinstance(obj, SupervisionNotice) else None
    return supervision.record_accountability(by=by, alert=alert, notice=notice, **data)


ACCOUNTABILITY = Verb(
    gettext_lazy("记录问责"), AccountabilityForm, permissions.can_record_accountability, _record,
    submit_label=gettext_lazy("保存问责记录"), initial=_department, message=gettext_lazy("问责记录已保存。"),
)  # fmt: skip

ALERT_VERBS = {
    "acknowledge": Verb(
        gettext_lazy("签收"), NoteForm, permissions.can_acknowledge, services.acknowledge,
        submit_label=gettext_lazy("签收预警"), message=gettext_lazy("已签收。"),
    ),
    "resolve": Verb(
        gettext_lazy("解除"), NoteForm, permissions.can_resolve, services.resolve,
        submit_label=gettext_lazy("解除预警"), message=gettext_lazy("预警已解除。"),
    ),
    "dismiss": Verb(
        gettext_lazy("排除（须说明理由）"), DismissForm, permissions.can_dismiss, services.dismiss, danger=True,
        submit_label=gettext_lazy("排除预警"), message=gettext_lazy("预警已排除。"),
    ),
    "notify": Verb(
        gettext_lazy("发出督办"), IssueNoticeForm, permissions.can_notify, supervision.issue_notice,
        submit_label=gettext_lazy("发出督办通知"),
        initial=lambda alert: {**_department(alert), "title": alert.title[:200]},
        arguments=lambda alert, form: _notice_fields(form.cleaned_data),
        message=lambda alert, notice: _("已发出督办 %(number)s，答复期限 %(deadline)s。")
        % {"number": notice.number, "deadline": notice.deadline_on},
    ),
    "accountability": ACCOUNTABILITY,
}  # fmt: skip

NOTICE_VERBS = {
    "answer": Verb(
        gettext_lazy("整改答复"), AnswerForm, permissions.can_answer, supervision.answer_notice,
        submit_label=gettext_lazy("提交答复"), message=gettext_lazy("答复已提交，等待纪检监察员审核。"),
    ),
    "close": Verb(
        gettext_lazy("审核通过，办结"), CloseForm, permissions.can_close, supervision.close_notice,
        submit_label=gettext_lazy("办结"), message=gettext_lazy("督办已办结。"),
    ),
    "return": Verb(
        gettext_lazy("退回重办"), ReturnForm, permissions.can_return, supervision.return_notice, danger=True,
        submit_label=gettext_lazy("退回重办"),
        message=lambda notice, returned: _("已退回重办，新的答复期限 %s。") % returned.deadline_on,
    ),
    "withdraw": Verb(
        gettext_lazy("撤回督办"), WithdrawForm, permissions.can_withdraw, supervision.withdraw_notice,
        danger=True, submit_label=gettext_lazy("撤回"), message=gettext_lazy("督办已撤回。"),
    ),
    "accountability": ACCOUNTABILITY,
}  # fmt: skip


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


class AlertDetailView(DetailActionView):
    """One alert: its target, audit history, notices and accountability, and the lifecycle forms."""

    roles = INSPECTOR_ROLES
    verbs = ALERT_VERBS
    detail_url_name = "monitoring:alert"
    template_name = "monitoring/alert_detail.html"

    def get_object(self):
        queryset = Alert.objects.visible_to(self.request.user).select_related("department", "timer")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        alert = self.object
        with_target_urls([alert])
        return super().get_context_data(**kwargs) | {
            "alert": alert,
            "rule": AnomalyRule.objects.filter(code=alert.rule).first() if alert.rule else None,
            "audit_events": _audit_events(self.request.user, alert),
            "notices": list(alert.notices.select_related("department").order_by("-issued_at", "-id")),
            "records": list(alert.accountability.select_related("department").order_by("-decided_on", "-id")),
        }


class NoticeDetailView(DetailActionView):
    """One notice: its answer and review, audit history, accountability, and the forms of its user."""

    roles = NOTICE_ROLES
    verbs = NOTICE_VERBS
    detail_url_name = "monitoring:notice"
    template_name = "monitoring/notice_detail.html"

    def get_object(self):
        queryset = SupervisionNotice.objects.visible_to(self.request.user).select_related(
            "department", "alert", "issued_by__staff_profile", "answered_by__staff_profile"
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        notice, user = self.object, self.request.user
        records = (
            AccountabilityRecord.objects.visible_to(user).filter(notice=notice).select_related("department")
        )
        return super().get_context_data(**kwargs) | {
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
