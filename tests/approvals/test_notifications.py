"""Notices to the applicant: written with the verb, sent later by the outbox, never lost."""

import pytest
from rest_framework.test import APIClient

from approvals import notifications, services
from approvals.choices import CaseStatus, NotificationEvent, NotificationStatus
from approvals.models import Case, CaseMaterial, Notification
from portal import outbox
from portal.models import OutboxMessage, OutboxStatus
from tests.approvals.factories import at, pdf
from tests.approvals.factories import centre as build_centre


@pytest.mark.django_db
def test_acceptance_writes_the_notice_and_queues_its_sms_in_the_verb(centre, monkeypatch):
    sent = []
    monkeypatch.setattr(outbox, "send_sms", lambda phone, text: sent.append((phone, text)))
    case, _ = centre.apply()
    services.accept_case(case, by=centre.clerk, now=at(2025, 3, 3, 10))
    notification = Notification.objects.get(case=case)
    assert (
        notification.event == NotificationEvent.ACCEPTED and notification.status == NotificationStatus.PENDING
    )
    assert notification.recipient == "138****8000" and "2025-03-31" in notification.text
    message = OutboxMessage.objects.get(kind=notifications.KIND)
    assert message.recipient == "13800138000" and message.payload["notification"] == notification.pk
    assert not sent  # nothing is sent inside the request

    assert outbox.deliver_pending() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert sent == [("13800138000", notification.text)]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.sent_at is not None
    # Once per case and event: a second notice of the same event queues nothing.
    notifications.notify(case, NotificationEvent.ACCEPTED)
    assert OutboxMessage.objects.count() == 1 and Notification.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_no_phone_is_skipped(centre):
    case, _ = centre.apply(applicant_phone="")
    services.refuse_intake(case, by=centre.clerk, reason="不属于本机关职权")
    assert Notification.objects.get(case=case).status == NotificationStatus.SKIPPED
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_loses_nothing_and_the_sms_goes_once_it_is_back(monkeypatch, settings):
    """A real commit and a gateway that fails twice, then succeeds: the case is stored, one SMS sent once."""
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    centre = build_centre()
    calls = []

    def flaky_gateway(phone, text):
        calls.append(phone)
        if len(calls) <= 2:
            raise ConnectionError("SMS gateway unreachable")

    monkeypatch.setattr(outbox, "send_sms", flaky_gateway)
    api = APIClient()
    data = {"item": centre.item.code, "applicant_name": "张三", "applicant_phone": "13800138000"}
    data[f"material_{centre.required.pk}"] = pdf()
    created = api.post("/api/v1/cases/", data, format="multipart")
    assert created.status_code == 201
    code = created.json()["code"]
    api.force_authenticate(centre.clerk)
    assert api.post(f"/api/v1/cases/{code}/accept/").status_code == 200

    case = Case.objects.get(code=code)
    assert case.status == CaseStatus.ACCEPTED and case.due_on is not None
    assert CaseMaterial.objects.filter(case=case).count() == 1
    assert case.steps.count() == 1 and case.events.filter(kind="accepted").exists()

    assert outbox.deliver_pending()["retry"] == 1
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING and "unreachable" in message.last_error
    assert Notification.objects.get(case=case).status == NotificationStatus.PENDING
    assert outbox.deliver_pending()["retry"] == 1
    assert outbox.deliver_pending()["sent"] == 1
    assert outbox.deliver_pending() == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    assert calls == ["13800138000"] * 3  # two failures, one success, nothing after
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 3 and not message.last_error
    assert Notification.objects.get(case=case).status == NotificationStatus.SENT
