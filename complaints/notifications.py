"""Messages to the reporter (投诉人通知), through the kernel's outbox.

A verb enqueues the message inside its own transaction (``portal.outbox.enqueue``): it exists
exactly when the verb's change does, nothing talks to a gateway or to the Celery broker while the
citizen waits, and the outbox's periodic task sends it later with retries. Anonymising a complaint
blanks the recipient of its messages too.
"""

from portal import outbox

KIND = "complaints.message"
MESSAGES = {
    "submitted": "您的投诉「{title}」已登记，编号{code}。请凭编号和查询密码查询办理进度。",
    "replied": "您的投诉（{code}）已有答复，请凭编号和查询密码查看。",
    "closure_approved": "您的投诉（{code}）已办结，欢迎对办理结果进行满意度评价。",
}


def notify(complaint, event: str) -> None:
    """Enqueue the reporter's message for ``event`` (none without a contact or a text for it)."""
    if not complaint.reporter_contact or event not in MESSAGES:
        return
    body = MESSAGES[event].format(title=complaint.title[:30], code=complaint.code)
    outbox.enqueue(KIND, complaint.reporter_contact, body, {"complaint": complaint.pk, "event": event})


def forget_recipient(complaint) -> int:
    """Blank the reporter's contact on every message of ``complaint`` (anonymisation)."""
    from portal.models import OutboxMessage

    return OutboxMessage.objects.filter(kind=KIND, payload__complaint=complaint.pk).update(recipient="")


def messages_of(complaint):
    from portal.models import OutboxMessage

    return OutboxMessage.objects.filter(kind=KIND, payload__complaint=complaint.pk)


def _send(message) -> None:
    if message.recipient:
        outbox.send_sms(message.recipient, message.body)


outbox.register(KIND, _send)
