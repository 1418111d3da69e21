"""Demo anomalies (异常): situations each anomaly rule exists for, made the way they happen.

Called at the end of ``approvals.demo.seed``, after the ordinary cases. Already there from the
ordinary demo: an enforcement decision outside its discretion band with stated reasons and the
collective-discussion record, taken through the verbs (rule ``discretion_outside_band``). Added here:

- a department head, helping out at the window, accepts an application and later approves it
  himself — every verb allows it, his posts allow it (``separated_duty``);
- a case imported from the old system whose review step was done by the acceptance post
  (``step_irregular``);
- a fee deleted from the database after the case was completed (``fee_missing``);
- the reasons of a completed refusal rewritten in the database afterwards (``changed_after_completion``).

Then the rules run once, so their alerts exist right after ``seed_demo``.
"""

from monitoring import rules
from portal import audit, workdays
from powers.models import FlowStep

from .. import services
from ..choices import CaseKind, CaseStatus, Channel, Decision, EventKind
from ..models import Case, CaseEvent, CaseStep, FeePayment, ServiceItem
from ..permissions import can_intake
from ..services.common import next_code
from .live import to_decision


def seed(demo, items: list[ServiceItem]) -> dict[str, int]:
    """Make the anomalous situations, run every rule once; returns {rule code: new alerts}."""
    head_accepts_and_decides(demo, items)
    import_legacy_case(demo, items)
    delete_a_fee()
    rewrite_a_refusal()
    return rules.run()


def _flow(item: ServiceItem) -> list[FlowStep]:
    return list(FlowStep.objects.filter(flowchart__power=item.power).select_related("post").order_by("order"))


def head_accepts_and_decides(demo, items) -> Case | None:
    """The holder of the decision post accepts the case at his department's desk, then decides it."""
    for item in sorted(items, key=lambda item: item.department.code != "SCJG"):  # the demo logins' first
        decision = services.decision_step(_flow(item)[0].flowchart_id)
        head = demo.holder(decision)
        if decision.post_id is None or not can_intake(head, Case(department=item.department)):
            continue
        start = demo.day(6)
        case, _secret = services.submit_application(
            item, by=head, paper_materials=[m.pk for m in item.materials.filter(required=True)],
            now=demo.at(start), **demo.next_applicant(),
        )  # fmt: skip
        case = services.accept_case(case, by=head, now=demo.at(start, 1))
        case, day = to_decision(demo, case, start)
        return services.decide_case(
            case, by=head, decision=Decision.APPROVE, reason="符合条件", now=demo.at(day, 6)
        )
    return None


def import_legacy_case(demo, items) -> Case | None:
    """A completed case from the old system, imported with its trail; its review step was done by
    the acceptance post (the old system did not check posts)."""
    for item in items:
        flow = _flow(item)
        posts = [step.post for step in flow if step.post_id is not None]
        if item.has_fees or len(flow) < 3 or len({post.pk for post in posts}) < 2:
            continue
        decision = services.decision_step(flow[0].flowchart_id)
        holders = {step.pk: demo.holder(step) for step in flow}
        wrong = next(
            (s for s in flow[1:] if s.post_id and s.post_id != flow[0].post_id and s != decision), None
        )
        others = {holders[s.pk].pk for s in flow if s.post_id != decision.post_id}
        if wrong is None or flow[0].post_id is None or holders[decision.pk].pk in others:
            continue
        return _import(demo, item, flow, decision, holders, wrong)
    return None


def _import(demo, item, flow, decision, holders, wrong) -> Case:
    accepted_on = demo.day(item.statutory_days + 30)
    moments = [demo.at(accepted_on, slot) for slot in range(len(flow) + 3)]
    case = Case.objects.create(
        code=next_code("LS", accepted_on), kind=CaseKind.APPLICATION, item=item, power=item.power,
        department=item.department, channel=Channel.WINDOW, status=CaseStatus.COMPLETED, submitted_at=moments[0],
        created_by=demo.admin, accepted_on=accepted_on, accepted_by=demo.clerk, statutory_days=item.statutory_days,
        promised_days=item.promised_days, due_on=workdays.deadline(accepted_on, item.statutory_days).due_on,
        promised_due_on=workdays.deadline(accepted_on, item.promised_days).due_on, decision=Decision.APPROVE,
        decision_reason="符合条件", decided_by=holders[decision.pk], decided_at=moments[-2],
        completed_at=moments[-1], closed_at=moments[-1], on_time=True, promised_on_time=True,
        **demo.next_applicant(),
    )  # fmt: skip
    CaseEvent.objects.create(
        case=case, at=moments[1], kind=EventKind.ACCEPTED, actor=demo.clerk, note="历史办件导入"
    )
    for index, step in enumerate(flow, start=2):
        by_step = flow[0] if step == wrong else step  # the acceptance post did the review
        CaseStep.objects.create(
            case=case, flow_step=step, order=step.order, name=step.name, post=step.post,
            started_at=moments[index - 1], finished_at=moments[index], handled_by=holders[by_step.pk],
            handled_post=by_step.post, opinion="同意（历史数据导入）",
        )  # fmt: skip
        CaseEvent.objects.create(case=case, at=moments[index], kind=EventKind.STEP_DONE, note=step.name)
    CaseEvent.objects.create(case=case, at=moments[-1], kind=EventKind.COMPLETED, note="历史办件导入")
    audit.record(demo.admin, "case.imported", case, note="从原行政审批系统导入的历史办件")
    return case


def delete_a_fee() -> Case | None:
    """The fee record of a completed case is deleted in the database (e.g. to cover a refund)."""
    payment = FeePayment.objects.filter(case__status=CaseStatus.COMPLETED).order_by("pk").first()
    if payment is None:
        return None
    case = payment.case
    payment.delete()
    return case


def rewrite_a_refusal() -> Case | None:
    """The reasons of a completed refusal are rewritten in the database after the applicant complained."""
    completed = Case.objects.filter(status=CaseStatus.COMPLETED, parent__isnull=True).order_by("pk")
    case = completed.filter(decision=Decision.REFUSE).first() or completed.first()
    if case is None:
        return None
    case.decision_reason = f"{case.decision_reason}（经复核，申请材料中的场所证明系伪造。）"
    case.save(update_fields=["decision_reason", "updated_at"])
    return case
