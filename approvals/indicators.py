"""The service centre's figures per department, for the performance appraisal (read by ``performance``).

Each function takes a half-open period ``[start, end)`` of aware datetimes and returns
``{department_id: {"value": …, <the counts behind it>…}}`` for the departments that have any
figure: one aggregate query per indicator, whatever the number of departments. Rates are percent.
Main cases only (sub-cases of parallel approval have their own short limits, as in
``approvals.efficiency``).
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from monitoring.choices import AlertKind
from monitoring.models import Alert

from .models import Case, Rating


def _completed(start: datetime, end: datetime):
    return Case.objects.filter(completed_at__gte=start, completed_at__lt=end, parent__isnull=True)


def on_time_completion(start: datetime, end: datetime) -> dict[int, dict]:
    """按时办结率: cases completed within their statutory limit, as a share of cases completed."""
    rows = (
        _completed(start, end)
        .order_by()
        .values("department_id")
        .annotate(completed=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    )
    return {
        r["department_id"]: {"value": 100.0 * r["on_time"] / r["completed"], "completed": r["completed"],
                             "on_time": r["on_time"]}
        for r in rows
        if r["completed"]
    }  # fmt: skip


def overdue_alarms_per_100(start: datetime, end: datetime) -> dict[int, dict]:
    """超时报警/百件: overdue alarms raised on cases in the period per 100 cases completed in it.

    Two aggregate queries (cases completed; alarms raised), joined in Python by department.
    """
    completed = dict(
        _completed(start, end)
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    alarms = dict(
        Alert.objects.filter(
            kind=AlertKind.OVERDUE,
            target_type=ContentType.objects.get_for_model(Case),
            raised_at__gte=start,
            raised_at__lt=end,
            department__isnull=False,
        )
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    return {
        dept: {"value": 100.0 * alarms.get(dept, 0) / n, "completed": n, "alarms": alarms.get(dept, 0)}
        for dept, n in completed.items()
        if n
    }


def service_satisfaction(start: datetime, end: datetime) -> dict[int, dict]:
    """服务对象满意率: ratings of 满意 or 非常满意 (4–5) as a share of ratings given in the period."""
    rows = (
        Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
        .order_by()
        .values("case__department_id")
        .annotate(rated=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4)))
    )
    return {
        r["case__department_id"]: {"value": 100.0 * r["satisfied"] / r["rated"], "rated": r["rated"],
                                   "satisfied": r["satisfied"]}
        for r in rows
        if r["rated"]
    }  # fmt: skip


def cases_per_department(start: datetime, end: datetime) -> dict[int, dict]:
    """受理件数: main cases accepted in the period."""
    rows = (
        Case.objects.filter(accepted_on__gte=start.date(), accepted_on__lt=end.date(), parent__isnull=True)
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {r["department_id"]: {"value": float(r["n"]), "accepted": r["n"]} for r in rows}
