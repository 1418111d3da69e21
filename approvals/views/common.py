"""Helpers shared by the service-centre pages: the desk roles, the lookup rate limit, one-time secrets, due states."""

from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from portal import workdays
from powers.models import FlowStep, Power

from .. import due
from ..choices import CaseStatus
from ..models import Case, CaseEvent, CaseStep

# --- due dates ---------------------------------------------------------------------------------


def due_text(case: Case) -> str:
    """The statutory due date for a message, with （暂定） where the calendar of its year is unknown."""
    if case.due_on is None:
        return "—"
    text = case.due_on.isoformat()
    return text + _("（暂定）") if case.due_provisional else text


def promised_provisional(case: Case) -> bool:
    """The case's flag covers its statutory date; the (earlier) promised date may lie in a known year."""
    if not case.due_provisional or case.promised_due_on is None:
        return False
    start = case.accepted_on or case.promised_due_on
    return bool(workdays.missing_years_between(start, case.promised_due_on)) or not workdays.is_year_known(
        case.promised_due_on.year
    )


def mark_due(cases, today: date) -> list:
    """Set ``due_state``, ``promised_state`` and ``promised_provisional`` on each case (no queries)."""
    near = due.near_date(today)
    rows = list(cases)
    for case in rows:
        case.promised_provisional = promised_provisional(case)
        case.due_state = due.due_state(case, case.due_on, today=today, near=near)
        case.promised_state = due.due_state(case, case.promised_due_on, today=today, near=near)
    return rows


def ledger(case: Case) -> list:
    """The case's suspensions, each with ``ends_provisional`` when its latest resume date is in an unknown year."""
    rows = list(case.suspensions.all())
    for entry in rows:
        entry.ends_provisional = bool(workdays.missing_years_between(entry.started_on, entry.ends_by))
    return rows


# --- one case with everything its pages show ---------------------------------------------------


def case_details(queryset):
    """A case queryset with its steps, trail, ledger, materials, sub-cases and decision, prefetched."""
    steps = CaseStep.objects.select_related("post", "handled_post", "handled_by__staff_profile").order_by(
        "id"
    )
    events = CaseEvent.objects.select_related("post").order_by("at", "id")
    subcases = Case.objects.select_related("department").with_suspension_flag().order_by("id")
    return (
        queryset.for_list()
        .select_related("item__department", "accepted_by", "fee_payment", "penalty__standard", "rating")
        .prefetch_related(
            Prefetch("steps", queryset=steps),
            Prefetch("events", queryset=events),
            "suspensions",
            "materials__material",
            "corrections",
            "item__materials",
            "item__fees",
            Prefetch("subcases", queryset=subcases),
        )
    )


def flow_steps(power: Power | None) -> list:
    if power is None:
        return []
    return list(FlowStep.objects.filter(flowchart__power=power).select_related("post").order_by("order"))


def step_plan(case: Case) -> list[dict]:
    """The power's flowchart with what this case did on each step: state todo / current / done."""
    records = {}
    for record in case.steps.all():
        records.setdefault(record.flow_step_id, []).append(record)
    plan = []
    for flow_step in flow_steps(case.power):
        done = records.get(flow_step.pk, [])
        state = "todo"
        if done:
            state = "current" if any(r.finished_at is None for r in done) else "done"
        plan.append({"step": flow_step, "records": done, "state": state})
    return plan


def progress(case: Case) -> dict:
    """What the pages say about "now": the open step record and the open suspension (no queries)."""
    return {
        "current": next((s for s in case.steps.all() if s.finished_at is None), None),
        "open_suspension": next((s for s in case.suspensions.all() if s.ended_at is None), None),
        "pending_subcases": [s for s in case.subcases.all() if s.status != CaseStatus.COMPLETED],
    }
