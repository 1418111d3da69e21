"""One rate limit for pages and API (portal.ratelimit): DRF's throttles keyed by the NUM_PROXIES rule."""

import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings

from portal import ratelimit


@pytest.fixture
def proxies(settings):
    def use(n):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": n}
        api_settings.reload()

    yield use
    api_settings.reload()


def request(addr="10.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": addr}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_pages_count_per_address_with_the_apis_throttle():
    assert isinstance(ratelimit.PageThrottle("x", 2), ratelimit.AnonThrottle.__mro__[1])  # same key rule
    assert [ratelimit.over_limit(request(), "s", 2) for _ in range(3)] == [False, False, True]
    assert ratelimit.over_limit(request("10.0.0.2"), "s", 2) is False  # another client
    assert ratelimit.over_limit(request(), "other-scope", 2) is False  # another scope
    assert ratelimit.over_limit(request("10.0.0.3"), "none", 0) is True


def test_one_address_rule_for_pages_and_api(proxies):
    forged = request("10.0.0.9", forwarded="6.6.6.6, 1.2.3.4")
    proxies(0)  # no trusted proxy: the header is the client's to forge
    assert ratelimit.client_ip(forged) == "10.0.0.9"
    assert (
        ratelimit.AnonThrottle().get_ident(forged)
        == ratelimit.PageThrottle("x", 1).get_ident(forged)
        == "10.0.0.9"
    )
    proxies(1)  # one proxy: the address it saw, the rightmost entry
    assert ratelimit.client_ip(forged) == "1.2.3.4"
    assert ratelimit.ScopedThrottle().get_ident(forged) == "1.2.3.4"


def test_the_api_uses_the_portals_throttles():
    assert [cls.__module__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES] == ["portal.ratelimit"] * 2
