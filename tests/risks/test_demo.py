"""The risks demo: every grade and type, a warning of each colour, an order in each state, one overdue with its alarm."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType

from monitoring.choices import AlertKind
from monitoring.models import Alert
from portal import demo as portal_demo
from powers import demo as powers_demo
from risks import demo
from risks.choices import Grade, OrderStatus, RiskType, WarningLevel
from risks.models import DemocraticEvaluation, RiskPoint, SupervisionOrder, WarningNotice


@pytest.fixture
def seeded(django_capture_on_commit_callbacks, db):
    out = io.StringIO()
    portal_demo.seed("small", out)
    powers_demo.seed("small", out)
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed("small", out)
    return out.getvalue()


def test_demo_covers_grades_types_colours_states_and_the_overdue_alarm(seeded):
    assert set(RiskPoint.objects.values_list("grade", flat=True)) == set(Grade.values)
    assert set(RiskPoint.objects.values_list("risk_type", flat=True)) == set(RiskType.values)
    assert set(WarningNotice.objects.values_list("level", flat=True)) == set(WarningLevel.values)
    assert set(SupervisionOrder.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    overdue = [o for o in SupervisionOrder.objects.all() if o.is_overdue]
    assert len(overdue) == 1
    alarms = Alert.objects.filter(
        target_type=ContentType.objects.get_for_model(SupervisionOrder), target_id=str(overdue[0].pk)
    ).values_list("kind", flat=True)
    assert AlertKind.OVERDUE in alarms
    assert DemocraticEvaluation.objects.filter(flagged=True).exists()
    # and it runs once
    count = RiskPoint.objects.count()
    out = io.StringIO()
    demo.seed("small", out)
    assert RiskPoint.objects.count() == count and "already" in out.getvalue()
