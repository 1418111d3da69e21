"""The risks API: public catalogue and heat map, verbs as actions with their refusals, visibility."""

import pytest
from rest_framework.test import APIClient

from monitoring.choices import AlertKind
from portal import roles
from risks import services
from risks.choices import OrderStatus, RiskPointStatus
from risks.models import RiskPoint
from tests.factories import UserFactory
from tests.monitoring.factories import AlertFactory
from tests.powers.factories import PowerFactory
from tests.risks.factories import RiskPointFactory


@pytest.fixture
def api():
    return APIClient()


def test_catalogue_is_public_and_masks_names(api, department):
    RiskPointFactory(power=PowerFactory(department=department), responsible_name="王小明")
    RiskPointFactory(power=PowerFactory(department=department), status=RiskPointStatus.DRAFT)
    body = api.get("/api/v1/risk-points/").json()
    assert [row["responsible_name"] for row in body["results"]] == ["王**"]
    assert api.get("/api/v1/risk-points/?grade=Z").status_code == 400
    assert api.get("/api/v1/risk-points/?department=NOPE").status_code == 400


def test_heat_map_api(api, department):
    RiskPointFactory(power=PowerFactory(department=department), likelihood=5, harm=4)
    body = api.get("/api/v1/risk-heatmap/?department=SCJG").json()
    assert [5, 4, 1] in body["cells"] and body["grades"]["B"] == 1
    assert api.get("/api/v1/risk-heatmap/?department=NOPE").status_code == 400  # as any filter value


def test_declare_and_review_through_the_api(api, handler, inspector, power, post):
    step = power.flowchart.steps.first()
    api.force_authenticate(handler)
    data = {
        "power": power.code, "step": step.pk, "post": post.pk, "title": "审批环节越权", "risk_type": "institutional",
        "source": "audit", "description": "超越权限审批", "measures": "分级审批", "responsible_name": "李四",
        "likelihood": 4, "harm": 5, "frequency": 3, "discretion": 4,
    }  # fmt: skip
    response = api.post("/api/v1/risk-points/", {**data, "harm": 2**64}, format="json")
    assert response.status_code == 400
    response = api.post("/api/v1/risk-points/", data, format="json")
    assert response.status_code == 201 and response.json()["grade"] == "A"
    pk = response.json()["id"]
    assert api.post(f"/api/v1/risk-points/{pk}/submit/").status_code == 200
    assert api.post(f"/api/v1/risk-points/{pk}/confirm/", {}).status_code == 403
    api.force_authenticate(inspector)
    assert api.post(f"/api/v1/risk-points/{pk}/return/", {"reason": ""}, format="json").status_code == 400
    assert api.post(f"/api/v1/risk-points/{pk}/confirm/", {"note": "好"}, format="json").status_code == 200
    assert api.post(f"/api/v1/risk-points/{pk}/confirm/", {}, format="json").status_code == 409
    response = api.post(
        f"/api/v1/risk-points/{pk}/adjust-scores/",
        {"harm": 1, "likelihood": 1, "reason": "复核"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["grade"] in ("B", "C")
    assert len(api.get(f"/api/v1/risk-points/{pk}/versions/").json()) == 1


def test_matrix_change_through_the_api(api, admin_user, inspector, department):
    RiskPointFactory(power=PowerFactory(department=department))
    assert api.get("/api/v1/risk-matrix/").status_code == 200
    data = {
        "weight_likelihood": "1", "weight_harm": "1", "weight_frequency": "1", "weight_discretion": "1",
        "a_threshold": "2.50", "b_threshold": "2.00", "overrides": [], "reason": "试行",
    }  # fmt: skip
    api.force_authenticate(inspector)
    assert api.post("/api/v1/risk-matrix/", data, format="json").status_code == 403
    api.force_authenticate(admin_user)
    assert (
        api.post("/api/v1/risk-matrix/", {**data, "a_threshold": "1E+999999999"}, format="json").status_code
        == 400
    )
    response = api.post("/api/v1/risk-matrix/", data, format="json")
    assert response.status_code == 201 and response.json()["changed"] == 1
    assert RiskPoint.objects.get().grade == "A"


def test_the_warning_loop_through_the_api(api, inspector, head, department):
    alert = AlertFactory(department=department, kind=AlertKind.OVERDUE, title="超时报警")
    api.force_authenticate(head)
    assert api.get("/api/v1/risk-information/").status_code == 403
    api.force_authenticate(inspector)
    response = api.post("/api/v1/risk-information/from-alert/", {"alert": alert.pk}, format="json")
    assert response.status_code == 201
    info = response.json()["id"]
    assert (
        api.post("/api/v1/risk-information/from-alert/", {"alert": alert.pk}, format="json").status_code
        == 200
    )
    api.post(f"/api/v1/risk-information/{info}/assess/", {"grade": "B", "assessment": "较高"}, format="json")
    warning = api.post(
        f"/api/v1/risk-information/{info}/warn/", {"content": "c", "requirements": "r"}, format="json"
    )
    assert warning.status_code == 201 and warning.json()["level"] == "yellow"
    order = api.post(
        f"/api/v1/risk-information/{info}/order/", {"plan": "p", "deadline_days": 5}, format="json"
    )
    assert order.status_code == 201
    pk = order.json()["id"]
    api.force_authenticate(head)
    assert api.post(f"/api/v1/risk-warnings/{warning.json()['id']}/acknowledge/").status_code == 200
    response = api.post(f"/api/v1/risk-orders/{pk}/answer/", {"rectification": "已整改"}, format="json")
    assert response.json()["status"] == OrderStatus.ANSWERED
    assert api.post(f"/api/v1/risk-orders/{pk}/close/", {}, format="json").status_code == 403
    api.force_authenticate(inspector)
    assert (
        api.post(f"/api/v1/risk-orders/{pk}/close/", {}, format="json").json()["status"] == OrderStatus.CLOSED
    )


@pytest.mark.parametrize(
    ("who", "status"), [("person", 200), ("inspector", 200), ("head", 403), ("colleague", 403)]
)
def test_integrity_file_api(api, request, inspector, department, who, status):
    person = UserFactory(username="person", roles=[roles.DEPT_HANDLER], department=department)
    colleague = UserFactory(username="colleague", roles=[roles.DEPT_HANDLER], department=department)
    info, _ = services.record_information(
        by=inspector, source="manual", title="t", content="c", department=department, person=person
    )
    services.assess_information(info, by=inspector, grade="A", assessment="a")
    services.issue_warning(info, by=inspector, content="c", requirements="r", person=person)
    users = {"person": person, "colleague": colleague}
    api.force_authenticate(users.get(who) or request.getfixturevalue(who))
    response = api.get(f"/api/v1/integrity-files/{person.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["warnings"][0]["level"] == "red"
