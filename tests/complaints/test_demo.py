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


@pytest.mark.django_db
def test_city_history_is_imported_in_bulk_once_with_the_verbs_flags_and_one_audit_event():
    from complaints.models import ComplaintEvent
    from portal.models import AuditEvent

    out = io.StringIO()
    portal_demo.seed("small", out)
    desk = demo.Desk(demo.seed_categories())
    assert demo.seed_city(desk, out, total=300) == 300
    imported = Complaint.objects.filter(state=ComplaintState.CLOSED)
    assert imported.count() == 300
    assert len({c.code for c in imported}) == 300 and all(c.code.startswith("TS") for c in imported)
    assert not imported.filter(closed_on_time__isnull=True).exists()
    late = [c for c in imported if timezone.localdate(c.handled_at) > c.due_on]
    assert all(c.closed_on_time is False for c in late)
    assert all(c.handling_days is not None and c.accepted_on_time is not None for c in imported)
    assert ComplaintEvent.objects.filter(complaint__in=imported, verb="closure_approved").count() == 300
    event = AuditEvent.objects.get(verb=demo.CITY_VERB)
    assert event.after["complaints"] == 300
    assert demo.seed_city(desk, out, total=300) == 0  # imported once
    assert Complaint.objects.count() == 300
