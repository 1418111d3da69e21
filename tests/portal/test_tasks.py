"""Kernel housekeeping tasks."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.celery import app
from portal.tasks import clear_expired_sessions


@pytest.mark.django_db
def test_expired_sessions_are_deleted_and_live_ones_kept():
    live = SessionStore()
    live["tracked"] = {"case": 1}
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    clear_expired_sessions()
    assert set(Session.objects.values_list("session_key", flat=True)) == {live.session_key}


def test_beat_clears_sessions_every_hour():
    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "portal.tasks.clear_expired_sessions"
    ]
    assert len(entries) == 1 and entries[0]["schedule"].minute == {17}


@pytest.mark.django_db
def test_optimize_database_refreshes_the_planner_statistics():
    from django.db import connection

    from portal import maintenance
    from portal.celery import app
    from portal.tasks import optimize_database

    if connection.vendor == "sqlite":
        assert maintenance.optimize_database(full=True) == "ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
        assert optimize_database() == "PRAGMA optimize"
    else:
        assert maintenance.optimize_database(full=True) == "ANALYZE"
    assert any(e["task"] == "portal.tasks.optimize_database" for e in app.conf.beat_schedule.values())
