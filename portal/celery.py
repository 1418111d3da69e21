"""The Celery app. Tasks are discovered in each app's ``tasks.py``.

Beat's schedule is declared here and synced into django-celery-beat's tables,
where an administrator can edit it (production and the embedded run alike).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "supervision-sweep-every-minute": {
        "task": "monitoring.tasks.sweep_timers",
        "schedule": 60.0,
    },
    "dashboard-history-every-5-minutes": {
        "task": "monitoring.tasks.refresh_dashboard",
        "schedule": 300.0,
    },
    # Every minute (the name is kept so the database schedule updates in place): the verbs no
    # longer publish a check per case, the incremental run picks up what changed.
    "anomaly-rules-every-5-minutes": {
        "task": "monitoring.tasks.run_anomaly_rules",
        "schedule": 60.0,
    },
    "outbox-every-minute": {
        "task": "portal.tasks.deliver_outbox",
        "schedule": 60.0,
    },
    # Audit events written while the chain was busy are sealed, then linked here (portal/audit.py).
    "audit-chain-every-minute": {
        "task": "portal.tasks.chain_audit",
        "schedule": 60.0,
    },
    # The audit chain's head, anchored outside the database (portal/audit.py: threat model).
    "audit-anchor-every-10-minutes": {
        "task": "portal.tasks.anchor_audit",
        "schedule": 600.0,
    },
    "clear-expired-sessions-hourly": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17),
    },
    "complaints-anonymise-nightly": {
        "task": "complaints.tasks.anonymise_expired",
        "schedule": crontab(hour=3, minute=10),
    },
    "optimize-database-nightly": {
        "task": "portal.tasks.optimize_database",
        "schedule": crontab(hour=4, minute=40),
    },
    # Daily and idempotent: the quarter's self-review tasks exist from the quarter's first day on.
    "risks-self-reviews-daily": {
        "task": "risks.tasks.open_quarterly_self_reviews",
        "schedule": crontab(hour=6, minute=5),
    },
    "anomaly-rules-full-scan-nightly": {
        "task": "monitoring.tasks.run_anomaly_rules",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"full": True},
    },
}
