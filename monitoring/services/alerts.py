"""Alerts: ``raise_alert`` (once per identity), ``transition_alert`` (the core of every state change,
also used by the system to auto-resolve reminders of stopped timers) and the inspectors' verbs
acknowledge / resolve / dismiss built on it; the words of a timer's reminder and alarm.
Supervision notices and accountability records are in ``monitoring.services.supervision``, the
anomaly rules' switches in ``monitoring.services.rules``.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.choices import ALERT_TRANSITIONS, UNRESOLVED_STATES, AlertKind, AlertLevel, AlertState
from monitoring.models import Alert
from monitoring.permissions import is_inspector
from portal import audit
from portal.services import check_transition, require

SYSTEM_LABEL = _("电子监察系统")


def raise_alert(
    target,
    *,
    kind: str,
    level: str,
    title: str,
    department=None,
    rule: str = "",
    occurrence: str = "",
    detail: str = "",
    timer=None,
) -> tuple[Alert, bool]:
    """Raise an alert once; returns ``(alert, created)``.

    Identity: ``(timer, kind)`` when a timer is given, else ``(rule, target, occurrence)`` — e.g. an
    anomaly rule passes its rule name and the id of the event it found. Raising the same alert again
    returns the existing one, even when two processes race (the database decides). A new alert
    writes an audit event ``monitoring.alert.raised``.
    """
    kind, level = AlertKind(kind), AlertLevel(level)  # ValueError on an unknown kind or level
    target_type = ContentType.objects.get_for_model(target)
    target_id = str(target.pk)
    if timer is not None:
        identity = {"timer": timer, "kind": kind}
    else:
        identity = {
            "timer": None,
            "rule": rule,
            "target_type": target_type,
            "target_id": target_id,
            "occurrence": occurrence,
        }
    existing = Alert.objects.filter(**identity).first()
    if existing is not None:
        return existing, False
    alert = Alert(
        kind=kind,
        level=level,
        title=title[:200],
        detail=detail,
        target_type=target_type,
        target_id=target_id,
        target_label=str(target)[:200],
        department=department,
        timer=timer,
        rule=rule,
        occurrence=occurrence[:100],
    )
    try:
        with transaction.atomic():
            alert.save()
            audit.record(
                None,
                "monitoring.alert.raised",
                alert,
                after={"kind": kind, "level": level, "rule": rule, "occurrence": occurrence},
                label=str(SYSTEM_LABEL),
            )
    except IntegrityError:
        return Alert.objects.get(**identity), False
    return alert, True


def transition_alert(alert: Alert, to_state: str, *, by=None, note: str = "") -> Alert:
    """Move ``alert`` to ``to_state`` along ALERT_TRANSITIONS; audited as ``monitoring.alert.<state>``.

    ``by`` is the acting user, or None for the system. Refuses (TransitionError) any move the map does
    not allow, e.g. reopening a resolved alert. Who may call it is the caller's check.
    """
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        check_transition(ALERT_TRANSITIONS, locked.state, to_state, AlertState, _("预警"))
        before = {"state": locked.state}
        locked.state = to_state
        if to_state in (AlertState.RESOLVED, AlertState.DISMISSED):
            locked.closed_at = timezone.now()
        locked.save(update_fields=["state", "closed_at"])
        audit.record(
            by,
            f"monitoring.alert.{to_state}",
            locked,
            before=before,
            after={"state": to_state},
            note=note,
            label="" if by is not None else str(SYSTEM_LABEL),
        )
        return locked


def resolve_reminders_of(timer, *, note: str) -> int:
    """Resolve the still-unresolved reminder of a timer that has stopped; returns how many.

    Why: a reminder warns that a limit is near; once the timer stops (the step is done, the case
    closed) it has nothing left to warn about. The overdue alarm is NOT resolved here: an alarm
    records a missed limit, and inspectors must see it until they resolve it themselves.
    """
    reminders = Alert.objects.filter(timer=timer, kind=AlertKind.REMINDER, state__in=UNRESOLVED_STATES)
    count = 0
    for alert in reminders:
        transition_alert(alert, AlertState.RESOLVED, note=note)
        count += 1
    return count


# --- the alert lifecycle of the inspectors (issue 5) -----------------------------------------------


def require_inspector(user) -> None:
    """Refuse (PermissionDenied) anyone but a discipline inspector or an administrator."""
    require(is_inspector(user), str(_("只有纪检监察员可以处理监察预警。")))


def _checked_alert_move(alert: Alert, to_state: str, *, by, note: str) -> Alert:
    """One verb = one transaction: the permission check, then transition_alert (lock, map, audit)."""
    require_inspector(by)
    with transaction.atomic():
        return transition_alert(alert, to_state, by=by, note=note)


def acknowledge(alert: Alert, *, by, note: str = "") -> Alert:
    """签收: the inspector has seen the alert and takes it on (open → acknowledged)."""
    return _checked_alert_move(alert, AlertState.ACKNOWLEDGED, by=by, note=note.strip())


def resolve(alert: Alert, *, by, note: str = "") -> Alert:
    """解除: what the alert pointed at has been dealt with (open/acknowledged → resolved)."""
    return _checked_alert_move(alert, AlertState.RESOLVED, by=by, note=note.strip())


def dismiss(alert: Alert, *, by, reason: str) -> Alert:
    """排除: the alert was unfounded; the reason is required and kept in the audit trail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("排除预警须说明理由。")})
    return _checked_alert_move(alert, AlertState.DISMISSED, by=by, note=reason)


# --- the words of timer alerts ---------------------------------------------------------------


@dataclass(frozen=True)
class TimerTexts:
    """The words of a timer's reminder (时限提示) and overdue alarm (超时报警): one copy, for the
    sweep's bulk INSERT … SELECT and for the bulk import of past timers (``timers.import_past``)."""

    alarm_title: str
    reminder_title: str
    alarm: str
    reminder: str
    provisional: str

    def title(self, kind: str, label: str) -> str:
        return (self.alarm_title if kind == AlertKind.OVERDUE else self.reminder_title) + label[:190]

    def detail(self, kind: str, provisional: bool) -> str:
        return (self.alarm if kind == AlertKind.OVERDUE else self.reminder) + (
            self.provisional if provisional else ""
        )


def timer_texts() -> TimerTexts:
    return TimerTexts(
        alarm_title=str(_("超时报警：")),
        reminder_title=str(_("时限提示：")),
        alarm=str(_("已超过办理期限。")),
        reminder=str(_("办理期限临近。")),
        provisional=str(_("（期限暂定：含尚未录入法定节假日安排的年度）")),
    )
