"""No request path publishes to the Celery broker: a dead or hung broker never delays a citizen."""

import socket
import time

import pytest
from rest_framework.test import APIClient

from approvals.models import Case
from portal.celery import app as celery_app
from tests.approvals.factories import centre as build_centre
from tests.approvals.factories import pdf


@pytest.fixture
def silent_broker():
    """A socket that accepts connections and never answers, as a hung Redis would."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.fixture
def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more: connections are refused
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def broker(monkeypatch):
    """Point the Celery app at a URL with eager mode off (tasks really would be published)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def reset():
        # Drop every cached connection and producer: with a real Redis broker configured (the
        # PostgreSQL run), a pooled producer would otherwise still publish to the working server.
        # Not celery_app.close(): it also takes the app out of Celery's active apps, and every
        # shared_task module imported afterwards (portal.tasks in a later test file) was then
        # missing from its registry — NotRegistered when run after this file.
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.__dict__.pop("producer_pool", None)

    def use(url):
        # Celery prefers the CELERY_BROKER_URL environment variable (set in the PostgreSQL run) to conf.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        conf.broker_url, conf.task_always_eager = url, False
        reset()

    yield use
    conf.broker_url, conf.task_always_eager = saved
    reset()


@pytest.fixture
def publishes(monkeypatch):
    """Every attempt to publish a task (refused at once, so that a test never hangs on it)."""
    from celery.app.task import Task

    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(self.name)
        raise ConnectionError("no publishing from a request")

    monkeypatch.setattr(Task, "apply_async", refuse)
    monkeypatch.setattr(
        type(celery_app), "send_task", lambda app, name, *a, **k: refuse(type("T", (), {"name": name})())
    )
    return attempts


def walk_a_case(centre):
    """Submit online, accept at the window, and walk the steps: the verbs a citizen's case goes through."""
    api = APIClient()
    data = {"item": centre.item.code, "applicant_name": "张三", "applicant_phone": "13800138000"}
    data[f"material_{centre.required.pk}"] = pdf()
    started = time.monotonic()
    created = api.post("/api/v1/cases/", data, format="multipart")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    api.force_authenticate(centre.clerk)
    assert api.post(f"/api/v1/cases/{code}/accept/").status_code == 200
    return code, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("which", ["silent_broker", "closed_port"])
def test_intake_answers_promptly_with_the_broker_down(which, request, broker, publishes):
    broker(request.getfixturevalue(which))
    centre = build_centre()
    code, seconds = walk_a_case(centre)
    assert publishes == [] and seconds < 5
    case = Case.objects.get(code=code)
    assert case.notifications.count() == 1  # the notice is a committed row, sent later by the outbox


@pytest.mark.django_db
def test_the_closed_port_really_refuses_a_publish(closed_port, broker):
    """The control: with this broker, publishing a task fails — so the test above would notice one."""
    from monitoring.tasks import sweep_timers

    broker(closed_port)
    with pytest.raises(Exception):  # noqa: B017 — kombu's OperationalError or a socket error
        sweep_timers.apply_async(retry=False)


def test_the_broker_fixture_leaves_the_app_active(broker, closed_port):
    """A shared task defined after the broker is switched back is still registered with the app."""
    from celery import _state, shared_task

    broker(closed_port)
    assert celery_app in _state._get_active_apps()
    assert celery_app.tasks  # finalized, as in a run where earlier tests used it

    @shared_task(name="tests.approvals.late_task")
    def late_task():
        return "ran"

    try:
        assert late_task.apply().get() == "ran"
    finally:
        celery_app.tasks.pop("tests.approvals.late_task", None)
