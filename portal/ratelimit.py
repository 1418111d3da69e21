"""One rate limit for pages and API: DRF's throttles on the shared cache, keyed by one rule.

``client_ip`` is the client's address by the NUM_PROXIES rule; the API's throttles (the classes
below, named in REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES and used by views with their own scope)
and the pages' ``over_limit`` (the tracking pages, the public complaint form, appraisal votes) are
the same DRF mechanism keyed on it, so a page and its API twin count the same client the same way.
"""

import ipaddress
import weakref

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy
from rest_framework import throttling


def client_ip(request) -> str:
    """The client's address, by the same rule as the API's throttles (REST_FRAMEWORK NUM_PROXIES).

    With no trusted proxy (the default) only REMOTE_ADDR counts: X-Forwarded-For is the client's to
    forge. Behind N proxies, the address the outermost trusted proxy saw: the N-th entry from the
    right of X-Forwarded-For (what a client puts to the left of it is ignored).
    """
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def login_ip(request) -> str | None:
    """``client_ip`` for the login lockout (django-axes), or None when it is not an IP address.

    Axes stores the address in an ``inet`` column on PostgreSQL: a login without a client address
    (``force_login``, a shell) must not become the text "unknown" there.
    """
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def over_limit(request, scope: str, limit: int, period: int = 60, *, key: str | None = None) -> bool:
    """Count one attempt of ``scope`` for the client's address; True once more than ``limit`` in ``period`` s.

    ``key`` counts on something else than the address (the login guard counts failures per account).

    The same mechanism as the API: DRF's throttle (a sliding window of timestamps in the shared
    cache, Redis in production), keyed on ``client_ip``. Cheap, and good enough to make guessing a
    query secret hopeless (10 a minute against 31**8 secrets).
    """
    return not PageThrottle(scope, limit, period, key=key).allow_request(request, None)


def reached_limit(request, scope: str, limit: int, period: int = 60, *, key: str | None = None) -> bool:
    """True when ``limit`` attempts of ``scope`` were counted in the last ``period`` s, without counting one."""
    throttle = PageThrottle(scope, limit, period, key=key)
    history = throttle.cache.get(throttle.get_cache_key(request, None), [])
    now = throttle.timer()
    return sum(1 for at in history if at > now - period) >= limit


def clear_limit(request, scope: str, *, key: str) -> None:
    """Forget the attempts of ``scope`` counted on ``key`` (an administrator's unlock)."""
    throttle = PageThrottle(scope, 1, key=key)
    throttle.cache.delete(throttle.get_cache_key(request, None))


# --- the throttles: one class family for the API's views and the pages ----------------------------


class ClientKeyed:
    """Key anonymous clients on ``client_ip`` (the NUM_PROXIES rule), as the pages do."""

    def get_ident(self, request):
        return client_ip(request)


#: INCR the current window's counter, (re)set its expiry, read the previous window's: one round trip.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return {count, tonumber(redis.call('GET', KEYS[2]) or '0')}
"""
_COUNTERS = weakref.WeakKeyDictionary()


def _redis_counter(cache):
    """The counting script on ``cache``'s server, with one client kept per process (Django's cache
    builds a new client object for every call; the script is sent once, then called by its digest)."""
    counter = _COUNTERS.get(cache)
    if counter is None:
        counter = _COUNTERS[cache] = cache._cache.get_client(write=True).register_script(_COUNT)
    return counter


class CountingThrottle:
    """One cache round trip per allowed request: counters per window instead of a list of timestamps.

    DRF's throttles read the client's list of request times and write it back (two round trips, and
    the pickled list grows to the rate: 600 floats for a user's 600/min). The API's general throttles
    (every call to every view) count instead: one counter per client and window of ``duration``
    seconds, and the previous window's counter weighted by how much of it is still inside the
    sliding window (the usual sliding-window estimate). It assumes the previous window's requests
    were spread evenly: a burst straddling two windows is held to the rate, but a client that sent
    its whole previous window's allowance at that window's very end can send nearly the rate
    again before the current window ends, so up to about twice the rate may fit in one window's
    length. That is accepted for these coarse limits on every API call; where a limit guards
    something (tracking with a query secret, tokens, the login, the pages) DRF's exact list is
    kept. On Redis (production) the increment, its expiry and the read of the previous counter
    are one round trip (a script); a refused request takes its count back (a second trip, for
    refusals only), so a client over its rate gets what the rate allows, as with DRF's list.
    The stricter scopes (tracking with a query secret, tokens) and the pages keep DRF's exact list.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.elapsed = self.now / self.duration - window  # fraction of the current window gone
        current, previous = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        self.count, self.previous = self._increment(current, previous)
        self.estimate = self.count + self.previous * (1 - self.elapsed)
        if self.estimate <= self.num_requests:
            return True
        self.cache.decr(current)  # a refusal is not a request made
        return self.throttle_failure()

    def _increment(self, current: str, previous: str) -> tuple[int, int]:
        """Add one to ``current`` (kept two windows); returns it and the previous window's count."""
        cache = self.cache
        if isinstance(cache, ConnectionProxy):  # DRF's default: django.core.cache.cache
            cache = cache._connections[cache._alias]
        if isinstance(cache, RedisCache):
            count, before = _redis_counter(cache)(
                keys=[cache.make_and_validate_key(current), cache.make_and_validate_key(previous)],
                args=[2 * self.duration],
            )
            return int(count), int(before)
        # Other caches (development, tests): one read of both counters and one write.
        counts = cache.get_many([current, previous])
        count = counts.get(current, 0) + 1
        cache.set(current, count, 2 * self.duration)
        return count, counts.get(previous, 0)

    def wait(self):
        """Seconds until one more request fits the sliding-window estimate (the Retry-After header)."""
        stored, limit = self.count - 1, self.num_requests  # the refused request was taken back
        if stored + 1 <= limit:  # later in this window, once the previous window's weight has fallen
            fits_at = 1 - (limit - stored - 1) / max(self.previous, 1)
        else:  # in the next window, once this window's weight has fallen
            fits_at = 1 + max(0.0, 1 - (limit - 1) / max(stored, 1))
        return max(1.0, (fits_at - self.elapsed) * self.duration)


class AnonThrottle(ClientKeyed, CountingThrottle, throttling.AnonRateThrottle):
    """The API's default throttle for anonymous clients, per address."""


class UserThrottle(ClientKeyed, CountingThrottle, throttling.UserRateThrottle):
    """The API's default throttle for signed-in users and token holders, per user.

    Anonymous clients are AnonThrottle's alone (DRF's user throttle would count them a second time
    under its own, looser rate: one more cache read and write per public request for nothing).
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ScopedThrottle(ClientKeyed, throttling.ScopedRateThrottle):
    """A view's own stricter scope (tracking with a query secret, obtaining a token)."""


class PageThrottle(ClientKeyed, throttling.SimpleRateThrottle):
    """A page's limit: ``limit`` attempts of ``scope`` per ``period`` seconds and client address."""

    def __init__(
        self, scope: str, limit: int, period: int = 60, key: str | None = None
    ):  # the rate is given, not looked up in settings
        self.scope, self.num_requests, self.duration = scope, limit, period
        self.rate = f"{limit}/{period}s"
        self.key = key

    def get_cache_key(self, request, view):
        ident = self.key if self.key is not None else self.get_ident(request)
        return self.cache_format % {"scope": f"page-{self.scope}", "ident": ident}
