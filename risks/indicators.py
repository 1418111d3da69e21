"""Figures of the risks app that the performance appraisal reads (plain functions, plain data).

- ``rectifications_on_time(start, end)``: ``{department_id: (on_time, total)}`` over the supervision
  orders closed in ``[start, end]`` (dates, inclusive): how many rectifications were answered by
  their deadline (整改按期完成率).
- ``risk_points_confirmed(department_ids=None)``: ``{department_id: {"A": n, "B": n, "C": n}}`` of the
  confirmed risk points.
- ``warnings_issued(start, end)``: ``{department_id: {"red": n, "yellow": n, "blue": n}}``.
Each runs one query.
"""

from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from .choices import Grade, OrderStatus, RiskPointStatus, WarningLevel
from .models import RiskPoint, SupervisionOrder, WarningNotice


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def rectifications_on_time(start: date, end: date) -> dict[int, tuple[int, int]]:
    since, until = _span(start, end)
    rows = (
        SupervisionOrder.objects.filter(status=OrderStatus.CLOSED, closed_at__range=(since, until))
        .order_by()
        .values("department_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(closed_on_time=True)))
    )
    return {row["department_id"]: (row["on_time"], row["total"]) for row in rows}


def risk_points_confirmed(department_ids=None) -> dict[int, dict[str, int]]:
    queryset = RiskPoint.objects.filter(status=RiskPointStatus.CONFIRMED)
    if department_ids is not None:
        queryset = queryset.filter(department_id__in=list(department_ids))
    result: dict[int, dict[str, int]] = {}
    for row in queryset.order_by().values("department_id", "grade").annotate(n=Count("id")):
        result.setdefault(row["department_id"], dict.fromkeys(Grade.values, 0))[row["grade"]] = row["n"]
    return result


def warnings_issued(start: date, end: date) -> dict[int, dict[str, int]]:
    since, until = _span(start, end)
    result: dict[int, dict[str, int]] = {}
    rows = (
        WarningNotice.objects.filter(issued_at__range=(since, until))
        .order_by()
        .values("department_id", "level")
        .annotate(n=Count("id"))
    )
    for row in rows:
        result.setdefault(row["department_id"], dict.fromkeys(WarningLevel.values, 0))[row["level"]] = row[
            "n"
        ]
    return result
