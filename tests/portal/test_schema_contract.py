"""Hole 12: the served OpenAPI schema says what the API does, and the API keeps to what it says."""

import pytest
from django.http import Http404
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from portal.api.exceptions import exception_handler
from tests.powers.factories import DiscretionStandardFactory, PowerFactory

ERROR_STATUSES = {"400", "401", "403", "404", "409", "429"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def parameter(schema, path, method, name):
    return next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)


def test_every_operation_documents_its_errors_with_one_body_shape(schema):
    ref = {"$ref": "#/components/schemas/Error"}
    assert "detail" in schema["components"]["schemas"]["Error"]["properties"]
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        expected = {"401", "403", "429"}
        expected |= {"400", "404", "409"} if method != "get" else set()
        expected |= {"404"} if "{" in path else set()
        expected |= {"400"} if "requestBody" in operation else set()
        assert expected <= set(responses), f"{method.upper()} {path} documents {sorted(responses)}"
        for code in ERROR_STATUSES & set(responses):
            assert responses[code]["content"]["application/json"]["schema"] == ref, (method, path, code)


def test_filtered_lists_document_400_and_a_bounded_page_size(schema):
    operation = schema["paths"]["/api/v1/powers/"]["get"]
    assert {"400", "404"} <= set(operation["responses"])  # a bad filter value; an invalid cursor
    page_size = parameter(schema, "/api/v1/powers/", "get", "page_size")["schema"]
    assert (page_size["type"], page_size["minimum"], page_size["maximum"]) == ("integer", 1, 500)


def test_errors_answer_in_the_documented_shape():
    # DRF answers a bare list for ValidationError("…"): the handler makes it the Error object.
    response = exception_handler(ValidationError("不能直接修改"), {})
    assert response.data == {"detail": "不能直接修改", "code": "invalid"}
    response = exception_handler(ValidationError({"detail": ["a", "b"]}), {})
    assert response.data["detail"] == "a b" and response.data["code"] == "invalid"
    assert exception_handler(ValidationError({"name": ["必填"]}), {}).data == {"name": ["必填"]}
    assert exception_handler(Http404("没有该单位。"), {}).data == {
        "detail": "没有该单位。",
        "code": "not_found",
    }


@pytest.mark.django_db
def test_an_unknown_department_on_the_heat_map_is_a_bad_filter_value():
    response = APIClient().get("/api/v1/risk-heatmap/?department=NOPE")
    assert response.status_code == 400 and "department" in response.json()


@pytest.mark.django_db
def test_standards_of_a_power_are_a_list_in_the_schema_and_the_answer(schema, department):
    power = PowerFactory(department=department)
    DiscretionStandardFactory(power=power)
    operation = schema["paths"]["/api/v1/powers/{code}/standards/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert not {p["name"] for p in operation.get("parameters", [])} & {"cursor", "page_size", "q"}
    response = APIClient().get(f"/api/v1/powers/{power.code}/standards/")
    assert response.status_code == 200 and isinstance(response.json(), list) and len(response.json()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["false", "0", "-1", "501", "1e3", "abc"])
def test_an_invalid_page_size_is_refused(value):
    response = APIClient().get(f"/api/v1/powers/?page_size={value}")
    assert response.status_code == 400 and "page_size" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1", "500"])
def test_a_valid_page_size_is_accepted(value):
    assert APIClient().get(f"/api/v1/powers/?page_size={value}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/v1/timers/?provisional=null", "/api/v1/timers/?active=yes", "/api/v1/cases/?overdue=2",
     "/api/v1/service-items/?is_online=maybe", "/api/v1/appraisal/periods/?voting_open=null"],
)  # fmt: skip
def test_garbage_in_a_boolean_filter_is_refused(admin_user, url):
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.get(url)
    name = url.split("?")[1].split("=")[0]
    assert response.status_code == 400 and name in response.json(), response.content


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["true", "false"])
def test_a_boolean_filter_takes_true_and_false(admin_user, value):
    client = APIClient()
    client.force_authenticate(admin_user)
    assert client.get(f"/api/v1/timers/?provisional={value}").status_code == 200


@pytest.mark.django_db
def test_efficiency_month_range_is_the_same_in_schema_and_view(schema, admin_user):
    month = parameter(schema, "/api/v1/efficiency/", "get", "month")["schema"]
    assert (month["minimum"], month["maximum"]) == (1, 12)  # no month: the whole year
    client = APIClient()
    client.force_authenticate(admin_user)
    assert client.get("/api/v1/efficiency/?month=0").status_code == 400
    assert client.get("/api/v1/efficiency/?month=13").status_code == 400
    assert client.get("/api/v1/efficiency/?month=12").json()["month"] == 12
    assert client.get("/api/v1/efficiency/").json()["month"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/results/feed/", "/risks/heatmap.json", "/health/"])
def test_read_only_endpoints_refuse_other_methods(client, url):
    assert client.post(url).status_code == 405
    assert client.get(url).status_code in (200, 503)  # /health/ is 503 when no worker runs
