"""The case page, the heaviest staff page with the desk, reads a constant number of queries however
long the case's trail, ledger and step history grow (the desk's own test is in test_scaling.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import services
from tests.approvals.factories import at

pytestmark = pytest.mark.django_db


def case_page_queries(client, user, case) -> int:
    client.force_login(user)
    url = reverse("approvals:case", args=[case.code])
    assert client.get(url).status_code == 200  # session and caches warm
    counts = []
    for _ in range(2):  # the smaller of two: a cache that expires between requests is not the page's cost
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return min(counts)


@pytest.mark.parametrize("who", ["acceptor", "clerk", "inspector"])
def test_case_page_query_count_does_not_grow_with_its_history(client, centre, who):
    case, _secret = centre.accepted()
    user = getattr(centre, who)
    short = case_page_queries(client, user, case)
    for day in (4, 6, 10):  # three suspensions: more trail events, ledger rows and timers
        services.suspend_case(case, by=centre.acceptor, kind="other", reason="专家论证", now=at(2025, 3, day))
        case = services.resume_case(case, by=centre.acceptor, now=at(2025, 3, day + 1)).case
    long = case_page_queries(client, user, case)
    assert long == short, f"{who}: {short} queries with a short history, {long} with a longer one"


# --- intake (issue 13): an online application reads the item once and writes each row once --------


def _apply_queries(centre, files: int) -> tuple[int, dict]:
    from rest_framework.test import APIClient

    from tests.approvals.factories import pdf

    api = APIClient()
    data = {"item": centre.item.code, "applicant_name": "张三", "applicant_phone": "13800138000"}
    if files:
        data[f"material_{centre.required.pk}"] = [pdf(f"营业执照{i}.pdf") for i in range(files)]
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/v1/cases/", data, format="multipart")
    assert response.status_code == 201, response.content
    return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]), response.json()


def test_online_application_queries_stay_few_and_flat(centre):
    """The item with its materials (1), the code (1), the case and its visibility row (2), its files (1
    for all), the trail entry (1), the audit event (1) — whatever the number of files or of cases stored."""
    _apply_queries(centre, 0)  # content types and the day's series exist
    bare, answer = _apply_queries(centre, 0)
    assert answer["missing_materials"] == ["营业执照"]
    one, answer = _apply_queries(centre, 1)
    assert answer["missing_materials"] == []
    three, _ = _apply_queries(centre, 3)
    for _ in range(5):
        centre.apply()
    later, _ = _apply_queries(centre, 3)
    # The item with its power and materials (one statement), the code, the case and its visibility row
    # (CaseAccess: one statement on PostgreSQL, a data-modifying WITH; two on SQLite), the trail entry,
    # the audit event (sealed, chained later).
    expected = 5 if connection.vendor == "postgresql" else 6
    assert bare == expected, f"{bare} queries without files"
    assert one == bare + 1 and three == one and later == three


def test_complaint_intake_queries_stay_few(db):
    from rest_framework.test import APIClient

    body = {"title": "窗口办事拖延", "matter": "超过承诺时限仍未办结。", "reporter_contact": "13800001234"}
    api = APIClient()
    assert api.post("/api/v1/complaints/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/api/v1/complaints/", body, format="json").status_code == 201
    count = len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])
    # The code, the complaint and its trail entry (one statement on PostgreSQL, a data-modifying WITH;
    # two on SQLite), the outbox message, the audit event (sealed, chained later).
    expected = 4 if connection.vendor == "postgresql" else 5
    assert count == expected, f"{count} queries for one complaint"
