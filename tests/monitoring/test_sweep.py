"""The sweep: each reminder and alarm exactly once, nothing for paused or stopped timers."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from monitoring import timers
from monitoring.choices import AlertKind, AlertLevel, AlertState
from monitoring.models import Alert, SweepRun, Timer
from monitoring.services import sweep
from monitoring.tasks import sweep_timers
from monitoring.timers import run_sweep
from portal.models import AuditEvent
from tests.factories import DepartmentFactory


def kinds(timer):
    return sorted(Alert.objects.filter(timer=timer).values_list("kind", flat=True))


@pytest.mark.django_db
def test_reminder_then_alarm_each_exactly_once(target, start_timer, now, department):
    timer = start_timer(target, warn_in=1, due_in=2, label="营业执照 第1件", provisional=True)
    assert run_sweep(now).reminders == 0
    assert kinds(timer) == []

    result = run_sweep(now + timedelta(hours=1))
    assert (result.reminders, result.alarms) == (1, 0)
    reminder = Alert.objects.get(timer=timer)
    assert (reminder.kind, reminder.level, reminder.state) == (
        AlertKind.REMINDER,
        AlertLevel.YELLOW,
        AlertState.OPEN,
    )
    assert reminder.department == department
    assert reminder.target_id == str(target.pk) and reminder.target_label == "营业执照 第1件"
    assert "时限提示" in reminder.title and "暂定" in reminder.detail
    timer.refresh_from_db()
    assert timer.next_fire_at == timer.due_at and timer.reminded_at is not None

    assert run_sweep(now + timedelta(hours=1, minutes=30)).reminders == 0  # nothing new in between

    result = run_sweep(now + timedelta(hours=2))
    assert (result.reminders, result.alarms) == (0, 1)
    alarm = Alert.objects.get(timer=timer, kind=AlertKind.OVERDUE)
    assert alarm.level == AlertLevel.RED and "超时报警" in alarm.title
    timer.refresh_from_db()
    assert timer.next_fire_at is None and timer.alarmed_at is not None

    assert (run_sweep(now + timedelta(days=5)).reminders, run_sweep(now + timedelta(days=6)).alarms) == (0, 0)
    assert kinds(timer) == [AlertKind.OVERDUE, AlertKind.REMINDER]


@pytest.mark.django_db
def test_running_twice_changes_nothing(target, start_timer, now):
    start_timer(target, warn_in=1, due_in=2)
    later = now + timedelta(hours=1)
    run_sweep(later)
    alerts = list(Alert.objects.values())
    timer_rows = list(Timer.objects.values())
    second = run_sweep(later)
    assert (second.reminders, second.alarms) == (0, 0)
    assert list(Alert.objects.values()) == alerts
    assert [{**row, "updated_at": None} for row in Timer.objects.values()] == [
        {**row, "updated_at": None} for row in timer_rows
    ]


@pytest.mark.django_db
def test_a_timer_found_past_its_limit_gets_only_the_alarm(target, start_timer, now):
    timer = start_timer(target, warn_in=1, due_in=2)
    result = run_sweep(now + timedelta(hours=3))
    assert (result.reminders, result.alarms) == (0, 1)
    assert kinds(timer) == [AlertKind.OVERDUE]


@pytest.mark.django_db
def test_paused_and_stopped_timers_are_not_swept(target, start_timer, now):
    paused_target = DepartmentFactory(code="CASE2")
    start_timer(paused_target, warn_in=1, due_in=2)
    timers.pause(paused_target, "case")
    start_timer(target, warn_in=1, due_in=2)
    timers.stop(target, "case")
    result = run_sweep(now + timedelta(days=3))
    assert (result.reminders, result.alarms) == (0, 0)
    assert not Alert.objects.exists()
    # Resumed, it is swept again.
    timers.resume(paused_target, "case", due_at=now + timedelta(days=3), warn_at=None)
    assert run_sweep(now + timedelta(days=3)).alarms == 1


@pytest.mark.django_db
def test_stopping_resolves_the_reminder_but_keeps_the_alarm(target, start_timer, now):
    reminded = start_timer(target, "case_step:1", warn_in=1, due_in=2)
    alarmed = start_timer(target, "case", warn_in=None, due_in=1)
    run_sweep(now + timedelta(hours=1, minutes=30))
    timers.stop(target, "case_step:1")
    timers.stop(target, "case")
    reminder = Alert.objects.get(timer=reminded)
    assert reminder.state == AlertState.RESOLVED and reminder.closed_at is not None
    assert Alert.objects.get(timer=alarmed).state == AlertState.OPEN
    assert AuditEvent.objects.filter(verb="monitoring.alert.resolved").count() == 1


@pytest.mark.django_db
def test_an_alert_already_present_is_not_duplicated(target, start_timer, now):
    # As if an earlier sweep had inserted the alarm but not marked the timer: the constraint decides.
    timer = start_timer(target, warn_in=None, due_in=1)
    Alert.objects.create(
        kind=AlertKind.OVERDUE,
        level=AlertLevel.RED,
        target_type=timer.target_type,
        target_id=timer.target_id,
        timer=timer,
        title="earlier",
    )
    run_sweep(now + timedelta(hours=2))
    assert Alert.objects.filter(timer=timer).count() == 1
    timer.refresh_from_db()
    assert timer.next_fire_at is None


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_midway_loses_nothing_and_duplicates_nothing(target, start_timer, now, monkeypatch):
    timer = start_timer(target, warn_in=None, due_in=1)

    def die(*args, **kwargs):
        raise SystemExit("worker killed")

    # The process dies after the alerts were inserted, before the timers were marked.
    monkeypatch.setattr(type(Timer.objects.all()), "update", die)
    with pytest.raises(SystemExit):
        run_sweep(now + timedelta(hours=2))
    monkeypatch.undo()
    assert not Alert.objects.exists()  # the batch's insert was rolled back with it
    assert run_sweep(now + timedelta(hours=2)).alarms == 1
    assert run_sweep(now + timedelta(hours=3)).alarms == 0
    assert Alert.objects.filter(timer=timer).count() == 1


@pytest.mark.django_db
def test_sweep_batches_until_done(target, start_timer, now, monkeypatch):
    monkeypatch.setattr(sweep, "BATCH_SIZE", 2)
    for i in range(5):
        start_timer(DepartmentFactory(code=f"B{i}"), warn_in=None, due_in=1)
    assert run_sweep(now + timedelta(hours=2)).alarms == 5
    assert Alert.objects.count() == 5


@pytest.mark.django_db
def test_sweep_chunks_statements_under_the_parameter_limit(start_timer, now, monkeypatch):
    monkeypatch.setattr(connection.features, "max_query_params", 103)  # chunks of 3 ids
    for i in range(7):
        start_timer(DepartmentFactory(code=f"P{i}"), warn_in=1 if i % 2 else None, due_in=2 if i % 2 else 1)
    result = run_sweep(now + timedelta(hours=1, minutes=30))
    assert (result.reminders, result.alarms) == (3, 4)
    assert Alert.objects.count() == 7
    assert not Timer.objects.due(now + timedelta(hours=1, minutes=30)).exists()


@pytest.mark.django_db
def test_sweep_queries_do_not_grow_with_due_timers(start_timer, now):
    def queries_for(count, offset):
        for i in range(count):
            start_timer(DepartmentFactory(code=f"Q{offset + i}"), warn_in=None, due_in=1)
        with CaptureQueriesContext(connection) as ctx:
            assert run_sweep(now + timedelta(hours=2, seconds=offset)).alarms == count
        return len(ctx)

    assert queries_for(3, 0) == queries_for(30, 100)


@pytest.mark.django_db
def test_each_sweep_is_logged_and_audited_once_when_it_raised_something(target, start_timer, now):
    start_timer(target, warn_in=None, due_in=1)
    run_sweep(now)  # nothing due: logged, not audited
    run_sweep(now + timedelta(hours=2))
    assert SweepRun.objects.count() == 2
    event = AuditEvent.objects.get(verb="monitoring.sweep")
    assert event.after == {"reminders": 0, "alarms": 1}


@pytest.mark.django_db
def test_a_gap_in_sweeps_raises_one_stale_alarm(target, now, settings):
    settings.SWEEP_STALE_AFTER_SECONDS = 300
    run_sweep(now)
    assert not run_sweep(now + timedelta(seconds=200)).stale_alert
    result = run_sweep(now + timedelta(minutes=30))
    assert result.stale_alert
    alert = Alert.objects.get(kind=AlertKind.STALE_SWEEP)
    assert alert.level == AlertLevel.RED and "停滞" in alert.title
    assert not run_sweep(now + timedelta(minutes=31)).stale_alert
    assert Alert.objects.filter(kind=AlertKind.STALE_SWEEP).count() == 1


@pytest.mark.django_db
def test_command_and_task_run_the_sweep(target, start_timer, now, time_machine):
    start_timer(target, warn_in=None, due_in=1)
    time_machine.move_to(now + timedelta(hours=2))
    call_command("sweep")
    assert Alert.objects.filter(kind=AlertKind.OVERDUE).count() == 1
    assert sweep_timers.apply().get()["alarms"] == 0
    assert SweepRun.objects.count() == 2


# --- PostgreSQL: two sweeps at the same time ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("row_locks", [True, False], ids=["skip-locked", "constraint-only"])
def test_two_concurrent_sweeps_raise_each_alert_once(department, now, row_locks, monkeypatch):
    if not row_locks:
        # Both sweeps read the same due timers: only the unique constraint stands between them.
        monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kwargs: self)
    due = [DepartmentFactory(code=f"C{i}") for i in range(300)]
    for i, obj in enumerate(due):
        timers.start(
            obj,
            purpose="case",
            department=department,
            warn_at=now - timedelta(hours=2) if i % 2 else None,
            due_at=now + timedelta(hours=1) if i % 2 else now - timedelta(hours=1),
        )
    barrier = threading.Barrier(4)
    results, errors = [], []

    def sweeper():
        try:
            barrier.wait()
            results.append(run_sweep(now))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Alert.objects.count() == 300
    if row_locks:  # each timer was taken by exactly one sweep
        assert sum(r.reminders for r in results) == 150 and sum(r.alarms for r in results) == 150
    assert Alert.objects.filter(kind=AlertKind.REMINDER).count() == 150
    assert not Timer.objects.due(now).exists()
