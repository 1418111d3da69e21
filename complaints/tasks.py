"""Background work of the complaint platform. Messages to reporters go through the kernel's outbox
(``portal.outbox``, delivered by its own periodic task); this app only anonymises old complaints."""

from celery import shared_task


@shared_task(name="complaints.tasks.anonymise_expired")
def anonymise_expired() -> int:
    """Nightly: anonymise closed complaints past COMPLAINTS_RETENTION_DAYS (idempotent)."""
    from . import services

    return services.anonymise_expired()
