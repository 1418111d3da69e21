"""Deadlines in working days and the monitoring timers that supervise them.

A case has up to three running timers, all with the case as target:
``case`` (statutory limit, 法定时限), ``case_promised`` (the shorter promised limit, 承诺时限, only when
it is shorter) and ``case_step:<flow step id>`` (the current step's own limit, when the step has one).
A suspension has its own timer ``suspension:<id>`` due at the kind's maximum.
Warnings follow the service item's rule (N working days before the limit, or a share of it elapsed).
"""

from datetime import date
from decimal import Decimal

from monitoring import timers
from portal import workdays

from ..choices import DEFAULT_WARN_RATIO
from ..models import Case, CaseStep, Suspension

CASE = timers.CASE
PROMISED = timers.CASE_PROMISED


def step_purpose(step: CaseStep) -> str:
    return timers.case_step_purpose(step.flow_step_id)


def suspension_purpose(entry: Suspension) -> str:
    return timers.suspension_purpose(entry.pk)


def warn_offset(limit: int, item=None) -> int:
    """How many of ``limit`` working days pass before the reminder (always fewer than ``limit``)."""
    if item is not None and item.warn_days_before:
        return max(limit - item.warn_days_before, 0)
    ratio = item.warn_ratio if item is not None and item.warn_ratio else Decimal(DEFAULT_WARN_RATIO)
    return min(int(limit * ratio), limit - 1) if limit > 0 else 0


def window(due_on: date, limit: int, item=None, *, not_before=None):
    """``(warn_at, due_at)`` for a limit of ``limit`` working days ending on ``due_on``."""
    due_at = workdays.end_of_working_day(due_on)
    warn_on = workdays.subtract_working_days(due_on, limit - warn_offset(limit, item)) if limit else due_on
    warn_at = workdays.end_of_working_day(warn_on)
    if not_before is not None and warn_at < not_before:
        warn_at = min(not_before, due_at)
    return warn_at, due_at


def extend(day: date, working_days: int) -> workdays.Deadline:
    """``day`` moved on by ``working_days`` (a suspension's excluded days)."""
    return workdays.deadline(day, working_days)


# --- timers of a case ---------------------------------------------------------------


def case_label(case: Case, limit: str = "法定时限") -> str:
    """The label of a case's statutory (or promised) timer."""
    return f"{case.code} {case.title}（{limit}）"


def pause_reason(entry: Suspension) -> str:
    """Why a case's timers stand still during ``entry``."""
    return f"暂停计时：{entry.get_kind_display()}"


def suspension_timing(case: Case, entry: Suspension) -> dict:
    """The limits and label of the timer of ``entry`` (the longest a suspension may last)."""
    due_at = workdays.end_of_working_day(entry.ends_by)
    warn_on = workdays.subtract_working_days(entry.ends_by, 1) if entry.max_days > 1 else entry.started_on
    return {
        "due_at": due_at,
        "warn_at": min(workdays.end_of_working_day(warn_on), due_at),
        "label": f"{case.code} 暂停计时（{entry.get_kind_display()}）",
    }


def has_promised_timer(case: Case) -> bool:
    return bool(case.promised_due_on and case.due_on and case.promised_due_on < case.due_on)


def start_case_timers(case: Case, *, now) -> None:
    """Start the statutory timer and, when shorter, the promised one (at acceptance or filing)."""
    warn_at, due_at = window(case.due_on, case.statutory_days, case.item, not_before=now)
    timers.start(
        case, purpose=CASE, due_at=due_at, warn_at=warn_at, department=case.department,
        label=case_label(case), provisional=case.due_provisional, at=now,
    )  # fmt: skip
    if has_promised_timer(case):
        warn_at, due_at = window(case.promised_due_on, case.promised_days, case.item, not_before=now)
        timers.start(
            case, purpose=PROMISED, due_at=due_at, warn_at=warn_at, department=case.department,
            label=case_label(case, "承诺时限"), provisional=case.due_provisional, at=now,
        )  # fmt: skip


def start_step_timer(case: Case, step: CaseStep, *, now) -> None:
    limit = step.flow_step.time_limit_days
    if not limit or step.due_on is None:
        return
    warn_at, due_at = window(step.due_on, limit, case.item, not_before=now)
    timers.start(
        case, purpose=step_purpose(step), due_at=due_at, warn_at=warn_at, department=case.department,
        post=step.post, label=f"{case.code} {step.name}（环节时限）", at=now,
    )  # fmt: skip


def stop_step_timer(case: Case, step: CaseStep, *, now=None) -> None:
    if step.due_on is not None and step.flow_step.time_limit_days:
        timers.stop(case, step_purpose(step), at=now)


def running_purposes(case: Case, step: CaseStep | None) -> list[tuple[str, date, int]]:
    """The case's running timers as ``(purpose, due_on, limit)``, to pause and resume them together."""
    out = [(CASE, case.due_on, case.statutory_days)]
    if has_promised_timer(case):
        out.append((PROMISED, case.promised_due_on, case.promised_days))
    if step is not None and step.due_on is not None and step.flow_step.time_limit_days:
        out.append((step_purpose(step), step.due_on, step.flow_step.time_limit_days))
    return out


def pause_case_timers(case: Case, step: CaseStep | None, *, reason: str) -> None:
    for purpose, _due, _limit in running_purposes(case, step):
        timers.pause(case, purpose, reason=reason)


def resume_case_timers(case: Case, step: CaseStep | None, *, now) -> None:
    """Resume with the due dates already moved on by the suspended working days."""
    for purpose, due_on, limit in running_purposes(case, step):
        warn_at, due_at = window(due_on, limit, case.item, not_before=None)
        timers.resume(case, purpose, due_at=due_at, warn_at=warn_at)


def stop_case_timers(case: Case, *, now=None) -> None:
    timers.stop(case, CASE, at=now)
    if has_promised_timer(case):
        timers.stop(case, PROMISED, at=now)


def start_suspension_timer(case: Case, entry: Suspension) -> None:
    timers.start(
        case, purpose=suspension_purpose(entry), department=case.department, **suspension_timing(case, entry)
    )
