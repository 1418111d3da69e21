"""Notices to the applicant (办件通知), through the kernel's outbox.

``notify(case, event)`` runs inside the verb's transaction: it writes the case's ``Notification``
row (one per case and event) and, when the applicant gave a phone number, an outbox message. Both
commit with the verb or not at all; the outbox's periodic task sends the SMS later, with retries,
and marks the notification sent (or failed after the last attempt). Nothing here talks to the
gateway or the Celery broker while the applicant waits.
"""

from django.utils import timezone

from portal import outbox

from .choices import CaseKind, NotificationChannel, NotificationEvent, NotificationStatus
from .models import Case, Notification

KIND = "approvals.sms"

MESSAGES = {
    NotificationEvent.ACCEPTED: "您申请的「{title}」已受理，办件编号{code}，法定办结日期{due_on}，承诺办结日期{promised_due_on}。",
    NotificationEvent.CORRECTION_REQUESTED: "您申请的「{title}」（{code}）需补正材料：{missing}。请补齐后再次提交。",
    NotificationEvent.REJECTED: "您申请的「{title}」（{code}）不予受理，理由：{reason}。",
    NotificationEvent.DECIDED: "您申请的「{title}」（{code}）已作出决定：{decision}。",
    NotificationEvent.COMPLETED: "您申请的「{title}」（{code}）已办结，欢迎对本次服务进行满意度评议。",
}


def compose(case: Case, event: str) -> str:
    correction = case.corrections.order_by("-issued_at").first()
    return MESSAGES[event].format(
        title=case.title,
        code=case.code,
        due_on=case.due_on or "—",
        promised_due_on=case.promised_due_on or "—",
        missing=str(correction) if correction else "—",
        reason=case.decision_reason or "—",
        decision=case.get_decision_display() or "—",
    )


def notify(case: Case, event: str) -> Notification | None:
    """Record the applicant's notice of ``event`` and queue its SMS, inside the verb's transaction.

    Once per case and event (a second call changes nothing); enforcement cases and sub-cases have
    no applicant to tell.
    """
    if case.kind != CaseKind.APPLICATION or case.parent_id is not None:
        return None
    channel = NotificationChannel.SMS if case.applicant_phone else NotificationChannel.NONE
    notification, created = Notification.objects.get_or_create(
        case=case,
        event=event,
        defaults={
            "channel": channel,
            "recipient": case.masked_phone,
            "text": compose(case, event),
            "status": NotificationStatus.PENDING
            if channel == NotificationChannel.SMS
            else NotificationStatus.SKIPPED,
        },
    )
    if created and channel == NotificationChannel.SMS:
        outbox.enqueue(
            KIND,
            case.applicant_phone,
            notification.text,
            {"notification": notification.pk, "case": case.code},
        )
    return notification


def _send(message) -> None:
    outbox.send_sms(message.recipient, message.body)


def _sent(message) -> None:
    Notification.objects.filter(pk=message.payload.get("notification")).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), error=""
    )


def _failed(message) -> None:
    Notification.objects.filter(pk=message.payload.get("notification")).update(
        status=NotificationStatus.FAILED, error=message.last_error
    )


outbox.register(KIND, _send, on_sent=_sent, on_failed=_failed)
