"""Background work of the complaint platform. Tasks take ids (or nothing) and are idempotent.

``send_pending_notifications`` is the outbox's sender: it claims pending messages with row locks
(``skip_locked``: two workers never send one message twice), hands each to the gateway, and marks it
sent; a gateway failure leaves it pending with a backoff (failed for good after MAX_ATTEMPTS). The
verbs commit the messages with the complaint, so a failed task, worker or broker loses nothing: the
next run (beat, every minute) sends what is pending.
"""

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .choices import NotificationState
from .models import ComplaintNotification

BATCH = 200
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (60, 300, 900, 3600, 6 * 3600)


def send_message(recipient: str, text: str) -> None:
    """The SMS/e-mail gateway. None is configured: messages are recorded, not sent (replace to connect)."""


def send_pending(now=None) -> dict:
    """Send what is due in the outbox; returns counts of sent and failed attempts."""
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        rows = list(
            ComplaintNotification.objects.select_for_update(skip_locked=True)
            .filter(state=NotificationState.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")[:BATCH]
        )
        for row in rows:
            row.attempts += 1
            try:
                send_message(row.recipient, row.text)
            except Exception as exc:  # noqa: BLE001 - any gateway error: try again later
                failed += 1
                row.last_error = str(exc)[:200]
                if row.attempts >= MAX_ATTEMPTS:
                    row.state = NotificationState.FAILED
                else:
                    delay = BACKOFF_SECONDS[min(row.attempts - 1, len(BACKOFF_SECONDS) - 1)]
                    row.next_attempt_at = now + timedelta(seconds=delay)
            else:
                sent += 1
                row.state, row.sent_at = NotificationState.SENT, now
            row.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"])
    return {"sent": sent, "failed": failed}


@shared_task(name="complaints.tasks.send_pending_notifications", acks_late=True)
def send_pending_notifications() -> dict:
    return send_pending()


@shared_task(name="complaints.tasks.anonymise_expired")
def anonymise_expired() -> int:
    from . import services

    return services.anonymise_expired()
