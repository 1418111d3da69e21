"""Housekeeping of the kernel, run by Celery beat (schedule in portal/celery.py)."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="portal.tasks.clear_expired_sessions")
def clear_expired_sessions():
    """Delete expired sessions (they may hold a tracked case's query secret): Django's clearsessions."""
    call_command("clearsessions")


@shared_task(name="portal.tasks.deliver_outbox", ignore_result=True)
def deliver_outbox():
    """Send the outbox's pending messages that are due (beat: every minute); see portal.outbox."""
    from portal import outbox

    return outbox.deliver_pending()


@shared_task(name="portal.tasks.optimize_database", ignore_result=True)
def optimize_database():
    """Refresh the query planner's statistics (SQLite: PRAGMA optimize); beat, nightly."""
    from portal import maintenance

    return maintenance.optimize_database()


@shared_task(name="portal.tasks.anchor_audit", ignore_result=True)
def anchor_audit():
    """Append the audit chain's head to the anchor file outside the database (beat: every 10 minutes)."""
    from portal import audit

    return audit.anchor_head()


@shared_task(name="portal.tasks.chain_audit", ignore_result=True)
def chain_audit():
    """Link the audit events written while another transaction held the chain (beat: every minute)."""
    from portal import audit

    return audit.chain_pending(wait=False)
