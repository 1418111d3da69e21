"""The dashboard's cached history of earlier months: an aged copy is served, never recounted in a page view."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from monitoring import dashboard


@pytest.mark.django_db
def test_an_expired_history_is_served_until_the_stale_limit(monkeypatch, settings):
    settings.DASHBOARD_HISTORY_CACHE_SECONDS = 60
    settings.DASHBOARD_HISTORY_STALE_SECONDS = 3600
    cache.clear()
    dashboard.figures()  # counts twelve months once
    window = dashboard.Window.ending(timezone.now())
    key = dashboard._history_key(window)
    entry = cache.get(key)
    entry["at"] -= 61  # older than the freshness, no worker renewed it
    cache.set(key, entry, dashboard.history_stale_seconds())
    starts = []
    real = dashboard._count_days
    monkeypatch.setattr(
        dashboard, "_count_days", lambda now, start, end: starts.append(start) or real(now, start, end)
    )
    dashboard.figures()
    month_start = dashboard.local_midnight(window.today.replace(day=1))
    assert starts == [month_start]  # only this month counted live: the page did not recount the year
    assert dashboard.history_age() > 60
    cache.delete(key)  # past the stale limit the entry is gone: the view recounts
    dashboard.figures()
    assert starts[-1] == window.start


def test_stale_limit_is_never_shorter_than_the_freshness(settings):
    settings.DASHBOARD_HISTORY_CACHE_SECONDS = 7200
    settings.DASHBOARD_HISTORY_STALE_SECONDS = 60
    assert dashboard.history_stale_seconds() == 7200
