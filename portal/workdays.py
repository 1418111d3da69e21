"""Working days (工作日) on the Chinese statutory calendar, including swapped working weekends (调休).

Where a date's status comes from, first match wins:

1. The administrator's table (``portal.models.CalendarYear`` + ``WorkdayOverride``). A ``CalendarYear``
   row declares that year's official schedule fully entered: its ``WorkdayOverride`` dates say what
   they say and every other date follows the weekend rule. Override rows also correct the package's
   years (a table entry always wins over the package).
2. The ``chinese-calendar`` package, for the years it knows (2004–2026 in version 1.11).
3. Otherwise the weekend rule alone. Such a year is *unknown*: every result that depends on one of
   its dates is provisional (``Deadline.provisional``, ``missing_years``), and ``calendar_warnings()``
   names it so the admin pages can say so. Never silently wrong, never a crash.

Arithmetic is per-process and fast: each year becomes a sorted list of working-day ordinals once,
and ``add_working_days`` / ``working_days_between`` are a bisect per year crossed. The override
table is read at most once every ``CACHE_SECONDS`` per process (and at once after a save in this
process, or after ``clear_cache()``), so a loop of 100,000 deadlines never touches the database.

Counting convention (法定时限): the start day itself is not counted. Accepted on day D with a limit
of N working days, the case is due at the end of the N-th working day after D.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60  # other processes see an admin's edit within this time
_FAILED_LOAD_RETRY_SECONDS = 5

SOURCE_TABLE = "table"  # administrator-entered official schedule
SOURCE_PACKAGE = "package"  # chinese-calendar
SOURCE_WEEKEND = "weekend"  # unknown year: weekends only, provisional


@dataclass(frozen=True)
class Deadline:
    """A computed due date; ``provisional`` when a year it depends on is unknown to every source."""

    due_on: date
    provisional: bool
    missing_years: tuple[int, ...] = ()


# --- the per-process calendar ----------------------------------------------------------


class _Year:
    __slots__ = ("year", "source", "ordinals", "flags", "first")

    def __init__(self, year: int, source: str, ordinals: list[int], flags: bytes, first: int):
        self.year = year
        self.source = source
        self.ordinals = ordinals  # sorted ordinals of the year's working days
        self.flags = flags  # flags[ordinal - first] == 1 on working days
        self.first = first


@cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class _Snapshot:
    """The override table as read at ``loaded_at``, and the year tables built from it."""

    def __init__(
        self, table_years: frozenset[int], overrides: dict[date, bool], loaded_at: float, ttl: float
    ):
        self.table_years = table_years
        self.overrides = overrides
        self.expires_at = loaded_at + ttl
        self._years: dict[int, _Year] = {}

    def same_data(self, other: _Snapshot) -> bool:
        return self.table_years == other.table_years and self.overrides == other.overrides

    def is_known(self, year: int) -> bool:
        return year in self.table_years or _package_knows(year)

    def year(self, year: int) -> _Year:
        built = self._years.get(year)
        if built is None:
            built = self._years[year] = self._build(year)  # a racing thread builds the same thing
        return built

    def _build(self, year: int) -> _Year:
        if year in self.table_years:
            source, base = SOURCE_TABLE, _weekday_rule
        elif _package_knows(year):
            source, base = SOURCE_PACKAGE, chinese_calendar.is_workday
        else:
            source, base = SOURCE_WEEKEND, _weekday_rule
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        overrides = self.overrides
        flags = bytearray(last - first + 1)
        ordinals = []
        for ordinal in range(first, last + 1):
            day = date.fromordinal(ordinal)
            working = overrides.get(day)
            if working is None:
                working = base(day)
            if working:
                flags[ordinal - first] = 1
                ordinals.append(ordinal)
        return _Year(year, source, ordinals, bytes(flags), first)


def _weekday_rule(day: date) -> bool:
    return day.weekday() < 5


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _load() -> _Snapshot:
    from portal.models import CalendarYear, WorkdayOverride

    now = time.monotonic()
    try:
        # A savepoint, so a missing table (before migrate) does not break the caller's transaction.
        with transaction.atomic():
            years = frozenset(CalendarYear.objects.values_list("year", flat=True))
            overrides = dict(WorkdayOverride.objects.values_list("date", "is_working_day"))
    except DatabaseError:
        logger.warning(
            "working-day override table unreadable; using chinese-calendar and weekends", exc_info=True
        )
        return _Snapshot(frozenset(), {}, now, _FAILED_LOAD_RETRY_SECONDS)
    return _Snapshot(years, overrides, now, CACHE_SECONDS)


def _calendar() -> _Snapshot:
    global _snapshot
    current = _snapshot
    if current is not None and time.monotonic() < current.expires_at:
        return current
    with _lock:
        if _snapshot is not None and time.monotonic() < _snapshot.expires_at:
            return _snapshot
        fresh = _load()
        if current is not None and fresh.same_data(current):
            fresh._years = current._years  # nothing changed: keep the built year tables
        _snapshot = fresh
        return fresh


def clear_cache(**_signal_kwargs) -> None:
    """Forget the cached override table; the next call reads it again. Used by admin, loader, tests."""
    global _snapshot
    with _lock:
        _snapshot = None


# Edits in this process take effect at once (other processes: within CACHE_SECONDS). The receivers
# only drop a cache; they carry no business logic.
for _model in ("portal.CalendarYear", "portal.WorkdayOverride"):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"workdays-clear-{_model}-save")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"workdays-clear-{_model}-delete")


# --- public API ------------------------------------------------------------------------------


def is_working_day(d: date) -> bool:
    year = _calendar().year(d.year)
    return year.flags[d.toordinal() - year.first] == 1


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself not counted); ``n == 0`` gives ``start``."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    cal = _calendar()
    year = cal.year(start.year)
    index = bisect_right(year.ordinals, start.toordinal())
    remaining = n
    while True:
        available = len(year.ordinals) - index
        if remaining <= available:
            return date.fromordinal(year.ordinals[index + remaining - 1])
        remaining -= available
        year = cal.year(year.year + 1)
        index = 0


def subtract_working_days(day: date, n: int) -> date:
    """The working day ``n`` working days before ``day`` (the inverse of ``add_working_days``);
    ``n == 0`` gives ``day``. Used for reminders: "one working day before the limit"."""
    if n < 0:
        raise ValueError("n must be >= 0")
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            n -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; 0 when ``end <= start``."""
    if end <= start:
        return 0
    cal = _calendar()
    lo, hi = start.toordinal(), end.toordinal()
    total = 0
    for y in range(start.year, end.year + 1):
        ordinals = cal.year(y).ordinals
        total += bisect_right(ordinals, hi) - bisect_right(ordinals, lo)
    return total


def is_year_known(year: int) -> bool:
    """True when the table or the package knows the year's official schedule."""
    return _calendar().is_known(year)


def missing_years_between(start: date, end: date) -> tuple[int, ...]:
    """Unknown years among the dates in (start, end] — the dates a deadline from ``start`` depends on."""
    if end <= start:
        return ()
    cal = _calendar()
    first = (start + timedelta(days=1)).year
    return tuple(y for y in range(first, end.year + 1) if not cal.is_known(y))


def deadline(start: date, n: int) -> Deadline:
    """Due date of a limit of ``n`` working days from ``start``, marked provisional where unknown."""
    due_on = add_working_days(start, n)
    missing = missing_years_between(start, due_on)
    return Deadline(due_on=due_on, provisional=bool(missing), missing_years=missing)


def end_of_working_day(d: date) -> datetime:
    """The last instant of ``d`` in the portal's time zone (aware)."""
    return datetime.combine(d, dtime.max, tzinfo=ZoneInfo(settings.TIME_ZONE))


def source_of(year: int) -> str:
    """Where the year's schedule comes from: SOURCE_TABLE, SOURCE_PACKAGE or SOURCE_WEEKEND."""
    return _calendar().year(year).source


def calendar_warnings(today: date | None = None) -> list[str]:
    """Messages naming the current or next year when no source knows its official schedule."""
    today = today or timezone.localdate()
    return [
        _("%(year)d年法定节假日安排尚未录入，涉及%(year)d年的期限按周末规则暂算并标注为“暂定”。")
        % {"year": year}
        for year in (today.year, today.year + 1)
        if not is_year_known(year)
    ]


# --- loading a year's official schedule ---------------------------------------------------


def replace_year(year: int, *, holidays, workdays, source: str = "", by=None):
    """Enter (or re-enter) a year's official schedule; returns the ``CalendarYear``.

    ``holidays`` and ``workdays`` are iterables of ``(date, name)``: days off (节假日, weekdays or not)
    and swapped working weekend days (调休上班). Replaces every override of that year in one
    transaction, so loading the same schedule twice changes nothing. Refuses (ValueError) dates
    outside the year and a date listed both as a holiday and as a working day.
    """
    from portal import audit
    from portal.models import CalendarYear, WorkdayOverride

    entries: dict[date, tuple[bool, str]] = {}
    for working, rows in ((False, holidays), (True, workdays)):
        for day, name in rows:
            if day.year != year:
                raise ValueError(_("%(date)s 不属于 %(year)d 年。") % {"date": day, "year": year})
            if day in entries and entries[day][0] != working:
                raise ValueError(_("%(date)s 同时被列为休息日和工作日。") % {"date": day})
            entries[day] = (working, name)
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source}
        )
        WorkdayOverride.objects.filter(date__year=year).delete()
        WorkdayOverride.objects.bulk_create(
            WorkdayOverride(date=day, is_working_day=working, name=name[:40])
            for day, (working, name) in sorted(entries.items())
        )
        audit.record(
            by,
            "calendar.year_loaded",
            calendar_year,
            after={
                "year": year,
                "source": source,
                "holidays": sum(1 for w, _n in entries.values() if not w),
                "workdays": sum(1 for w, _n in entries.values() if w),
            },
            label="" if by is not None else _("系统"),
        )
        transaction.on_commit(clear_cache)
    clear_cache()
    return calendar_year
