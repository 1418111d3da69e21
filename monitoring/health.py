"""Health of the supervision machinery, for /health/, the dashboard and load balancers.

``status()`` returns ``{"status": "ok"|"error", "checks": {...}}``; each check is a dict with a
``status`` of "ok", "error" (failing) or "unknown" (cannot be told reliably from here — reported as
such rather than guessed, and not counted as failing).

Every probe is bounded, so a server that accepts connections but never answers makes /health/
answer 503 in under a second instead of hanging: the database probes run under a statement
timeout (PostgreSQL; connecting is bounded by the ``connect_timeout`` of the settings), and the
network probes (broker, cache) run side by side in daemon threads that are abandoned at the
deadline (their own socket timeouts end them soon after).
"""

import contextlib
import os
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring.models import SweepRun

BROKER_TIMEOUT_SECONDS = 0.3
# The network probes (broker, cache) together never take longer than this.
PROBE_DEADLINE_SECONDS = 0.5
# A database probe is cancelled by the server after this (PostgreSQL statement_timeout).
DATABASE_TIMEOUT_MS = 500
# The worker touches its heartbeat file every WORKER_HEARTBEAT_SECONDS (monitoring.tasks).
WORKER_HEARTBEAT_SECONDS = 15
WORKER_STALE_AFTER_SECONDS = 4 * WORKER_HEARTBEAT_SECONDS

OK, ERROR, UNKNOWN = "ok", "error", "unknown"


@contextlib.contextmanager
def _probe_transaction():
    """PostgreSQL: a transaction, so that SET LOCAL bounds the probe; SQLite needs none (no extra queries).

    Inside a caller's transaction the probe runs in a savepoint that is rolled back, which also undoes
    its SET LOCAL: the caller's later statements must not inherit the probe's short timeout.
    """
    if connection.vendor != "postgresql":
        yield
    elif connection.in_atomic_block:
        savepoint = transaction.savepoint()
        try:
            yield
        finally:
            transaction.savepoint_rollback(savepoint)
    else:
        with transaction.atomic():
            yield


def _statement_timeout(cursor) -> None:
    """Inside a transaction: let the server cancel this probe's statements after DATABASE_TIMEOUT_MS."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL statement_timeout = {int(DATABASE_TIMEOUT_MS)}")


def check_database() -> dict:
    try:
        with _probe_transaction(), connection.cursor() as cursor:
            _statement_timeout(cursor)
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to talk to the database is the answer
        return {"status": ERROR, "detail": exc.__class__.__name__}
    return {"status": OK}


def _last_sweep():
    return SweepRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()


def _sweep_check(last, now) -> dict:
    if last is None:
        return {"status": ERROR, "stale": True, "last_run": None, "detail": "never ran"}
    age = int((now - last).total_seconds())
    stale = age > settings.SWEEP_STALE_AFTER_SECONDS
    return {
        "status": ERROR if stale else OK,
        "stale": stale,
        "last_run": last.isoformat(),
        "age_seconds": age,
        "stale_after_seconds": settings.SWEEP_STALE_AFTER_SECONDS,
    }


def _read_last_sweep():
    """The sweep's last run, read in a bounded transaction under the statement timeout."""
    with _probe_transaction(), connection.cursor() as cursor:
        _statement_timeout(cursor)
        return _last_sweep()


def check_sweep(now=None) -> dict:
    """Failing when the sweep never ran or its last run is older than SWEEP_STALE_AFTER_SECONDS."""
    now = now or timezone.now()
    try:
        last = _read_last_sweep()
    except Exception as exc:
        return {"status": ERROR, "detail": exc.__class__.__name__}
    return _sweep_check(last, now)


def check_database_and_sweep(now=None) -> tuple[dict, dict]:
    """``check_database()`` and ``check_sweep()`` in one bounded transaction: the sweep's last run read
    under the statement timeout answers for the database too (four statements fewer on PostgreSQL
    for every dashboard view and /health/). When that read fails, the database is probed on its own
    so that a broken sweep table is not reported as an unreachable database."""
    now = now or timezone.now()
    try:
        last = _read_last_sweep()
    except Exception as exc:
        return check_database(), {"status": ERROR, "detail": exc.__class__.__name__}
    return {"status": OK}, _sweep_check(last, now)


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        # The embedded broker is a folder: reachable when the queue folder exists and is writable.
        folder = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in", "")
        ok = bool(folder) and os.path.isdir(folder) and os.access(folder, os.W_OK)
        return {"status": OK if ok else ERROR, "transport": "filesystem"}
    return _bounded(_probe_broker, url)


def _probe_broker(url: str) -> dict:
    if url.startswith(("redis://", "rediss://")):
        # A round trip (PING), not only a TCP connect: a hung server accepts and never answers.
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),  # the client retries with backoff by default: one try
        )
        try:
            client.ping()
        finally:
            client.close()
        return {"status": OK, "transport": "redis"}
    from kombu import Connection

    options = {"socket_timeout": BROKER_TIMEOUT_SECONDS, "socket_connect_timeout": BROKER_TIMEOUT_SECONDS}
    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
        return {"status": OK, "transport": str(conn.transport_cls)}


def check_cache() -> dict:
    """The cache answers a write and a read (the shared Redis in production; sessions, throttles)."""
    return _bounded(_probe_cache)


def _probe_cache() -> dict:
    from django.core.cache import cache

    token = str(time.monotonic_ns())
    cache.set("health:probe", token, 10)
    if cache.get("health:probe") != token:
        return {"status": ERROR, "detail": "read back a different value"}
    return {"status": OK}


class _Probe(threading.Thread):
    """One network probe in a daemon thread: abandoned (not awaited) when it outlives the deadline."""

    def __init__(self, probe, args):
        super().__init__(daemon=True, name=f"health-{probe.__name__}")
        self.probe, self.args, self.result = probe, args, None

    def run(self):
        try:
            self.result = self.probe(*self.args)
        except Exception as exc:  # any failure to answer is the answer
            self.result = {"status": ERROR, "detail": exc.__class__.__name__}


def _bounded(probe, *args, deadline: float | None = None) -> dict:
    thread = _Probe(probe, args)
    thread.start()
    return _result(thread, deadline or time.monotonic() + PROBE_DEADLINE_SECONDS)


def _result(thread: _Probe, deadline: float) -> dict:
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive() or thread.result is None:
        return {"status": ERROR, "detail": "timeout"}
    return thread.result


def check_worker() -> dict:
    """From the heartbeat file a worker touches; "unknown" when no worker ever wrote it here
    (e.g. the worker runs in another container without a shared volume)."""
    path = settings.CELERY_WORKER_HEARTBEAT_FILE
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return {"status": UNKNOWN, "detail": "no heartbeat file"}
    age = int(time.time() - mtime)
    return {"status": ERROR if age > WORKER_STALE_AFTER_SECONDS else OK, "age_seconds": age}


def status() -> dict:
    # The network probes start first and run while the database is asked; all share one deadline.
    deadline = time.monotonic() + PROBE_DEADLINE_SECONDS
    network = {}
    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        network["broker"] = _Probe(_probe_broker, (settings.CELERY_BROKER_URL,))
    network["cache"] = _Probe(_probe_cache, ())
    for thread in network.values():
        thread.start()
    checks = dict(zip(("database", "sweep"), check_database_and_sweep(), strict=True))
    checks["broker"] = _result(network["broker"], deadline) if "broker" in network else check_broker()
    checks["cache"] = _result(network["cache"], deadline)
    checks["worker"] = check_worker()
    failing = any(check["status"] == ERROR for check in checks.values())
    return {"status": ERROR if failing else OK, "checks": checks}
