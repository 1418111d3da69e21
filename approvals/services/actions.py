"""Which verbs a user may call on a case now: for pages and API clients to offer only those.

This is a read-only mirror of the verbs' own checks (the verbs still check everything).
"""

from django.core.exceptions import PermissionDenied

from portal.roles import ADMINISTRATOR, DEPT_HEAD, WINDOW_CLERK, department_of, has_role

from ..choices import INTAKE_STATUSES, TERMINAL_STATUSES, CaseKind, CaseStatus, Decision
from ..models import Case, FeePayment, fee_total_of
from .common import acting_post, can_intake, is_staff_of
from .steps import decision_step
from .suspension import SUSPENDABLE_STATUSES

ACCEPT = "accept"
REQUEST_CORRECTION = "request_correction"
REFUSE = "refuse"
CORRECT = "correct"
ADVANCE = "advance"
DECIDE = "decide"
DECIDE_PENALTY = "decide_penalty"
OPEN_PARALLEL = "open_parallel"
COMPLETE_SUBCASE = "complete_subcase"
SUSPEND = "suspend"
RESUME = "resume"
GREEN_CHANNEL = "green_channel"
RECORD_FEE = "record_fee"
COMPLETE = "complete"
REISSUE_SECRET = "reissue_secret"


def _may_act_on(user, step) -> bool:
    try:
        acting_post(user, step)
    except PermissionDenied:
        return False
    return True


def allowed_actions(user, case: Case) -> set[str]:
    """Names of the verbs ``user`` may call on ``case`` in its present state."""
    if not getattr(user, "is_authenticated", False):
        return set()
    out: set[str] = set()
    suspended = case.suspensions.filter(ended_at__isnull=True).exists()
    intake = can_intake(user, case) and case.parent_id is None and case.kind == CaseKind.APPLICATION
    if intake and case.status in INTAKE_STATUSES:
        out |= {REFUSE}
        if case.status == CaseStatus.SUBMITTED:
            out |= {ACCEPT, REQUEST_CORRECTION}
        else:
            out.add(CORRECT)
    if intake:  # also after completion or refusal: the applicant needs it to see the result and rate
        out.add(REISSUE_SECRET)
    step = case.current_step
    on_step = (
        step is not None
        and case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.DECIDED)
        and not suspended
        and _may_act_on(user, step)
    )
    if on_step and case.status == CaseStatus.DECIDED:
        out.add(ADVANCE)  # the steps after the decision (送达、执行)
    elif on_step:
        out.add(OPEN_PARALLEL)
        if decision_step(step.flowchart_id).pk != step.pk:
            out.add(ADVANCE)
        elif case.kind == CaseKind.ENFORCEMENT and case.power.standards.exists():
            out |= {DECIDE_PENALTY, DECIDE}
        else:
            out.add(DECIDE)
    if (
        case.parent_id is not None
        and case.status == CaseStatus.IN_PROGRESS
        and is_staff_of(user, case.department)
    ):
        out.add(COMPLETE_SUBCASE)
    handler = is_staff_of(user, case.department) or (step is not None and _may_act_on(user, step))
    if handler and case.status in SUSPENDABLE_STATUSES:
        out.add(RESUME if suspended else SUSPEND)
    if case.status not in TERMINAL_STATUSES and not case.green_channel and case.parent_id is None:
        if has_role(user, WINDOW_CLERK, ADMINISTRATOR) or (
            has_role(user, DEPT_HEAD) and department_of(user) == case.department
        ):
            out.add(GREEN_CHANNEL)
    if case.status == CaseStatus.DECIDED and case.parent_id is None:
        owes = case.decision == Decision.APPROVE and fee_total_of(case) > 0
        paid = owes and FeePayment.objects.filter(case=case).exists()
        if owes and not paid and has_role(user, WINDOW_CLERK):
            out.add(RECORD_FEE)
        if (paid or not owes) and case.current_step_id is None and can_intake(user, case):
            out.add(COMPLETE)
    return out
