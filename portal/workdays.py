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


# --- the calendar's verbs ---------------------------------------------------------------------------
# Every change of the table goes through these (the admin, ``load_calendar``): one transaction, the row
# locked, ``portal.permissions.can_edit_calendar``, one audit event with before/after. ``by=None`` is
# the server's operator running ``manage.py load_calendar`` (audited as 系统), never a web request.
#
# What a legal office expects of a statutory calendar: dates already past are facts that deadlines,
# suspensions and the efficiency figures were counted on. Correcting one is allowed (the official
# notice was mis-entered) but needs a stated reason, kept in the trail; a deadline already computed
# is not recomputed. A year whose first day has passed cannot be removed at all.

YEAR_BOUNDS = (2000, 2100)


def _require_calendar_editor(by) -> None:
    from portal.permissions import can_edit_calendar
    from portal.services import require

    require(by is None or can_edit_calendar(by), _("只有系统管理员可以维护法定工作日历。"))


def _check_year(year) -> int:
    from django.core.exceptions import ValidationError

    if not isinstance(year, int) or not YEAR_BOUNDS[0] <= year <= YEAR_BOUNDS[1]:
        raise ValidationError(
            {"year": _("年度须在 %(lo)d 到 %(hi)d 之间。") % {"lo": YEAR_BOUNDS[0], "hi": YEAR_BOUNDS[1]}}
        )
    return year


def _past_needs_reason(days, reason: str, today: date | None) -> None:
    from django.core.exceptions import ValidationError

    today = today or timezone.localdate()
    past = sorted(d for d in days if d is not None and d < today)
    if past and not reason:
        raise ValidationError(
            {"reason": _("%(date)s 已经过去，已有期限按其计算：更正须说明理由（已算出的期限不重算）。")
             % {"date": past[0]}}
        )  # fmt: skip


def _audit(by, verb, target, *, before=None, after=None, note=""):
    from portal import audit

    audit.record(
        by, verb, target, before=before, after=after, note=note, label="" if by is not None else _("系统")
    )


def _override_data(row) -> dict:
    return {"date": row.date.isoformat(), "is_working_day": row.is_working_day, "name": row.name}


def save_calendar_year(
    calendar_year=None, *, year: int | None = None, source: str = "", by, reason: str = ""
):
    """Declare a year's official schedule entered (new ``CalendarYear``) or change its ``source``.

    The year of an existing row never changes (remove it and declare the other year). Refuses a year
    outside ``YEAR_BOUNDS``, a year declared twice, and a blank or over-long source is cleaned.
    """
    from django.core.exceptions import ValidationError

    from portal.forms import clean_text
    from portal.models import CalendarYear

    _require_calendar_editor(by)
    source = clean_text(source, max_length=CalendarYear._meta.get_field("source").max_length, multiline=False)
    with transaction.atomic():
        if calendar_year is None:
            year = _check_year(year)
            if CalendarYear.objects.filter(year=year).exists():
                raise ValidationError({"year": _("%(year)d 年已录入，请修改该年度。") % {"year": year}})
            row = CalendarYear.objects.create(year=year, source=source)
            _audit(by, "calendar.year.added", row, after={"year": year, "source": source}, note=reason)
        else:
            row = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
            if year is not None and year != row.year:
                raise ValidationError({"year": _("年度不能修改：请删除后录入另一年度。")})
            if row.source == source:
                return row
            before = {"source": row.source}
            row.source = source
            row.save(update_fields=["source"])
            _audit(by, "calendar.year.changed", row, before=before, after={"source": source}, note=reason)
        transaction.on_commit(clear_cache)
    return row


def remove_calendar_year(calendar_year, *, by, reason: str = "", today: date | None = None) -> int:
    """Remove a year's declaration and its entries; returns how many entries went with it.

    Refuses a year that has begun (its dates have counted deadlines) and a removal without a reason.
    """
    from django.core.exceptions import ValidationError

    from portal.models import CalendarYear, WorkdayOverride
    from portal.services import TransitionError

    _require_calendar_editor(by)
    today = today or timezone.localdate()
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
        if date(row.year, 1, 1) <= today:
            raise TransitionError(
                _("%(year)d 年已经开始，期限已按其日历计算，不能删除；请逐日更正并说明理由。")
                % {"year": row.year}
            )
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("删除年度日历须说明理由。")})
        entries = WorkdayOverride.objects.filter(date__year=row.year)
        before = {"year": row.year, "source": row.source, "entries": [_override_data(e) for e in entries]}
        count = entries.delete()[0]
        _audit(by, "calendar.year.deleted", row, before=before, note=reason)
        row.delete()
        transaction.on_commit(clear_cache)
    return count


def save_workday(
    override=None,
    *,
    day: date,
    is_working_day: bool,
    name: str = "",
    by,
    reason: str = "",
    today: date | None = None,
):
    """Enter (``override`` None) or correct one date of the table: a holiday or a swapped working day.

    Refuses a date that already has an entry, a date outside ``YEAR_BOUNDS``, and, without a reason,
    any date already past (the entry's old date or its new one).
    """  # fmt: skip
    from django.core.exceptions import ValidationError

    from portal.forms import clean_text
    from portal.models import WorkdayOverride

    _require_calendar_editor(by)
    if not isinstance(day, date):
        raise ValidationError({"date": _("请填写日期。")})
    _check_year(day.year)
    name = clean_text(name, max_length=WorkdayOverride._meta.get_field("name").max_length, multiline=False)
    reason = (reason or "").strip()
    with transaction.atomic():
        row = None if override is None else WorkdayOverride.objects.select_for_update().get(pk=override.pk)
        _past_needs_reason([day, row.date if row else None], reason, today)
        if WorkdayOverride.objects.filter(date=day).exclude(pk=getattr(row, "pk", None)).exists():
            raise ValidationError({"date": _("%(date)s 已有条目，请修改该条目。") % {"date": day}})
        if row is None:
            row = WorkdayOverride.objects.create(date=day, is_working_day=bool(is_working_day), name=name)
            _audit(by, "calendar.override.added", row, after=_override_data(row), note=reason)
        else:
            before = _override_data(row)
            row.date, row.is_working_day, row.name = day, bool(is_working_day), name
            after = _override_data(row)
            if after == before:
                return row
            row.save()
            changed = [k for k in after if after[k] != before[k]]
            _audit(
                by, "calendar.override.changed", row, before={k: before[k] for k in changed},
                after={k: after[k] for k in changed}, note=reason,
            )  # fmt: skip
        transaction.on_commit(clear_cache)
    return row


def remove_workday(override, *, by, reason: str = "", today: date | None = None) -> None:
    """Remove one date's entry (it follows its year's rule again); a date already past needs a reason."""
    from portal.models import WorkdayOverride

    _require_calendar_editor(by)
    reason = (reason or "").strip()
    with transaction.atomic():
        row = WorkdayOverride.objects.select_for_update().get(pk=override.pk)
        _past_needs_reason([row.date], reason, today)
        _audit(by, "calendar.override.deleted", row, before=_override_data(row), note=reason)
        row.delete()
        transaction.on_commit(clear_cache)


def replace_year(
    year: int, *, holidays, workdays, source: str = "", by=None, reason: str = "", today: date | None = None
):
    """Enter (or re-enter) a year's official schedule; returns the ``CalendarYear``.

    ``holidays`` and ``workdays`` are iterables of ``(date, name)``: days off (节假日, weekdays or not)
    and swapped working weekend days (调休上班). Replaces every override of that year in one
    transaction, so loading the same schedule twice changes nothing. Refuses (ValueError) dates
    outside the year and a date listed both as a holiday and as a working day, and (ValidationError),
    without a ``reason``, a reload that changes a date already past (see the verbs' section above).
    """
    from portal import audit
    from portal.models import CalendarYear, WorkdayOverride

    _require_calendar_editor(by)
    _check_year(year)
    entries: dict[date, tuple[bool, str]] = {}
    for working, rows in ((False, holidays), (True, workdays)):
        for day, name in rows:
            if day.year != year:
                raise ValueError(_("%(date)s 不属于 %(year)d 年。") % {"date": day, "year": year})
            if day in entries and entries[day][0] != working:
                raise ValueError(_("%(date)s 同时被列为休息日和工作日。") % {"date": day})
            entries[day] = (working, name)
    with transaction.atomic():
        CalendarYear.objects.select_for_update().filter(year=year).first()  # lock a re-entered year
        # A past date whose answer changes (the table year follows the weekend rule beyond its entries).
        clear_cache()
        until = min(today or timezone.localdate(), date(year + 1, 1, 1))
        first = date(year, 1, 1)
        changed = [
            day
            for day in (first + timedelta(days=n) for n in range(max(0, (until - first).days)))
            if is_working_day(day) != (entries[day][0] if day in entries else _weekday_rule(day))
        ]
        _past_needs_reason(changed, (reason or "").strip(), today)
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
            note=(reason or "").strip(),
            label="" if by is not None else _("系统"),
        )
        transaction.on_commit(clear_cache)
    clear_cache()
    return calendar_year
