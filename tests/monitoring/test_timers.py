"""The public timer API: start, pause, resume, stop, reschedule, for_target."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from monitoring import timers
from monitoring.choices import TimerState
from monitoring.models import Timer, TimerPause
from tests.factories import DepartmentFactory


@pytest.mark.django_db
def test_start_creates_a_running_timer_that_fires_first_at_warn(target, start_timer, now, department):
    timer = start_timer(target, warn_in=24, due_in=48, label="", provisional=True)
    assert timer.state == TimerState.RUNNING
    assert timer.target_id == str(target.pk)
    assert timer.label == str(target)
    assert timer.department == department
    assert timer.provisional
    assert timer.next_fire_at == now + timedelta(hours=24)


@pytest.mark.django_db
def test_start_again_updates_the_active_timer(target, start_timer, now):
    first = start_timer(target, warn_in=24, due_in=48)
    second = start_timer(target, warn_in=None, due_in=72, label="新名称")
    assert second.pk == first.pk
    assert Timer.objects.count() == 1
    second.refresh_from_db()
    assert second.due_at == now + timedelta(hours=72)
    assert second.warn_at is None
    assert second.next_fire_at == second.due_at
    assert second.label == "新名称"


@pytest.mark.django_db
def test_purposes_are_independent_timers(target, start_timer):
    case = start_timer(target, "case")
    step = start_timer(target, "case_step:1")
    assert case.pk != step.pk
    assert list(timers.for_target(target)) == [case, step]


@pytest.mark.django_db
def test_the_database_allows_one_active_timer_per_purpose(target, start_timer):
    timer = start_timer(target)
    duplicate = Timer(
        target_type=timer.target_type, target_id=timer.target_id, purpose=timer.purpose, due_at=timer.due_at
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_naive_times_are_refused(target):
    with pytest.raises(ValueError):
        timers.start(target, purpose="case", due_at=datetime(2026, 1, 1), warn_at=None)


@pytest.mark.django_db
def test_pause_records_the_interval_and_stops_firing(target, start_timer):
    start_timer(target)
    timer = timers.pause(target, "case", reason="补正材料")
    assert timer.state == TimerState.PAUSED
    assert timer.next_fire_at is None
    assert TimerPause.objects.get(timer=timer).reason == "补正材料"
    again = timers.pause(target, "case", reason="再次")
    assert again.paused_at == timer.paused_at
    assert TimerPause.objects.filter(timer=timer).count() == 1


@pytest.mark.django_db
def test_resume_takes_the_new_limits_and_counts_paused_time(target, start_timer, now, time_machine):
    time_machine.move_to(now, tick=False)
    start_timer(target)
    timers.pause(target, "case", reason="专家评审")
    time_machine.move_to(now + timedelta(hours=30), tick=False)
    new_due = now + timedelta(hours=80)
    timer = timers.resume(target, "case", due_at=new_due, warn_at=new_due - timedelta(hours=10))
    assert timer.state == TimerState.RUNNING
    assert timer.paused_seconds == 30 * 3600
    assert timer.due_at == new_due
    assert timer.next_fire_at == new_due - timedelta(hours=10)
    pause = TimerPause.objects.get(timer=timer)
    assert pause.resumed_at == now + timedelta(hours=30)


@pytest.mark.django_db
def test_reschedule_moves_the_limits(target, start_timer, now):
    start_timer(target)
    timer = timers.reschedule(target, "case", due_at=now + timedelta(hours=5), warn_at=None)
    assert timer.next_fire_at == now + timedelta(hours=5)


@pytest.mark.django_db
def test_reschedule_of_a_paused_timer_keeps_it_paused(target, start_timer, now):
    start_timer(target)
    timers.pause(target, "case")
    timer = timers.reschedule(target, "case", due_at=now + timedelta(hours=5), warn_at=None)
    assert timer.state == TimerState.PAUSED
    assert timer.next_fire_at is None


@pytest.mark.django_db
def test_a_warning_at_or_after_the_limit_is_skipped(target, start_timer):
    timer = start_timer(target, warn_in=50, due_in=48)
    assert timer.next_fire_at == timer.due_at


@pytest.mark.django_db
def test_stop_ends_the_timer_and_a_new_one_may_start(target, start_timer):
    start_timer(target)
    timers.pause(target, "case")
    stopped = timers.stop(target, "case")
    assert stopped.state == TimerState.STOPPED
    assert stopped.next_fire_at is None
    assert TimerPause.objects.get(timer=stopped).resumed_at == stopped.stopped_at
    assert timers.stop(target, "case") is None
    fresh = start_timer(target)
    assert fresh.pk != stopped.pk
    assert timers.for_target(target).count() == 2


@pytest.mark.django_db
def test_start_and_stop_on_the_callers_clock(target, start_timer, now):
    """A verb acting at its own time (e.g. acceptance at 09:00) times from then, not from now."""
    accepted = now - timedelta(days=3)
    timer = start_timer(target, at=accepted)
    assert timer.started_at == accepted
    completed = now - timedelta(days=1)
    assert timers.stop(target, "case", at=completed).stopped_at == completed
    assert Timer.objects.get(pk=timer.pk).stopped_at == completed


@pytest.mark.django_db
def test_verbs_on_a_missing_timer_return_none(target, now):
    assert timers.pause(target, "case") is None
    assert timers.resume(target, "case", due_at=now, warn_at=None) is None
    assert timers.reschedule(target, "case", due_at=now, warn_at=None) is None
    assert timers.stop(target, "case") is None


@pytest.mark.django_db
def test_for_target_lists_only_that_target(target, start_timer):
    start_timer(target)
    other = DepartmentFactory(code="CASE2")
    start_timer(other)
    assert [t.target_id for t in timers.for_target(target)] == [str(target.pk)]


@pytest.mark.django_db
def test_import_past_leaves_what_the_sweep_would_have(target, now, department):
    """A bulk import of past timers: the sweep raised each reminder and alarm once, with its own texts."""
    from monitoring.choices import AlertKind, AlertState
    from monitoring.models import Alert
    from monitoring.timers import run_sweep

    late = timers.PastTimer(
        target=target, purpose="imported", label="ZZ-1 过期办件", department_id=department.pk,
        started_at=now - timedelta(days=10), warn_at=now - timedelta(days=4), due_at=now - timedelta(days=3),
        stopped_at=now - timedelta(days=1), alarm_state=AlertState.RESOLVED, alarm_closed_at=now,
        pause=(now - timedelta(days=6), now - timedelta(days=5), "暂停计时"),
    )  # fmt: skip
    running = timers.PastTimer(
        target=target, purpose="imported-2", label="ZZ-2 在办", department_id=department.pk, provisional=True,
        started_at=now - timedelta(days=2), warn_at=now - timedelta(hours=1), due_at=now + timedelta(days=2),
    )  # fmt: skip
    counts = timers.import_past([late, running], now=now)
    assert counts == {"timers": 2, "reminders": 2, "alarms": 1, "open_alerts": 1}
    alarm = Alert.objects.get(kind=AlertKind.OVERDUE)
    assert alarm.title == "超时报警：ZZ-1 过期办件" and alarm.state == AlertState.RESOLVED
    assert alarm.raised_at == late.due_at + timedelta(minutes=1)
    reminder = Alert.objects.get(kind=AlertKind.REMINDER, timer=running.timer)
    assert reminder.state == AlertState.OPEN and reminder.detail.endswith(
        "（期限暂定：含尚未录入法定节假日安排的年度）"
    )
    assert TimerPause.objects.get().timer == late.timer and late.timer.paused_seconds == 86400
    assert running.timer.next_fire_at == running.due_at
    before = Alert.objects.count()
    run_sweep(now=now)
    assert Alert.objects.count() == before  # nothing left for the sweep to raise
