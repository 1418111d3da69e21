"""One definition of due / near due / overdue / paused (approvals.due), used by every reader."""

from datetime import date, timedelta

import pytest

from approvals import due, services
from approvals.api.serializers import CaseSerializer
from approvals.choices import SuspensionKind
from approvals.models import Case
from approvals.views.common import mark_due
from portal import workdays
from tests.approvals.factories import at


@pytest.mark.django_db
def test_the_states_and_every_reader_agree(centre):
    case, _ = centre.accepted()  # accepted 2025-03-03
    due_on = case.due_on
    near_from = workdays.subtract_working_days(due_on, due.NEAR_WORKING_DAYS)
    for today, expected in [
        (due_on - timedelta(days=20), due.NONE),
        (near_from, due.NEAR),
        (due_on, due.NEAR),
        (due_on + timedelta(days=1), due.OVERDUE),
    ]:
        loaded = Case.objects.for_list().get(pk=case.pk)
        assert due.due_state(loaded, today=today) == expected, today
        assert loaded.is_overdue(today) == (expected == due.OVERDUE)
        assert CaseSerializer(loaded, context={"today": today}).data["overdue"] == (expected == due.OVERDUE)
        assert Case.objects.overdue(today).filter(pk=case.pk).exists() == (expected == due.OVERDUE)
        assert Case.objects.due_soon(today).filter(pk=case.pk).exists() == (expected != due.NONE)
        mark_due([loaded], today)
        assert loaded.due_state == expected

    services.suspend_case(
        case, by=centre.acceptor, kind=SuspensionKind.CORRECTION, reason="补正", now=at(2025, 3, 4)
    )
    late = due_on + timedelta(days=1)
    loaded = Case.objects.for_list().get(pk=case.pk)
    assert due.due_state(loaded, today=late) == due.PAUSED
    assert due.due_state(Case.objects.get(pk=case.pk), today=late) == due.PAUSED  # not annotated: one query
    assert not loaded.is_overdue(late) and not Case.objects.overdue(late).filter(pk=case.pk).exists()


def test_closed_cases_and_missing_dates_have_no_state():
    class Closed:
        status, due_on, is_suspended = "completed", date(2025, 1, 1), False

    class Unset:
        status, due_on, is_suspended = "accepted", None, False

    assert due.due_state(Closed(), today=date(2026, 1, 1)) == due.NONE
    assert due.due_state(Unset(), today=date(2026, 1, 1)) == due.NONE
