"""The outbox: messages are rows committed with the verb, delivered later by a periodic task.

A verb calls ``enqueue(kind, recipient, body, payload)`` inside its own transaction: the message
exists exactly when the verb's change does, and nothing talks to a gateway (or to the Celery
broker) while a citizen waits. ``deliver_pending`` (Celery beat every minute,
``manage.py deliver_outbox``) sends what is due:

- a row is *claimed* by compare-and-set — ``UPDATE … SET attempts = n + 1, next_attempt_at =
  now + lease WHERE id = … AND status = 'pending' AND attempts = n`` — so two workers never send
  one message twice; a worker killed after claiming leaves the row to be retried after the lease;
- the sender runs outside any transaction; success marks the row sent;
- a failure keeps the row pending with ``last_error`` and the next attempt after an exponential
  backoff (``OUTBOX_RETRY_BASE_SECONDS`` · 2^(attempts−1), capped at an hour);
- after ``OUTBOX_MAX_ATTEMPTS`` the row is marked failed, shown in the admin (待发消息), and the
  kind's ``on_failed`` hook runs.

Each kind has one sender, registered by the app that owns it (``@outbox.sender("approvals.sms")``
in that app's ``outbox.py`` or ``tasks.py``, imported by its AppConfig). Inspired by Healthchecks'
``Flip`` rows processed by ``sendalerts``.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from . import rows
from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Kind:
    send: Callable[[OutboxMessage], None]
    on_sent: Callable[[OutboxMessage], None] | None = None
    on_failed: Callable[[OutboxMessage], None] | None = None


_kinds: dict[str, Kind] = {}


def send_sms(phone: str, text: str) -> None:
    """The SMS gateway. None is configured: messages are recorded, not sent (replace to connect one)."""


def register(kind: str, send, *, on_sent=None, on_failed=None) -> None:
    """Register the sender of ``kind`` (raise to fail; return to succeed) and its optional hooks."""
    _kinds[kind] = Kind(send=send, on_sent=on_sent, on_failed=on_failed)


def enqueue(kind: str, recipient: str = "", body: str = "", payload: dict | None = None) -> OutboxMessage:
    """Store a message to send once the caller's transaction commits (call it inside the verb)."""
    return rows.insert(OutboxMessage(kind=kind, recipient=recipient, body=body, payload=payload or {}))


def max_attempts() -> int:
    return getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base · 2^(attempts−1), at most an hour."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 60)
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_pending(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the pending messages that are due; returns counts of sent, retried, failed and skipped."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )[:limit]
    )
    for message in due:
        counts[deliver(message, now=now)] += 1
    return counts


def deliver(message: OutboxMessage, *, now: datetime | None = None) -> str:
    """Claim ``message`` by compare-and-set, send it, and record the outcome."""
    now = now or timezone.now()
    attempt = message.attempts + 1
    claimed = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.PENDING, attempts=message.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return "skipped"  # another worker has it (or had it)
    message.attempts = attempt
    kind = _kinds.get(message.kind)
    try:
        if kind is None:
            raise LookupError(f"no sender registered for {message.kind!r}")
        kind.send(message)
    except Exception as exc:  # noqa: BLE001 — any gateway failure is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        final = attempt >= max_attempts()
        OutboxMessage.objects.filter(pk=message.pk, attempts=attempt).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            last_error=error,
            next_attempt_at=now + backoff(attempt),
        )
        logger.warning("outbox: %s #%s attempt %d failed: %s", message.kind, message.pk, attempt, error)
        if final:
            message.status, message.last_error = OutboxStatus.FAILED, error
            _hook(kind and kind.on_failed, message)
            return "failed"
        return "retry"
    OutboxMessage.objects.filter(pk=message.pk, attempts=attempt).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    message.status = OutboxStatus.SENT
    _hook(kind.on_sent, message)
    return "sent"


def _hook(hook, message: OutboxMessage) -> None:
    if hook is None:
        return
    try:
        hook(message)
    except Exception:  # noqa: BLE001 — the message's own outcome is already stored
        logger.exception("outbox: hook of %s #%s failed", message.kind, message.pk)
