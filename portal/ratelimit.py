"""One rate limit for public pages: a fixed window per client address in the shared cache.

The client address follows the same rule as the API's throttles (REST_FRAMEWORK NUM_PROXIES), so a
page and its API twin count the same client. Used by the tracking pages and the public complaint
form; the API uses DRF's throttles on the same cache.
"""

import time

from django.conf import settings
from django.core.cache import cache


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


def over_limit(request, scope: str, limit: int, period: int = 60) -> bool:
    """Count one attempt of ``scope`` for the client's IP; True once more than ``limit`` in ``period`` s.

    A fixed window in the shared cache (Redis in production): cheap, and good enough to make
    guessing a query secret hopeless (10 a minute against 31**8 secrets).
    """
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_ip(request)}:{window}"
    if cache.add(key, 1, timeout=period + 1):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count > limit
