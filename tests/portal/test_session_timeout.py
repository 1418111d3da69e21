"""Signed-in sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login."""

import pytest
from django.urls import reverse

from portal import middleware
from tests.factories import PASSWORD

WORKBENCH = "/workbench/"


class Clock:
    def __init__(self, start=1_900_000_000.0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(middleware, "_now", clock)
    return clock


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.django_db
def test_an_idle_session_ends_and_the_page_comes_back_after_login(client, handler, clock, settings):
    settings.SESSION_IDLE_MINUTES = 30
    sign_in(client, handler)
    assert client.get(WORKBENCH).status_code == 200
    clock.now += 29 * 60
    assert client.get(WORKBENCH).status_code == 200  # active: the idle clock starts again
    clock.now += 29 * 60
    assert client.get(WORKBENCH).status_code == 200
    clock.now += 31 * 60
    response = client.get(WORKBENCH)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "next=/workbench/" in response.url
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_active_session_still_ends_after_the_maximum(client, handler, clock, settings):
    settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS = 30, 12
    sign_in(client, handler)
    for _ in range(12 * 3 + 1):  # a request every 20 minutes, past 12 hours
        clock.now += 20 * 60
        last = client.get(WORKBENCH)
    assert last.status_code == 302 and "_auth_user_id" not in client.session
    sign_in(client, handler)  # a new login starts both clocks again
    assert client.get(WORKBENCH).status_code == 200


@pytest.mark.django_db
def test_a_timed_out_form_post_is_not_performed_as_the_person(client, handler, clock, settings):
    settings.SESSION_IDLE_MINUTES = 30
    sign_in(client, handler)
    clock.now += 31 * 60
    response = client.post(reverse("risks:declare"), {"title": "x"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))  # anonymous now


@pytest.mark.django_db
def test_the_last_seen_time_is_not_written_on_every_request(client, handler, clock):
    sign_in(client, handler)
    client.get(WORKBENCH)
    first = client.session[middleware.SEEN_AT]
    clock.now += 10
    client.get(WORKBENCH)
    assert client.session[middleware.SEEN_AT] == first  # within SEEN_RESOLUTION: no session write
    clock.now += middleware.SEEN_RESOLUTION
    client.get(WORKBENCH)
    assert client.session[middleware.SEEN_AT] == clock.now
