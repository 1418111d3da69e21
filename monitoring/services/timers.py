"""The public timer API other apps call: start, pause, resume, stop, reschedule, for_target.

A timer is identified by its target object and a ``purpose`` string ("case", "case_step:3",
"suspension:7", "supervision"…); at most one *active* (not stopped) timer exists per pair, which
the database enforces. Working-day arithmetic is the caller's (portal.workdays): these functions
take aware datetimes. Every function runs in its own transaction (joining the caller's) and locks
the timer row, so concurrent calls on one timer serialise.

Timer operations are not audited here: each is the consequence of a caller's verb, which is. The
alerts the timers lead to are (see monitoring.services.sweep and monitoring.services.alerts).
"""

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from monitoring.choices import RULE_TIMER, TIMER_CASE, AlertKind, AlertLevel, AlertState
from monitoring.models import Alert, Timer, TimerPause
from monitoring.services.alerts import resolve_reminders_of, timer_texts

# --- timer purposes: named here, used by the apps that start timers and by monitoring's readers ---

CASE = TIMER_CASE  # a case's statutory time limit (法定时限): the dashboard counts cases by it
CASE_PROMISED = "case_promised"  # the promised limit (承诺时限) where it is shorter


def case_step_purpose(flow_step_id: int) -> str:
    """The time limit of one flowchart step of a case."""
    return f"case_step:{flow_step_id}"


def suspension_purpose(suspension_id: int) -> str:
    """The longest a case's suspension (暂停计时) may last."""
    return f"suspension:{suspension_id}"


def overdue_q(now: datetime) -> Q:
    """Timers overdue at ``now``: running and past the limit. A timer paused before its limit
    passed (a suspended case) is paused, not overdue — the same rule as ``approvals.due`` applies
    to a case's due dates."""
    return Q(stopped_at__isnull=True, due_at__lt=now) & (
        Q(paused_at__isnull=True) | Q(paused_at__gt=F("due_at"))
    )


def _key(target) -> dict:
    if target is None or target.pk is None:
        raise ValueError("a timer needs a saved target object")
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": str(target.pk)}


def _check_times(due_at: datetime, warn_at: datetime | None) -> None:
    for value in (due_at, warn_at):
        if value is not None and timezone.is_naive(value):
            raise ValueError("timer times must be timezone-aware datetimes")


def _active(target, purpose: str) -> Timer | None:
    return (
        Timer.objects.select_for_update()
        .filter(stopped_at__isnull=True, purpose=purpose, **_key(target))
        .first()
    )


def _close_pause(timer: Timer, now: datetime) -> None:
    if timer.paused_at is None:
        return
    TimerPause.objects.filter(timer=timer, resumed_at__isnull=True).update(resumed_at=now)
    timer.paused_seconds += max(0, int((now - timer.paused_at).total_seconds()))
    timer.paused_at = None


def _save(timer: Timer) -> Timer:
    timer.next_fire_at = timer.compute_next_fire_at()
    timer.save()
    return timer


def start(
    target,
    *,
    purpose: str,
    due_at: datetime,
    warn_at: datetime | None,
    department=None,
    post=None,
    person=None,
    label: str = "",
    provisional: bool = False,
    at: datetime | None = None,
) -> Timer:
    """Start timing ``purpose`` on ``target``; on an already active timer, update it instead.

    ``at``: when timing began, if not now (the caller's own clock, e.g. the verb's acceptance time).

    ``label`` defaults to ``str(target)``. A paused timer stays paused (its new limits apply on
    resume). A reminder or alarm already raised for the timer is not raised again.
    """
    _check_times(due_at, warn_at)
    fields = {
        "due_at": due_at,
        "warn_at": warn_at,
        "department": department,
        "post": post,
        "person": person,
        "label": (label or str(target))[:200],
        "provisional": provisional,
    }
    with transaction.atomic():
        timer = _active(target, purpose)
        if timer is None:
            try:
                with transaction.atomic():  # savepoint: a concurrent start may win the unique constraint
                    timer = Timer(purpose=purpose, started_at=at or timezone.now(), **_key(target), **fields)
                    return _save(timer)
            except IntegrityError:
                timer = _active(target, purpose)
                if timer is None:
                    raise
        for name, value in fields.items():
            setattr(timer, name, value)
        return _save(timer)


def pause(target, purpose: str, *, reason: str = "") -> Timer | None:
    """Stop the clock (e.g. a suspension); nothing fires while paused. None if no active timer."""
    with transaction.atomic():
        timer = _active(target, purpose)
        if timer is None or timer.paused_at is not None:
            return timer
        now = timezone.now()
        timer.paused_at = now
        TimerPause.objects.create(timer=timer, paused_at=now, reason=reason[:200])
        return _save(timer)


def resume(target, purpose: str, *, due_at: datetime, warn_at: datetime | None) -> Timer | None:
    """Restart a paused timer with the caller's recomputed limits. None if no active timer."""
    _check_times(due_at, warn_at)
    with transaction.atomic():
        timer = _active(target, purpose)
        if timer is None:
            return None
        _close_pause(timer, timezone.now())
        timer.due_at, timer.warn_at = due_at, warn_at
        return _save(timer)


def reschedule(target, purpose: str, *, due_at: datetime, warn_at: datetime | None) -> Timer | None:
    """Change the limits of an active timer (paused or running). None if no active timer."""
    _check_times(due_at, warn_at)
    with transaction.atomic():
        timer = _active(target, purpose)
        if timer is None:
            return None
        timer.due_at, timer.warn_at = due_at, warn_at
        return _save(timer)


def stop(target, purpose: str, *, at: datetime | None = None) -> Timer | None:
    """Stop the timer for good; its unresolved reminder is resolved, an overdue alarm stays open.

    ``at``: when it stopped, if not now (the caller's own clock, e.g. the verb's completion time).

    Returns the stopped timer, or None when no timer was active (so stopping twice is harmless).
    """
    with transaction.atomic():
        timer = _active(target, purpose)
        if timer is None:
            return None
        now = at or timezone.now()
        _close_pause(timer, now)
        timer.stopped_at = now
        _save(timer)
        if timer.reminded_at is not None:
            resolve_reminders_of(timer, note="计时已停止，时限提示自动解除")
        return timer


def for_target(target) -> QuerySet[Timer]:
    """Every timer of ``target``, active and stopped, oldest first."""
    return (
        Timer.objects.filter(**_key(target)).select_related("department", "post").order_by("started_at", "id")
    )


# --- bulk import of past timers (demo history, migrations of another system's records) ------------


@dataclass
class PastTimer:
    """A timer that ran in the past, as the sweep would have left it by ``now``.

    ``pause``: the one interval it stood still (start, end or None while still paused, reason).
    ``alarm_state`` / ``alarm_closed_at``: what became of its overdue alarm, if it had one (the
    reminder is resolved when the timer stopped, else open).
    """

    target: object
    purpose: str
    label: str
    started_at: datetime
    warn_at: datetime | None
    due_at: datetime
    department_id: int | None = None
    provisional: bool = False
    stopped_at: datetime | None = None
    pause: tuple[datetime, datetime | None, str] | None = None
    alarm_state: str = AlertState.OPEN
    alarm_closed_at: datetime | None = None
    timer: Timer | None = field(default=None, init=False)


def past_fire_times(warn_at: datetime | None, due_at: datetime, end: datetime):
    """``(reminded_at, alarmed_at)`` the sweep left on a timer that ran until ``end``: one minute
    after each instant passed (the reminder only when it comes before the limit)."""
    minute = timedelta(minutes=1)
    reminded = min(warn_at + minute, end) if warn_at and warn_at < due_at and end > warn_at else None
    return reminded, (min(due_at + minute, end) if end > due_at else None)


def import_past(rows: list[PastTimer], *, now: datetime, batch_size: int = 2000) -> dict[str, int]:
    """Store past timers with their pauses and the reminders and alarms the sweep raised on them
    (one minute after each instant passed, while the timer ran), in a few bulk INSERTs."""
    timers = []
    for row in rows:
        paused_at = row.pause[0] if row.pause and row.pause[1] is None else None
        paused = int((row.pause[1] - row.pause[0]).total_seconds()) if row.pause and row.pause[1] else 0
        end = row.stopped_at or paused_at or now
        reminded_at, alarmed_at = past_fire_times(row.warn_at, row.due_at, end)
        timer = Timer(
            **_key(row.target), purpose=row.purpose, department_id=row.department_id, label=row.label,
            started_at=row.started_at, warn_at=row.warn_at, due_at=row.due_at, provisional=row.provisional,
            paused_at=paused_at, paused_seconds=paused, stopped_at=row.stopped_at,
            reminded_at=reminded_at, alarmed_at=alarmed_at,
        )  # fmt: skip
        timer.next_fire_at = timer.compute_next_fire_at()
        row.timer = timer
        timers.append(timer)
    Timer.objects.bulk_create(timers, batch_size=batch_size)
    TimerPause.objects.bulk_create(
        [TimerPause(timer=row.timer, paused_at=row.pause[0], resumed_at=row.pause[1], reason=row.pause[2])
         for row in rows if row.pause],
        batch_size=batch_size,
    )  # fmt: skip
    texts = timer_texts()
    alerts = []
    for row in rows:
        timer = row.timer
        common = {
            "target_type_id": timer.target_type_id, "target_id": timer.target_id, "target_label": timer.label,
            "department_id": timer.department_id, "timer": timer, "rule": RULE_TIMER, "occurrence": "",
        }  # fmt: skip
        raised = []
        if timer.reminded_at is not None:
            state = AlertState.RESOLVED if timer.stopped_at else AlertState.OPEN
            raised.append((AlertKind.REMINDER, AlertLevel.YELLOW, timer.reminded_at, state, timer.stopped_at))
        if timer.alarmed_at is not None:
            raised.append(
                (AlertKind.OVERDUE, AlertLevel.RED, timer.alarmed_at, row.alarm_state, row.alarm_closed_at)
            )
        for kind, level, at, state, closed in raised:
            alerts.append(Alert(
                kind=kind, level=level, title=texts.title(kind, timer.label),
                detail=texts.detail(kind, timer.provisional), raised_at=at, state=state, closed_at=closed, **common,
            ))  # fmt: skip
    Alert.objects.bulk_create(alerts, batch_size=batch_size)
    return {
        "timers": len(timers),
        "reminders": sum(1 for a in alerts if a.kind == AlertKind.REMINDER),
        "alarms": sum(1 for a in alerts if a.kind == AlertKind.OVERDUE),
        "open_alerts": sum(1 for a in alerts if a.state in (AlertState.OPEN, AlertState.ACKNOWLEDGED)),
    }


def import_stopped(
    target_model,
    purpose: str,
    rows,
    *,
    now: datetime,
    alarm_closed_after=timedelta(days=2),
    large: bool = False,
):
    """Store many timers that ran and stopped in the past, set-based (city-scale history).

    ``rows``: tuples ``(target_id, department_id, label, started_at, warn_at, due_at, stopped_at,
    provisional)``. Reminders and alarms are what the sweep raised on them (``past_fire_times``),
    all resolved: a reminder when its timer stopped, an alarm ``alarm_closed_after`` later (never
    after ``now``). Written with ``portal.bulk`` (COPY on PostgreSQL) without model instances.
    ``large``: the rows are most of the timers there will be (a city's archive loaded into a new
    portal): the plain indexes are built once afterwards (``bulk.indexes_rebuilt``). Returns the counts.
    """
    from portal import bulk

    rows = list(rows)
    target_type = ContentType.objects.get_for_model(target_model).pk
    first = bulk.reserve_ids(Timer, len(rows)) if rows else 0
    texts = timer_texts()
    alerts = []

    def timer_rows():
        for offset, (
            target_id,
            department_id,
            label,
            started,
            warn_at,
            due_at,
            stopped,
            provisional,
        ) in enumerate(rows):
            reminded, alarmed = past_fire_times(warn_at, due_at, stopped)
            timer_id = first + offset
            common = (target_type, str(target_id), label, department_id, timer_id)
            if reminded is not None:
                alerts.append(
                    (AlertKind.REMINDER, AlertLevel.YELLOW, reminded, stopped, provisional, *common)
                )
            if alarmed is not None:
                closed = min(stopped + alarm_closed_after, now)
                alerts.append((AlertKind.OVERDUE, AlertLevel.RED, alarmed, closed, provisional, *common))
            yield (timer_id, target_type, str(target_id), purpose, department_id, label[:200], started, warn_at,
                   due_at, provisional, stopped, reminded, alarmed, None)  # fmt: skip

    from portal.bulk import indexes_rebuilt, insert_rows

    with indexes_rebuilt(Timer, Alert) if large else nullcontext():
        written = insert_rows(
            Timer,
            ["id", "target_type_id", "target_id", "purpose", "department_id", "label", "started_at", "warn_at",
             "due_at", "provisional", "stopped_at", "reminded_at", "alarmed_at", "next_fire_at"],
            timer_rows(),
        )  # fmt: skip
        insert_rows(
            Alert,
            ["kind", "level", "raised_at", "closed_at", "state", "title", "detail", "target_type_id", "target_id",
             "target_label", "department_id", "timer_id", "rule", "occurrence"],
            (
                (kind, level, raised, closed, AlertState.RESOLVED, texts.title(kind, label),
                 texts.detail(kind, provisional), target_type, target_id, label[:200], department_id, timer_id,
                 RULE_TIMER, "")
                for kind, level, raised, closed, provisional, target_type, target_id, label, department_id, timer_id
                in alerts
            ),
        )  # fmt: skip
    return {
        "timers": written,
        "reminders": sum(1 for a in alerts if a[0] == AlertKind.REMINDER),
        "alarms": sum(1 for a in alerts if a[0] == AlertKind.OVERDUE),
    }
