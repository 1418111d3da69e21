import pytest

from portal import roles
from tests.factories import DepartmentFactory, UserFactory

from .factories import SeriesFactory, build_system, members


@pytest.fixture
def appraiser(db):
    dept = DepartmentFactory(code="KPB", name="市绩效考评办公室", short_name="考评办")
    return UserFactory(username="appraiser", roles=[roles.APPRAISER], department=dept)


@pytest.fixture
def series(db):
    s = SeriesFactory(code="gov", name="政府部门")
    build_system(s)
    return s


@pytest.fixture
def units(series):
    return members(series, 5)


@pytest.fixture
def unit_head(units):
    return UserFactory(username="unithead", roles=[roles.DEPT_HEAD], department=units[0])
