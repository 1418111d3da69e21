"""/health/ and monitoring.health: database, sweep, broker, worker."""

import os
import socket
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import health
from monitoring.models import SweepRun
from monitoring.timers import run_sweep


@pytest.fixture
def heartbeat(tmp_path, settings):
    settings.CELERY_WORKER_HEARTBEAT_FILE = str(tmp_path / "worker-heartbeat")
    return tmp_path / "worker-heartbeat"


@pytest.mark.django_db
def test_healthy_after_a_recent_sweep(client, heartbeat):
    run_sweep()
    response = client.get(reverse("monitoring:health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "sweep", "broker", "cache", "worker"}
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["sweep"]["stale"] is False
    assert body["checks"]["worker"]["status"] == "unknown"  # no worker wrote a heartbeat here


@pytest.mark.django_db
def test_a_stale_sweep_is_reported_and_fails_health(client, settings, heartbeat):
    settings.SWEEP_STALE_AFTER_SECONDS = 300
    run_sweep(timezone.now() - timedelta(minutes=10))
    check = health.check_sweep()
    assert check["stale"] and check["status"] == "error" and check["age_seconds"] >= 600
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["sweep"]["stale"] is True


@pytest.mark.django_db
def test_a_sweep_that_never_ran_fails_health(client, heartbeat):
    assert not SweepRun.objects.exists()
    assert client.get("/health/").status_code == 503


@pytest.mark.django_db
def test_worker_heartbeat_file_fresh_or_stale(client, heartbeat):
    run_sweep()
    heartbeat.write_text("1")
    assert health.check_worker()["status"] == "ok"
    old = time.time() - health.WORKER_STALE_AFTER_SECONDS - 10
    os.utime(heartbeat, (old, old))
    assert health.check_worker()["status"] == "error"
    assert client.get("/health/").status_code == 503


@pytest.mark.django_db
def test_broker_checks(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert health.check_broker()["status"] == "ok"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    assert health.check_broker()["status"] == "error"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    assert health.check_broker()["status"] == "error"  # the first call also imports the redis client
    started = time.monotonic()
    assert health.check_broker()["status"] == "error"
    assert time.monotonic() - started < 1  # refused at once; bounded by the probe deadline anyway


@pytest.mark.django_db
def test_health_is_public_and_quick(client, heartbeat):
    run_sweep()
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 1
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.fixture
def silent_server():
    """A real listening socket that never accepts or answers: the kernel completes the TCP
    handshake (backlog), then every read waits forever — a hung broker or Redis."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.django_db
def test_a_broker_that_accepts_but_never_answers_fails_health_within_a_second(
    client, settings, heartbeat, silent_server
):
    run_sweep()
    settings.CELERY_BROKER_URL = silent_server
    health.check_broker()  # the first call imports the redis client
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 1
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "error"


@pytest.mark.django_db
def test_a_cache_that_never_answers_fails_health_within_a_second(client, settings, heartbeat, silent_server):
    run_sweep()
    settings.CELERY_BROKER_URL = silent_server
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": silent_server}
    }
    health.check_broker()
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 1  # both hung probes share one deadline
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == {"status": "error", "detail": "timeout"}
    assert checks["broker"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


@pytest.mark.django_db
def test_one_probe_answers_for_the_database_and_the_sweep(monkeypatch):
    run_sweep()
    database, sweep = health.check_database_and_sweep()
    assert database == {"status": "ok"} and sweep["status"] == "ok" and sweep["stale"] is False

    def broken():
        raise RuntimeError("no sweep table")

    monkeypatch.setattr(health, "_last_sweep", broken)
    database, sweep = health.check_database_and_sweep()
    assert database == {"status": "ok"}  # probed on its own: the database itself answers
    assert sweep == {"status": "error", "detail": "RuntimeError"}
