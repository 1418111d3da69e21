"""GET /api/v1/cases/: the lean list (issue 13) answers exactly what CaseSerializer (the schema) says,
pages by keyset, filters through the one filterset, and costs a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from approvals import services
from approvals.api.serializers import CaseListRows, CaseSerializer
from approvals.choices import SuspensionKind
from approvals.models import Case
from tests.approvals.factories import at, penalty_power
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def assorted_cases(centre) -> list[Case]:
    """Cases that exercise every column: submitted, suspended, overdue, decided, with sub-cases, and an
    enforcement case without a service item (its title is the power's name)."""
    submitted, _ = centre.apply()
    suspended, _ = centre.accepted()
    services.suspend_case(suspended, by=centre.acceptor, kind=SuspensionKind.OTHER, reason="专家论证")
    centre.accepted()  # accepted in March 2025: overdue today
    decided, _ = centre.decided()
    services.record_fee(decided, by=centre.clerk, amount="50.00", receipt_no="R1", now=at(2025, 3, 7, 11))
    services.complete_case(decided, by=centre.clerk, now=at(2025, 3, 7, 12))
    parent, _ = centre.accepted()
    services.advance_step(parent, by=centre.acceptor)
    services.open_parallel(parent, by=centre.reviewer, departments=[centre.other])
    services.mark_green_channel(submitted, by=centre.clerk, reason="重点项目")
    officer_post = PostFactory(department=centre.department, code="ZF")
    power, _standard = penalty_power(
        centre.department, [officer_post, PostFactory(department=centre.department)]
    )
    officer = UserFactory(
        username="officer", roles=["dept_handler"], department=centre.department, posts=[officer_post]
    )
    services.open_enforcement_case(power, by=officer, party_name="某店", facts="店外摆卖")
    return list(Case.objects.order_by("-id"))


@pytest.mark.parametrize("language, zone", [("zh-hans", "Asia/Shanghai"), ("en", "UTC")])
def test_the_lean_rows_are_the_serializers_rows(centre, language, zone):
    cases = assorted_cases(centre)
    assert len(cases) >= 7
    today = timezone.localdate()
    with translation.override(language), timezone.override(zone):
        expected = CaseSerializer(
            Case.objects.for_list().order_by("-id"), many=True, context={"today": today}
        ).data
        lean = CaseListRows(today).rows([case.pk for case in cases])
    assert [dict(row) for row in expected] == lean
    assert list(lean[0]) == CaseSerializer.Meta.fields  # same keys, same order
    assert lean[0]["submitted_at"].endswith("Z" if zone == "UTC" else "+08:00")
    # The assortment really covers the branches.
    assert {row["overdue"] for row in lean} == {True, False}
    assert {row["is_suspended"] for row in lean} == {True, False}
    assert any(row["item"] is None for row in lean) and any(row["parent"] for row in lean)
    assert any(row["completed_at"] for row in lean) and any(row["green_channel"] for row in lean)


def test_the_api_list_is_the_serializers_list_page_by_page(centre):
    assorted_cases(centre)
    today = timezone.localdate()
    cases = Case.objects.for_list().order_by("-id")
    expected = [dict(r) for r in CaseSerializer(cases, many=True, context={"today": today}).data]
    got, url = [], URL + "?page_size=3"
    while url:
        body = api(centre.inspector).get(url).json()
        got += body["results"]
        url = body["next"]
    assert got == expected
    # And back: the page before the last one.
    last = len(body["results"])
    back = api(centre.inspector).get(body["previous"]).json()
    assert back["results"] == expected[-last - 3 : -last]


def test_filters_still_filter_and_refuse_bad_values(centre):
    cases = assorted_cases(centre)
    inspector = api(centre.inspector)
    green = inspector.get(URL + "?green_channel=true").json()["results"]
    assert [row["code"] for row in green] == [c.code for c in cases if c.green_channel]
    suspended = inspector.get(URL + "?suspended=true").json()["results"]
    assert len(suspended) == 1 and suspended[0]["is_suspended"] is True
    subcases = inspector.get(URL + "?subcases=true&page_size=1").json()
    assert subcases["results"][0]["parent"] is not None
    for bad in ("is_open=perhaps", "status=nonsense", "accepted_after=2025-13-01", "page_size=0"):
        assert inspector.get(f"{URL}?{bad}").status_code == 400, bad
    # Staff see their department's cases only, as before.
    zjj = api(centre.other_staff).get(URL).json()["results"]
    assert zjj and all(row["department"] == "ZJJ" or row["parent"] is None for row in zjj)
    assert {row["code"] for row in zjj} < {c.code for c in cases}


def _list_queries(user, query="") -> int:
    client = api(user)
    assert client.get(URL + query).status_code == 200  # caches warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL + query)
    assert response.status_code == 200
    return len(queries)


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_rows_and_page_size(centre):
    centre.apply()
    few = {who: _list_queries(getattr(centre, who)) for who in ("inspector", "clerk", "acceptor")}
    assorted_cases(centre)
    for n in range(30):
        centre.apply(now=at(2025, 3, 3, 9) + timedelta(minutes=n))
    for who, count in few.items():
        user = getattr(centre, who)
        assert _list_queries(user) == count, who
        assert _list_queries(user, "?page_size=500") == count, who
        assert _list_queries(user, "?page_size=2") == count, who
    # The ids of the page (keyset), then their rows: two queries beyond authentication.
    assert few["inspector"] <= 3
    assert _list_queries(centre.inspector, "?status=submitted&green_channel=false") == few["inspector"]


@pytest.mark.postgres
def test_postgresql_plans_the_rows_query_once_per_connection(centre):
    """Planning the rows query's joins cost more than running it: it is a prepared statement."""
    centre.apply()
    client = api(centre.inspector)
    assert client.get(URL).status_code == 200  # prepared on this connection, if it was not yet
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL + "?page_size=1").json()["results"]
    statements = [query["sql"] for query in queries.captured_queries]
    assert any(sql.startswith("EXECUTE approvals_case_list_rows") for sql in statements)
    assert not any(sql.startswith("PREPARE") for sql in statements)


@pytest.mark.postgres
def test_a_lost_prepared_statement_costs_one_request_not_the_connection(centre):
    """After DISCARD ALL (a pooler) or a migration that changed a listed column, EXECUTE fails: the
    connection is marked for closing and forgets it prepared the statement, so the next request on
    a fresh connection prepares it again instead of failing until CONN_MAX_AGE."""
    from approvals.api import serializers as case_serializers

    centre.apply()
    client = api(centre.inspector)
    assert client.get(URL).status_code == 200
    raw = connection.connection
    assert raw in case_serializers._PREPARED
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {case_serializers.PREPARED_NAME}")
    ids = list(Case.objects.values_list("pk", flat=True))
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseListRows(timezone.localdate()).rows(ids)
    assert raw not in case_serializers._PREPARED
    assert connection.close_at == 0
    connection.close_at = None  # the test's connection stays (the request cycle would close it)
    assert client.get(URL).json()["results"]  # prepared again
