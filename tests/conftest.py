"""Named personas, as in Healthchecks' alice/bob/charlie: one per role."""

import pytest
from django.db import connection

from portal import roles
from tests.factories import DepartmentFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    # Tests marked ``postgres`` need the real server; on SQLite they are skipped, not faked.
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (run the README's test command)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def department(db):
    return DepartmentFactory(code="SCJG", name="市市场监督管理局", short_name="市场监管局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="ZJJ", name="市住房和城乡建设局", short_name="住建局")


@pytest.fixture
def handler(department):
    return UserFactory(username="handler", roles=[roles.DEPT_HANDLER], department=department)


@pytest.fixture
def head(department):
    return UserFactory(username="head", roles=[roles.DEPT_HEAD], department=department)


@pytest.fixture
def clerk(department):
    return UserFactory(username="clerk", roles=[roles.WINDOW_CLERK], department=department)


@pytest.fixture
def legal(db):
    dept = DepartmentFactory(code="FZB", name="市司法局（法制办）", short_name="法制办")
    return UserFactory(username="legal", roles=[roles.LEGAL_REVIEWER], department=dept)


@pytest.fixture
def inspector(db):
    dept = DepartmentFactory(code="JW", name="市纪委监委", short_name="纪委监委")
    return UserFactory(username="inspector", roles=[roles.INSPECTOR], department=dept)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=[roles.ADMINISTRATOR], is_staff=True, is_superuser=True)


@pytest.fixture
def integrator(db):
    return UserFactory(username="integrator", roles=[roles.INTEGRATOR])
