"""Enforcement cases: filing on a published power, the flowchart, and the discretion calculator."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals import services
from approvals.choices import CaseKind, CaseStatus, Decision, EventKind
from approvals.models import PenaltyDecision
from monitoring import timers
from portal.services import TransitionError
from powers.choices import Category, PowerStatus
from tests.approvals.factories import at, flowchart, penalty_power
from tests.factories import PostFactory, UserFactory
from tests.powers.factories import PowerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforcement(centre):
    officer_post = PostFactory(department=centre.department, code="ZF", name="执法岗")
    head_post = PostFactory(department=centre.department, code="FZR", name="负责人岗")
    power, standard = penalty_power(centre.department, [officer_post, head_post])
    officer = UserFactory(
        username="officer", roles=["dept_handler"], department=centre.department, posts=[officer_post]
    )
    chief = UserFactory(
        username="chief", roles=["dept_head"], department=centre.department, posts=[head_post]
    )
    return power, standard, officer, chief


def filed(enforcement, now=None):
    power, standard, officer, chief = enforcement
    case = services.open_enforcement_case(
        power,
        by=officer,
        party_name="某某便利店",
        facts="在店门外摆放货架占道经营",
        now=now or at(2025, 3, 3),
    )
    return services.advance_step(case, by=officer, opinion="现场勘验，占用面积 3 平方米", now=at(2025, 3, 5))


def test_open_enforcement_case_uses_default_limit(enforcement):
    power, _standard, officer, _chief = enforcement
    case = services.open_enforcement_case(
        power, by=officer, party_name="某店", facts="占道", now=at(2025, 3, 3)
    )
    assert case.kind == CaseKind.ENFORCEMENT and case.item is None
    assert case.code.startswith("ZF20250303")
    assert case.statutory_days == 90 and case.status == CaseStatus.ACCEPTED
    assert case.current_step.name == "调查取证"
    assert case.events.filter(kind=EventKind.FILED).exists()
    assert {t.purpose for t in timers.for_target(case)} >= {"case"}
    assert not case.query_secret_hash  # enforcement cases are not tracked by secret


def test_enforcement_uses_power_limit(centre, enforcement):
    _power, _standard, officer, _chief = enforcement
    power, _ = penalty_power(centre.department, [officer.staff_profile.posts.get(), None], time_limit_days=30)
    case = services.open_enforcement_case(
        power, by=officer, party_name="某店", facts="占道", now=at(2025, 3, 3)
    )
    # 20 working days to 31 March, then 1–3, 7–11, 14, 15 April (Qingming, 4 April, off).
    assert case.statutory_days == 30 and case.due_on == date(2025, 4, 15)


def test_enforcement_refusals(centre, enforcement):
    power, _standard, officer, _chief = enforcement
    with pytest.raises(PermissionDenied):
        services.open_enforcement_case(power, by=centre.other_staff, party_name="x", facts="y")
    with pytest.raises(ValidationError):
        services.open_enforcement_case(
            centre.power, by=officer, party_name="x", facts="y"
        )  # a licensing power
    draft = PowerFactory(department=centre.department, category=Category.PENALTY, status=PowerStatus.DRAFT)
    flowchart(draft, [("调查", None, 1)])
    with pytest.raises(ValidationError, match="已确认公布"):
        services.open_enforcement_case(draft, by=officer, party_name="x", facts="y")
    with pytest.raises(ValidationError):
        services.open_enforcement_case(power, by=officer, party_name="x", facts="  ")


def test_penalty_inside_band(enforcement):
    _power, standard, _officer, chief = enforcement
    case = filed(enforcement)
    penalty = services.decide_penalty(
        case, by=chief, standard=standard, fact="3", amount="300", now=at(2025, 3, 6)
    )
    assert penalty.band_severity == "一般" and not penalty.outside_band
    assert (penalty.band_amount_min, penalty.band_amount_max) == (Decimal("200"), Decimal("500"))
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.decision == Decision.IMPOSE
    assert case.events.filter(kind=EventKind.PENALTY).exists()
    assert services.complete_case(case, by=chief).status == CaseStatus.COMPLETED


def test_penalty_outside_band_needs_reasons_and_collective_record(enforcement):
    _power, standard, _officer, chief = enforcement
    case = filed(enforcement)
    with pytest.raises(ValidationError) as refused:
        services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="800")
    assert set(refused.value.message_dict) == {"reasons", "collective_discussion_record"}
    with pytest.raises(ValidationError) as refused:
        services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="800", reasons="多次违法")
    assert set(refused.value.message_dict) == {"collective_discussion_record"}
    with pytest.raises(ValidationError):
        services.decide_penalty(
            case, by=chief, standard=standard, fact="3", amount="800", collective_discussion_record="会议纪要"
        )
    assert not PenaltyDecision.objects.exists()
    assert case.steps.filter(finished_at__isnull=True).count() == 1  # nothing half-stored
    penalty = services.decide_penalty(
        case, by=chief, standard=standard, fact="3", amount="800", reasons="一年内第三次同类违法，从重处罚",
        collective_discussion_record="2025年3月6日局务会集体讨论同意",
    )  # fmt: skip
    assert penalty.outside_band


def test_penalty_without_collective_requirement_needs_reasons_only(enforcement):
    _power, standard, _officer, chief = enforcement
    standard.requires_collective_discussion = False
    standard.save()
    case = filed(enforcement)
    with pytest.raises(ValidationError):
        services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="10")
    penalty = services.decide_penalty(
        case, by=chief, standard=standard, fact="3", amount="10", reasons="主动改正"
    )
    assert penalty.outside_band


def test_penalty_refusals(centre, enforcement):
    power, standard, officer, chief = enforcement
    case = services.open_enforcement_case(power, by=officer, party_name="某店", facts="占道")
    with pytest.raises((TransitionError, PermissionDenied)):
        services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="300")  # a step left
    case = services.advance_step(case, by=officer)
    with pytest.raises(PermissionDenied):
        services.decide_penalty(case, by=officer, standard=standard, fact="3", amount="300")
    with pytest.raises(ValidationError):
        services.decide_penalty(case, by=chief, standard=standard, fact="-1", amount="300")
    with pytest.raises(ValidationError, match="裁量计算"):
        services.decide_case(case, by=chief, decision=Decision.IMPOSE)
    other_power, other_standard = penalty_power(centre.department, [None, None])
    with pytest.raises(ValidationError):
        services.decide_penalty(case, by=chief, standard=other_standard, fact="3", amount="300")
    application, _ = centre.decided()
    with pytest.raises(ValidationError):
        services.decide_penalty(application, by=centre.approver, standard=standard, fact="3", amount="300")


def test_no_penalty_decision_needs_reasons(enforcement):
    _power, _standard, _officer, chief = enforcement
    case = filed(enforcement)
    with pytest.raises(ValidationError):
        services.decide_case(case, by=chief, decision=Decision.NO_ACTION)
    case = services.decide_case(
        case,
        by=chief,
        decision=Decision.NO_ACTION,
        reason="违法行为轻微并及时改正",
        legal_basis="《行政处罚法》第三十三条",
    )
    assert case.decision == Decision.NO_ACTION
