import pytest
from rest_framework.test import APIClient

from complaints.choices import ComplaintState, Verb
from complaints.models import Complaint
from portal import roles
from tests.factories import UserFactory

API = "/api/v1/complaints/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_anonymous_submit_and_track(api, db):
    response = api.post(
        API, {"title": "窗口态度差", "matter": "工作人员不耐烦。", "reporter_contact": "13800001234"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("TS") and len(body["query_secret"]) == 8
    tracked = api.post(API + "track/", {"code": body["code"], "secret": body["query_secret"]})
    assert tracked.status_code == 200 and tracked.json()["state"] == ComplaintState.RECEIVED
    assert "13800001234" not in tracked.text
    wrong = api.post(API + "track/", {"code": body["code"], "secret": "WRONG234"})
    missing = api.post(API + "track/", {"code": "TS0", "secret": "WRONG234"})
    assert wrong.status_code == missing.status_code == 404 and wrong.json() == missing.json()


def test_anonymous_cannot_use_staff_channels_or_read(api, db):
    assert api.post(API, {"channel": "hotline", "title": "x", "matter": "y"}).status_code == 403
    assert api.get(API).status_code in (401, 403)


def test_bad_input_is_400(api, db):
    assert api.post(API, {"title": "", "matter": "y"}).status_code == 400
    assert api.post(API, {"title": "x", "matter": "y", "department": "NOPE"}).status_code == 400
    assert api.post(API, {"title": "x", "matter": "y", "reporter_contact": "<b>"}).status_code == 400


def test_verbs_as_actions_and_refusals(api, desk, inspector, handler, department):
    complaint, _ = desk.submit()
    url = f"{API}{complaint.code}/"
    as_user(api, handler)
    assert api.post(url + "classify/", {"category": desk.category.code}).status_code == 404  # not theirs yet
    as_user(api, inspector)
    assert api.post(url + "classify/", {"category": desk.category.code}).status_code == 200
    assert api.post(url + "forward/", {"department": department.code}).status_code == 200
    assert api.post(url + "forward/", {"department": department.code}).status_code == 403
    as_user(api, handler)
    assert api.post(url + "accept/").status_code == 200
    assert api.post(url + "accept/").status_code == 403
    assert api.post(url + "reply/", {"text": "已处理"}).status_code == 200
    assert api.post(url + "propose-closure/", {}).status_code == 200
    body = api.get(url).json()
    assert (
        body["state"] == ComplaintState.CLOSING
        and "王小明" not in str(body)
        and "13800000000" not in str(body)
    )
    assert api.post(url + "identity/").status_code == 403
    as_user(api, inspector)
    assert api.post(url + "approve-closure/", {}).json()["state"] == ComplaintState.CLOSED
    identity = api.post(url + "identity/")
    assert identity.json() == {"reporter_name": "王小明", "reporter_contact": "13800000000"}
    assert Complaint.objects.get(pk=complaint.pk).events.filter(verb=Verb.IDENTITY_VIEWED).count() == 1


def test_illegal_transition_is_409(api, desk, inspector):
    from complaints import services
    from portal.services import TransitionError

    complaint, _ = desk.closed()
    with pytest.raises(TransitionError):
        services._move(complaint, ComplaintState.ACCEPTED)


def test_citizen_rates_and_reopens_through_the_api(api, desk):
    complaint, secret = desk.closed()
    rated = api.post(API + "rate/", {"code": complaint.code, "secret": secret, "satisfaction": "basically"})
    assert rated.status_code == 200 and rated.json()["satisfaction"] == "basically"
    again = api.post(API + "rate/", {"code": complaint.code, "secret": secret, "satisfaction": "satisfied"})
    assert again.status_code == 403
    reopened = api.post(API + "reopen/", {"code": complaint.code, "secret": secret, "reason": "没解决"})
    assert reopened.status_code == 200 and reopened.json()["state"] == ComplaintState.REOPENED


def test_categories_and_indicators(api, desk, inspector, integrator, handler):
    desk.closed()
    assert api.get("/api/v1/complaint-categories/").json()[0]["code"] == desk.category.code
    assert api.get("/api/v1/complaint-indicators/?start=2020-01-01&end=2030-01-01").status_code in (401, 403)
    as_user(api, handler)
    assert api.get("/api/v1/complaint-indicators/?start=2020-01-01&end=2030-01-01").status_code == 403
    as_user(api, integrator)
    body = api.get("/api/v1/complaint-indicators/?start=2020-01-01&end=2030-01-01").json()
    row = body["departments"][0]
    assert (
        row["department"] == desk.department.code
        and row["completion_rate"] == 100.0
        and len(body["indicators"]) == 9
    )
    assert api.get("/api/v1/complaint-indicators/?start=2030-01-01&end=2020-01-01").status_code == 400
    assert api.get("/api/v1/complaint-indicators/?start=99999-01-01&end=2020-01-01").status_code == 400


def test_integrator_cannot_read_complaints(api, desk, integrator):
    desk.submit()
    as_user(api, integrator)
    assert api.get(API).status_code == 403


def test_department_list_shows_only_its_own(api, desk, other_department):
    mine, _ = desk.forwarded()
    desk.submit(title="别的")
    stranger = UserFactory(username="stranger", roles=[roles.DEPT_HEAD], department=other_department)
    as_user(api, stranger)
    assert api.get(API).json()["results"] == []
    as_user(api, desk.handler)
    codes = [row["code"] for row in api.get(API).json()["results"]]
    assert codes == [mine.code]
