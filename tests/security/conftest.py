"""The demo city, seeded once for the security nets (permission matrix, fuzzed forms, schemathesis).

Seeded inside one transaction that is rolled back when the package's tests end; every test runs
in a savepoint on top (pytest-django's ``db``), so the tests never see each other's writes.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from portal import roles
from portal.models import Department
from tests.factories import UserFactory

# Every role of the matrix: anonymous, the demo logins, and a handler of another department.
ROLES = (
    "anonymous", "clerk", "handler", "other_handler", "head", "legal", "inspector", "operator", "appraiser",
    "integrator", "admin",
)  # fmt: skip


@pytest.fixture(scope="package")
def demo_city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            other = Department.objects.exclude(code="SCJG").filter(kind="department").first()
            other = other or Department.objects.exclude(code="SCJG").first()
            UserFactory(username="other_handler", roles=[roles.DEPT_HANDLER], department=other)
            # PostgreSQL: check the seed's deferred foreign keys once, here. Left pending, every test's
            # teardown (check_constraints in its savepoint, then rolled back) would check them all again.
            connection.check_constraints()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_city, db):
    return demo_city
