"""The dashboard's history of earlier months: cached, stored as a monthly roll-up, never recounted in
a page view once counted (the worker recounts it)."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from monitoring import dashboard
from monitoring.models import DashboardMonth


@pytest.fixture
def counted_from(monkeypatch):
    """The start of every count the dashboard makes, in order."""
    starts = []
    real = dashboard._count_days
    monkeypatch.setattr(
        dashboard, "_count_days", lambda now, start, end: starts.append(start) or real(now, start, end)
    )
    return starts


@pytest.mark.django_db
def test_an_expired_history_is_served_and_a_lost_one_read_from_the_roll_up(counted_from, settings):
    settings.DASHBOARD_HISTORY_CACHE_SECONDS = 60
    settings.DASHBOARD_HISTORY_STALE_SECONDS = 3600
    cache.clear()
    first = dashboard.figures()  # counts twelve months once, and stores them
    window = dashboard.Window.ending(timezone.now())
    month_start = dashboard.local_midnight(window.today.replace(day=1))
    assert counted_from == [window.start]
    assert DashboardMonth.objects.count() == len(
        dashboard._months(window.first_day, window.today.replace(day=1))
    )
    key = dashboard._history_key(window)
    entry = cache.get(key)
    entry["at"] -= 61  # older than the freshness, no worker renewed it
    cache.set(key, entry, dashboard.history_stale_seconds())
    dashboard.figures()
    assert counted_from[-1] == month_start  # only this month counted live: the page did not recount the year
    assert dashboard.history_age() > 60
    cache.delete(key)  # past the stale limit, a restart, a flush: the entry is gone
    DashboardMonth.objects.update(counted_at=timezone.now() - dashboard.timedelta(hours=7))  # no worker since
    assert dashboard.figures()["trends"] == first["trends"]
    assert counted_from[-1] == month_start  # read from the roll-up, not recounted
    assert dashboard.history_age() > 7 * 3600 - 60  # the roll-up's own age, for /health/


@pytest.mark.django_db
def test_only_the_months_never_stored_are_counted(counted_from, time_machine, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    time_machine.move_to(dashboard.local_midnight(dashboard.date(2025, 6, 15)), tick=False)
    dashboard.figures()
    window = dashboard.Window.ending(timezone.now())
    assert window.first_day == dashboard.date(2024, 7, 1)
    DashboardMonth.objects.filter(
        month__gte=dashboard.date(2025, 4, 1)
    ).delete()  # the worker never ran since
    cache.clear()
    dashboard.figures()
    assert counted_from[-1] == dashboard.local_midnight(dashboard.date(2025, 4, 1))
    assert sorted(DashboardMonth.objects.values_list("month", flat=True))[-2:] == [
        dashboard.date(2025, 4, 1),
        dashboard.date(2025, 5, 1),
    ]


def test_stale_limit_is_never_shorter_than_the_freshness(settings):
    settings.DASHBOARD_HISTORY_CACHE_SECONDS = 7200
    settings.DASHBOARD_HISTORY_STALE_SECONDS = 60
    assert dashboard.history_stale_seconds() == 7200
