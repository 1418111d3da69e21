"""Monitoring's published door on alerts: what other apps may call, and plain reads of alerts.

Other apps read alerts only through this module (never ``monitoring.models``): ``raise_alert`` (an
app's own anomaly checks), ``describe`` / ``open_for_intake`` / ``for_people`` (plain dicts),
``count_per_row`` (an expression for their analyses), ``with_target_urls`` (links), and what follows
an alert: ``issue_notice`` (督办) and ``accountability_of`` (问责 of a person). The verbs are
re-exported from ``monitoring.services`` (one copy, there); the reads are written here.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce

from monitoring.choices import UNRESOLVED_STATES, AlertKind
from monitoring.models import Alert
from monitoring.services.alerts import raise_alert
from monitoring.services.supervision import accountability_of, issue_notice

__all__ = [
    "accountability_of",
    "count_per_row",
    "describe",
    "for_people",
    "issue_notice",
    "open_for_intake",
    "raise_alert",
    "with_target_urls",
]


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
