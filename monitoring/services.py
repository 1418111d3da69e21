"""State changes of alerts and of the anomaly rules' switches. Alerts: ``transition_alert`` (the core, also used by the system to auto-resolve
reminders of stopped timers) and the inspectors' verbs acknowledge / resolve / dismiss built on it.
Supervision notices and accountability records are in ``monitoring.supervision``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.choices import ALERT_TRANSITIONS, UNRESOLVED_STATES, AlertKind, AlertLevel, AlertState
from monitoring.models import Alert, AnomalyRule
from monitoring.permissions import can_configure_rule, is_inspector
from portal import audit
from portal.services import check_transition, require

SYSTEM_LABEL = _("电子监察系统")


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


# --- anomaly rules: the administrator's switch (异常规则开关) -----------------------------------------


def configure_rule(
    rule: AnomalyRule, *, by, enabled: bool | None = None, level: str | None = None, reason: str = ""
) -> AnomalyRule:
    """Switch an anomaly rule on or off and/or set its alert level; audited as ``monitoring.rule.changed``.

    Switching a rule off stops it watching, so it needs a stated reason (kept in the trail); switching
    it back on makes the next incremental run scan everything it missed (``monitoring.rules``).
    Refuses an unknown level. A request that changes nothing writes nothing.
    """  # fmt: skip
    require(can_configure_rule(by, rule), str(_("只有系统管理员可以启用、停用异常规则或调整其预警级别。")))
    if level is not None and level not in AlertLevel.values:
        raise ValidationError({"level": _("预警级别只能是黄色或红色。")})
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = AnomalyRule.objects.select_for_update().get(pk=rule.pk)
        before = {"enabled": locked.enabled, "level": locked.level}
        after = {
            "enabled": locked.enabled if enabled is None else bool(enabled),
            "level": locked.level if level is None else level,
        }
        if after == before:
            return locked
        if before["enabled"] and not after["enabled"] and not reason:
            raise ValidationError({"reason": _("停用异常规则须说明理由（停用期间该规则不再发现异常）。")})
        locked.enabled, locked.level = after["enabled"], after["level"]
        locked.save(update_fields=["enabled", "level", "updated_at"])
        changed = [key for key in after if after[key] != before[key]]
        audit.record(
            by,
            "monitoring.rule.changed",
            locked,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
            note=reason,
        )
        return locked
