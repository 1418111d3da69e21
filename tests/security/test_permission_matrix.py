"""The permission matrix: every role × every named page and every API operation × read/write.

The expected answers are in ONE table, ``tests/permission_matrix.py`` (grouped by app). The pages come
from the URL resolver and the operations from the served OpenAPI schema, so a new URL or operation
without an entry fails here, with a message saying where to add it.

Objects in URLs are ids/codes that do not exist (the gate is checked, not the object): a role that
passes the gate answers 404 ("N"), a role that does not is sent to the login page or refused.
Writes are a POST (pages) or the operation's method (API) with an empty body, each rolled back.
"""

import json
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests import permission_matrix as matrix
from tests.security.conftest import ROLES

RECORD = os.environ.get("PERMISSION_MATRIX_RECORD")  # a path: write the observed table there instead
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = {"login", "logout", "set_language", "javascript-catalog", "schema", "api-docs", "api-redoc"}
SAMPLE = {"int": "999999", "str": "NONE-0000", "slug": "none", "path": "none", "uuid": "00000000-0000-0000-0000-000000000000"}  # fmt: skip
YEAR = "2026"


def _walk(patterns, prefix="", namespace=None, app=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            module = getattr(pattern.urlconf_module, "__name__", "") or ""
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), ns, module.split(".")[0] or app
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def _concrete(route: str) -> str:
    def sub(match):
        converter, name = match.group(1) or "str", match.group(2)
        return YEAR if name == "year" else SAMPLE.get(converter, "none")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return "/" + path


def page_urls():
    rows = {}
    for name, route, pattern in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in SKIPPED_NAMESPACES or name in SKIPPED_NAMES or route.startswith("api/"):
            continue
        app = pattern.callback.__module__.split(".")[0]
        rows[name] = (app, _concrete(route))
    return sorted(rows.items())


def api_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    out = []
    for path, item in schema["paths"].items():
        concrete = re.sub(
            r"\{(\w+)\}", lambda m: "999999" if m.group(1) in ("id", "pk") else "NONE-0000", path
        )
        app = resolve(concrete).func.__module__.split(".")[0]
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((f"{method.upper()} {path}", app, method, concrete))
    return sorted(out)


# /health/ answers 503 by design when a dependency is down (no worker runs during the tests): the
# load balancer's answer, not a server error. Any other path's 5xx is one.
HEALTH_PATH = "/health/"


def letter(response) -> str:
    status = response.status_code
    if status == 503 and response.request.get("PATH_INFO") == HEALTH_PATH and "checks" in response.json():
        return "O"
    if status >= 500:
        return "X"
    if status in (301, 302, 303):
        return "L" if "/accounts/login/" in response.get("Location", "") else "O"
    return {401: "U", 403: "D", 404: "N", 405: "M", 400: "B", 409: "C", 429: "T"}.get(
        status, "O" if status < 400 else "B"
    )


def _clients():
    users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(users[role])
        clients[role] = client
    return clients


def _ask(client, method, url, **kwargs):
    cache.clear()  # no throttle or rate limit carries over from one cell to the next
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        transaction.set_rollback(True)
    return letter(response)


def _record(group, app, key, value):
    if not RECORD:
        return False
    data = json.load(open(RECORD)) if os.path.exists(RECORD) else {}
    data.setdefault(group, {}).setdefault(app, {})[key] = value
    json.dump(data, open(RECORD, "w"), ensure_ascii=False, indent=1, sort_keys=True)
    return True


PAGES = page_urls()
OPERATIONS = api_operations()


@pytest.mark.parametrize("name, app, url", [(n, a, u) for n, (a, u) in PAGES], ids=[n for n, _ in PAGES])
def test_page(demo, name, app, url):
    clients = _clients()
    read = "".join(_ask(clients[r], "get", url) for r in ROLES)
    write = "".join(_ask(clients[r], "post", url, data={}) for r in ROLES)
    if _record("PAGES", app, name, [read, write]):
        return
    assert "X" not in read + write, (
        f"{name} ({url}): a server error for {[r for r, c in zip(ROLES, read + write, strict=False) if c == 'X']}"
    )
    expected = matrix.PAGES.get(app, {}).get(name)
    assert expected is not None, (
        f"The page {name} ({url}) has no row in tests/permission_matrix.py: add it under PAGES[{app!r}] "
        f"with the answer of each role {ROLES} (letters: {matrix.LEGEND}); observed read={read!r} write={write!r}"
    )
    assert (read, write) == tuple(expected), f"{name}: expected {tuple(expected)}, observed {(read, write)}"


@pytest.mark.parametrize("key, app, method, url", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_api_operation(demo, settings, key, app, method, url):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    clients = _clients()
    kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    observed = "".join(_ask(clients[r], method, url, **kwargs) for r in ROLES)
    if _record("API", app, key, observed):
        return
    assert "X" not in observed, (
        f"{key}: a server error for {[r for r, c in zip(ROLES, observed, strict=False) if c == 'X']}"
    )
    expected = matrix.API.get(app, {}).get(key)
    assert expected is not None, (
        f"The API operation {key} has no row in tests/permission_matrix.py: add it under API[{app!r}] "
        f"with the answer of each role {ROLES} (letters: {matrix.LEGEND}); observed {observed!r}"
    )
    assert observed == expected, f"{key}: expected {expected!r}, observed {observed!r}"


def test_every_row_of_the_table_is_a_live_url():
    names = {name for name, _ in PAGES}
    keys = {key for key, *_ in OPERATIONS}
    stale = [n for rows in matrix.PAGES.values() for n in rows if n not in names]
    stale += [k for rows in matrix.API.values() for k in rows if k not in keys]
    assert not stale, f"rows of tests/permission_matrix.py for URLs that no longer exist: {stale}"
