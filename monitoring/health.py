"""Health of the supervision machinery, for /health/, the dashboard and load balancers.

``status()`` returns ``{"status": "ok"|"error", "checks": {...}}``; each check is a dict with a
``status`` of "ok", "error" (failing) or "unknown" (cannot be told reliably from here — reported as
such rather than guessed, and not counted as failing). Each check is bounded to well under a second.
"""

import os
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from monitoring.models import SweepRun

BROKER_TIMEOUT_SECONDS = 0.5
# The worker touches its heartbeat file every WORKER_HEARTBEAT_SECONDS (monitoring.tasks).
WORKER_HEARTBEAT_SECONDS = 15
WORKER_STALE_AFTER_SECONDS = 4 * WORKER_HEARTBEAT_SECONDS

OK, ERROR, UNKNOWN = "ok", "error", "unknown"


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to talk to the database is the answer
        return {"status": ERROR, "detail": exc.__class__.__name__}
    return {"status": OK}


def check_sweep(now=None) -> dict:
    """Failing when the sweep never ran or its last run is older than SWEEP_STALE_AFTER_SECONDS."""
    now = now or timezone.now()
    try:
        last = SweepRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    except Exception as exc:
        return {"status": ERROR, "detail": exc.__class__.__name__}
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


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        # The embedded broker is a folder: reachable when the queue folder exists and is writable.
        folder = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in", "")
        ok = bool(folder) and os.path.isdir(folder) and os.access(folder, os.W_OK)
        return {"status": OK if ok else ERROR, "transport": "filesystem"}
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
            transport = conn.transport_cls
    except Exception as exc:
        return {"status": ERROR, "detail": exc.__class__.__name__}
    return {"status": OK, "transport": str(transport)}


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
    checks = {
        "database": check_database(),
        "sweep": check_sweep(),
        "broker": check_broker(),
        "worker": check_worker(),
    }
    failing = any(check["status"] == ERROR for check in checks.values())
    return {"status": ERROR if failing else OK, "checks": checks}
