"""The demo: every channel and state, a merged duplicate, a reopened one, an overdue one with its
alarm, and last month's report with all nine indicators and a grade for every department."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import demo, indicators
from complaints.choices import Channel, ComplaintState
from complaints.models import Complaint
from monitoring.models import Alert
from portal import demo as portal_demo


@pytest.mark.django_db
def test_demo_has_every_channel_and_state_and_a_full_report():
    out = io.StringIO()
    portal_demo.seed("small", out)
    demo.seed("small", out)
    assert set(Complaint.objects.values_list("state", flat=True)) == set(ComplaintState.values)
    assert set(Complaint.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Complaint.objects.filter(merged_into__isnull=False).count() == 1
    assert Complaint.objects.filter(reopen_count=1, state=ComplaintState.REOPENED).count() == 1
    overdue = Alert.objects.filter(kind="overdue", target_label__contains="低保审批长期无结果")
    assert overdue.count() == 1
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    rows = indicators.department_indicators(*indicators.month_bounds(last.year, last.month))
    departments = {
        c.handling_department_id for c in Complaint.objects.filter(handling_department__isnull=False)
    }
    assert departments <= set(rows)
    for row in rows.values():
        assert all(row[name] is not None for name in indicators.FIELDS), row
        assert row["grade"] in ("excellent", "qualified", "unqualified")
