"""API of the alert lifecycle, supervision notices and accountability: 403 / 400 / 409 and the happy paths."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring import timers
from monitoring.choices import RULE_NOTICE, AlertKind, AlertLevel, AlertState, NoticeStatus
from monitoring.models import AccountabilityRecord, Alert, SupervisionNotice
from monitoring.services import supervision
from portal import roles, workdays
from portal.models import ApiToken, AuditEvent
from portal.tokens import allows_write, issue_token
from tests.factories import UserFactory
from tests.monitoring.factories import AlertFactory

ALERTS = "/api/v1/alerts/"
NOTICES = "/api/v1/supervision-notices/"
RECORDS = "/api/v1/accountability/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user, scope=ApiToken.Scope.WRITE):
    if scope == ApiToken.Scope.WRITE and not allows_write(user):
        # Staff write through their signed-in session; write tokens are for integrators (portal.tokens).
        api.force_authenticate(user)
        return api
    _token, raw = issue_token(user, scope=scope)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api


@pytest.fixture
def other_head(other_department):
    return UserFactory(username="other_head", roles=[roles.DEPT_HEAD], department=other_department)


@pytest.fixture
def alert(department):
    return AlertFactory(
        department=department, kind=AlertKind.OVERDUE, level=AlertLevel.RED, title="超时报警：某办件"
    )


def notice_of(inspector, department, alert=None):
    return supervision.issue_notice(
        alert, department=department, title="督办", requirement="整改", deadline_days=5, by=inspector
    )


@pytest.mark.django_db
def test_lifecycle_actions(api, inspector, alert):
    as_user(api, inspector)
    response = api.post(f"{ALERTS}{alert.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "acknowledged"
    response = api.post(f"{ALERTS}{alert.pk}/resolve/", {"note": "已处理"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    response = api.post(f"{ALERTS}{alert.pk}/dismiss/", {"reason": "误报"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"


@pytest.mark.django_db
def test_dismiss_without_reason_is_400(api, inspector, alert):
    as_user(api, inspector)
    assert api.post(f"{ALERTS}{alert.pk}/dismiss/", {"reason": ""}, format="json").status_code == 400
    assert api.post(f"{ALERTS}{alert.pk}/dismiss/", {}, format="json").status_code == 400
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN
    assert api.post(f"{ALERTS}{alert.pk}/dismiss/", {"reason": "误报"}, format="json").status_code == 200


@pytest.mark.django_db
def test_resolving_a_dismissed_alert_is_409(api, inspector, department):
    alert = AlertFactory(department=department, state=AlertState.DISMISSED)
    as_user(api, inspector)
    response = api.post(f"{ALERTS}{alert.pk}/resolve/", {}, format="json")
    assert response.status_code == 409 and "不能变更为" in response.json()["detail"]


@pytest.mark.django_db
def test_department_staff_and_read_tokens_cannot_act(api, head, inspector, alert):
    as_user(api, head)  # sees the alert (own department) but may not handle it
    assert api.get(f"{ALERTS}{alert.pk}/").status_code == 200
    assert api.post(f"{ALERTS}{alert.pk}/acknowledge/", {}, format="json").status_code == 403
    as_user(api, inspector, scope=ApiToken.Scope.READ)
    assert api.post(f"{ALERTS}{alert.pk}/acknowledge/", {}, format="json").status_code == 403
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN
    api.credentials()
    assert api.post(f"{ALERTS}{alert.pk}/acknowledge/", {}, format="json").status_code in (401, 403)


@pytest.mark.django_db
def test_notify_issues_a_notice_to_the_alerts_department(api, inspector, alert, department):
    as_user(api, inspector)
    body = {"title": "请说明超期原因", "requirement": "三日内书面说明", "deadline_days": 3}
    response = api.post(f"{ALERTS}{alert.pk}/notify/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["department"] == department.code and data["alert"] == alert.pk
    assert data["number"].startswith(f"督〔{timezone.localdate().year}〕")
    assert Alert.objects.get(pk=alert.pk).state == AlertState.ACKNOWLEDGED
    response = api.post(f"{ALERTS}{alert.pk}/notify/", {**body, "deadline_days": None}, format="json")
    assert response.status_code == 400 and "deadline_days" in response.json()


@pytest.mark.django_db
def test_notice_flow_over_the_api(api, inspector, head, department):
    as_user(api, inspector)
    response = api.post(
        NOTICES,
        {"department": department.code, "title": "投诉督办", "requirement": "核查", "deadline_days": 2},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    notice = SupervisionNotice.objects.get(pk=pk)
    assert timers.for_target(notice).get(purpose=RULE_NOTICE).stopped_at is None
    assert api.post(f"{NOTICES}{pk}/close/", {}, format="json").status_code == 409
    assert api.post(f"{NOTICES}{pk}/answer/", {"answer": "我来答"}, format="json").status_code == 403
    as_user(api, head)
    assert api.get(NOTICES).json()["results"][0]["id"] == pk
    assert api.post(f"{NOTICES}{pk}/answer/", {"answer": ""}, format="json").status_code == 400
    response = api.post(f"{NOTICES}{pk}/answer/", {"answer": "已整改"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == NoticeStatus.ANSWERED
    assert api.post(f"{NOTICES}{pk}/close/", {}, format="json").status_code == 403
    as_user(api, inspector)
    assert api.post(f"{NOTICES}{pk}/return/", {"review_note": ""}, format="json").status_code == 400
    response = api.post(
        f"{NOTICES}{pk}/return/", {"review_note": "未落实责任", "deadline_days": 4}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == NoticeStatus.RETURNED
    expected = workdays.add_working_days(timezone.localdate(), 4)
    assert response.json()["deadline_on"] == expected.isoformat()
    response = api.post(f"{NOTICES}{pk}/withdraw/", {"reason": "已另行处理"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == NoticeStatus.WITHDRAWN
    verbs = set(AuditEvent.objects.for_object(notice).values_list("verb", flat=True))
    assert verbs == {f"monitoring.notice.{v}" for v in ("issued", "answered", "returned", "withdrawn")}


@pytest.mark.django_db
def test_other_departments_head_neither_sees_nor_answers(api, inspector, department, other_head):
    notice = notice_of(inspector, department)
    as_user(api, other_head)
    assert api.get(NOTICES).json()["results"] == []
    assert api.post(f"{NOTICES}{notice.pk}/answer/", {"answer": "x"}, format="json").status_code == 404


@pytest.mark.django_db
def test_other_departments_head_gets_403_from_the_verb(inspector, department, other_head):
    """The verb refuses on its own, whatever page or API called it."""
    with pytest.raises(PermissionDenied):
        supervision.answer_notice(notice_of(inspector, department), by=other_head, answer="x")


@pytest.mark.django_db
def test_clerk_cannot_issue(api, clerk, department):
    as_user(api, clerk)
    body = {"department": department.code, "title": "x", "requirement": "y", "deadline_days": 2}
    assert api.post(NOTICES, body, format="json").status_code == 403
    assert not SupervisionNotice.objects.exists()


@pytest.mark.django_db
def test_accountability_api(api, inspector, head, department, alert):
    as_user(api, inspector)
    body = {
        "department": department.code, "person": head.username, "person_title": "科长", "measure": "talk",
        "facts": "超期未办结", "decided_on": timezone.localdate().isoformat(), "alert": alert.pk,
    }  # fmt: skip
    response = api.post(RECORDS, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (
        data["measure_display"] == "约谈提醒" and data["person_name"] and data["recorded_by"] == "inspector"
    )
    assert api.post(RECORDS, {**body, "measure": "flogging"}, format="json").status_code == 400
    assert api.post(RECORDS, {**body, "person": None, "person_name": ""}, format="json").status_code == 400
    assert AccountabilityRecord.objects.count() == 1
    assert api.get(RECORDS, {"department": department.code}).json()["results"][0]["id"] == data["id"]
    assert api.put(f"{RECORDS}{data['id']}/", body, format="json").status_code == 405
    assert api.delete(f"{RECORDS}{data['id']}/").status_code == 405
    as_user(api, head)
    assert api.get(RECORDS).status_code == 403
    assert api.post(RECORDS, body, format="json").status_code == 403


@pytest.mark.django_db
def test_notice_list_query_count_does_not_grow(api, inspector, department, other_department):
    as_user(api, inspector)
    notice_of(inspector, department)
    api.get(NOTICES)
    with CaptureQueriesContext(connection) as few:
        assert api.get(NOTICES).status_code == 200
    for index in range(5):
        notice_of(inspector, other_department if index % 2 else department)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(NOTICES).json()["results"]) == 6
    assert len(many) == len(few)


@pytest.mark.django_db
def test_schema_names_the_new_enums(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    names = set(schema["components"]["schemas"])
    assert {"NoticeStatusEnum", "AccountabilityMeasureEnum"} <= names
    assert "/api/v1/supervision-notices/{id}/return/" in schema["paths"]


@pytest.mark.django_db
def test_inspectors_verbs_refuse_others_before_reading_the_body(api, head, alert):
    """A department head gets 403, not a list of field errors, for a verb that is not theirs."""
    as_user(api, head)
    assert api.post(NOTICES, {}, format="json").status_code == 403
    assert api.post(f"{ALERTS}{alert.pk}/dismiss/", {}, format="json").status_code == 403
    assert api.post(f"{ALERTS}{alert.pk}/notify/", {}, format="json").status_code == 403
