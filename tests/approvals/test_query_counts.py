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
