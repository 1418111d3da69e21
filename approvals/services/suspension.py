"""The suspension ledger (暂停计时): time the law excludes from a case's limits.

Each entry opens with a kind and a reason and closes when the excluded period ends; the
working days in between do not count, so resuming moves every due date of the case on by
them. One entry may be open at a time; each kind has a maximum (SUSPENSION_MAX_DAYS) watched
by the entry's own timer. The applicant sees every entry on the tracking page.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import workdays
from portal.services import TransitionError, require

from ..choices import SUSPENSION_MAX_DAYS, EventKind, SuspensionKind
from ..models import Case, Suspension
from ..permissions import SUSPENDABLE_STATUSES, may_suspend
from . import notes, timing
from .common import clock, lock, snapshot, text, trail
from .steps import open_step


def _require_handler(user, case: Case) -> None:
    require(may_suspend(user, case), "只有承办单位工作人员或当前环节岗位（或其B岗）可以暂停或恢复计时。")


def suspend_case(case: Case, *, by, kind: str, reason: str, now=None) -> Suspension:
    """Open a suspension: the case's timers pause and the entry's own timer starts.

    ``kind``: correction (补正), expert_review, hearing or other; its maximum comes from
    SUSPENSION_MAX_DAYS. Who: the case department's staff or the current step's post holder.
    Refuses a second open entry, a blank reason, and a case not running (before acceptance,
    decided or closed). A sub-case (会签件) may be suspended on its own.
    """
    c = clock(now)
    if kind not in SuspensionKind.values:
        raise ValidationError({"kind": "暂停计时情形无效。"})
    reason = text(reason, "reason", "暂停计时必须说明理由。")
    with transaction.atomic():
        case = lock(case)
        step = open_step(case)
        _require_handler(by, case)
        if case.status not in SUSPENDABLE_STATUSES:
            raise TransitionError(f"办件当前状态为「{case.get_status_display()}」，不能暂停计时。")
        if case.suspensions.filter(ended_at__isnull=True).exists():
            raise TransitionError("办件已在暂停计时中，同一时间只能有一项暂停。")
        before = snapshot(case)
        max_days = SUSPENSION_MAX_DAYS[kind]
        entry = Suspension.objects.create(
            case=case, kind=kind, reason=reason, started_at=c.now, started_on=c.today, max_days=max_days,
            ends_by=workdays.add_working_days(c.today, max_days), started_by=by,
        )  # fmt: skip
        timing.pause_case_timers(case, step, reason=timing.pause_reason(entry))
        timing.start_suspension_timer(case, entry)
        note = notes.suspended(entry.get_kind_display(), reason, max_days, entry.ends_by)
        trail(case, EventKind.SUSPENDED, by, at=c.now, before=before, note=note)
    return entry


def resume_case(case: Case, *, by, note: str = "", now=None) -> Suspension:
    """Close the open suspension and move the case's due dates on by the working days it lasted.

    The days counted are the working days after the start day up to and including the resume
    day. The statutory, promised and current-step due dates move on by them and the paused
    timers resume with the new dates; the entry's own timer stops. Who: as for ``suspend_case``.
    Refuses when no suspension is open.
    """
    c = clock(now)
    with transaction.atomic():
        case = lock(case)
        step = open_step(case)
        _require_handler(by, case)
        entry = case.suspensions.select_for_update().filter(ended_at__isnull=True).first()
        if entry is None:
            raise TransitionError("办件没有进行中的暂停计时。")
        if c.today < entry.started_on:
            raise ValidationError("恢复日期不能早于暂停日期。")
        before = snapshot(case)
        days = workdays.working_days_between(entry.started_on, c.today)
        entry.ended_at, entry.ended_on, entry.ended_by = c.now, c.today, by
        entry.working_days = days
        entry.resume_note = (note or "").strip()
        entry.save()
        if days:
            statutory = timing.extend(case.due_on, days)
            promised = timing.extend(case.promised_due_on, days)
            case.due_on, case.promised_due_on = statutory.due_on, promised.due_on
            case.due_provisional = case.due_provisional or statutory.provisional or promised.provisional
            if step is not None and step.due_on is not None:
                step.due_on = timing.extend(step.due_on, days).due_on
                step.save(update_fields=["due_on"])
        case.suspended_days += days
        case.save()
        timing.timers.stop(case, timing.suspension_purpose(entry))
        timing.resume_case_timers(case, step, now=c.now)
        note = notes.resumed(days, case.due_on, entry.resume_note)
        trail(case, EventKind.RESUMED, by, at=c.now, before=before, note=note)
    return entry
