"""The supervision sweep: raise each due reminder (时限提示) and overdue alarm (超时报警) exactly once.

Run every minute by Celery beat (monitoring.tasks.sweep_timers) and on demand by ``manage.py sweep``.

How it stays exactly-once and fast:

* It reads only due timers, through the partial index ``timer_due_idx`` (TimerQuerySet.due), in
  batches of ``BATCH_SIZE``, locking them ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a second sweep
  running at the same time skips the rows the first one holds instead of waiting for them.
* Per batch, in ONE transaction: INSERT INTO alert … SELECT … FROM timer WHERE id IN (the locked
  ids) with ON CONFLICT DO NOTHING (the unique constraint (timer, kind) is the last word, whatever
  happens), then ONE UPDATE … CASE on the same ids that marks the timers reminded/alarmed and
  advances ``next_fire_at``. The database builds the alert rows: no Python object per alert.
  (Both statements name the locked ids rather than repeating the due condition, so a timer that
  becomes due between them cannot be marked without its alert.) A worker killed mid-batch
  rolls the whole batch back, so the next sweep raises those alerts — never twice, never lost.
  (On SQLite the transaction takes the database write lock up front, which serialises sweeps.)
* A timer already past its limit when first swept gets only the alarm: a reminder after the limit
  has nothing left to remind of.

Audit: one event per sweep that raised anything ("monitoring.sweep", after={"reminders", "alarms"})
rather than one per alert. A busy minute can raise thousands of alerts, and every audit event
takes the chain's lock and a hash; the alerts themselves are the detailed record (each row has
its timer, kind and time), and the summary event ties them to the run in the audit chain.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.constants import OnConflict
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.choices import RULE_SWEEP_STALE, RULE_TIMER, AlertKind, AlertLevel, AlertState
from monitoring.models import Alert, SweepRun, Timer
from monitoring.services.alerts import SYSTEM_LABEL, raise_alert, timer_texts
from portal import audit

BATCH_SIZE = 20_000
KEEP_RUNS_FOR = timedelta(days=30)


@dataclass
class SweepResult:
    started_at: datetime
    duration_ms: int = 0
    reminders: int = 0
    alarms: int = 0
    stale_alert: bool = False
    run_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "started_at": self.started_at.isoformat(),
            "duration_ms": self.duration_ms,
            "reminders": self.reminders,
            "alarms": self.alarms,
            "stale_alert": self.stale_alert,
            "run_id": self.run_id,
        }


def _local(dt: datetime) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M}"


def _insert_alerts(ids: list[int], now: datetime) -> None:
    """INSERT INTO alert … SELECT … FROM timer WHERE id IN (ids), ignoring conflicts.

    The SELECT is an ORM queryset (so the SQL is right on PostgreSQL and SQLite alike); the
    database builds every row, nothing is instantiated in Python. The limit itself is not copied
    into the text: the alert links to its timer, whose ``due_at`` the pages and the API show.
    """
    overdue = Q(due_at__lte=now)

    def by_kind(alarm_text, reminder_text):
        return Case(When(overdue, then=Value(alarm_text)), default=Value(reminder_text))

    texts = timer_texts()
    provisional, alarm, reminder = texts.provisional, texts.alarm, texts.reminder
    rows = (
        Timer.objects.filter(pk__in=ids)
        .order_by()
        .annotate(
            a_kind=by_kind(AlertKind.OVERDUE, AlertKind.REMINDER),
            a_level=by_kind(AlertLevel.RED, AlertLevel.YELLOW),
            a_state=Value(AlertState.OPEN),
            a_rule=Value(RULE_TIMER),
            a_occurrence=Value(""),
            a_title=Concat(by_kind(texts.alarm_title, texts.reminder_title), Left("label", 190)),
            a_detail=Case(
                When(overdue & Q(provisional=True), then=Value(alarm + provisional)),
                When(overdue, then=Value(alarm)),
                When(provisional=True, then=Value(reminder + provisional)),
                default=Value(reminder),
            ),
            a_raised_at=Value(now, output_field=DateTimeField()),
        )
        .values_list(
            "a_kind",
            "a_level",
            "a_state",
            "target_type_id",
            "target_id",
            "label",
            "department_id",
            "id",
            "a_rule",
            "a_occurrence",
            "a_title",
            "a_detail",
            "a_raised_at",
        )
    )
    columns = ["kind", "level", "state", "target_type_id", "target_id", "target_label", "department_id",
               "timer_id", "rule", "occurrence", "title", "detail", "raised_at"]  # fmt: skip
    select_sql, params = rows.query.sql_with_params()
    ops = connection.ops
    sql = "{insert} {table} ({columns}) {select} {suffix}".format(
        insert=ops.insert_statement(on_conflict=OnConflict.IGNORE),  # INSERT INTO / INSERT OR IGNORE INTO
        table=ops.quote_name(Alert._meta.db_table),
        columns=", ".join(ops.quote_name(name) for name in columns),
        select=select_sql,
        suffix=ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None) or "",  # ON CONFLICT DO NOTHING
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _sweep_batch(now: datetime) -> tuple[int, int, int]:
    """One batch in one transaction; returns (timers taken, reminders, alarms)."""
    with transaction.atomic():
        rows = list(
            Timer.objects.due(now)
            .order_by("next_fire_at")
            .select_for_update(skip_locked=True)
            .values_list("id", "due_at")[:BATCH_SIZE]
        )
        if not rows:
            return 0, 0, 0
        ids = [timer_id for timer_id, _due_at in rows]
        alarms = sum(1 for _timer_id, due_at in rows if due_at <= now)
        # One statement per batch where the backend allows (PostgreSQL); SQLite bounds the parameters.
        limit = connection.features.max_query_params
        size = len(ids) if limit is None else min(len(ids), limit - 100)
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            _insert_alerts(chunk, now)
            Timer.objects.filter(pk__in=chunk).update(
                alarmed_at=Case(When(due_at__lte=now, then=Value(now)), default=F("alarmed_at")),
                reminded_at=Case(When(due_at__gt=now, then=Value(now)), default=F("reminded_at")),
                next_fire_at=Case(When(due_at__lte=now, then=Value(None)), default=F("due_at")),
            )
        return len(rows), len(rows) - alarms, alarms


def _raise_stale_alarm(previous: SweepRun | None, now: datetime) -> bool:
    """If the previous run is older than SWEEP_STALE_AFTER_SECONDS, record the gap as an alarm."""
    if previous is None:
        return False
    gap = int((now - previous.finished_at).total_seconds())
    if gap <= settings.SWEEP_STALE_AFTER_SECONDS:
        return False
    _alert, created = raise_alert(
        previous,
        kind=AlertKind.STALE_SWEEP,
        level=AlertLevel.RED,
        rule=RULE_SWEEP_STALE,
        occurrence=previous.finished_at.isoformat(),
        title=_("监察扫描停滞 %(minutes)d 分钟") % {"minutes": gap // 60},
        detail=_("上次扫描于 %(last)s，此后 %(minutes)d 分钟内期限提示与超时报警未能及时发出。")
        % {"last": _local(previous.finished_at), "minutes": gap // 60},
    )
    return created


def run_sweep(now: datetime | None = None) -> SweepResult:
    """Raise every due reminder and alarm once, record the run; safe to run concurrently or twice."""
    clock = time.monotonic()
    now = now or timezone.now()
    result = SweepResult(started_at=now)
    previous = SweepRun.objects.order_by("-finished_at").first()
    result.stale_alert = _raise_stale_alarm(previous, now)
    while True:
        taken, reminders, alarms = _sweep_batch(now)
        result.reminders += reminders
        result.alarms += alarms
        if taken < BATCH_SIZE:
            break
    elapsed = time.monotonic() - clock
    result.duration_ms = int(elapsed * 1000)
    with transaction.atomic():
        run = SweepRun.objects.create(
            started_at=now,
            finished_at=now + timedelta(seconds=elapsed),  # on the sweep's clock, so tests may pass ``now``
            duration_ms=result.duration_ms,
            reminders=result.reminders,
            alarms=result.alarms,
        )
        if result.reminders or result.alarms:
            audit.record(
                None,
                "monitoring.sweep",
                run,
                after={"reminders": result.reminders, "alarms": result.alarms},
                label=str(SYSTEM_LABEL),
            )
        SweepRun.objects.filter(finished_at__lt=now - KEEP_RUNS_FOR).delete()
    result.run_id = run.pk
    return result
