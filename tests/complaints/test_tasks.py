"""Nothing a citizen submits is lost: not when the sending task fails, not when the broker is down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import services, tasks
from complaints.models import Complaint, ComplaintNotification


def test_a_failing_gateway_leaves_the_message_pending_then_sends_it_once(desk, monkeypatch):
    complaint, _ = desk.submit()
    calls = []

    def flaky(recipient, text):
        calls.append(text)
        if len(calls) <= 2:
            raise ConnectionError("gateway down")

    monkeypatch.setattr(tasks, "send_message", flaky)
    now = timezone.now()
    assert tasks.send_pending(now) == {"sent": 0, "failed": 1}
    assert tasks.send_pending(now) == {"sent": 0, "failed": 0}  # backing off
    assert tasks.send_pending(now + timedelta(minutes=2)) == {"sent": 0, "failed": 1}
    assert tasks.send_pending(now + timedelta(hours=1)) == {"sent": 1, "failed": 0}
    assert tasks.send_pending(now + timedelta(days=1)) == {"sent": 0, "failed": 0}
    note = ComplaintNotification.objects.get()
    assert note.state == "sent" and note.attempts == 3 and len(calls) == 3
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_gives_up_after_max_attempts(desk, monkeypatch):
    desk.submit()
    monkeypatch.setattr(tasks, "send_message", lambda r, t: 1 / 0)
    now = timezone.now()
    for day in range(tasks.MAX_ATTEMPTS):
        tasks.send_pending(now + timedelta(days=day))
    assert ComplaintNotification.objects.get().state == "failed"


@pytest.mark.django_db(transaction=True)
def test_submission_survives_a_task_that_raises(desk, monkeypatch):
    complaint, secret = desk.submit()  # committed for real

    def explode(now=None):
        raise RuntimeError("worker exploded")

    monkeypatch.setattr(tasks, "send_pending", explode)
    with pytest.raises(RuntimeError):
        tasks.send_pending_notifications.apply(throw=True).get()
    assert services.find(complaint.code, secret) == complaint
    assert ComplaintNotification.objects.get(complaint=complaint).state == "pending"


@pytest.mark.django_db(transaction=True)
def test_submission_never_touches_the_broker(desk, monkeypatch):
    """With the broker at a closed port (and any attempt to reach it failing), every submission is stored."""
    from portal.celery import app

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "connection_for_write", down)
    monkeypatch.setattr(app, "connection", down)
    complaints = [desk.submit()[0] for _ in range(3)]
    assert Complaint.objects.filter(pk__in=[c.pk for c in complaints]).count() == 3
    assert ComplaintNotification.objects.filter(state="pending").count() == 3
    assert tasks.send_pending()["sent"] == 3
