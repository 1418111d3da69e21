"""What keeps the case lists fast at a city's scale: visibility by indexed columns, bounded desk
counts and pages, and query counts that do not grow with the number of cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import services
from approvals.models import Case
from approvals.models import cases as approvals_models
from approvals.views import desk
from tests.approvals.factories import at

pytestmark = pytest.mark.django_db


def parallel(centre):
    case, _secret = centre.accepted()
    case = services.advance_step(case, by=centre.acceptor, opinion="齐全", now=at(2025, 3, 4))
    [sub] = services.open_parallel(case, by=centre.reviewer, departments=[centre.other], now=at(2025, 3, 4))
    return case, sub


def codes(user):
    return set(Case.objects.visible_to(user).values_list("code", flat=True))


def test_a_sub_case_records_its_parents_department(centre):
    case, sub = parallel(centre)
    assert sub.parent_department_id == centre.department.pk
    assert Case.objects.get(pk=case.pk).parent_department_id is None


def test_department_staff_see_own_cases_cosigned_parents_and_subcases_of_own(centre):
    case, sub = parallel(centre)
    lone, _ = centre.apply()
    assert codes(centre.acceptor) >= {case.code, sub.code, lone.code}  # own, and the sub-case of own
    assert codes(centre.other_staff) == {case.code, sub.code}  # addressed, and its parent
    assert codes(centre.third_staff) == set()
    assert codes(centre.clerk) >= {case.code, lone.code}


def test_many_cosigned_parents_fall_back_to_a_subquery_with_the_same_answer(centre, monkeypatch):
    case, sub = parallel(centre)
    listed = codes(centre.other_staff)
    monkeypatch.setattr(approvals_models, "COSIGNED_PARENTS_LISTED", 0)
    assert "IN (SELECT" in str(Case.objects.visible_to(centre.other_staff).query).upper()
    assert codes(centre.other_staff) == listed == {case.code, sub.code}


def test_visibility_reads_no_subquery_in_the_common_case(centre):
    parallel(centre)
    sql = str(Case.objects.visible_to(centre.other_staff).query).upper()
    assert "SELECT" not in sql.split("WHERE", 1)[1]


def desk_queries(client, user, tab):
    client.force_login(user)
    client.get(reverse("approvals:desk") + f"?tab={tab}")  # session and caches warm
    counts = []
    for _ in range(2):  # the smaller of two: a cache expiring between requests is not the page's cost
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("approvals:desk") + f"?tab={tab}")
        assert response.status_code == 200
        counts.append(len(queries))
    return min(counts), response


@pytest.mark.parametrize("who", ["clerk", "acceptor", "inspector"])
def test_desk_query_count_does_not_grow_with_cases(client, centre, who):
    user = getattr(centre, who)
    parallel(centre)
    centre.apply()  # every tab has a row already: an empty page costs fewer queries
    few = {tab: desk_queries(client, user, tab)[0] for tab in desk.TABS_BY_NAME}
    for _ in range(5):
        case, _secret = centre.accepted()
        services.advance_step(case, by=centre.acceptor, now=at(2025, 3, 4))
        centre.apply()
    parallel(centre)
    many = {tab: desk_queries(client, user, tab)[0] for tab in desk.TABS_BY_NAME}
    assert many == few


def test_desk_counts_and_the_all_list_stop_at_their_caps(client, centre, monkeypatch):
    for _ in range(4):
        centre.apply()
    monkeypatch.setattr(desk, "COUNT_CAP", 2)
    monkeypatch.setattr(desk, "LIST_CAP", 3)
    monkeypatch.setattr(desk, "PAGE_SIZE", 2)
    _n, response = desk_queries(client, centre.clerk, "intake")
    tabs = {t["name"]: t for t in response.context["tabs"]}
    assert tabs["intake"]["count"] == 2 and tabs["intake"]["more"] is True
    assert "2+" in response.text
    _n, response = desk_queries(client, centre.clerk, "all")
    page = response.context["page"]
    assert page.paginator.count == 3 and page.paginator.more and page.paginator.num_pages == 2
    assert "3 件以上" in response.text


def test_the_all_tab_lists_newest_first(client, centre):
    first, _ = centre.apply()
    second, _ = centre.accepted()
    _n, response = desk_queries(client, centre.inspector, "all")
    assert [c.code for c in response.context["page"].object_list][:2] == [second.code, first.code]


def test_a_big_department_keeps_the_indexed_or_and_sees_the_same_cases(centre, monkeypatch):
    case, sub = parallel(centre)
    listed = codes(centre.acceptor)
    monkeypatch.setattr(approvals_models, "DEPARTMENT_CASES_LISTED", 1)
    sql = str(Case.objects.visible_to(centre.acceptor).query)
    assert "parent_department_id" in sql
    assert codes(centre.acceptor) == listed and {case.code, sub.code} <= listed
