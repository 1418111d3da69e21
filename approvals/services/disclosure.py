"""Result disclosure (双公示): the verbs that open, publish, withdraw, exempt and challenge a record.

A record is opened by the decision verbs themselves (``decide_case``, ``decide_penalty``), in their
transaction, with a monitoring timer due ``DISCLOSURE_WORKING_DAYS`` working days after the decision.
Publishing or exempting stops the timer; an inspector's challenge of an exemption starts it again.
Each verb locks the record, checks ``DISCLOSURE_TRANSITIONS``, checks who may act and writes one audit
event. Errors as for every verb: TransitionError (409), PermissionDenied (403), ValidationError (400).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from monitoring import timers
from portal import audit, numbering, workdays
from portal.services import check_transition

from .. import disclosure as rules
from ..choices import (
    DISCLOSURE_TRANSITIONS,
    DISCLOSURE_WORKING_DAYS,
    ApplicantType,
    CaseKind,
    DisclosureKind,
    DisclosureState,
    ExemptionReason,
)
from ..models import Case, ResultDisclosure
from ..permissions import can_challenge, can_exempt, can_publish, can_withdraw
from .common import Clock, clock, text

TIMER = "disclosure"
SNAPSHOT_FIELDS = ["state", "published_at", "withdrawn_at", "exemption_reason", "due_on"]


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- helpers ----------------------------------------------------------------------------------


def _snapshot(record: ResultDisclosure) -> dict:
    return {field: getattr(record, field) for field in SNAPSHOT_FIELDS}


def _lock(record: ResultDisclosure) -> ResultDisclosure:
    return (
        ResultDisclosure.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=record.pk)
    )


def _set_due(record: ResultDisclosure, start_on) -> None:
    limit = workdays.deadline(start_on, DISCLOSURE_WORKING_DAYS)
    record.due_on, record.due_provisional = limit.due_on, limit.provisional


def start_timer(record: ResultDisclosure, *, c: Clock) -> None:
    """Time the publication: a reminder two working days before the limit, an alarm when it passes."""
    due_at = workdays.end_of_working_day(record.due_on)
    warn_at = workdays.end_of_working_day(workdays.subtract_working_days(record.due_on, 2))
    timers.start(
        record, purpose=TIMER, due_at=due_at, warn_at=min(max(warn_at, c.now), due_at),
        department=record.department, label=f"{record.decision_number} {record.matter}（结果公示）",
        provisional=record.due_provisional, at=c.now,
    )  # fmt: skip


def decision_series(department, kind: str, year: int) -> tuple[str, str]:
    """``(series, prefix)`` of a department's decision numbers: 住建局许〔2026〕.

    The series is keyed by the printed prefix, not the department: two departments that print the
    same short name (the same bureau in two districts) share one counter, so no number is printed twice.
    """
    word = "许" if kind == DisclosureKind.LICENSE else "罚"
    prefix = f"{department.short_name or department.name}{word}〔{year}〕"
    return f"decision:{prefix}", prefix


def decision_number(department, kind: str, year: int) -> str:
    """决定文书号: the department's short name, 许 or 罚, the year and a gap-free number per series."""
    series, prefix = decision_series(department, kind, year)
    return f"{prefix}{numbering.next_number(series, gap_free=True)}号"


# --- verbs ------------------------------------------------------------------------------------


def record_of(case: Case, decided_on, number: str) -> ResultDisclosure:
    """The unsaved public record of ``case``'s decision taken on ``decided_on``, numbered ``number``,
    with its publication limit (``open_disclosure``; the demo's bulk history writes the same rows).

    Holds only public fields: a private person's name masked, no ID number, phone or address; an
    organisation's name and credit code.
    """
    kind = DisclosureKind.PENALTY if case.kind == CaseKind.ENFORCEMENT else DisclosureKind.LICENSE
    is_person = case.applicant_type == ApplicantType.PERSON
    name, code = rules.party(
        name=case.applicant_name, is_person=is_person, id_number=case.applicant_id_number
    )
    penalty = getattr(case, "penalty", None) if case.kind == CaseKind.ENFORCEMENT else None
    amount = penalty.amount if penalty is not None else None
    unit = penalty.standard.amount_unit if penalty is not None else ""
    band = penalty.band_severity if penalty is not None else ""
    record = ResultDisclosure(
        case=case, kind=kind, decision_number=number, party_name=name, party_is_person=is_person,
        party_credit_code=code, matter=case.title[:200], power=case.power, department=case.department,
        legal_basis=case.legal_basis,
        result=rules.result_text(case.get_decision_display(), amount=amount, unit=unit, band=band)[:200],
        amount=amount, amount_unit=unit, band=band, decided_on=decided_on,
    )  # fmt: skip
    _set_due(record, decided_on)
    return record


def kind_of(case: Case) -> str:
    return DisclosureKind.PENALTY if case.kind == CaseKind.ENFORCEMENT else DisclosureKind.LICENSE


def open_disclosure(case: Case, *, by, c: Clock) -> ResultDisclosure:
    """Open the public record of ``case``'s decision (inside the decision verb's transaction) and
    start the publication timer."""
    decided_on = c.today
    record = record_of(case, decided_on, decision_number(case.department, kind_of(case), decided_on.year))
    record.save()
    start_timer(record, c=c)
    audit.record(by, "disclosure.opened", record, after=_snapshot(record), note=record.decision_number)
    return record


def publish(record: ResultDisclosure, *, by, now=None) -> ResultDisclosure:
    """Publish the record (公示): visible on the public list, the feed, open data and the API."""
    c = clock(now)
    with transaction.atomic():
        record = _lock(record)
        _require(can_publish(by, record), "只有作出决定的单位可以公示该决定。")
        check_transition(
            DISCLOSURE_TRANSITIONS, record.state, DisclosureState.PUBLISHED, DisclosureState, "公示"
        )
        before = _snapshot(record)
        record.state, record.published_at, record.published_by = DisclosureState.PUBLISHED, c.now, by
        record.save()
        timers.stop(record, TIMER, at=c.now)
        audit.record(by, "disclosure.published", record, before=before, after=_snapshot(record))
    return record


def withdraw(record: ResultDisclosure, *, by, reason: str, now=None) -> ResultDisclosure:
    """Withdraw a publication when the decision is revoked on review; the withdrawal stays public."""
    c = clock(now)
    reason = text(reason, "reason", "撤销公示必须说明理由。")
    with transaction.atomic():
        record = _lock(record)
        _require(can_withdraw(by, record), "只有作出决定单位的负责人可以撤销公示。")
        check_transition(
            DISCLOSURE_TRANSITIONS, record.state, DisclosureState.WITHDRAWN, DisclosureState, "公示"
        )
        before = _snapshot(record)
        record.state, record.withdrawn_at, record.withdrawn_by = DisclosureState.WITHDRAWN, c.now, by
        record.withdrawal_reason = reason
        record.save()
        audit.record(by, "disclosure.withdrawn", record, before=before, after=_snapshot(record), note=reason)
    return record


def exempt(record: ResultDisclosure, *, by, reason: str, note: str = "", now=None) -> ResultDisclosure:
    """Decide not to disclose, on a legal ground from ``ExemptionReason``; inspectors see it and may challenge."""
    c = clock(now)
    if reason not in ExemptionReason.values:
        raise ValidationError({"reason": "请选择不予公示的法定理由。"})
    note = text(note, "note", "不予公示必须写明具体说明。")
    with transaction.atomic():
        record = _lock(record)
        _require(can_exempt(by, record), "只有作出决定单位的负责人可以决定不予公示。")
        check_transition(
            DISCLOSURE_TRANSITIONS, record.state, DisclosureState.EXEMPTED, DisclosureState, "公示"
        )
        before = _snapshot(record)
        record.state, record.exemption_reason, record.exemption_note = DisclosureState.EXEMPTED, reason, note
        record.exempted_at, record.exempted_by = c.now, by
        record.save()
        timers.stop(record, TIMER, at=c.now)
        label = ExemptionReason(reason).label
        audit.record(
            by, "disclosure.exempted", record, before=before, after=_snapshot(record), note=f"{label}：{note}"
        )
    return record


def challenge(record: ResultDisclosure, *, by, note: str, now=None) -> ResultDisclosure:
    """An inspector overturns an exemption: the record is due again, with a new 7-working-day limit."""
    c = clock(now)
    note = text(note, "note", "质疑必须写明意见。")
    with transaction.atomic():
        record = _lock(record)
        _require(can_challenge(by, record), "只有纪检监察员可以质疑不予公示的决定。")
        check_transition(DISCLOSURE_TRANSITIONS, record.state, DisclosureState.DUE, DisclosureState, "公示")
        before = _snapshot(record)
        record.state, record.challenge_note, record.challenged_at, record.challenged_by = (
            DisclosureState.DUE, note, c.now, by,
        )  # fmt: skip
        _set_due(record, c.today)
        record.save()
        start_timer(record, c=c)
        audit.record(by, "disclosure.challenged", record, before=before, after=_snapshot(record), note=note)
    return record
