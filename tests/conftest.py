"""Named personas, as in Healthchecks' alice/bob/charlie: one per role."""

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from portal import roles
from tests.factories import DepartmentFactory, UserFactory

# Property tests check what they generate, not how fast: on a shared, loaded machine Hypothesis's
# 200 ms deadline per example and its "too slow" health check failed them at random (the risks
# grading tests). Same examples, same number of them; a test's own @settings still override this.
hypothesis_settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("portal")


def pytest_collection_modifyitems(config, items):
    # Tests marked ``postgres`` need the real server; on SQLite they are skipped, not faked.
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (run the README's test command)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing, and a private in-memory cache per test (no state shared through var/)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "audit-anchors.jsonl")  # each test its own anchors
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


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


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker in a subprocess, on the Redis broker and this test's PostgreSQL database.

    Runs only on the PostgreSQL + Redis leg of the test command; the worker consumes a private
    queue, so tasks of other runs never reach it. Yields the queue name.
    """
    import os
    import subprocess
    import sys
    import time
    import uuid

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if connection.vendor != "postgresql" or not broker.startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis (run the README's test command)")
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", f"{queue}@localhost"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    from portal.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited: {proc.stdout.read()}")
        if app.control.ping(destination=[f"{queue}@localhost"], timeout=0.5):
            break
    else:
        proc.terminate()
        pytest.fail("celery worker did not answer a ping within 30 s")
    yield queue
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
