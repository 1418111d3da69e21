"""The demo history (历史办件导入): consistent rows, realistic shares, reproducible, imported once."""

import io
import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from approvals import demo
from approvals.choices import CaseKind, CaseStatus, Decision
from approvals.demo import history as demo_history
from approvals.efficiency import Period, totals
from approvals.models import Case, CaseEvent, FeePayment, Suspension
from approvals.services.common import next_code
from monitoring import dashboard
from monitoring.choices import AlertKind, AlertState
from monitoring.models import Alert, Timer
from monitoring.timers import run_sweep
from portal import workdays
from portal.models import AuditEvent

CODE = re.compile(r"^(SP|ZF)(\d{8})(\d{6})$")


def history_cases():
    ids = CaseEvent.objects.filter(note__endswith=demo_history.MARK).values("case_id")
    return Case.objects.filter(pk__in=ids).select_related("item", "department")


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_history_is_consistent_realistic_reproducible_and_imported_once(seeded):
    cases = list(history_cases())
    completed = [c for c in cases if c.status == CaseStatus.COMPLETED]
    running = [c for c in cases if c.status != CaseStatus.COMPLETED]
    assert 600 <= len(cases) <= 1500 and "history:" in seeded
    first = min(c.accepted_on for c in cases)
    assert first <= timezone.localdate() - timedelta(days=390)  # about fourteen months

    # Shares: mostly on time, some early, 5–8% late, suspensions, green channel, enforcement with penalties.
    late = [c for c in completed if c.on_time is False]
    assert 0.04 <= len(late) / len(completed) <= 0.09
    assert sum(c.working_days_used < c.promised_days for c in completed) > len(completed) / 4
    assert sum(c.green_channel for c in cases) >= 5
    assert sum(c.suspended_days > 0 for c in completed) >= 30
    enforcement = [c for c in completed if c.kind == CaseKind.ENFORCEMENT]
    assert len(enforcement) >= 20 and all(
        c.decision in (Decision.IMPOSE, Decision.NO_ACTION) for c in enforcement
    )
    assert FeePayment.objects.filter(case__in=completed).count() >= 10
    assert {c.status for c in running} >= {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.DECIDED}
    today = timezone.localdate()
    assert sum(c.due_on < today for c in running) >= 3  # overdue now
    assert Suspension.objects.filter(case__in=running, ended_at__isnull=True).exists()

    # Working days, limits and flags follow the verbs' arithmetic.
    for case in completed:
        done = timezone.localdate(case.completed_at)
        used = workdays.working_days_between(case.accepted_on, done) - case.suspended_days
        assert case.working_days_used == used, case.code
        assert case.on_time == (done <= case.due_on)
        assert case.promised_on_time == (done <= case.promised_due_on)
        assert case.due_on == _due(case)
    ledgers = Suspension.objects.filter(case__in=completed).values_list("case_id", "started_on", "ended_on")
    for case_id, started_on, ended_on in ledgers:
        case = next(c for c in completed if c.pk == case_id)
        assert workdays.working_days_between(started_on, ended_on) == case.suspended_days

    # Every case has its statutory timer; late ones their alarm, near ones their reminder.
    content_type = ContentType.objects.get_for_model(Case)
    timers = {int(t.target_id): t for t in Timer.objects.filter(purpose="case", target_type=content_type)}
    alerts = {}
    for alert in Alert.objects.filter(target_type=content_type, rule="timer", timer__purpose="case"):
        alerts.setdefault(int(alert.target_id), {})[alert.kind] = alert
    for case in cases:
        timer = timers[case.pk]
        assert timer.department_id == case.department_id and timer.started_at.date() <= case.accepted_on
        assert timer.due_at == workdays.end_of_working_day(case.due_on)
        assert timer.stopped_at == case.completed_at
        kinds = alerts.get(case.pk, {})
        assert (timer.alarmed_at is not None) == (AlertKind.OVERDUE in kinds), case.code
        assert (timer.reminded_at is not None) == (AlertKind.REMINDER in kinds), case.code
        if case.on_time is False:
            assert AlertKind.OVERDUE in kinds and AlertKind.REMINDER in kinds
        if case.status == CaseStatus.COMPLETED:
            assert (
                kinds.get(AlertKind.REMINDER) is None
                or kinds[AlertKind.REMINDER].state == AlertState.RESOLVED
            )
    old = timezone.now() - timedelta(days=60)
    old_alarms = [alerts[c.pk][AlertKind.OVERDUE] for c in late if c.completed_at < old]
    assert old_alarms and all(a.state == AlertState.RESOLVED for a in old_alarms)
    assert any(
        AlertKind.OVERDUE in alerts.get(c.pk, {}) and alerts[c.pk][AlertKind.OVERDUE].state == AlertState.OPEN
        for c in running
    )

    # Codes: the verbs' format, unique, and every day's sequence is past the codes imported on it.
    days = set()
    for case in cases:
        prefix, day, _number = CODE.match(case.code).groups()
        days.add((prefix, timezone.datetime.strptime(day, "%Y%m%d").date()))
    following = {next_code(prefix, day) for prefix, day in days}
    assert len(following) == len(days) and not Case.objects.filter(code__in=following).exists()

    # The anomaly rules (run by the monitoring demo) and the sweep find nothing in the history.
    history = {str(c.pk) for c in cases}
    assert not Alert.objects.filter(kind=AlertKind.ANOMALY, target_id__in=history).exists()
    before = Alert.objects.filter(timer__purpose="case", target_id__in=history).count()
    run_sweep()
    assert Alert.objects.filter(timer__purpose="case", target_id__in=history).count() == before

    # The dashboard and the efficiency analysis have real figures.
    figures = dashboard.figures()
    assert all(n > 0 for n in figures["trends"]["monthly"]["accepted"])
    assert figures["periods"]["year"]["completed"] > 300 and figures["now"]["overdue"] > 0
    assert len(figures["top_departments"]) >= 3
    year = totals(Period(today.year))
    assert year.completed > 300 and year.reminders > 0 and year.alarms > 0 and year.suspension_days > 0

    # Imported once: one audit event; a second seed_demo and a second import change nothing.
    assert AuditEvent.objects.filter(verb=demo_history.VERB).count() == 1
    count = Case.objects.count()
    out = io.StringIO()
    assert demo_history.seed_history("small", out) is None and "already imported" in out.getvalue()
    demo.seed("small", out)
    call_command("seed_demo", "--if-empty", stdout=out)
    assert Case.objects.count() == count
    assert_plan_is_reproducible(len(cases))
    assert_archive_follows_the_verbs_rules()


def assert_archive_follows_the_verbs_rules():
    """The city-scale archive, at a tiny count: valid codes, the verbs' flags and timer rows."""
    from approvals.demo import archive
    from approvals.services.common import next_case_numbers
    from approvals.services.steps import working_days_used

    out = io.StringIO()
    before = Case.objects.count()
    counts = archive.seed_archive(out, count=60)
    assert counts["cases"] == counts["timers"] == 60 and "archive: 60 cases" in out.getvalue()
    cases = list(Case.objects.order_by("-pk")[:60])
    assert Case.objects.count() == before + 60
    assert all(CODE.match(c.code) and c.status == CaseStatus.COMPLETED for c in cases)
    for case in cases:
        assert case.due_on == workdays.deadline(case.accepted_on, case.statutory_days).due_on
        done = timezone.localdate(case.completed_at)
        assert case.on_time == (done <= case.due_on)
        assert case.working_days_used == working_days_used(case, done)
        timer = Timer.objects.get(target_id=str(case.pk), purpose="case")
        assert timer.stopped_at == case.completed_at and timer.next_fire_at is None
        if timer.alarmed_at is not None:
            assert case.on_time is False
            assert Alert.objects.get(timer=timer, kind=AlertKind.OVERDUE).state == AlertState.RESOLVED
    # The day's number series moved past the block: the next code of that day does not collide.
    case = cases[0]
    prefix, day = case.code[:2], case.accepted_on
    assert next_case_numbers(prefix, day, 1)[0] > int(case.code[-6:])
    # Imported once.
    assert archive.seed_archive(out, count=60) is None and Case.objects.count() == before + 60
    # Every case written in bulk (the history's and the archive's) is seen by its department's staff.
    from django.db.models import Exists, OuterRef

    from approvals.models import CaseAccess

    own = CaseAccess.objects.filter(case=OuterRef("pk"), department=OuterRef("department"))
    assert not Case.objects.filter(~Exists(own)).exists()


def _due(case):
    due = workdays.deadline(case.accepted_on, case.statutory_days).due_on
    return workdays.deadline(due, case.suspended_days).due_on if case.suspended_days else due


def assert_plan_is_reproducible(imported: int):
    """The same seed and the same day give the same history (who, when, how long, how it ended)."""
    out = io.StringIO()
    today = timezone.localdate()

    def summary():
        rng = random.Random(demo_history.SEED)
        routes = demo_history.routes(demo.Demo(out), rng)
        return [
            (p.route.title, p.route.department.code, p.accepted_on, p.used, p.suspension, p.green, p.negative)
            for p in demo_history.plan(routes, rng, today, "small")
        ]

    first = summary()
    assert first == summary()
    assert imported <= len(first) <= imported + 10  # only cases planned for later today are left out
    departments = Counter(row[1] for row in first)
    assert len(departments) >= 10 and max(departments.values()) < len(first) / 4  # not one desk
