"""Running a case on its power's flowchart: steps, parallel approval, decision, fee, completion, rating.

Each step is done by a holder of the step's post (A post) or of its named back-up (B post, A、B岗);
steps are never skipped: ``advance_step`` moves to exactly the next step. The decision is taken at
the flowchart's *decision step* (see ``decision_step``); steps after it (送达, 执行, 公开) are then
done with ``advance_step`` while the case is "decided", and the case is completed once none is left.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from portal import workdays
from portal.services import TransitionError, check_transition, require
from powers.choices import StepKind
from powers.discretion import to_decimal
from powers.models import FlowStep

from .. import query_secret
from ..choices import (
    APPLICATION_DECISIONS,
    CASE_TRANSITIONS,
    DECISIONS_NEEDING_REASONS,
    DEFAULT_SUBCASE_DAYS,
    ENFORCEMENT_DECISIONS,
    SUBCASE_TRANSITIONS,
    CaseKind,
    CaseStatus,
    Decision,
    EventKind,
    NotificationEvent,
)
from ..models import Case, CaseStep, FeePayment, Rating, fee_total_of
from ..permissions import acting_post, can_intake, is_staff_of, may_collect_fees
from . import notes, timing
from .common import (
    clock,
    lock,
    notify,
    require_not_suspended,
    snapshot,
    text,
    trail,
)
from .disclosure import open_disclosure

# --- entering and leaving steps ------------------------------------------------------


def enter_step(case: Case, flow_step: FlowStep, *, c) -> CaseStep:
    """Put ``case`` on ``flow_step``: a new open CaseStep, its own limit and timer (no save of ``case``)."""
    limit = flow_step.time_limit_days
    step = CaseStep.objects.create(
        case=case,
        flow_step=flow_step,
        order=flow_step.order,
        name=flow_step.name,
        post=flow_step.post,
        started_at=c.now,
        due_on=workdays.deadline(c.today, limit).due_on if limit else None,
    )
    case.current_step = flow_step
    case.current_post = flow_step.post
    timing.start_step_timer(case, step, now=c.now)
    return step


def first_step(case: Case) -> FlowStep:
    step = (
        FlowStep.objects.filter(flowchart__power=case.power).select_related("post").order_by("order").first()
    )
    if step is None:
        raise ValidationError(f"权力事项「{case.power.name}」尚无流程图，不能办理（一项权力一个流程）。")
    return step


def open_step(case: Case) -> CaseStep | None:
    return (
        case.steps.select_related("flow_step__flowchart__power__department", "flow_step__post")
        .filter(finished_at__isnull=True)
        .first()
    )


def _require_step_status(case: Case, target: str) -> None:
    if case.parent_id is not None:
        raise TransitionError("会签件没有流程环节，请直接提交会签意见。")
    if case.status == CaseStatus.WAITING_PARALLEL:
        raise TransitionError("并联审批尚未全部完成，主办件暂不能继续办理。")
    check_transition(CASE_TRANSITIONS, case.status, target, CaseStatus, "办件")
    require_not_suspended(case)


def _current(case: Case, expected=None) -> CaseStep:
    """The open step; refuses when the caller meant another step (a step cannot be skipped)."""
    step = open_step(case)
    if step is None:
        raise TransitionError("办件当前没有待办环节。")
    expected_id = getattr(expected, "pk", expected)
    if expected_id is not None and int(expected_id) != step.flow_step_id:
        raise TransitionError(f"当前环节是「{step.name}」，环节必须依次办理，不能跳过。")
    return step


def _finish(case: Case, step: CaseStep, *, by, opinion: str, c) -> tuple:
    """Close the open step as done by ``by`` (A or B post); stops its timer. Returns (post, as_backup)."""
    post, as_backup = acting_post(by, step.flow_step)
    step.finished_at = c.now
    step.handled_by = by
    step.handled_post = post
    step.acted_as_backup = as_backup
    step.opinion = opinion
    step.save(update_fields=["finished_at", "handled_by", "handled_post", "acted_as_backup", "opinion"])
    timing.stop_step_timer(case, step, now=c.now)
    return post, as_backup


def _next_flow_step(step: CaseStep):
    return (
        FlowStep.objects.filter(flowchart_id=step.flow_step.flowchart_id, order__gt=step.order)
        .select_related("post")
        .order_by("order")
        .first()
    )


# Steps that come after the decision by their nature: a chart with no decision step yet is decided
# at its last step before these.
AFTER_DECISION = {StepKind.DELIVERY, StepKind.PUBLICATION}


def decision_step(flowchart_id: int) -> FlowStep:
    """The step where the case is decided: the flowchart's step of kind 决定 (one per flowchart, a
    constraint). A chart nobody has classified yet falls back to its last step before any
    delivery or publication step, else its last step."""
    return decision_of(list(FlowStep.objects.filter(flowchart_id=flowchart_id).order_by("order")))


def decision_of(steps: list[FlowStep]) -> FlowStep:
    """``decision_step`` of a flowchart's steps already at hand, in order."""
    for step in steps:
        if step.kind == StepKind.DECISION:
            return step
    before_delivery = [step for step in steps if step.kind not in AFTER_DECISION]
    return (before_delivery or steps)[-1]


def is_decision_step(step: CaseStep) -> bool:
    return decision_step(step.flow_step.flowchart_id).pk == step.flow_step_id


def advance_step(case: Case, *, by, opinion: str = "", step=None, now=None) -> Case:
    """Finish the current step with an opinion and move to exactly the next step.

    Before the decision: from the first step up to the decision step (where ``decide_case`` or
    ``decide_penalty`` takes over). After it: through the remaining steps (送达、执行); the last
    one leaves the case with no open step, ready to complete. Who: a holder of the current
    step's post or of its B post. ``step`` (a FlowStep or its id), when given, must be the
    current step. Refuses: a waiting, suspended or closed case; the decision step; any other post.
    """
    c = clock(now)
    with transaction.atomic():
        case = lock(case)
        decided = case.status == CaseStatus.DECIDED
        _require_step_status(case, CaseStatus.DECIDED if decided else CaseStatus.IN_PROGRESS)
        current = _current(case, step)
        acting_post(by, current.flow_step)  # refuse before looking further
        if not decided and is_decision_step(current):
            raise TransitionError(f"「{current.name}」环节须作出办理决定，不能直接转入下一环节。")
        before = snapshot(case)
        post, as_backup = _finish(case, current, by=by, opinion=(opinion or "").strip(), c=c)
        _move_on(case, current, c=c)
        if not decided:
            case.status = CaseStatus.IN_PROGRESS
        case.save()
        note = notes.step_done(current.name, opinion, as_backup=as_backup)
        trail(case, EventKind.STEP_DONE, by, at=c.now, before=before, note=note, post=post)
    return case


def _move_on(case: Case, done: CaseStep, *, c) -> None:
    """Enter the step after ``done``, or leave the case with no open step after the last one."""
    following = _next_flow_step(done)
    if following is not None:
        enter_step(case, following, c=c)
    else:
        case.current_step = None
        case.current_post = None


def finish_decision_step(case: Case, *, by, opinion: str, c) -> tuple:
    """Guards shared by the decision verbs: the case is on its decision step and ``by`` holds its post.

    Closes the decision step and enters the next one (if any). Returns (post, acted_as_backup).
    """
    if case.status == CaseStatus.DECIDED:
        raise TransitionError("办件已作出决定，不能重复决定。")
    _require_step_status(case, CaseStatus.DECIDED)
    current = _current(case)
    acting_post(by, current.flow_step)
    if not is_decision_step(current):
        target = decision_step(current.flow_step.flowchart_id)
        raise TransitionError(
            f"当前环节是「{current.name}」，须依次办理至「{target.name}」环节才能作出决定，环节不能跳过。"
        )
    post, as_backup = _finish(case, current, by=by, opinion=opinion, c=c)
    _move_on(case, current, c=c)
    return post, as_backup


def record_decision(case: Case, *, by, decision: str, reason: str, legal_basis: str, c) -> None:
    case.status = CaseStatus.DECIDED
    case.decision = decision
    case.decision_reason = reason
    case.legal_basis = legal_basis
    case.decided_by = by
    case.decided_at = c.now
    case.save()


def decide_case(case: Case, *, by, decision: str, reason: str = "", legal_basis: str = "", now=None) -> Case:
    """Take the decision at the decision step: approve or refuse (applications), impose or not (enforcement).

    Who: a holder of the decision step's post or its B post. A refusal (and "no action") must state
    reasons and legal basis. An enforcement case whose power has discretion standards imposes a
    penalty through ``decide_penalty`` instead. Refuses steps left undone, a suspended or waiting case.
    """
    c = clock(now)
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    with transaction.atomic():
        case = lock(case)
        allowed = APPLICATION_DECISIONS if case.kind == CaseKind.APPLICATION else ENFORCEMENT_DECISIONS
        if decision not in allowed:
            raise ValidationError({"decision": "办理结果不适用于该类办件。"})
        if decision in DECISIONS_NEEDING_REASONS:
            text(reason, "reason", "不予许可（处理）必须说明理由。")
            text(legal_basis, "legal_basis", "不予许可（处理）必须写明法律依据。")
        if decision == Decision.IMPOSE and case.power.standards.exists():
            raise ValidationError({"decision": "该权力有自由裁量基准，请通过裁量计算作出处罚决定。"})
        before = snapshot(case)
        post, _backup = finish_decision_step(case, by=by, opinion=reason, c=c)
        record_decision(case, by=by, decision=decision, reason=reason, legal_basis=legal_basis, c=c)
        if case.parent_id is None:  # a parallel sub-case's opinion is not a decision of its own
            open_disclosure(case, by=by, c=c)
        note = notes.decided(case.get_decision_display(), reason)
        trail(case, EventKind.DECIDED, by, at=c.now, before=before, note=note, post=post)
        notify(case, NotificationEvent.DECIDED)
    return case


# --- parallel approval (并联审批) --------------------------------------------------------


def open_parallel(
    case: Case, *, by, departments, note: str = "", days: int | None = None, now=None
) -> list[Case]:
    """Open sub-cases (会签件) with other departments; the case waits until all are done.

    Who: a holder of the current step's post or its B post. Each sub-case has its own limit
    (``days`` working days, default DEFAULT_SUBCASE_DAYS) and timer. Refuses no departments, the
    case's own department, duplicates, and a case that is suspended, waiting or decided.
    """
    c = clock(now)
    departments = list(departments)
    days = int(days or DEFAULT_SUBCASE_DAYS)
    if not departments:
        raise ValidationError({"departments": "请选择至少一个会签单位。"})
    if len({d.pk for d in departments}) != len(departments):
        raise ValidationError({"departments": "会签单位重复。"})
    if days < 1:
        raise ValidationError({"days": "会签时限至少一个工作日。"})
    with transaction.atomic():
        case = lock(case)
        if any(d.pk == case.department_id for d in departments):
            raise ValidationError({"departments": "会签单位不能是主办单位本身。"})
        _require_step_status(case, CaseStatus.WAITING_PARALLEL)
        post, _backup = acting_post(by, _current(case).flow_step)
        before = snapshot(case)
        numbered = case.subcases.count()
        due = workdays.deadline(c.today, days)
        subs = []
        for offset, department in enumerate(departments, start=1):
            sub = Case.objects.create(
                code=f"{case.code}-{numbered + offset:02d}", kind=case.kind, item=case.item, power=case.power,
                department=department, parent=case, applicant_name=case.applicant_name,
                applicant_type=case.applicant_type, description=note or case.description, channel=case.channel,
                green_channel=case.green_channel, status=CaseStatus.IN_PROGRESS, submitted_at=c.now,
                created_by=by, accepted_on=c.today, accepted_by=by, statutory_days=days, promised_days=days,
                due_on=due.due_on, promised_due_on=due.due_on, due_provisional=due.provisional,
            )  # fmt: skip
            timing.start_case_timers(sub, now=c.now)
            trail(
                sub, EventKind.PARALLEL_OPENED, by, at=c.now, note=f"{case.code} 发起会签：{note}", post=post
            )
            subs.append(sub)
        case.status = CaseStatus.WAITING_PARALLEL
        case.save()
        names = "、".join(str(d) for d in departments)
        trail(
            case,
            EventKind.PARALLEL_OPENED,
            by,
            at=c.now,
            before=before,
            note=f"会签单位：{names}。{note}",
            post=post,
        )
    return subs


def complete_subcase(sub: Case, *, by, opinion: str, agree: bool, now=None) -> Case:
    """Give a department's opinion on a sub-case (会签意见) and close it.

    Who: a handler or head of the sub-case's department. When the last sub-case of a parent is
    done, the parent returns to "in progress". Refuses a case that is not a sub-case, a sub-case
    already done, and an empty opinion.
    """
    c = clock(now)
    opinion = text(opinion, "opinion", "请填写会签意见。")
    if sub.parent_id is None:
        raise TransitionError("该办件不是会签件。")
    with transaction.atomic():
        parent = lock(sub.parent)  # parent first, always: two departments finishing at once queue here
        sub = lock(sub)
        require(is_staff_of(by, sub.department), "只有会签单位的工作人员可以提交会签意见。")
        check_transition(SUBCASE_TRANSITIONS, sub.status, CaseStatus.COMPLETED, CaseStatus, "会签件")
        require_not_suspended(sub)
        before = snapshot(sub)
        sub.status = CaseStatus.COMPLETED
        sub.decision = Decision.APPROVE if agree else Decision.REFUSE
        sub.decision_reason = opinion
        sub.decided_by = by
        sub.decided_at = sub.completed_at = sub.closed_at = c.now
        sub.on_time = sub.promised_on_time = c.today <= sub.due_on
        sub.working_days_used = working_days_used(sub, c.today)
        sub.save()
        timing.stop_case_timers(sub, now=c.now)
        verdict = "同意" if agree else "不同意"
        trail(sub, EventKind.SUBCASE_DONE, by, at=c.now, before=before, note=f"{verdict}：{opinion}")
        trail(parent, EventKind.SUBCASE_DONE, by, at=c.now, note=f"{sub.department}{verdict}：{opinion}")
        pending = parent.subcases.exclude(status=CaseStatus.COMPLETED).exists()
        if not pending and parent.status == CaseStatus.WAITING_PARALLEL:
            before = snapshot(parent)
            check_transition(CASE_TRANSITIONS, parent.status, CaseStatus.IN_PROGRESS, CaseStatus, "办件")
            parent.status = CaseStatus.IN_PROGRESS
            parent.save()
            trail(parent, EventKind.PARALLEL_DONE, by, at=c.now, before=before, note="会签单位均已提出意见。")
    return sub


# --- fee, completion, rating -------------------------------------------------------------


def working_days_used(case: Case, completed_on) -> int:
    """Working days the case took: those after its acceptance day up to and including
    ``completed_on``, less the suspended days (which the law does not count)."""
    if case.accepted_on is None:
        return 0
    return max(workdays.working_days_between(case.accepted_on, completed_on) - case.suspended_days, 0)


def record_completion(case: Case, completed_on) -> None:
    """What completion on ``completed_on`` records: within the statutory and the promised limit,
    and the working days used (``complete_case``; the bulk history sets the same fields)."""
    case.on_time = completed_on <= case.due_on
    case.promised_on_time = completed_on <= (case.promised_due_on or case.due_on)
    case.working_days_used = working_days_used(case, completed_on)


def record_fee(case: Case, *, by, amount, receipt_no: str, justification: str = "", window=None, now=None):
    """Record the fee collected at the one fee window (一个窗口收费).

    Who: a window clerk. Only after an approval, once per case, for an item that has fees.
    ``amount`` must equal the item's fee total unless ``justification`` explains the difference.
    """
    c = clock(now)
    require(may_collect_fees(by), "费用只能在服务中心统一收费窗口收取（一个窗口收费）。")
    receipt_no = text(receipt_no, "receipt_no", "请填写票据号。")
    amount = to_decimal(amount, "amount").quantize(Decimal("0.01"))
    justification = (justification or "").strip()
    if amount < 0:
        raise ValidationError({"amount": "金额不能为负数。"})
    with transaction.atomic():
        case = lock(case)
        if case.status != CaseStatus.DECIDED or case.decision != Decision.APPROVE:
            raise TransitionError("只有已作出准予决定、尚未办结的办件才能收费。")
        if FeePayment.objects.filter(case=case).exists():
            raise TransitionError("该办件已收费，不能重复收费。")
        expected = fee_total_of(case)
        if expected <= 0:
            raise ValidationError({"amount": "该事项不收费。"})
        if amount != expected and not justification:
            raise ValidationError(
                {"justification": f"应收 {expected} 元，实收 {amount} 元，不一致时必须说明依据。"}
            )
        if FeePayment.objects.filter(receipt_no=receipt_no).exists():
            raise ValidationError({"receipt_no": "票据号已被使用。"})
        payment = FeePayment.objects.create(
            case=case, amount=amount, expected_amount=expected, receipt_no=receipt_no,
            justification=justification, window=window, recorded_by=by, recorded_at=c.now,
        )  # fmt: skip
        trail(
            case,
            EventKind.FEE,
            by,
            at=c.now,
            before=snapshot(case),
            note=notes.fee(amount, receipt_no),
        )
    return payment


def complete_case(case: Case, *, by, now=None) -> Case:
    """Close a decided case (办结): the result is delivered; stops the case's timers.

    Who: a window clerk or the case department's staff. Refuses an approved case whose item has
    fees while no fee is recorded, a case with flowchart steps left (送达、执行), and anything not
    yet decided. Records whether it finished
    within the statutory and the promised limit.
    """
    c = clock(now)
    with transaction.atomic():
        case = lock(case)
        require(can_intake(by, case), "只有服务中心窗口人员或本单位工作人员可以办结。")
        if case.parent_id is not None:
            raise TransitionError("会签件请通过提交会签意见办结。")
        check_transition(CASE_TRANSITIONS, case.status, CaseStatus.COMPLETED, CaseStatus, "办件")
        remaining = open_step(case)
        if remaining is not None:
            raise TransitionError(f"尚有「{remaining.name}」环节未办理，不能办结。")
        if (
            case.decision == Decision.APPROVE
            and fee_total_of(case) > 0
            and not FeePayment.objects.filter(case=case).exists()
        ):
            raise TransitionError("该事项收费，尚未在统一收费窗口收费，不能办结。")
        before = snapshot(case)
        case.status = CaseStatus.COMPLETED
        case.completed_at = case.closed_at = c.now
        record_completion(case, c.today)
        case.save()
        timing.stop_case_timers(case, now=c.now)
        trail(case, EventKind.COMPLETED, by, at=c.now, before=before, note=notes.completed(case.on_time))
        notify(case, NotificationEvent.COMPLETED)
    return case


REISSUED_CANNOT_RATE = "窗口重置的查询密码只能查询办件；评议请使用受理回执上的查询密码。"


def rate_case(case: Case, *, secret: str = "", proof=None, score, comment: str = "", now=None) -> Rating:
    """The applicant rates a completed case (满意度评议), once, proving who they are with the query secret
    handed out at intake (on the receipt) or a tracking session's proof of it (``proof``).

    A secret reissued at a window tracks the case but does not rate it (issue 9: a clerk could
    otherwise reissue and rate as the public).

    Refuses a wrong secret (PermissionDenied), a case not completed or already rated
    (TransitionError), a score outside 1–5 and a comment over 1,000 characters.
    """
    c = clock(now)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": "评分应为 1 到 5。"})
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": "意见建议不能超过 1000 字。"})
    from .intake import RATE, proves

    with transaction.atomic():
        case = lock(case)
        if not (
            proves(proof, RATE, case.pk, case.rating_secret_hash)
            or query_secret.check(secret, case.rating_secret_hash)
        ):
            if secret and query_secret.check(secret, case.query_secret_hash):
                raise PermissionDenied(REISSUED_CANNOT_RATE)
            raise PermissionDenied(gettext(query_secret.WRONG))
        if case.status != CaseStatus.COMPLETED:
            raise TransitionError("办件办结后才能评议。")
        if Rating.objects.filter(case=case).exists():
            raise TransitionError("该办件已评议，每件只能评议一次。")
        rating = Rating.objects.create(case=case, score=score, comment=comment, rated_at=c.now)
        trail(
            case, EventKind.RATED, None, at=c.now, before=snapshot(case), note=f"{rating.get_score_display()}"
        )
    return rating
