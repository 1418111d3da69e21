"""Periodic work of the risks app (idempotent: running twice changes nothing)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def open_quarterly_self_reviews() -> int:
    """On the first day of a quarter, open the previous quarter's self-review tasks (beat: daily)."""
    from .reviews import open_self_reviews

    today = timezone.localdate()
    quarter = (today.month - 1) // 3  # the quarter that just ended (0 = last year's fourth)
    year = today.year if quarter else today.year - 1
    return open_self_reviews(year, quarter or 4)
