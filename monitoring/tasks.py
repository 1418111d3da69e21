"""Celery tasks of monitoring, and the worker's heartbeat file (read by monitoring.health)."""

import logging
import os
from pathlib import Path

from celery import bootsteps, shared_task
from celery.signals import worker_ready
from django.conf import settings

from monitoring.health import WORKER_HEARTBEAT_SECONDS
from portal.celery import app

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.tasks.sweep_timers", ignore_result=True)
def sweep_timers():
    """The supervision sweep (beat: every minute). Idempotent: a rerun or an overlap raises nothing twice."""
    from monitoring.services.sweep import run_sweep

    result = run_sweep()
    if result.reminders or result.alarms:
        logger.info("sweep: %d reminders, %d alarms", result.reminders, result.alarms)
    return result.as_dict()


@shared_task(name="monitoring.tasks.run_anomaly_rules", ignore_result=True)
def run_anomaly_rules(targets=None, full=False):
    """Anomaly rules (beat: every 5 minutes, and a full scan nightly). ``targets``: ids to check (e.g.
    one case after a verb); ``full``: everything (finds what leaves no trace on the case, such as a
    fee record deleted in the database); neither: what changed since the last run. Idempotent: an
    anomaly is alerted once per occurrence."""
    from monitoring import rules

    if full:
        counts = rules.run()
    elif targets is not None:
        counts = rules.run(targets=targets)
    else:
        counts = rules.run_incremental()
    if any(counts.values()):
        logger.info("anomaly rules: %s", counts)
    return counts


@shared_task(name="monitoring.tasks.refresh_dashboard", ignore_result=True)
def refresh_dashboard():
    """Recount the dashboard's days before this month into the cache and the stored monthly roll-up
    (beat: every 5 minutes), so that page views count only this month (monitoring.dashboard.daily_counts)."""
    from monitoring.dashboard import refresh_history

    refresh_history()


@worker_ready.connect(dispatch_uid="monitoring.tasks.refresh_dashboard_at_start")
def refresh_dashboard_at_start(sender=None, **kwargs):
    """A worker that starts recounts the dashboard's earlier months at once, not after beat's first
    five minutes: after an install, an upgrade or a long stop, the roll-up is complete and fresh
    before (or soon after) the first page view."""
    try:
        refresh_dashboard.apply_async()
    except Exception:  # a worker that cannot publish still starts; beat sends the next one
        logger.warning("could not queue the dashboard's recount at start-up", exc_info=True)


class HeartbeatFile(bootsteps.StartStopStep):
    """Touch CELERY_WORKER_HEARTBEAT_FILE from the worker's own timer while the worker is alive."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.path = Path(settings.CELERY_WORKER_HEARTBEAT_FILE)

    def touch(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(str(os.getpid()))
        except OSError:
            logger.warning("cannot write the worker heartbeat file %s", self.path, exc_info=True)

    def start(self, worker):
        self.touch()
        self.tref = worker.timer.call_repeatedly(WORKER_HEARTBEAT_SECONDS, self.touch, priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(HeartbeatFile)
