"""Raising alerts one at a time (anomaly rules, the stale-sweep alarm) and linking them to targets.

The sweep raises timer alerts in bulk (monitoring.sweep); everything else calls ``raise_alert``.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from monitoring.choices import AlertKind, AlertLevel
from monitoring.models import Alert
from monitoring.services import SYSTEM_LABEL
from portal import audit


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


def with_target_urls(alerts) -> list[Alert]:
    """Set ``alert.target_url`` from each target's ``get_absolute_url()`` (or None).

    Loads the targets with one query per content type, whatever the number of alerts, and without
    importing the apps: the model class comes from the content type.
    """
    alerts = list(alerts)
    wanted = defaultdict(set)
    for alert in alerts:
        wanted[alert.target_type_id].add(alert.target_id)
    urls = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            urls[(type_id, str(pk))] = obj.get_absolute_url()
    for alert in alerts:
        alert.target_url = urls.get((alert.target_type_id, alert.target_id))
    return alerts


def _describe(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_label": str(alert.get_kind_display()),
        "level": alert.level,
        "level_label": str(alert.get_level_display()),
        "state": alert.state,
        "title": alert.title,
        "detail": alert.detail,
        "target_label": alert.target_label,
        "department_id": alert.department_id,
        "raised_at": alert.raised_at,
    }


def open_for_intake(limit: int = 20) -> list[dict]:
    """The newest unresolved overdue alarms and anomalies, as ``describe`` dicts (for risks' intake page)."""
    from monitoring.choices import UNRESOLVED_STATES

    rows = (
        Alert.objects.filter(kind__in=[AlertKind.OVERDUE, AlertKind.ANOMALY], state__in=UNRESOLVED_STATES)
        .exclude(department__isnull=True)
        .order_by("-raised_at", "-id")[:limit]
    )
    return [_describe(alert) for alert in rows]


def describe(alert_id) -> dict | None:
    """One alert as plain data for other apps (risks turns an alert into risk information), or None.

    Keys: id, kind, kind_label, level, level_label, state, title, detail, target_label,
    department_id, raised_at.
    """
    try:
        alert = Alert.objects.filter(pk=int(alert_id)).first()
    except (TypeError, ValueError):
        return None
    if alert is None:
        return None
    return _describe(alert)


def for_people(user_ids, *, limit: int = 10) -> list[dict]:
    """The latest alerts on timers for which one of ``user_ids`` was responsible, as ``describe`` dicts.

    For the complaint drill-down ("the handling officer's earlier alerts").
    """
    ids = [int(pk) for pk in user_ids or () if pk]
    if not ids:
        return []
    alerts = Alert.objects.filter(timer__person_id__in=ids).order_by("-raised_at", "-id")[:limit]
    return [_describe(alert) for alert in alerts]


def count_per_row(model, kind: str):
    """An expression for a queryset of ``model``: how many alerts of ``kind`` each row has (0 if none).

    For other apps' analyses (e.g. reminders and alarms per 100 cases) without reading Alert rows.
    """
    alerts = (
        Alert.objects.filter(
            target_type=ContentType.objects.get_for_model(model),  # cached by the content type framework
            target_id=Cast(OuterRef("pk"), CharField()),
            kind=kind,
        )
        .order_by()
        .values("target_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(alerts, output_field=IntegerField()), Value(0))


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
