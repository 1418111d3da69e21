"""The demo: service items from the seeded power list, cases in every state, alerts within one sweep."""

import io

import pytest

from approvals import demo
from approvals.choices import CaseStatus
from approvals.models import Case, PenaltyDecision, Rating, ServiceItem, Suspension
from monitoring.models import Alert
from monitoring.timers import run_sweep
from portal import demo as portal_demo
from powers import demo as powers_demo


@pytest.mark.django_db
def test_demo_has_every_state_and_sets_off_the_sweep():
    out = io.StringIO()
    portal_demo.seed("small", out)
    powers_demo.seed("small", out)
    demo.seed("small", out)
    assert ServiceItem.objects.filter(fees__isnull=False).exists()
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert (
        Case.objects.filter(green_channel=True).exists()
        and Case.objects.filter(parent__isnull=False).exists()
    )
    assert Suspension.objects.filter(ended_at__isnull=True).exists()
    assert Suspension.objects.filter(ended_at__isnull=False).exists()
    assert PenaltyDecision.objects.filter(outside_band=True).exclude(collective_discussion_record="").exists()
    assert Rating.objects.count() >= 3
    assert Case.objects.filter(on_time=False).exists()

    result = run_sweep()
    assert result.reminders > 0 and result.alarms > 0
    assert Alert.objects.filter(level="yellow").exists() and Alert.objects.filter(level="red").exists()

    demo.seed("small", out)  # a second run changes nothing
    assert "already seeded" in out.getvalue()
