"""/api/v1/service-items/, /api/v1/cases/ and /api/v1/enforcement-cases/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from approvals import services
from approvals.choices import CaseStatus
from approvals.models import Case
from portal.models import ApiToken
from portal.tokens import issue_token
from tests.approvals.factories import at, pdf
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def client(user=None):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def url(code="", action=""):
    path = "/api/v1/cases/"
    if code:
        path += f"{code}/"
    if action:
        path += f"{action}/"
    return path


# --- service items ----------------------------------------------------------------------------


def test_service_items_public_with_materials_fees_and_filters(centre):
    response = client().get("/api/v1/service-items/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["code"] == "FW-XK-SCJG-0001" and row["fee_total"] == "50.00"
    assert [m["name"] for m in row["materials"]] == ["营业执照", "委托书"]
    assert row["statutory_days"] == 20 and row["promised_days"] == 10
    for query, expected in [
        ("department=SCJG", 1), ("department=ZJJ", 0), (f"power={centre.power.code}", 1), ("is_online=false", 0),
    ]:  # fmt: skip
        assert len(client().get(f"/api/v1/service-items/?{query}").json()["results"]) == expected
    assert client().get("/api/v1/service-items/?is_online=perhaps").status_code == 400
    assert client().get("/api/v1/service-items/FW-XK-SCJG-0001/").json()["name"] == centre.item.name


def test_service_items_search(centre):
    from portal import search

    search.index(centre.item, centre.item.name)
    assert len(client().get("/api/v1/service-items/?q=经营").json()["results"]) == 1
    assert len(client().get("/api/v1/service-items/?q=建设").json()["results"]) == 0


# --- applying and tracking -------------------------------------------------------------------


def apply_online(centre, **extra):
    data = {"item": centre.item.code, "applicant_name": "张三", "applicant_phone": "13800138000"}
    data.update(extra)
    data[f"material_{centre.required.pk}"] = pdf()
    return client().post(url(), data, format="multipart")


def test_anonymous_online_application_returns_secret_once(centre):
    response = apply_online(centre)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == CaseStatus.SUBMITTED and len(body["query_secret"]) == 8
    assert body["missing_materials"] == []
    case = Case.objects.get(code=body["code"])
    assert case.materials.count() == 1
    detail = client(centre.clerk).get(url(case.code)).json()
    assert "query_secret" not in detail and body["query_secret"] not in str(detail)
    assert detail["applicant_id_number"] == ""


def test_the_item_read_for_an_application_is_the_active_item_with_its_power_and_materials(centre):
    """services.item_to_apply_for reads item, power and materials in one statement: the same data."""
    from approvals.models import Material

    last = Material.objects.create(item=centre.item, order=9, name="补充说明", required=True)
    with CaptureQueriesContext(connection) as queries:
        item = services.item_to_apply_for(f" {centre.item.code} ")
        names = [m.name for m in item.materials.all()]
        status, department = item.power.status, item.department_id
        missing = [m.name for m in item.materials.all() if m.required]
    assert len(queries) == 1
    assert names == [centre.required.name, centre.optional.name, last.name]
    assert status == centre.item.power.status and department == centre.item.department_id
    assert missing == [centre.required.name, last.name] and item.is_online is True
    Material.objects.filter(item=centre.item).delete()  # an item without materials is still found
    assert list(services.item_to_apply_for(centre.item.code).materials.all()) == []
    centre.item.is_active = False
    centre.item.save()
    response = client().post(url(), {"item": centre.item.code, "applicant_name": "张三"}, format="json")
    assert response.status_code == 400 and "item" in response.json()
    assert client().post(url(), {"applicant_name": "张三"}, format="json").status_code == 400


def test_anonymous_cannot_list_or_act(centre):
    case, _ = centre.apply()
    assert client().get(url()).status_code in (401, 403)
    assert client().get(url(case.code)).status_code in (401, 403)
    assert client().post(url(case.code, "accept")).status_code in (401, 403)


def test_application_refusals_are_400_and_store_nothing(centre):
    centre.item.is_online = False
    centre.item.save()
    assert apply_online(centre).status_code == 400
    assert client().post(url(), {"item": "NOPE", "applicant_name": "x"}).status_code == 400
    bad_field = client().post(
        url(), {"item": centre.item.code, "applicant_name": "x", "upload": pdf()}, format="multipart"
    )
    assert bad_field.status_code == 400
    assert not Case.objects.exists()


def test_track_wrong_secret_and_wrong_code_answer_identically(centre):
    body = apply_online(centre).json()
    ok = client().post(url(action="track"), {"code": body["code"], "secret": body["query_secret"]})
    assert ok.status_code == 200
    tracked = ok.json()
    assert tracked["status"] == CaseStatus.SUBMITTED and tracked["applicant"] == "张**"
    assert "applicant_phone" not in tracked and "events" not in tracked
    wrong_secret = client().post(url(action="track"), {"code": body["code"], "secret": "AAAA2222"})
    wrong_code = client().post(
        url(action="track"), {"code": "SP20990101000001", "secret": body["query_secret"]}
    )
    assert wrong_secret.status_code == wrong_code.status_code == 404
    assert wrong_secret.json() == wrong_code.json()


def test_tracking_shows_steps_posts_limits_and_suspensions(centre):
    case, secret = centre.accepted()
    services.suspend_case(
        case, by=centre.acceptor, kind="correction", reason="补充经营场所证明", now=at(2025, 3, 4)
    )
    tracked = client().post(url(action="track"), {"code": case.code, "secret": secret}).json()
    assert tracked["due_on"] == "2025-03-31" and tracked["promised_due_on"] == "2025-03-17"
    assert tracked["current_post"] == "受理岗" and tracked["steps"][0]["post"] == "受理岗"
    assert "handled_by" not in tracked["steps"][0]
    assert tracked["suspensions"][0]["kind_display"] == "申请人补正材料"


def test_tracking_is_throttled(centre):
    for _ in range(10):
        client().post(url(action="track"), {"code": "SP1", "secret": "X"})
    assert client().post(url(action="track"), {"code": "SP1", "secret": "X"}).status_code == 429


# --- the verbs as actions ---------------------------------------------------------------------


def test_full_case_through_the_api(centre):
    body = apply_online(centre).json()
    code, secret = body["code"], body["query_secret"]
    assert client(centre.clerk).post(url(code, "accept")).json()["status"] == CaseStatus.ACCEPTED
    assert client(centre.clerk).post(url(code, "accept")).status_code == 409
    step_id = centre.steps[0].pk
    response = client(centre.acceptor).post(url(code, "advance"), {"opinion": "齐全", "step": step_id})
    assert response.status_code == 200 and response.json()["current_step"] == "审查"
    assert client(centre.reviewer).post(url(code, "advance"), {"step": step_id}).status_code == 409
    client(centre.reviewer).post(url(code, "advance"), {"opinion": "符合"})
    assert client(centre.approver).post(url(code, "decide"), {"decision": "refuse"}).status_code == 400
    decided = client(centre.approver).post(url(code, "decide"), {"decision": "approve", "reason": "符合条件"})
    assert decided.json()["status"] == CaseStatus.DECIDED
    assert client(centre.clerk).post(url(code, "complete")).status_code == 409  # fee first
    fee = client(centre.clerk).post(url(code, "record-fee"), {"amount": "50.00", "receipt_no": "PJ001"})
    assert fee.json()["fee_payment"]["receipt_no"] == "PJ001"
    assert client(centre.clerk).post(url(code, "complete")).json()["status"] == CaseStatus.COMPLETED
    assert client().post(url(code, "rate"), {"secret": "AAAA2222", "score": 5}).status_code == 403
    assert (
        client().post(url(code, "rate"), {"secret": secret, "score": 5, "comment": "快"}).status_code == 200
    )
    assert client().post(url(code, "rate"), {"secret": secret, "score": 1}).status_code == 409
    detail = client(centre.inspector).get(url(code)).json()
    assert [e["kind"] for e in detail["events"]][:3] == ["submitted", "accepted", "step_done"]
    assert detail["rating"]["score"] == 5 and detail["on_time"] is True


def test_rate_unknown_code_answers_like_wrong_secret(centre):
    case, _ = centre.apply()
    unknown = client().post(url("SP20990101000009", "rate"), {"secret": "AAAA2222", "score": 5})
    wrong = client().post(url(case.code, "rate"), {"secret": "AAAA2222", "score": 5})
    assert unknown.status_code == wrong.status_code == 403 and unknown.json() == wrong.json()


def test_permission_and_visibility_errors(centre):
    case, _ = centre.accepted()
    assert client(centre.outsider).post(url(case.code, "advance")).status_code == 404  # not visible
    assert (
        client(centre.inspector).post(url(case.code, "advance")).status_code == 403
    )  # visible, not his post
    assert client(centre.reviewer).post(url(case.code, "advance")).status_code == 403
    backup = client(centre.backup).post(url(case.code, "advance"), {"opinion": "B岗代办"})
    assert backup.status_code == 200 and backup.json()["steps"][0]["acted_as_backup"] is True


def test_read_only_token_cannot_act(centre):
    case, _ = centre.apply()
    token, raw = issue_token(centre.clerk, name="只读", scope=ApiToken.Scope.READ)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get(url(case.code)).status_code == 200
    assert api.post(url(case.code, "accept")).status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_correction_cycle_through_the_api(centre):
    response = client().post(url(), {"item": centre.item.code, "applicant_name": "李四"}, format="multipart")
    body = response.json()
    assert body["missing_materials"] == ["营业执照"]
    code = body["code"]
    assert client(centre.clerk).post(url(code, "accept")).status_code == 400
    request = client(centre.clerk).post(
        url(code, "request-correction"), {"missing": [str(centre.required.pk), "身份证"]}
    )
    assert request.json()["status"] == CaseStatus.CORRECTION_REQUESTED
    files = {"secret": body["query_secret"], f"material_{centre.required.pk}": pdf()}
    corrected = client().post(url(code, "correct"), files, format="multipart")
    assert corrected.status_code == 200 and corrected.json()["status"] == CaseStatus.SUBMITTED
    assert client(centre.clerk).post(url(code, "accept")).status_code == 200


def test_refuse_suspend_resume_and_green_channel(centre):
    first, _ = centre.apply()
    assert client(centre.clerk).post(url(first.code, "refuse"), {"reason": ""}).status_code == 400
    assert (
        client(centre.clerk).post(url(first.code, "refuse"), {"reason": "不属于受理范围"}).status_code == 200
    )
    case, _ = centre.accepted()
    suspended = client(centre.acceptor).post(
        url(case.code, "suspend"), {"kind": "hearing", "reason": "申请听证"}
    )
    assert suspended.status_code == 200 and suspended.json()["is_suspended"] is True
    assert (
        client(centre.acceptor)
        .post(url(case.code, "suspend"), {"kind": "hearing", "reason": "x"})
        .status_code
        == 409
    )
    resumed = client(centre.acceptor).post(url(case.code, "resume"), {"note": "听证结束"})
    assert resumed.status_code == 200 and resumed.json()["suspensions"][0]["ended_on"] is not None
    green = client(centre.clerk).post(url(case.code, "green-channel"), {"reason": "重点项目"})
    assert green.json()["green_channel"] is True
    assert client(centre.clerk).get(url() + "?green_channel=true").json()["results"][0]["code"] == case.code


def test_parallel_through_the_api(centre):
    case, _ = centre.accepted()
    services.advance_step(case, by=centre.acceptor)
    opened = client(centre.reviewer).post(
        url(case.code, "open-parallel"), {"departments": ["ZJJ", "HBJ"], "days": 3}
    )
    assert opened.status_code == 200 and opened.json()["status"] == CaseStatus.WAITING_PARALLEL
    sub_codes = [s["code"] for s in opened.json()["subcases"]]
    assert client(centre.reviewer).post(url(case.code, "advance")).status_code == 409
    for code, user in zip(sub_codes, [centre.other_staff, centre.third_staff], strict=True):
        done = client(user).post(url(code, "complete-subcase"), {"opinion": "同意", "agree": True})
        assert done.status_code == 200, done.json()
    assert client(centre.clerk).get(url(case.code)).json()["status"] == CaseStatus.IN_PROGRESS


def test_enforcement_and_penalty_through_the_api(centre):
    from tests.approvals.factories import penalty_power

    officer_post = PostFactory(department=centre.department, code="ZF")
    chief_post = PostFactory(department=centre.department, code="FZR")
    power, standard = penalty_power(centre.department, [officer_post, chief_post])
    officer = UserFactory(
        username="officer", roles=["dept_handler"], department=centre.department, posts=[officer_post]
    )
    chief = UserFactory(
        username="chief", roles=["dept_head"], department=centre.department, posts=[chief_post]
    )
    assert client().post("/api/v1/enforcement-cases/", {}).status_code in (401, 403)
    created = client(officer).post(
        "/api/v1/enforcement-cases/", {"power": power.code, "party_name": "某店", "facts": "店外摆卖"}
    )
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    client(officer).post(url(code, "advance"), {"opinion": "面积 12 平方米"})
    payload = {"standard": standard.pk, "fact": "12", "amount": "3000"}
    refused = client(chief).post(url(code, "decide-penalty"), payload)
    assert refused.status_code == 400
    assert set(refused.json()) == {"reasons", "collective_discussion_record"}
    payload.update(reasons="拒不改正", collective_discussion_record="局务会纪要第5号")
    decided = client(chief).post(url(code, "decide-penalty"), payload)
    assert decided.status_code == 200 and decided.json()["penalty"]["outside_band"] is True


# --- lists ---------------------------------------------------------------------------------------


def test_case_list_filters(centre):
    late, _ = centre.accepted()
    submitted, _ = centre.apply()
    api = client(centre.clerk)
    codes = lambda query: {row["code"] for row in api.get(url() + query).json()["results"]}  # noqa: E731
    assert codes("") == {late.code, submitted.code}
    assert codes("?status=submitted") == {submitted.code}
    assert codes("?overdue=true") == {late.code}  # accepted in March 2025
    assert codes(f"?item={centre.item.code}&department=SCJG") == {late.code, submitted.code}
    assert codes("?department=ZJJ") == set()
    assert api.get(url() + "?status=nonsense").status_code == 400
    row = api.get(url() + "?overdue=true").json()["results"][0]
    assert row["overdue"] is True and row["due_on"] == "2025-03-31" and row["due_provisional"] is False


def test_case_list_query_count_is_constant(centre):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client(centre.clerk).get(url())
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    centre.accepted()
    centre.apply()
    few, rows = count()
    for _ in range(4):
        case, _ = centre.accepted()
        services.advance_step(case, by=centre.acceptor)
    services.mark_green_channel(case, by=centre.clerk, reason="重点")
    many, more_rows = count()
    assert more_rows == rows + 4
    assert many == few
