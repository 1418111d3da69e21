"""Nothing a citizen submits is lost: not when the sending fails, not when the broker is down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import notifications, services, tasks
from complaints.models import Complaint
from portal import outbox


def test_a_failing_gateway_leaves_the_message_pending_then_sends_it_once(desk, monkeypatch, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    complaint, _ = desk.submit()
    calls = []

    def flaky(recipient, text):
        calls.append(text)
        if len(calls) <= 2:
            raise ConnectionError("gateway down")

    monkeypatch.setattr(outbox, "send_sms", flaky)
    now = timezone.now()
    assert outbox.deliver_pending(now=now)["retry"] == 1
    assert outbox.deliver_pending(now=now)["sent"] == 0  # backing off
    assert outbox.deliver_pending(now=now + timedelta(minutes=2))["retry"] == 1
    assert outbox.deliver_pending(now=now + timedelta(hours=1))["sent"] == 1
    assert outbox.deliver_pending(now=now + timedelta(days=1))["sent"] == 0
    message = notifications.messages_of(complaint).get()
    assert message.status == "sent" and message.attempts == 3 and len(calls) == 3
    assert complaint.code in message.body and message.recipient == "13800000000"


@pytest.mark.django_db(transaction=True)
def test_submission_survives_a_task_that_raises(desk, monkeypatch):
    complaint, secret = desk.submit()  # committed for real

    def explode(*args, **kwargs):
        raise RuntimeError("worker exploded")

    monkeypatch.setattr(outbox, "deliver_pending", explode)
    from portal.tasks import deliver_outbox

    with pytest.raises(RuntimeError):
        deliver_outbox.apply(throw=True).get()
    assert services.find(complaint.code, secret) == complaint
    assert notifications.messages_of(complaint).get().status == "pending"


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
    assert outbox.deliver_pending()["sent"] == 3


def test_the_nightly_task_anonymises(desk, settings):
    settings.COMPLAINTS_RETENTION_DAYS = 0
    complaint, _ = desk.closed(now=timezone.now() - timedelta(days=1))
    assert tasks.anonymise_expired.apply().get() >= 1
    complaint.refresh_from_db()
    assert complaint.anonymised_at and not complaint.reporter_name
