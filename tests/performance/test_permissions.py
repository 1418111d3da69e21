"""The appraisal's permission matrix: every role × the staff pages and the verbs' permission functions."""

import pytest
from django.urls import reverse

from performance import permissions as perm
from performance.models import Period
from portal import roles
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# page name → who gets 200 (others: anonymous 302 to login, staff 403)
PAGES = {
    "performance:office": {"appraiser", "admin"},
    "performance:criteria": {"appraiser", "admin", "head", "handler"},
    "performance:entries": {"appraiser", "admin", "head", "handler"},
    "performance:rectifications": {"appraiser", "admin", "head", "handler"},
}


@pytest.fixture
def people(series, units, appraiser, admin_user, inspector):
    return {
        "anonymous": None,
        "appraiser": appraiser,
        "admin": admin_user,
        "head": UserFactory(username="h", roles=[roles.DEPT_HEAD], department=units[0]),
        "handler": UserFactory(username="d", roles=[roles.DEPT_HANDLER], department=units[0]),
        "inspector": inspector,
        "clerk": UserFactory(
            username="c", roles=[roles.WINDOW_CLERK], department=DepartmentFactory(code="FW")
        ),
    }


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_by_role(client, people, page, series):
    for name, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        status = client.get(reverse(page)).status_code
        expected = 200 if name in PAGES[page] else (302 if user is None else 403)
        assert status == expected, (page, name, status)


def test_verbs_by_role(people, series, units):
    year = series.year
    period = Period.objects.get(year=year)
    office = {"appraiser", "admin"}
    for name, user in people.items():
        assert perm.can_compute(user, year) == (name in office), name
        assert perm.can_import_surveys(user, year) == (name in office), name
        assert perm.can_declare(user, year, units[0]) == (name in {"head", "handler"}), name
        assert perm.can_declare(user, year, units[1]) is False, name
        assert perm.can_enter(user, period.year, units[0]) == (name in office | {"head", "handler"}), name
        assert perm.can_see_unpublished(user, units[1]) == (name in office), name
