"""schemathesis in the suite: every API operation, generated from the schema the project serves.

In process: the schema is read from ``/api/v1/schema/`` through the WSGI application and every call
goes to that application (no server, no network). Each operation runs twice, anonymously and with
an integrator's write token, on the seeded demo city (``tests/security/conftest.py``). Each example
runs in a savepoint that is rolled back, so writes never leak from one example to the next.

Checked for every response: no 5xx, the status code is one the operation documents, the content
type is documented, and the body matches the documented schema for that status (errors included).

Bounded and deterministic: ``derandomize=True`` (the examples depend on the operation only) and
``max_examples`` from ``SCHEMATHESIS_EXAMPLES`` (default 3). Half of the examples of an operation with
path parameters use a real object of the demo city, so detail operations are not all 404s.
"""

import contextlib
import os
import re

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.tokens import issue_token

SCHEMA_URL = "/api/v1/schema/?format=json"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
AUTH_MODES = ("anonymous", "integrator")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operation_keys():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


OPERATIONS = _operation_keys()


@contextlib.contextmanager
def _connection_kept_open():
    """Without Django's close_old_connections at a request's start and end, as django.test.Client does.

    The real WSGI handler sends request_started and request_finished, whose close_old_connections closes a
    connection left outside autocommit, i.e. the test's transaction: on PostgreSQL the connection is really
    closed and every later query fails ("connection already closed"); SQLite ignores the close of its
    in-memory test database. A module-wide disconnect is not enough: django.test.Client reconnects the
    receivers after each of its own requests.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _keeping_the_connection(app):
    """The WSGI application, each call (the response's close, which sends request_finished, included) run
    with the test's connection kept open."""

    def call(environ, start_response):
        with _connection_kept_open():
            response = app(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()
        return [body]

    return call


@pytest.fixture(scope="module")
def served(demo_city, django_db_blocker):
    """The served schema (loaded through the WSGI app), a write token, and real objects' keys."""
    app = _keeping_the_connection(get_wsgi_application())
    with django_db_blocker.unblock():
        schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
        integrator = get_user_model().objects.get(username="integrator")
        _, secret = issue_token(integrator, name="schemathesis")
        samples = _real_path_parameters(app, secret)
    return schema, secret, samples


def _real_path_parameters(app, secret) -> dict:
    """For each list path (/api/v1/powers/), the first item's fields: codes and ids that exist."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    samples = {}
    for key in OPERATIONS:
        method, path = key.split(" ", 1)
        if method != "GET" or "{" in path:
            continue
        cache.clear()
        response = client.get(path)
        if response.status_code != 200:
            continue
        data = response.json()
        rows = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            samples[path] = rows[0]
    return samples


def _path_parameters(path: str, samples: dict) -> dict | None:
    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return None
    prefix = path.split("{", 1)[0]
    row = samples.get(prefix)
    if not row or not all(name in row for name in names):
        return None
    return {name: str(row[name]) for name in names}


@pytest.mark.parametrize("auth", AUTH_MODES)
@pytest.mark.parametrize("key", OPERATIONS)
def test_operation_conforms_to_the_served_schema(demo, settings, served, key, auth):
    # Throttles are documented (429) but would make the run depend on its own speed.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    schema, secret, samples = served
    method, path = key.split(" ", 1)
    operation = schema[path][method]
    headers = {"Authorization": f"Token {secret}"} if auth != "anonymous" else {}
    strategy = operation.as_strategy()
    real = _path_parameters(path, samples)
    if real:
        strategy = st.one_of(operation.as_strategy(path_parameters=real), strategy)

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        cache.clear()
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    check()


def test_every_operation_is_in_the_served_schema(served):
    schema, _, _ = served
    served_keys = sorted(
        f"{op.method.upper()} {op.path}" for result in schema.get_all_operations() for op in [result.ok()]
    )
    assert served_keys == OPERATIONS
