"""The published doors: indicators for the appraisal, intake for complaints."""

from datetime import timedelta

from django.utils import timezone

from risks import indicators, intake, services
from risks.choices import InformationSource
from risks.models import RiskInformation
from tests.powers.factories import PowerFactory
from tests.risks.factories import RiskPointFactory


def _order(inspector, department, head, *, late: bool):
    info, _ = services.record_information(
        by=inspector, source="manual", title="t", content="c", department=department
    )
    services.assess_information(info, by=inspector, grade="C", assessment="a")
    issued = timezone.now() - timedelta(days=40) if late else timezone.now()
    order = services.issue_order(info, by=inspector, plan="p", deadline_days=2, now=issued)
    services.answer_order(order, by=head, rectification="r")
    return services.close_order(order, by=inspector)


def test_rectifications_on_time(inspector, department, head):
    _order(inspector, department, head, late=True)
    _order(inspector, department, head, late=False)
    today = timezone.localdate()
    assert indicators.rectifications_on_time(today - timedelta(days=1), today) == {department.pk: (1, 2)}
    assert indicators.rectifications_on_time(today - timedelta(days=9), today - timedelta(days=2)) == {}


def test_risk_points_confirmed(department):
    RiskPointFactory(power=PowerFactory(department=department), grade="A")
    assert indicators.risk_points_confirmed()[department.pk] == {"A": 1, "B": 0, "C": 0}


def test_complaint_intake_is_idempotent(department):
    first = intake.record_information(
        source="complaint",
        source_ref="42",
        title="举报窗口人员索要好处",
        content="群众来电",
        department=department,
    )
    again = intake.record_information(
        source="complaint", source_ref="42", title="x", content="y", department=department
    )
    assert first[2] is True and again == (first[0], first[1], False)
    info = RiskInformation.objects.get()
    assert info.source == InformationSource.COMPLAINT and info.recorded_by is None


def test_complaints_report_a_clue_through_the_door(inspector, department):
    """The call complaints.services.report_clue makes (by the office, back-dated)."""
    from datetime import datetime

    from django.utils import timezone as tz

    when = tz.make_aware(datetime(2026, 3, 2, 9))
    info_id, number, created = intake.record_information(
        by=inspector, source="complaint", title="t", content="c", department=department, power=None,
        source_ref="TS2026030200001", now=when,
    )  # fmt: skip
    assert created and number.startswith("廉信〔2026〕")
    assert RiskInformation.objects.get(pk=info_id).recorded_at == when
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        intake.record_information(source="complaint", title="t", content="c", department=None)
