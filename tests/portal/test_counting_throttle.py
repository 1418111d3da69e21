"""The API's general throttles count per window (portal.ratelimit.CountingThrottle): the same limits as
DRF's list of request times, one cache round trip per allowed request on Redis."""

import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from portal import ratelimit

WINDOW = 60.0


class Clock:
    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


def throttle(clock, limit=3, cache=None):
    t = ratelimit.AnonThrottle()
    t.rate, (t.num_requests, t.duration) = f"{limit}/min", (limit, 60)
    t.timer = clock
    if cache is not None:
        t.cache = cache
    return t


def request(addr="192.0.2.7"):
    request = RequestFactory().get("/api/v1/departments/", REMOTE_ADDR=addr)
    request.user = AnonymousUser()
    return request


def test_the_limit_holds_and_a_refusal_is_not_counted():
    clock = Clock(1000 * WINDOW + 1)
    results = [throttle(clock).allow_request(request(), None) for _ in range(5)]
    assert results == [True, True, True, False, False]
    refused = throttle(clock)
    assert refused.allow_request(request(), None) is False
    assert 1 <= refused.wait() <= 2 * WINDOW
    assert throttle(clock).allow_request(request("192.0.2.8"), None) is True  # another client
    # Late in the next window the earlier window weighs little: one request fits again, not three.
    clock.at = 1001 * WINDOW + 0.7 * WINDOW
    assert [throttle(clock).allow_request(request(), None) for _ in range(3)] == [True, True, False]


def test_no_burst_of_twice_the_rate_at_a_windows_edge():
    clock = Clock(1000 * WINDOW + WINDOW - 0.5)  # the last half second of a window
    assert all(throttle(clock).allow_request(request(), None) for _ in range(3))
    clock.at += 1  # the first half second of the next one: the previous window still counts fully
    t = throttle(clock)
    assert t.allow_request(request(), None) is False
    assert t.wait() >= 0.25 * WINDOW  # a third of the previous window's weight must fall first


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (scripts/services.sh)")
def test_one_round_trip_per_allowed_request_on_redis(monkeypatch, settings):
    from django.core.cache import cache
    from redis.connection import Connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test-counting-{os.getpid()}",
        }
    }
    assert isinstance(cache._connections[cache._alias], RedisCache)  # DRF's default cache, as in production
    sent = []
    original = Connection.send_packed_command
    monkeypatch.setattr(
        Connection, "send_packed_command", lambda self, *a, **k: sent.append(1) or original(self, *a, **k)
    )
    clock = Clock(1000 * WINDOW + 1)
    throttle(clock).allow_request(request("192.0.2.99"), None)  # connects, loads the script
    sent.clear()
    assert throttle(clock).allow_request(request(), None) is True
    assert len(sent) == 1
    assert throttle(clock).allow_request(request(), None) is True
    assert throttle(clock).allow_request(request(), None) is True
    refused = throttle(clock)
    assert refused.allow_request(request(), None) is False
    assert 1 <= refused.wait() <= 2 * WINDOW
    assert throttle(clock).allow_request(request(), None) is False
    cache.delete_many([f"throttle_anon_{ip}:{int(clock.at // WINDOW)}" for ip in ("192.0.2.7", "192.0.2.99")])
