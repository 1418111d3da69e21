"""What keeps the case lists fast at a city's scale: visibility by indexed columns, bounded desk
counts and pages, and query counts that do not grow with the number of cases."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import services
from approvals.choices import TERMINAL_STATUSES, CaseKind
from approvals.models import Case, CaseAccess
from approvals.views import desk
from portal.roles import department_of
from tests.approvals.factories import at

pytestmark = pytest.mark.django_db


def parallel(centre):
    case, _secret = centre.accepted()
    case = services.advance_step(case, by=centre.acceptor, opinion="齐全", now=at(2025, 3, 4))
    [sub] = services.open_parallel(case, by=centre.reviewer, departments=[centre.other], now=at(2025, 3, 4))
    return case, sub


def enforcement(centre, code, department, parent=None):
    return Case.objects.create(
        code=code, kind=CaseKind.ENFORCEMENT, power=centre.power, department=department, parent=parent,
        applicant_name="乙",
    )  # fmt: skip


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


def test_a_department_sees_exactly_its_cases_those_addressed_to_it_and_their_relatives(centre):
    """Own cases, sub-cases addressed to it, the parents of those, the sub-cases of its own cases —
    and nothing else (not a sibling sub-case addressed to another department); the same answer as
    the rule evaluated case by case in Python."""
    a, _secret = centre.accepted()
    a = services.advance_step(a, by=centre.acceptor, opinion="齐全", now=at(2025, 3, 4))
    a1, a2 = services.open_parallel(
        a, by=centre.reviewer, departments=[centre.other, centre.third], now=at(2025, 3, 4)
    )
    lone, _ = centre.apply()
    # A case of another department, with sub-cases addressed to the centre's department and a third.
    b = enforcement(centre, "ZJJ-1", centre.other)
    b1 = enforcement(centre, "ZJJ-1-01", centre.department, parent=b)
    b2 = enforcement(centre, "ZJJ-1-02", centre.third, parent=b)
    everything = {c.pk: c for c in Case.objects.all()}

    def rule(department):
        return {
            c.code for c in everything.values()
            if c.department_id == department.pk
            or (c.parent_id and everything[c.parent_id].department_id == department.pk)
            or any(s.parent_id == c.pk and s.department_id == department.pk for s in everything.values())
        }  # fmt: skip

    expected = {
        centre.acceptor: {a.code, a1.code, a2.code, lone.code, b.code, b1.code},
        centre.other_staff: {a.code, a1.code, b.code, b1.code, b2.code},
        centre.third_staff: {a.code, a2.code, b.code, b2.code},
        centre.outsider: set(),
    }
    for user, seen in expected.items():
        assert codes(user) == seen == rule(department_of(user)), user.username
        assert Case.objects.visible_to(user).count() == len(seen)  # each once, however many see it
    # Window clerks: every application, and their own department's cases (none here).
    assert codes(centre.clerk) == {a.code, a1.code, a2.code, lone.code}


def test_rows_loaded_in_bulk_get_their_access_rows_from_fill(centre):
    case, sub = parallel(centre)
    CaseAccess.objects.all().delete()
    assert codes(centre.other_staff) == set()
    assert CaseAccess.fill() == 4  # each case's own, the sub-case for the parent's, the parent for the sub's
    assert codes(centre.other_staff) == {case.code, sub.code}
    assert codes(centre.acceptor) == {case.code, sub.code}
    assert CaseAccess.fill(first_id=case.pk) == 0  # rows already there are kept, not doubled


def test_a_department_list_is_one_indexed_join_without_a_subquery(centre):
    parallel(centre)
    sql = str(Case.objects.visible_to(centre.other_staff).order_by("-id").query).upper()
    assert "INNER JOIN" in sql and "SELECT" not in sql.split("WHERE", 1)[1]


def test_keyset_pages_of_a_department_list_are_complete_and_in_order(centre):
    """Through the API's cursor pages (two a page) and through ``id <`` keysets: every case the
    department sees, newest first, each once."""
    from rest_framework.test import APIClient

    parallel(centre)
    for _ in range(3):
        centre.apply()
    extra = enforcement(centre, "ZJJ-9", centre.other)
    parallel(centre)
    for user in (centre.other_staff, centre.acceptor):
        expected = [code for _pk, code in sorted(Case.objects.visible_to(user).values_list("pk", "code"))][
            ::-1
        ]
        assert len(expected) >= 5 and (extra.code in expected) == (user == centre.other_staff)
        api = APIClient()
        api.force_authenticate(user)
        seen, url = [], "/api/v1/cases/?page_size=2"
        while url:
            page = api.get(url).json()
            seen += [row["code"] for row in page["results"]]
            url = page["next"]
        assert seen == expected
        keyset, last = [], None
        while True:
            rows = Case.objects.visible_to(user).order_by("-id")
            rows = list((rows.filter(pk__lt=last) if last else rows).values_list("pk", "code")[:2])
            if not rows:
                break
            keyset += [code for _pk, code in rows]
            last = rows[-1][0]
        assert keyset == expected


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


@pytest.mark.parametrize("who", ["clerk", "acceptor", "other_staff", "inspector"])
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


def a_desk_of_every_kind(centre):
    """Cases in every state a desk tab can hold, and closed ones that none may."""
    parallel(centre)  # a parent waiting for its sub-case, addressed to the other department
    for _ in range(3):
        centre.apply()  # waiting at the window
    centre.accepted()  # on its first step
    decided, _ = centre.decided(decision="refuse")  # decided: the window closes it
    done, _ = centre.decided(decision="refuse")
    services.complete_case(done, by=centre.clerk, now=at(2025, 3, 7))
    refused, _ = centre.apply()
    services.refuse_intake(refused, by=centre.clerk, reason="不属于本中心受理范围")
    case, sub = parallel(centre)
    services.complete_subcase(sub, by=centre.other_staff, opinion="同意", agree=True, now=at(2025, 3, 5))
    return decided


def test_working_tabs_read_cases_not_closed_and_only_terminal_cases_are_closed(centre):
    """The tabs' NOT_CLOSED condition (what lets an index hold only the working cases) drops no case
    a tab should show: the verbs close a case exactly when it reaches a terminal status."""
    a_desk_of_every_kind(centre)
    assert Case.objects.filter(status__in=TERMINAL_STATUSES).count() >= 3
    assert not Case.objects.filter(status__in=TERMINAL_STATUSES, closed_at__isnull=True).exists()
    assert not Case.objects.exclude(status__in=TERMINAL_STATUSES).filter(closed_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["clerk", "acceptor", "other_staff", "inspector"])
def test_each_badge_is_the_number_of_rows_its_tab_lists(client, centre, who):
    """One grouped count for every badge; each tab, opened, lists exactly that many cases (every
    page), none closed unless it is the "全部" tab, each visible to the user."""
    a_desk_of_every_kind(centre)
    user = getattr(centre, who)
    client.force_login(user)
    visible = set(Case.objects.visible_to(user).values_list("code", flat=True))
    response = client.get(reverse("approvals:desk"))
    badges = {t["name"]: t["count"] for t in response.context["tabs"] if t["count"] is not None}
    assert badges and "all" not in badges
    for tab, count in badges.items():
        page = client.get(reverse("approvals:desk") + f"?tab={tab}").context["page"]
        listed = [c.code for c in page.object_list]
        assert page.paginator.count == count == len(listed), tab
        assert set(listed) <= visible
        assert not Case.objects.filter(code__in=listed, closed_at__isnull=False).exists()
    expected = {
        "clerk": {"intake": 3, "mine": 1},  # the decided case waits for the window to close it
        "acceptor": {"intake": 3, "mine": 1, "parallel": 0},  # its first step is on the A post
        "other_staff": {"parallel": 1, "mine": 0, "intake": 0},
    }.get(who, {})
    assert {tab: badges[tab] for tab in expected} == expected
    everything = client.get(reverse("approvals:desk") + "?tab=all").context["page"]
    assert everything.paginator.count == len(visible)


def test_the_pager_walks_a_working_tab_in_the_desk_order(client, centre, monkeypatch):
    """Pages of two through the 待受理 tab (counted once, by its badge) and through a filtered list
    (counted on its own): every case once, in the desk order; the links keep the tab."""
    monkeypatch.setattr(desk, "PAGE_SIZE", 2)
    cases = [centre.apply(applicant_name=f"申请人{n}")[0] for n in range(5)]
    services.mark_green_channel(cases[3], by=centre.approver, reason="市重点项目")
    expected = [cases[3].code] + [c.code for c in cases if c != cases[3]]  # green first, then by id
    client.force_login(centre.clerk)
    for query, wanted in (
        ("tab=intake", expected),
        ("tab=intake&q=申请人", expected),
        ("tab=intake&q=申请人4", [cases[4].code]),
    ):
        seen, url = [], reverse("approvals:desk") + "?" + query
        while url:  # follows the page's own "下一页" link, as a user clicks it
            response = client.get(url)
            page = response.context["page"]
            assert page.paginator.count == len(wanted)
            seen += [c.code for c in page.object_list]
            link = re.search(r'href="([^"]*)" rel="next"', response.text)
            assert bool(link) == page.has_next()
            url = reverse("approvals:desk") + html.unescape(link.group(1)) if link else None
            assert not url or ("tab=intake" in url and f"page={page.number + 1}" in url)
        assert seen == wanted, query


def test_desk_order_green_first_then_the_nearest_due_date_then_none(centre):
    from datetime import date

    a, b, c, d = (centre.accepted()[0] for _ in range(4))
    Case.objects.filter(pk=a.pk).update(due_on=None, promised_due_on=None)
    Case.objects.filter(pk=b.pk).update(due_on=date(2025, 4, 1), promised_due_on=None)
    Case.objects.filter(pk=c.pk).update(due_on=date(2025, 3, 20), promised_due_on=None)
    Case.objects.filter(pk=d.pk).update(due_on=None, promised_due_on=None, green_channel=True)
    assert list(Case.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).desk_order()) == [d, c, b, a]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan; PostgreSQL orders through the join")
def test_a_department_page_newest_first_is_read_in_index_order_on_sqlite(centre):
    """``order_by("-id")`` on a department's cases walks CaseAccess's key backwards: no sort of
    the department's cases for each page (what ``_BY_ACCESS`` is for)."""
    parallel(centre)
    for query in (
        Case.objects.visible_to(centre.other_staff).order_by("-id").values_list("pk", flat=True)[:50],
        Case.objects.visible_to(centre.other_staff).filter(pk__lt=10**9).order_by("-pk")[:50],
    ):
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
        assert "approvals_caseaccess" in plan and "TEMP B-TREE" not in plan, plan
