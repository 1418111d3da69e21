"""The inspectors' dashboard (监察驾驶舱): figures computed from monitoring's own tables.

A case is its statutory timer (``Timer.purpose == "case"``): started at acceptance, stopped at
completion, ``due_at`` the statutory limit, ``alarmed_at`` set once the sweep raised its overdue
alarm, ``department`` the responsible department. monitoring imports none of the apps it watches.

Definitions (local time, ``settings.TIME_ZONE``):

* accepted in a period — started in it; completed — stopped in it;
* in progress — not stopped (suspended cases included: their clock stands still);
* overdue now — running, past ``due_at`` and not paused before the limit passed;
* completed late — stopped after ``due_at``, or alarmed on the way (a limit moved later after the
  alarm does not undo it); overdue in a period = overdue now + completed late in the period;
* on-time rate — (completed − completed late) / completed, ``None`` when nothing was completed.

The whole dashboard is a constant number of queries (see ``figures``): per-day counts over the last
twelve months give the period figures *and* both trends (the days before this month cached, see
``daily_counts``), one aggregate gives the running cases by department, one the open alerts by
department and level. The partial indexes ``timer_case_*`` (monitoring.models) turn this month's
counts and the running cases into small index range scans however many cases there are.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring import timers
from monitoring.choices import UNRESOLVED_STATES, AlertLevel, AlertState
from monitoring.models import Alert, DashboardMonth, Timer
from monitoring.timers import overdue_q
from portal.choices import LEVEL_ORDER, Level

logger = logging.getLogger(__name__)

CASE = timers.CASE  # the statutory timer of a case
TREND_DAYS = 30
TREND_MONTHS = 12
TOP_DEPARTMENTS = 10
HISTORY_CACHE_SECONDS = 15 * 60  # settings.DASHBOARD_HISTORY_CACHE_SECONDS overrides
# How long the history of earlier months stays in the cache (settings.DASHBOARD_HISTORY_STALE_SECONDS);
# once it is gone a page view reads it from the stored roll-up (DashboardMonth), never recounts it.
HISTORY_STALE_SECONDS = 6 * 60 * 60

PERIODS = {"today": _("今日"), "month": _("本月"), "year": _("本年")}
METRICS = {
    "accepted": _("受理"),
    "in_progress": _("在办"),
    "completed": _("办结"),
    "overdue": _("超期"),
}

# Conditions on case timers, shared by the figures and the drill-down lists.
RUNNING = Q(stopped_at__isnull=True)
LATE = Q(stopped_at__gt=F("due_at")) | Q(alarmed_at__isnull=False)


def expired_q(now: datetime) -> Q:
    """The limit passed without completion: overdue now, or completed after the limit."""
    return overdue_q(now) | Q(stopped_at__gt=F("due_at"))


def case_timers():
    return Timer.objects.filter(purpose=CASE)


# --- periods --------------------------------------------------------------------------------


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def local_today(now: datetime) -> date:
    return timezone.localtime(now, timezone.get_default_timezone()).date()


def months_back(day: date, n: int) -> date:
    """First day of the month ``n`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def period_start(period: str, now: datetime) -> datetime:
    today = local_today(now)
    if period == "today":
        return local_midnight(today)
    if period == "month":
        return local_midnight(today.replace(day=1))
    if period == "year":
        return local_midnight(date(today.year, 1, 1))
    raise ValueError(period)


@dataclass
class Window:
    """The days the per-day counts cover: from the first month of the monthly trend to today."""

    today: date
    first_day: date

    @classmethod
    def ending(cls, now: datetime) -> "Window":
        today = local_today(now)
        first = min(months_back(today, TREND_MONTHS - 1), today - timedelta(days=TREND_DAYS - 1))
        return cls(today=today, first_day=first)

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    def days(self, n: int) -> list[date]:
        return [self.today - timedelta(days=i) for i in range(n - 1, -1, -1)]

    def months(self, n: int) -> list[date]:
        return [months_back(self.today, i) for i in range(n - 1, -1, -1)]


def _per_day(queryset, field: str, **counts) -> dict[date, dict]:
    """``{local day: {name: count}}`` of ``queryset`` grouped by the local day of ``field``."""
    tz = timezone.get_default_timezone()
    rows = (
        queryset.order_by()
        .annotate(day=TruncDate(field, tzinfo=tz))
        .values("day")
        .annotate(**counts)
        .values_list("day", *counts)
    )
    return {row[0]: dict(zip(counts, row[1:], strict=True)) for row in rows}


SERIES = ("accepted", "completed", "completed_late", "expired", "reminders", "alarms")


def _count_days(now: datetime, start: datetime, end: datetime | None) -> dict[str, dict[date, int]]:
    """Per local day in [start, end): accepted, completed, completed_late, expired, and the yellow
    and red alerts raised. Four queries, each a range scan of a ``timer_case_*`` index."""

    def between(field):
        return {f"{field}__gte": start, **({f"{field}__lt": end} if end else {})}

    cases = case_timers()
    # Counts name only indexed columns (COUNT(*), or a never-null column for the filtered ones), so
    # that PostgreSQL answers from the timer_case_* indexes alone.
    accepted = _per_day(cases.filter(**between("started_at")), "started_at", n=Count("*"))
    completed = _per_day(
        cases.filter(**between("stopped_at")),
        "stopped_at",
        n=Count("*"),
        late=Count("due_at", filter=LATE),
    )
    expired = _per_day(
        cases.filter(expired_q(now), **between("due_at")).filter(due_at__lt=now), "due_at", n=Count("*")
    )
    alerts = _per_day(
        # Every state, so that the planner can range-scan alert_state_raised_idx per state.
        Alert.objects.filter(state__in=AlertState.values, **between("raised_at")),
        "raised_at",
        yellow=Count("id", filter=Q(level=AlertLevel.YELLOW)),
        red=Count("id", filter=Q(level=AlertLevel.RED)),
    )

    def series(rows, key):
        return {day: values[key] for day, values in rows.items()}

    return {
        "accepted": series(accepted, "n"),
        "completed": series(completed, "n"),
        "completed_late": series(completed, "late"),
        "expired": series(expired, "n"),
        "reminders": series(alerts, "yellow"),
        "alarms": series(alerts, "red"),
    }


def history_seconds() -> int:
    return getattr(settings, "DASHBOARD_HISTORY_CACHE_SECONDS", HISTORY_CACHE_SECONDS)


def _history_key(window: Window) -> str:
    return f"monitoring:dashboard:history:{window.first_day.isoformat()}:{window.today:%Y-%m}"


def history_stale_seconds() -> int:
    return max(history_seconds(), getattr(settings, "DASHBOARD_HISTORY_STALE_SECONDS", HISTORY_STALE_SECONDS))


def _months(first: date, end: date) -> list[date]:
    """The first days of the months in [first, end) (``first`` is a month's first day)."""
    months, month = [], first.replace(day=1)
    while month < end:
        months.append(month)
        month = months_back(month, -1)
    return months


def _save_months(first: date, end: date, counts: dict, now: datetime) -> None:
    """Store the counts of the months in [first, end) (an empty month too: a stored month is counted)."""
    months = _months(first, end)
    rows = {month: {name: {} for name in SERIES} for month in months}
    for name, by_day in counts.items():
        for day, n in by_day.items():
            if first <= day < end and n:
                rows[day.replace(day=1)][name][day.isoformat()] = n
    if rows:
        DashboardMonth.objects.bulk_create(
            [DashboardMonth(month=month, days=days, counted_at=now) for month, days in rows.items()],
            update_conflicts=True,
            unique_fields=["month"],
            update_fields=["days", "counted_at"],
        )


def _stored_months(first: date, end: date) -> tuple[dict[str, dict[date, int]], set[date], float | None]:
    """The stored counts of the months in [first, end), the months stored, and when the oldest was counted."""
    counts: dict[str, dict[date, int]] = {name: {} for name in SERIES}
    months, oldest = set(), None
    for month, days, counted_at in DashboardMonth.objects.filter(month__gte=first, month__lt=end).values_list(
        "month", "days", "counted_at"
    ):
        if set(days) != set(SERIES):  # written by another version: count it again
            continue
        months.add(month)
        oldest = counted_at if oldest is None or counted_at < oldest else oldest
        for name in SERIES:
            counts[name].update((date.fromisoformat(day), n) for day, n in days[name].items())
    return counts, months, None if oldest is None else oldest.timestamp()


def _cache_history(window: Window, history: dict, at: float) -> None:
    cache.set(_history_key(window), {"at": at, "days": history}, history_stale_seconds())


def _store_history(window: Window, counts: dict, now: datetime) -> None:
    """Cache and store the counts of the days before this month (``counts`` covers the whole window)."""
    month_first = window.today.replace(day=1)
    history = {
        name: {day: n for day, n in by_day.items() if day < month_first} for name, by_day in counts.items()
    }
    _save_months(window.first_day, month_first, counts, now)
    _cache_history(window, history, timezone.now().timestamp())


def daily_counts(now: datetime, window: Window) -> dict[str, dict[date, int]]:
    """Per local day since ``window.start`` (see ``_count_days``): the days before this month from
    the cache — or, when the cache has lost them (a restart, a flush), from their stored roll-up
    (``DashboardMonth``, one query) — and this month's live. Four queries when the cache has them,
    five when they are read from the roll-up.

    The days before this month hardly change: a case's acceptance, completion and alerts keep their
    day, and a limit that passed stays passed. The worker recounts them every few minutes
    (``refresh_history``, beat) into the cache and the roll-up; a page view never recounts a month
    already stored, so a figure of an earlier month — e.g. after importing old cases — may lag
    until the worker's next recount (``history_age()`` says by how much). Months never stored are
    stored outside any request — at the end of ``migrate`` (``store_after_migrate``), by a worker
    that starts (``tasks.refresh_dashboard_at_start``) and by ``seed_demo`` — so a page view finds
    them. If some are still missing (a month turned and no worker ran yet, rows imported into an
    empty database after migrate), the page view counts them together with this month and stores
    them: correct, only slower (≈ 0.4 s at 500,000 case timers), once.
    Everything of this month, today and now is always live.
    """
    month_first = window.today.replace(day=1)
    cached = cache.get(_history_key(window))
    if isinstance(cached, dict) and "days" in cached:
        live = _count_days(now, local_midnight(month_first), None)
        return {name: {**cached["days"][name], **live[name]} for name in SERIES}
    stored, months, at = _stored_months(window.first_day, month_first)
    missing = [month for month in _months(window.first_day, month_first) if month not in months]
    start = missing[0] if missing else month_first
    live = _count_days(now, local_midnight(start), None)
    if missing:
        _save_months(start, month_first, live, now)
        at = timezone.now().timestamp() if at is None else at
    history = {
        name: {
            **{day: n for day, n in stored[name].items() if day < start},
            **{day: n for day, n in live[name].items() if day < month_first},
        }
        for name in SERIES
    }
    _cache_history(window, history, at)
    return {
        name: {**history[name], **{d: n for d, n in live[name].items() if d >= month_first}}
        for name in SERIES
    }


def history_age(now: datetime | None = None) -> float | None:
    """Seconds since the cached history was counted (None: not cached): for /health/ and the bench."""
    cached = cache.get(_history_key(Window.ending(now or timezone.now())))
    return timezone.now().timestamp() - cached["at"] if isinstance(cached, dict) and "at" in cached else None


def refresh_history(now: datetime | None = None) -> None:
    """Recount the days before this month into the cache and the stored roll-up
    (monitoring.tasks.refresh_dashboard)."""
    now = now or timezone.now()
    window = Window.ending(now)
    _store_history(window, _count_days(now, window.start, None), now)


def store_missing_months(now: datetime | None = None) -> int:
    """Count and store the months before this one that the roll-up lacks (outside any request: the end
    of ``migrate``, the worker's start, ``seed_demo``), so that the first page view reads them instead
    of counting them. Returns the number of months stored.

    One query when every month is stored, three when some are missing but there is nothing to count
    (a new or flushed database: nothing is written, a page view counts empty tables cheaply).
    Otherwise the four counts of ``_count_days`` over the missing months (bounded by this month's
    start) and one upsert; a month between them that was stored is recounted too.
    """
    now = now or timezone.now()
    window = Window.ending(now)
    month_first = window.today.replace(day=1)
    _, stored, _ = _stored_months(window.first_day, month_first)
    missing = [month for month in _months(window.first_day, month_first) if month not in stored]
    if not missing or not (case_timers().exists() or Alert.objects.exists()):
        return 0
    counts = _count_days(now, local_midnight(missing[0]), local_midnight(month_first))
    _save_months(missing[0], month_first, counts, now)
    return len(_months(missing[0], month_first))


def store_after_migrate(sender, using=DEFAULT_DB_ALIAS, verbosity=1, stdout=None, **kwargs) -> None:
    """post_migrate receiver (MonitoringConfig.ready): ``store_missing_months`` after installing or
    upgrading, so that the first page view is not the one counting twelve months."""
    if using != DEFAULT_DB_ALIAS:
        return  # the dashboard reads the default database only
    if DashboardMonth._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated back to before the table existed
    started = monotonic()
    try:
        stored = store_missing_months()
    except DatabaseError:  # never fail a migration for a figure a page view can still count
        logger.warning("could not store the dashboard's closed months after migrate", exc_info=True)
        return
    if stored and verbosity >= 1 and stdout is not None:
        stdout.write(f"  Stored the dashboard's {stored} closed months in {monotonic() - started:.1f}s\n")


def _sum_since(by_day: dict[date, int], first: date) -> int:
    return sum(n for day, n in by_day.items() if day >= first)


def _rate(done: int, late: int) -> float | None:
    return round((done - late) / done, 4) if done else None


# --- departments ------------------------------------------------------------------------------

DEPARTMENT_FIELDS = (
    "department_id",
    "department__code",
    "department__name",
    "department__short_name",
    "department__level",
)


def _department_row(values: tuple) -> dict:
    _id, code, name, short_name, level = values
    return {
        "code": code or "",
        "name": (short_name or name) if code else str(_("未指定单位")),
        "full_name": name or "",
        "level": level or "",
        "level_display": str(Level(level).label) if level else "",
        "in_progress": 0,
        "overdue": 0,
        "yellow": 0,
        "red": 0,
    }


def by_department(now: datetime) -> list[dict]:
    """Running cases (in progress, overdue) and open alerts (yellow, red) per department. Two queries."""
    rows: dict = {}

    def row(values):
        key = values[0]
        if key not in rows:
            rows[key] = _department_row(values)
        return rows[key]

    running = (
        case_timers()
        .filter(RUNNING)
        .order_by()
        .values_list(*DEPARTMENT_FIELDS)
        .annotate(n=Count("*"), overdue=Count("due_at", filter=overdue_q(now)))
    )
    for *values, n, overdue in running:
        entry = row(values)
        entry["in_progress"], entry["overdue"] = n, overdue
    alerts = (
        Alert.objects.filter(state__in=UNRESOLVED_STATES)
        .order_by()
        .values_list(*DEPARTMENT_FIELDS)
        .annotate(
            yellow=Count("id", filter=Q(level=AlertLevel.YELLOW)),
            red=Count("id", filter=Q(level=AlertLevel.RED)),
        )
    )
    for *values, yellow, red in alerts:
        entry = row(values)
        entry["yellow"] += yellow
        entry["red"] += red
    return sorted(
        rows.values(), key=lambda r: (-r["red"], -r["yellow"], -r["overdue"], -r["in_progress"], r["code"])
    )


def by_level(departments: list[dict]) -> list[dict]:
    """The department rows summed per administrative level (市/区/镇街/村居), every level listed."""
    totals = {
        level: {
            "level": str(level),
            "label": str(level.label),
            "departments": 0,
            "in_progress": 0,
            "overdue": 0,
            "yellow": 0,
            "red": 0,
        }
        for level in LEVEL_ORDER
    }
    for row in departments:
        if row["level"] not in totals:
            continue
        total = totals[row["level"]]
        total["departments"] += 1
        for key in ("in_progress", "overdue", "yellow", "red"):
            total[key] += row[key]
    return list(totals.values())


# --- the figures ------------------------------------------------------------------------------


def _bucketed(by_day: dict[date, int], buckets: list[date], key) -> list[int]:
    sums = defaultdict(int)
    for day, n in by_day.items():
        sums[key(day)] += n
    return [sums.get(bucket, 0) for bucket in buckets]


def trends(daily: dict[str, dict[date, int]], window: Window) -> dict:
    days, months = window.days(TREND_DAYS), window.months(TREND_MONTHS)
    names = {
        "accepted": "accepted",
        "completed": "completed",
        "overdue": "expired",
        "reminders": "reminders",
        "alarms": "alarms",
    }
    return {
        "daily": {
            "labels": [day.isoformat() for day in days],
            **{name: _bucketed(daily[source], days, lambda d: d) for name, source in names.items()},
        },
        "monthly": {
            "labels": [month.strftime("%Y-%m") for month in months],
            **{
                name: _bucketed(daily[source], months, lambda d: d.replace(day=1))
                for name, source in names.items()
            },
        },
    }


def figures(now: datetime | None = None) -> dict:
    """Everything the dashboard shows, as JSON-ready data: six queries whatever the number of cases
    (the first call of each quarter of an hour reads twelve months, the others this month)."""
    now = now or timezone.now()
    window = Window.ending(now)
    daily = daily_counts(now, window)  # 4 queries
    departments = by_department(now)  # 2 queries
    in_progress = sum(row["in_progress"] for row in departments)
    overdue_now = sum(row["overdue"] for row in departments)
    periods = {}
    firsts = {
        "today": window.today,
        "month": window.today.replace(day=1),
        "year": date(window.today.year, 1, 1),
    }
    for period, label in PERIODS.items():
        first = firsts[period]
        completed = _sum_since(daily["completed"], first)
        late = _sum_since(daily["completed_late"], first)
        periods[period] = {
            "label": str(label),
            "start": local_midnight(first).isoformat(),
            "accepted": _sum_since(daily["accepted"], first),
            "in_progress": in_progress,
            "completed": completed,
            "completed_late": late,
            "overdue": overdue_now + late,
            "on_time_rate": _rate(completed, late),
        }
    return {
        "generated_at": timezone.localtime(now, timezone.get_default_timezone()).isoformat(),
        "timezone": timezone.get_default_timezone_name(),
        "now": {
            "in_progress": in_progress,
            "overdue": overdue_now,
            "reminders_open": sum(row["yellow"] for row in departments),
            "alarms_open": sum(row["red"] for row in departments),
        },
        "periods": periods,
        "departments": departments,
        "top_departments": [row for row in departments if row["red"]][:TOP_DEPARTMENTS],
        "levels": by_level(departments),
        "trends": trends(daily, window),
    }


# --- drill-down -------------------------------------------------------------------------------


def drilldown(metric: str, period: str | None, *, department: str = "", level: str = "", now=None):
    """The case timers behind one number of the dashboard (a queryset, newest acceptance first).

    ``period`` is "today", "month" or "year"; without one, "accepted" and "completed" mean today,
    "overdue" means overdue now (no completed cases) and "in_progress" never needs one.
    """
    now = now or timezone.now()
    start = period_start(period or "today", now)
    late_in_period = Q(stopped_at__gte=start) & LATE if period else Q(pk__in=[])
    conditions = {
        "accepted": Q(started_at__gte=start),
        "in_progress": RUNNING,
        "completed": Q(stopped_at__gte=start),
        "overdue": overdue_q(now) | late_in_period,
    }
    if metric not in conditions:
        raise ValueError(metric)
    queryset = case_timers().filter(conditions[metric])
    if department:
        queryset = queryset.filter(department__code=department)
    if level:
        queryset = queryset.filter(department__level=level)
    return queryset.select_related("department").order_by("-started_at", "-id")


def late_by(timer: Timer, now: datetime) -> timedelta | None:
    """How far past its limit a case is (running) or was completed; None when on time."""
    end = timer.stopped_at or timer.paused_at or now
    if end > timer.due_at:
        return end - timer.due_at
    return None
