"""Notifications run after commit, once per case and event, and never lose what a citizen submitted."""

import pytest
from rest_framework.test import APIClient

from approvals import services, tasks
from approvals.choices import CaseStatus, NotificationEvent, NotificationStatus
from approvals.models import Case, CaseMaterial, Notification
from portal.celery import app as celery_app
from tests.approvals.factories import at, pdf
from tests.approvals.factories import centre as build_centre


@pytest.fixture
def eager():
    """Run tasks inline and let their exceptions propagate, as a broken worker would raise."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.mark.django_db
def test_acceptance_notifies_once_after_commit(centre, eager, django_capture_on_commit_callbacks):
    case, _ = centre.apply()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.accept_case(case, by=centre.clerk, now=at(2025, 3, 3, 10))
    # (the other callback schedules the anomaly rules' check of the case)
    pending = [callback for callback in pending if callback.__name__ == "schedule_notification"]
    assert len(pending) == 1 and not Notification.objects.exists()  # nothing before commit
    pending[0]()
    notification = Notification.objects.get(case=case)
    assert notification.event == NotificationEvent.ACCEPTED and notification.status == NotificationStatus.SENT
    assert notification.recipient == "138****8000" and "2025-03-31" in notification.text
    assert tasks.notify_applicant(case.pk, NotificationEvent.ACCEPTED) == "already done"
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_no_phone_is_skipped_and_unknown_ids_ignored(centre, eager, django_capture_on_commit_callbacks):
    case, _ = centre.apply(applicant_phone="")
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse_intake(case, by=centre.clerk, reason="不属于本机关职权")
    assert Notification.objects.get(case=case).status == NotificationStatus.SKIPPED
    assert tasks.notify_applicant(999999, NotificationEvent.ACCEPTED) == "ignored"


@pytest.mark.django_db(transaction=True)
def test_failing_notification_task_loses_nothing(eager, monkeypatch, settings, tmp_path):
    """A real commit, a task that raises: the application, its materials and the acceptance all stay."""
    centre = build_centre()

    def broken_gateway(phone, message):
        raise ConnectionError("SMS gateway unreachable")

    monkeypatch.setattr(tasks, "send_sms", broken_gateway)
    api = APIClient()
    data = {"item": centre.item.code, "applicant_name": "张三", "applicant_phone": "13800138000"}
    data[f"material_{centre.required.pk}"] = pdf()
    created = api.post("/api/v1/cases/", data, format="multipart")
    assert created.status_code == 201
    code = created.json()["code"]

    api.force_authenticate(centre.clerk)
    accepted = api.post(f"/api/v1/cases/{code}/accept/")
    assert accepted.status_code == 200  # the task raised after commit; the request still succeeded

    case = Case.objects.get(code=code)
    assert case.status == CaseStatus.ACCEPTED and case.due_on is not None
    assert CaseMaterial.objects.filter(case=case).count() == 1
    assert case.steps.count() == 1 and case.events.filter(kind="accepted").exists()
    assert not Notification.objects.filter(case=case).exists()  # the failed task stored nothing half-way

    # Once the gateway is back, the same task (a retry) does the work, exactly once.
    monkeypatch.setattr(tasks, "send_sms", lambda phone, message: None)
    assert tasks.notify_applicant(case.pk, NotificationEvent.ACCEPTED) == NotificationStatus.SENT
    assert tasks.notify_applicant(case.pk, NotificationEvent.ACCEPTED) == "already done"
    assert Notification.objects.filter(case=case).count() == 1
