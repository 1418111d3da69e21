"""Enforcement cases (执法办件): penalty, coercion and inspection, started by an officer.

They run on their power's flowchart with the same step verbs as applications. A penalty is
decided through the discretion calculator (``powers.discretion``): an amount outside the band
the facts fall in is refused unless reasons are stated (说明理由) and, where the standard asks
for it, the collective-discussion record (集体讨论) is given; such a decision stays marked
``outside_band`` for the supervisors.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import workdays
from portal.services import require
from powers.choices import Category
from powers.discretion import calculate, to_decimal
from powers.models import DiscretionStandard, Power

from ..choices import DEFAULT_ENFORCEMENT_DAYS, ApplicantType, CaseKind, CaseStatus, Decision, EventKind
from ..models import Case, PenaltyDecision
from ..permissions import is_staff_of
from . import notes, timing
from .common import CODE_PREFIX, clock, lock, next_code, snapshot, text, trail
from .disclosure import open_disclosure
from .steps import enter_step, finish_decision_step, first_step, record_decision

ENFORCEMENT_CATEGORIES = {Category.PENALTY, Category.COERCION, Category.INSPECTION}


def open_enforcement_case(
    power: Power,
    *,
    by,
    party_name: str,
    facts: str,
    party_type: str = ApplicantType.ORGANISATION,
    party_id_number: str = "",
    party_phone: str = "",
    now=None,
) -> Case:
    """File an enforcement case (立案) on a published penalty, coercion or inspection power.

    Who: a handler or head of the power's department (the officer). The statutory limit is the
    power's own (``time_limit_days``) or DEFAULT_ENFORCEMENT_DAYS; the case starts on the
    flowchart's first step with its timers. Refuses other departments' staff, a power not in
    force or of another category, and a power without a flowchart.
    """
    c = clock(now)
    require(is_staff_of(by, power.department), "只有实施单位的执法人员可以立案。")
    if not Power.objects.exercisable().filter(pk=power.pk).exists():
        raise ValidationError({"power": "只有已确认公布的权力事项才能行使。"})
    if power.category not in ENFORCEMENT_CATEGORIES:
        raise ValidationError({"power": "只有行政处罚、行政强制、行政检查类权力可以立案办理。"})
    if party_type not in ApplicantType.values:
        raise ValidationError({"party_type": "当事人类型无效。"})
    party_name = text(party_name, "party_name", "请填写当事人。")
    facts = text(facts, "facts", "请填写案情（违法事实）。")
    statutory_days = power.time_limit_days or DEFAULT_ENFORCEMENT_DAYS
    promised_days = min(power.promised_days or statutory_days, statutory_days)
    with transaction.atomic():
        statutory = workdays.deadline(c.today, statutory_days)
        promised = workdays.deadline(c.today, promised_days)
        case = Case(
            code=next_code(CODE_PREFIX[CaseKind.ENFORCEMENT], c.today), kind=CaseKind.ENFORCEMENT, power=power,
            department=power.department, applicant_name=party_name, applicant_type=party_type,
            applicant_id_number=(party_id_number or "").strip(), applicant_phone=(party_phone or "").strip(),
            description=facts, status=CaseStatus.ACCEPTED, submitted_at=c.now, created_by=by,
            accepted_on=c.today, accepted_by=by, statutory_days=statutory_days, promised_days=promised_days,
            due_on=statutory.due_on, promised_due_on=promised.due_on,
            due_provisional=statutory.provisional or promised.provisional,
        )  # fmt: skip
        case.save()
        enter_step(case, first_step(case), c=c)
        case.save()
        timing.start_case_timers(case, now=c.now)
        trail(case, EventKind.FILED, by, at=c.now, note=notes.filed(power.name, facts))
    return case


def decide_penalty(
    case: Case,
    *,
    by,
    standard: DiscretionStandard,
    fact,
    amount,
    reasons: str = "",
    collective_discussion_record: str = "",
    now=None,
) -> PenaltyDecision:
    """Decide a penalty at the decision step with the discretion calculator.

    ``fact`` is the circumstance the standard measures (e.g. area in m²); the calculator finds
    its band. An ``amount`` inside the band is accepted as it is; outside it the decision is
    refused unless ``reasons`` are stated and, when the standard requires collective discussion
    (the default), ``collective_discussion_record`` is given. Who: a holder of the decision step's
    post or its B post. Refuses an application case, a standard of another power, and
    everything ``decide_case`` refuses.
    """
    c = clock(now)
    reasons = (reasons or "").strip()
    record = (collective_discussion_record or "").strip()
    with transaction.atomic():
        case = lock(case)
        if case.kind != CaseKind.ENFORCEMENT:
            raise ValidationError("只有执法办件可以作出处罚决定。")
        if standard.power_id != case.power_id:
            raise ValidationError({"standard": "裁量基准不属于本案适用的权力事项。"})
        calculation = calculate(standard.bands.all(), fact)
        value = to_decimal(amount, "amount")
        if value < 0:
            raise ValidationError({"amount": "金额不能为负数。"})
        band = calculation.band
        outside = not calculation.allows(value)
        if outside:
            errors = {}
            low, high = calculation.amount_range
            where = f"决定金额 {value} 超出裁量基准（{band.severity}：{low}–{high}{standard.amount_unit}）"
            if not reasons:
                errors["reasons"] = f"{where}，必须说明理由。"
            if standard.requires_collective_discussion and not record:
                errors["collective_discussion_record"] = f"{where}，必须附集体讨论记录。"
            if errors:
                raise ValidationError(errors)
        before = snapshot(case)
        basis = reasons or notes.penalty_basis(standard.title, band.severity)
        post, _backup = finish_decision_step(case, by=by, opinion=basis, c=c)
        legal_basis = str(standard.article) if standard.article_id else ""
        record_decision(case, by=by, decision=Decision.IMPOSE, reason=basis, legal_basis=legal_basis, c=c)
        penalty = PenaltyDecision.objects.create(
            case=case, standard=standard, fact=calculation.fact, band_order=band.order, band_severity=band.severity,
            band_amount_min=band.amount_min, band_amount_max=band.amount_max, amount=value, outside_band=outside,
            reasons=reasons, collective_discussion_record=record, decided_by=by, decided_at=c.now,
        )  # fmt: skip
        open_disclosure(case, by=by, c=c)
        note = notes.penalty(standard, calculation.fact, band.severity, value, outside=outside)
        trail(case, EventKind.PENALTY, by, at=c.now, before=before, note=note, post=post)
    return penalty
