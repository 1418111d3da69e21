"""A real Celery worker on Redis runs the supervision sweep against PostgreSQL."""

import time
from datetime import timedelta

from django.utils import timezone

from monitoring import timers
from monitoring.models import Alert
from monitoring.tasks import sweep_timers
from tests.factories import DepartmentFactory


def _wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_sweep_raises_each_alert_once(celery_worker_process):
    dept = DepartmentFactory()
    now = timezone.now()
    timers.start(dept, purpose="case", due_at=now - timedelta(minutes=1), warn_at=now - timedelta(hours=1),
                 department=dept, label="overdue case")  # fmt: skip
    timers.start(dept, purpose="case_step:1", due_at=now + timedelta(days=1), warn_at=now - timedelta(minutes=5),
                 department=dept, label="step near its limit")  # fmt: skip

    first = sweep_timers.apply_async(queue=celery_worker_process)
    second = sweep_timers.apply_async(queue=celery_worker_process)
    assert first.id != second.id
    assert _wait_for(lambda: Alert.objects.filter(kind="overdue").exists()), "the worker never swept"
    # Give the second run time to finish, then check nothing was raised twice.
    assert _wait_for(lambda: Alert.objects.count() >= 2)
    time.sleep(1.5)
    kinds = sorted(Alert.objects.values_list("kind", flat=True))
    assert kinds.count("overdue") == 1
    assert kinds.count("reminder") >= 1
    assert len(kinds) == len(set(Alert.objects.values_list("timer_id", "kind")))
