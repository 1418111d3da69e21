"""The outbox (portal.outbox): committed rows, compare-and-set claims, backoff, failure after N tries."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal import outbox
from portal.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    """A test kind whose sender fails while ``fail`` is above zero, recording every call."""

    class Gateway:
        fail = 0
        calls: list = []
        failed: list = []
        sent: list = []

        def send(self, message):
            self.calls.append(message.pk)
            if self.fail:
                self.fail -= 1
                raise ConnectionError("gateway down")

    g = Gateway()
    g.calls, g.failed, g.sent = [], [], []
    outbox.register(
        "test.kind", g.send, on_sent=lambda m: g.sent.append(m.pk), on_failed=lambda m: g.failed.append(m.pk)
    )
    yield g
    outbox._kinds.pop("test.kind", None)


def test_a_message_rolls_back_with_its_verb(gateway):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("test.kind", "13800138000", "hello")
        raise RuntimeError("the verb fails")
    assert not OutboxMessage.objects.exists()


def test_fails_twice_then_succeeds_exactly_once_with_backoff(gateway):
    message = outbox.enqueue("test.kind", "13800138000", "hello", {"x": 1})
    gateway.fail = 2
    now = timezone.now()
    assert outbox.deliver_pending(now=now)["retry"] == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.last_error == "ConnectionError: gateway down"
    assert message.next_attempt_at == now + outbox.backoff(1)
    assert outbox.deliver_pending(now=now)["retry"] == 0  # not due before its backoff
    later = message.next_attempt_at
    assert outbox.deliver_pending(now=later)["retry"] == 1
    message.refresh_from_db()
    assert message.next_attempt_at == later + outbox.backoff(2) and outbox.backoff(2) == 2 * outbox.backoff(1)
    assert outbox.deliver_pending(now=message.next_attempt_at)["sent"] == 1
    assert outbox.deliver_pending(now=later + timedelta(days=1)) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert gateway.calls == [message.pk] * 3 and gateway.sent == [message.pk]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at and not message.last_error


def test_marked_failed_after_the_last_attempt(gateway, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    message = outbox.enqueue("test.kind", "x", "hello")
    gateway.fail = 99
    results = [outbox.deliver_pending() for _ in range(4)]
    assert [r["retry"] for r in results] == [1, 1, 0, 0] and results[2]["failed"] == 1
    message.refresh_from_db()
    assert (
        message.status == OutboxStatus.FAILED
        and message.attempts == 3
        and "gateway down" in message.last_error
    )
    assert gateway.failed == [message.pk] and len(gateway.calls) == 3


def test_a_claimed_message_is_not_sent_by_a_second_worker(gateway):
    """Compare-and-set on attempts: a worker holding a stale copy of the row skips it."""
    message = outbox.enqueue("test.kind", "x", "hello")
    stale = OutboxMessage.objects.get(pk=message.pk)
    assert outbox.deliver(message) == "sent"
    assert outbox.deliver(stale) == "skipped"
    assert gateway.calls == [message.pk]


def test_a_message_of_an_unknown_kind_stays_pending_with_its_error():
    message = outbox.enqueue("nobody.sends.this", "x", "hello")
    assert outbox.deliver_pending()["retry"] == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and "no sender registered" in message.last_error


def test_command_and_beat(gateway, capsys):
    from portal.celery import app

    outbox.enqueue("test.kind", "x", "hello")
    call_command("deliver_outbox")
    assert "sent: 1" in capsys.readouterr().out
    assert any(e["task"] == "portal.tasks.deliver_outbox" for e in app.conf.beat_schedule.values())


def test_admin_shows_failed_messages_masked(admin_user, client):
    OutboxMessage.objects.create(
        kind="approvals.sms",
        recipient="13800138000",
        body="您申请的",
        status=OutboxStatus.FAILED,
        last_error="boom",
    )
    client.force_login(admin_user)
    page = client.get("/admin/portal/outboxmessage/?status=failed")
    assert page.status_code == 200
    text = page.content.decode()
    assert "138****8000" in text and "13800138000" not in text and "boom" in text
