"""The demo shows every consequence: a barred unit, rectification reports, one overdue with its alarm."""

import io

import pytest

from monitoring.models import Alert
from performance import demo
from performance.choices import RectificationStatus, YearStatus
from performance.models import AppraisalYear, OnlineVote, Rectification, Result, SurveyResult
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def test_demo_years_and_consequences():
    portal_demo.seed("small", io.StringIO())
    demo.seed("small", io.StringIO())
    years = list(AppraisalYear.objects.order_by("year"))
    assert [y.status for y in years] == [YearStatus.PUBLISHED, YearStatus.PUBLISHED, YearStatus.OPEN]
    assert years[0].series.count() == years[1].series.count() == 5 and years[2].series.count() == 5
    assert Result.objects.filter(year=years[1], award_eligible=False).exists()
    assert Rectification.objects.filter(result__year=years[1]).count() >= 3
    assert (
        Rectification.objects.filter(result__year=years[0], status=RectificationStatus.ACCEPTED).count() >= 3
    )
    late = Rectification.objects.filter(result__year=years[1]).order_by("due_on").first()
    assert Alert.objects.filter(
        kind="overdue", target_id=str(late.pk), timer__purpose="appraisal_rectification"
    ).exists()
    assert OnlineVote.objects.filter(period__year=years[2]).exists() and SurveyResult.objects.exists()
    demo.seed("small", io.StringIO())  # runs once
    assert AppraisalYear.objects.count() == 3
