"""The nine complaint indicators per department and period, and the handling-quality grade.

A stable, published module (read by ``performance`` and the monthly report, page, export and API):

    department_indicators(start, end) -> {department_id: {"volume": …, "completion_rate": …, …}}
    grade(row) -> "excellent" | "qualified" | "unqualified" | None

The period is half-open ``[start, end)``: aware datetimes, or dates (local midnight). A complaint
counts for the department that handles it, in the period it was forwarded there (kept and routed
ones included); returns and reopenings count for the department that had it, when they happened.
Rates are percent (0–100), ``None`` when nothing to divide by. Three aggregate queries whatever
the number of departments.

1. ``volume`` 受理量: complaints forwarded to the department in the period (merged ones excluded);
2. ``on_time_acceptance_rate`` 按时签收率: accepted by the acceptance deadline / accepted;
3. ``completion_rate`` 诉求办结率: closed / volume;
4. ``on_time_completion_rate`` 按时办结率: closed within the handling limit / closed;
5. ``reopened_rate`` 重新办理率: reopenings in the period / closed;
6. ``pressed_rate`` 督办率: complaints pressed (督办) at least once / volume;
7. ``returned_rate`` 退回率: returns by the department in the period / (volume + returns);
8. ``average_handling_days`` 平均办理用时: working days from forwarding to handled, over closed;
9. ``satisfaction_rate`` 群众满意率: satisfied or basically satisfied / rated.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from .choices import SATISFIED_VALUES, ComplaintState, Grade, Verb
from .models import Complaint, ComplaintEvent

INDICATORS = [
    ("volume", gettext_noop("受理量"), "件"),
    ("on_time_acceptance_rate", gettext_noop("按时签收率"), "%"),
    ("completion_rate", gettext_noop("诉求办结率"), "%"),
    ("on_time_completion_rate", gettext_noop("按时办结率"), "%"),
    ("reopened_rate", gettext_noop("重新办理率"), "%"),
    ("pressed_rate", gettext_noop("督办率"), "%"),
    ("returned_rate", gettext_noop("退回率"), "%"),
    ("average_handling_days", gettext_noop("平均办理用时（工作日）"), "天"),
    ("satisfaction_rate", gettext_noop("群众满意率"), "%"),
]
FIELDS = [name for name, _label, _unit in INDICATORS]
# Rates where less is better (the grade thresholds are ceilings for these).
LOWER_IS_BETTER = {"reopened_rate", "pressed_rate", "returned_rate", "average_handling_days"}


def _aware(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.min))


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def department_indicators(start: date | datetime, end: date | datetime) -> dict[int, dict]:
    """The nine indicators (and the counts behind them) for every department with any figure."""
    start, end = _aware(start), _aware(end)
    rows = (
        Complaint.objects.filter(
            forwarded_at__gte=start, forwarded_at__lt=end, handling_department__isnull=False
        )
        .exclude(state=ComplaintState.MERGED)
        .order_by()
        .values("handling_department_id")
        .annotate(
            volume=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            accepted_on_time=Count("pk", filter=Q(accepted_on_time=True)),
            closed=Count("pk", filter=Q(closed_at__isnull=False)),
            closed_on_time=Count("pk", filter=Q(closed_at__isnull=False, closed_on_time=True)),
            pressed=Count("pk", filter=Q(pressed_count__gt=0)),
            rated=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED_VALUES)),
            handling_days=Avg("handling_days", filter=Q(closed_at__isnull=False)),
        )
    )
    events = (
        ComplaintEvent.objects.filter(
            verb__in=(Verb.RETURNED, Verb.REOPENED), at__gte=start, at__lt=end, department__isnull=False
        )
        .order_by()
        .values("department_id")
        .annotate(
            returned=Count("pk", filter=Q(verb=Verb.RETURNED)),
            reopened=Count("pk", filter=Q(verb=Verb.REOPENED)),
        )
    )
    counts = {r["handling_department_id"]: r for r in rows}
    moves = {r["department_id"]: r for r in events}
    result = {}
    for dept_id in set(counts) | set(moves):
        c = counts.get(dept_id, {})
        m = moves.get(dept_id, {})
        volume, closed = c.get("volume", 0), c.get("closed", 0)
        returned, reopened = m.get("returned", 0), m.get("reopened", 0)
        days = c.get("handling_days")
        row = {
            "volume": volume,
            "on_time_acceptance_rate": _rate(c.get("accepted_on_time", 0), c.get("accepted", 0)),
            "completion_rate": _rate(closed, volume),
            "on_time_completion_rate": _rate(c.get("closed_on_time", 0), closed),
            "reopened_rate": _rate(reopened, closed),
            "pressed_rate": _rate(c.get("pressed", 0), volume),
            "returned_rate": _rate(returned, volume + returned),
            "average_handling_days": None if days is None else round(float(days), 2),
            "satisfaction_rate": _rate(c.get("satisfied", 0), c.get("rated", 0)),
            # The counts behind the rates.
            "accepted": c.get("accepted", 0),
            "closed": closed,
            "closed_on_time": c.get("closed_on_time", 0),
            "pressed": c.get("pressed", 0),
            "returned": returned,
            "reopened": reopened,
            "rated": c.get("rated", 0),
            "satisfied": c.get("satisfied", 0),
        }
        row["grade"] = grade(row)
        result[dept_id] = row
    return result


def grade(row: dict, thresholds: dict | None = None) -> str | None:
    """优秀 / 合格 / 不合格 from the thresholds (settings.COMPLAINTS_GRADE_THRESHOLDS, in rates 0–1).

    Unqualified when any "unqualified" floor is missed, excellent when every "excellent" floor is met,
    qualified otherwise; None for a department that had nothing to handle. A rate that has no value
    (nothing rated yet) neither fails nor meets its floor.
    """
    if not row.get("volume"):
        return None
    thresholds = thresholds or settings.COMPLAINTS_GRADE_THRESHOLDS

    def meets(name, floor) -> bool | None:
        value = row.get(name)
        if value is None:
            return None
        value = value / 100.0 if name not in ("average_handling_days", "volume") else value
        return value <= floor if name in LOWER_IS_BETTER else value >= floor

    if any(meets(n, f) is False for n, f in thresholds.get("unqualified", {}).items()):
        return Grade.UNQUALIFIED
    if all(meets(n, f) is not False for n, f in thresholds.get("excellent", {}).items()):
        return Grade.EXCELLENT
    return Grade.QUALIFIED


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The half-open month ``[first day, first day of the next month)``."""
    first = date(year, month, 1)
    return first, date(year + (month == 12), month % 12 + 1, 1)
