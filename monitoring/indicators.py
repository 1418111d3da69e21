"""Electronic supervision's figures per department, for the performance appraisal.

Same shape as ``approvals.indicators``: ``{department_id: {"value": …, …}}`` for a half-open
period of aware datetimes, one aggregate query per indicator.
"""

from datetime import datetime

from django.db.models import Count

from monitoring.choices import AlertKind
from monitoring.models import AccountabilityRecord, Alert


def accountability_records(start: datetime, end: datetime) -> dict[int, dict]:
    """问责记录: people held accountable, by the date of the decision."""
    rows = (
        AccountabilityRecord.objects.filter(decided_on__gte=start.date(), decided_on__lt=end.date())
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {r["department_id"]: {"value": float(r["n"]), "records": r["n"]} for r in rows}


def anomalies(start: datetime, end: datetime) -> dict[int, dict]:
    """异常预警: anomaly alerts raised on a department's work in the period (not dismissed ones)."""
    rows = (
        Alert.objects.filter(
            kind=AlertKind.ANOMALY, raised_at__gte=start, raised_at__lt=end, department__isnull=False
        )
        .exclude(state="dismissed")
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {r["department_id"]: {"value": float(r["n"]), "alerts": r["n"]} for r in rows}
