"""Background work of the service centre. Tasks take ids and are idempotent.

``notify_applicant`` is scheduled by the verbs with ``transaction.on_commit`` (robust): it runs
only after the case is stored, and if it fails the case and everything the applicant handed in
stay as they are. A second run for the same case and event changes nothing (one Notification
per case and event, a unique constraint).
"""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .choices import NotificationChannel, NotificationEvent, NotificationStatus
from .models import Case, Notification

MESSAGES = {
    NotificationEvent.ACCEPTED: "您申请的「{title}」已受理，办件编号{code}，法定办结日期{due_on}，承诺办结日期{promised_due_on}。",
    NotificationEvent.CORRECTION_REQUESTED: "您申请的「{title}」（{code}）需补正材料：{missing}。请补齐后再次提交。",
    NotificationEvent.REJECTED: "您申请的「{title}」（{code}）不予受理，理由：{reason}。",
    NotificationEvent.DECIDED: "您申请的「{title}」（{code}）已作出决定：{decision}。",
    NotificationEvent.COMPLETED: "您申请的「{title}」（{code}）已办结，欢迎对本次服务进行满意度评议。",
}


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


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


def send_sms(phone: str, message: str) -> None:
    """The SMS gateway. None is configured: messages are recorded, not sent (replace to connect one)."""


@shared_task(name="approvals.tasks.notify_applicant", acks_late=True)
def notify_applicant(case_id: int, event: str) -> str:
    """Record (and hand to the SMS gateway) the applicant's notice of ``event``; once per case and event."""
    with transaction.atomic():
        case = Case.objects.select_related("item", "power").filter(pk=case_id).first()
        if case is None or event not in NotificationEvent.values:
            return "ignored"
        notification, _created = Notification.objects.select_for_update().get_or_create(
            case=case,
            event=event,
            defaults={
                "channel": NotificationChannel.SMS if case.applicant_phone else NotificationChannel.NONE,
                "recipient": mask_phone(case.applicant_phone),
                "text": compose(case, event),
            },
        )
        if notification.status in (NotificationStatus.SENT, NotificationStatus.SKIPPED):
            return "already done"
        if notification.channel == NotificationChannel.NONE:
            notification.status = NotificationStatus.SKIPPED
        else:
            send_sms(case.applicant_phone, notification.text)
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
        notification.save(update_fields=["status", "sent_at"])
    return notification.status
