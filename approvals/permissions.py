"""Who may do what in the service centre: one function per verb, written once.

The verbs (approvals/services/) refuse through the "who" rules here (``require_intake``,
``acting_post``, ``is_staff_of``, ``may_set_green_channel``, ``may_collect_fees``); each
``can_<verb>(user, case)`` combines the same rule with the case's present state and is what the case
page, the desk, the API's ``allowed_actions`` and the templates (portal's ``{% can %}`` tag) ask.
There is no second copy of a rule: ``allowed_actions`` is just the verbs whose ``can_`` answers yes.
"""

from django.core.exceptions import PermissionDenied

from portal.roles import (
    ADMINISTRATOR,
    APPRAISER,
    DEPT_HANDLER,
    DEPT_HEAD,
    INSPECTOR,
    LEGAL_REVIEWER,
    WINDOW_CLERK,
    department_of,
    has_role,
)
from portal.services import require

from .choices import INTAKE_STATUSES, TERMINAL_STATUSES, CaseKind, CaseStatus, Decision

# Who may open the desk and the case pages: the window, the departments, and read-only supervisors.
DESK_ROLES = (WINDOW_CLERK, DEPT_HANDLER, DEPT_HEAD, LEGAL_REVIEWER, INSPECTOR, ADMINISTRATOR)
# Efficiency analysis of every department (a department head sees their own).
ALL_DEPARTMENTS_ROLES = (INSPECTOR, APPRAISER, ADMINISTRATOR)
# A case can be suspended while its clock runs and before the decision.
SUSPENDABLE_STATUSES = {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_PARALLEL}

# The verbs' names, as the case page's forms and the API's allowed_actions call them.
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


# --- pages -------------------------------------------------------------------------------------


def can_open_desk(user) -> bool:
    """办件工作台 and the case pages (what a case shows is ``Case.objects.visible_to``)."""
    return has_role(user, *DESK_ROLES)


# 结果公示管理: the deciding departments, and those who supervise them.
RESULTS_DESK_ROLES = (DEPT_HANDLER, DEPT_HEAD, INSPECTOR, LEGAL_REVIEWER, ADMINISTRATOR)


def can_open_results_desk(user) -> bool:
    """结果公示管理 (which records it lists is ``ResultDisclosure.objects.visible_to``)."""
    return has_role(user, *RESULTS_DESK_ROLES)


def can_open_efficiency(user) -> bool:
    """效能分析: inspectors, the appraisal office and administrators; a department head for their own."""
    return has_role(user, *ALL_DEPARTMENTS_ROLES) or (
        has_role(user, DEPT_HEAD) and department_of(user) is not None
    )


def can_take_walk_ins(user) -> bool:
    """窗口受理 at the desk: the centre's window clerks and the departments' own staff."""
    return has_role(user, WINDOW_CLERK) or (
        has_role(user, DEPT_HANDLER, DEPT_HEAD) and department_of(user) is not None
    )


def can_file_enforcement(user) -> bool:
    """执法立案: a department's handlers and head."""
    return has_role(user, DEPT_HANDLER, DEPT_HEAD) and department_of(user) is not None


def reads_only(user) -> bool:
    """Supervisors (inspectors, legal reviewers) who see the desk but handle nothing."""
    return has_role(user, INSPECTOR, LEGAL_REVIEWER) and not has_role(
        user, WINDOW_CLERK, DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR
    )


# --- who: the rules the verbs refuse with ---------------------------------------------------------


def is_staff_of(user, department) -> bool:
    """A handler or head of ``department``."""
    return has_role(user, DEPT_HANDLER, DEPT_HEAD) and department_of(user) == department


def can_maintain_items(user, department) -> bool:
    """Set up and change ``department``'s service items, their materials and fees: its handlers and
    head, or an administrator (the admin site)."""
    return has_role(user, ADMINISTRATOR) or is_staff_of(user, department)


def can_maintain_windows(user) -> bool:
    """Open, change or remove the service centre's windows (the admin site): an administrator."""
    return has_role(user, ADMINISTRATOR)


def can_update_service_item(user, item) -> bool:
    return can_maintain_items(user, item.department)


def can_intake(user, case) -> bool:
    """One window accepts (一个窗口受理): the centre's window clerks, or the case department's own staff."""
    return has_role(user, WINDOW_CLERK) or is_staff_of(user, case.department)


def can_view_contact(user, case) -> bool:
    """Who may open an applicant's full ID number and telephone (audited): the window, the case
    department's staff and inspectors. Everyone else, and every page by default, sees them masked."""
    return has_role(user, WINDOW_CLERK, INSPECTOR) or is_staff_of(user, case.department)


def require_intake(user, case) -> None:
    require(can_intake(user, case), "只有服务中心窗口人员或本单位工作人员可以受理办件。")


def post_ids_of(user) -> set[int]:
    """The posts a staff user holds."""
    profile = getattr(user, "staff_profile", None) if getattr(user, "is_authenticated", False) else None
    return set(profile.posts.values_list("id", flat=True)) if profile else set()


def acting_post(user, step):
    """The post ``user`` acts in on ``step``: the step's post (A post) or its named back-up (B post).

    Returns ``(post, acted_as_backup)``; refuses anybody else. A step with no post is open to
    the staff of the power's department.
    """
    if step.post_id is None:
        require(
            is_staff_of(user, step.flowchart.power.department), "该环节未指定岗位，只能由本单位工作人员办理。"
        )
        return None, False
    held = post_ids_of(user)
    if step.post_id in held:
        return step.post, False
    backup_id = step.post.backup_id
    if backup_id is not None and backup_id in held:
        return step.post.backup, True
    require(False, f"「{step.name}」环节只能由{step.post}岗位（或其B岗）办理。")


def may_act_on(user, step) -> bool:
    try:
        acting_post(user, step)
    except PermissionDenied:
        return False
    return True


def may_register_walk_in(user, item) -> bool:
    """Record an application at the window: the centre's clerks, or the item department's own staff."""
    return getattr(user, "is_authenticated", False) and (
        has_role(user, WINDOW_CLERK) or department_of(user) == item.department
    )


def may_set_green_channel(user, case) -> bool:
    """A window clerk, the case department's head, or an administrator."""
    return has_role(user, WINDOW_CLERK, ADMINISTRATOR) or (
        has_role(user, DEPT_HEAD) and department_of(user) == case.department
    )


def may_collect_fees(user) -> bool:
    """Fees are collected at the centre's one fee window (一个窗口收费)."""
    return has_role(user, WINDOW_CLERK)


def may_suspend(user, case) -> bool:
    """The department's staff, or whoever may act on the current step (A or B post)."""
    step = case.current_step
    return is_staff_of(user, case.department) or (step is not None and may_act_on(user, step))


# --- one function per verb: who, and whether the case's state allows it now -----------------------


def _suspended(case) -> bool:
    """Whether the case has an open suspension (one query, remembered on the case object)."""
    if not hasattr(case, "_open_suspension"):
        case._open_suspension = case.suspensions.filter(ended_at__isnull=True).exists()
    return case._open_suspension


def _window_case(user, case) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and case.parent_id is None
        and case.kind == CaseKind.APPLICATION
        and can_intake(user, case)
    )


def can_accept(user, case) -> bool:
    return case.status == CaseStatus.SUBMITTED and _window_case(user, case)


def can_request_correction(user, case) -> bool:
    return case.status == CaseStatus.SUBMITTED and _window_case(user, case)


def can_refuse(user, case) -> bool:
    return case.status in INTAKE_STATUSES and _window_case(user, case)


def can_correct(user, case) -> bool:
    """Record the corrected materials at the window (after 补正)."""
    return case.status in INTAKE_STATUSES and case.status != CaseStatus.SUBMITTED and _window_case(user, case)


def can_reissue_secret(user, case) -> bool:
    """Also after completion or refusal: the applicant needs it to see the result and rate."""
    return _window_case(user, case)


def _on_step(user, case) -> bool:
    step = case.current_step
    return (
        getattr(user, "is_authenticated", False)
        and step is not None
        and case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.DECIDED)
        and not _suspended(case)
        and may_act_on(user, step)
    )


def _at_decision_step(case) -> bool:
    from .services.steps import decision_step

    return decision_step(case.current_step.flowchart_id).pk == case.current_step.pk


def can_advance(user, case) -> bool:
    """Finish the current step; after the decision, the steps that follow it (送达、执行)."""
    if not _on_step(user, case):
        return False
    return case.status == CaseStatus.DECIDED or not _at_decision_step(case)


def can_open_parallel(user, case) -> bool:
    return _on_step(user, case) and case.status != CaseStatus.DECIDED


def _decides(user, case) -> bool:
    return _on_step(user, case) and case.status != CaseStatus.DECIDED and _at_decision_step(case)


def can_decide(user, case) -> bool:
    return _decides(user, case)


def can_decide_penalty(user, case) -> bool:
    return _decides(user, case) and case.kind == CaseKind.ENFORCEMENT and case.power.standards.exists()


def can_complete_subcase(user, case) -> bool:
    return (
        case.parent_id is not None
        and case.status == CaseStatus.IN_PROGRESS
        and is_staff_of(user, case.department)
    )


def can_suspend(user, case) -> bool:
    return case.status in SUSPENDABLE_STATUSES and not _suspended(case) and may_suspend(user, case)


def can_resume(user, case) -> bool:
    return case.status in SUSPENDABLE_STATUSES and _suspended(case) and may_suspend(user, case)


def can_green_channel(user, case) -> bool:
    return (
        case.status not in TERMINAL_STATUSES
        and not case.green_channel
        and case.parent_id is None
        and may_set_green_channel(user, case)
    )


def _fee_state(case) -> tuple[bool, bool]:
    """(owes a fee, has paid it) for a decided case."""
    from .models import FeePayment, fee_total_of

    owes = case.decision == Decision.APPROVE and fee_total_of(case) > 0
    return owes, owes and FeePayment.objects.filter(case=case).exists()


def can_record_fee(user, case) -> bool:
    if not (case.status == CaseStatus.DECIDED and case.parent_id is None and may_collect_fees(user)):
        return False
    owes, paid = _fee_state(case)
    return owes and not paid


def can_complete(user, case) -> bool:
    if not (case.status == CaseStatus.DECIDED and case.parent_id is None and case.current_step_id is None):
        return False
    if not can_intake(user, case):
        return False
    owes, paid = _fee_state(case)
    return paid or not owes


VERBS = {
    ACCEPT: can_accept,
    REQUEST_CORRECTION: can_request_correction,
    REFUSE: can_refuse,
    CORRECT: can_correct,
    REISSUE_SECRET: can_reissue_secret,
    ADVANCE: can_advance,
    OPEN_PARALLEL: can_open_parallel,
    DECIDE: can_decide,
    DECIDE_PENALTY: can_decide_penalty,
    COMPLETE_SUBCASE: can_complete_subcase,
    SUSPEND: can_suspend,
    RESUME: can_resume,
    GREEN_CHANNEL: can_green_channel,
    RECORD_FEE: can_record_fee,
    COMPLETE: can_complete,
}


def allowed_actions(user, case) -> set[str]:
    """Names of the verbs ``user`` may call on ``case`` in its present state."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {name for name, allowed in VERBS.items() if allowed(user, case)}


# --- result disclosure (双公示): who publishes, withdraws, exempts, challenges ------------------


def can_publish(user, record) -> bool:
    """The deciding department's handlers and head publish its records."""
    return has_role(user, DEPT_HANDLER, DEPT_HEAD) and department_of(user) == record.department


def can_withdraw(user, record) -> bool:
    """Withdrawing a publication (a decision revoked on review) is the department head's."""
    return has_role(user, DEPT_HEAD) and department_of(user) == record.department


can_exempt = can_withdraw  # not disclosing at all needs the same authority as withdrawing


def can_challenge(user, record) -> bool:
    """Discipline inspectors (and administrators) challenge an exemption."""
    return has_role(user, INSPECTOR, ADMINISTRATOR)
