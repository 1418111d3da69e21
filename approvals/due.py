"""One definition of a case's due state (时限状态): overdue, near, paused or nothing.

For one of a case's due dates (the statutory ``due_on`` or the promised ``promised_due_on``):

- closed cases, and dates not set, have no state ('');
- a suspended case (暂停计时, an open Suspension entry) is 'paused' (its limit does not run);
- past the date: 'overdue' (red);
- on or before ``near_date(today)``, i.e. within ``NEAR_WORKING_DAYS`` working days: 'near' (yellow).

``due_state`` reads one case (annotated ``is_suspended`` when loaded through
``Case.objects.for_list()``: no query), ``CaseQuerySet.overdue()`` / ``.due_soon()`` filter by the
same rule in SQL, and the model, the serializer, the desk, the case page and the filters use these.
The supervision timers (``monitoring.timers``) apply the same rule to the running clock (their
warn/due instants), which the dashboard counts.
"""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from portal import workdays

from .choices import OPEN_STATUSES

NEAR_WORKING_DAYS = 2

OVERDUE, NEAR, PAUSED, NONE = "overdue", "near", "paused", ""


def near_date(today: date) -> date:
    """The last day that counts as near (临近时限) seen from ``today``."""
    return workdays.add_working_days(today, NEAR_WORKING_DAYS)


def due_state(case, day: date | None = None, *, today: date | None = None, near: date | None = None) -> str:
    """The state of ``day`` (default: the statutory due date) of ``case``: OVERDUE, NEAR, PAUSED or NONE."""
    day = case.due_on if day is None else day
    if day is None or case.status not in OPEN_STATUSES:
        return NONE
    if is_suspended(case):
        return PAUSED
    today = today or timezone.localdate()
    if day < today:
        return OVERDUE
    if day <= (near or near_date(today)):
        return NEAR
    return NONE


def is_suspended(case) -> bool:
    """An open suspension entry (uses the ``is_suspended`` annotation when present)."""
    flag = getattr(case, "is_suspended", None)
    if flag is None:
        flag = case.suspensions.filter(ended_at__isnull=True).exists()
    return bool(flag)


def overdue_q(today: date, running: Q) -> Q:
    """Cases whose statutory date has passed; ``running`` excludes the suspended ones."""
    return Q(status__in=OPEN_STATUSES, due_on__lt=today) & running


def due_soon_q(today: date) -> Q:
    """Open cases whose statutory or promised date is near or past (the desk's 临近时限 tab)."""
    near = near_date(today)
    # The open cases first (case_status_due_idx reads each open status as one range), then the dates.
    return Q(status__in=OPEN_STATUSES) & (Q(due_on__lte=near) | Q(promised_due_on__lte=near))
