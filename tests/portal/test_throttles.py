"""The API's general throttles apply to every view: anonymous per address, signed-in per user."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from portal.tokens import issue_token

LIMIT = 3


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads the rates when the throttle classes are imported; a class attribute overrides them.
    monkeypatch.setattr(AnonRateThrottle, "rate", f"{LIMIT}/min", raising=False)
    monkeypatch.setattr(UserRateThrottle, "rate", f"{LIMIT}/min", raising=False)


@pytest.mark.django_db
def test_the_n_plus_first_anonymous_call_gets_429(low_rates):
    api = APIClient()
    for _ in range(LIMIT):
        assert api.get("/api/v1/departments/").status_code == 200
    response = api.get("/api/v1/departments/")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_reset_the_anonymous_limit(low_rates):
    # NUM_PROXIES=0 (no trusted proxy): the throttle keys on REMOTE_ADDR, never on X-Forwarded-For.
    api = APIClient()
    statuses = [
        api.get("/api/v1/posts/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(LIMIT + 1)
    ]
    assert statuses == [200] * LIMIT + [429]


@pytest.mark.django_db
def test_another_address_has_its_own_anonymous_allowance(low_rates):
    api = APIClient()
    for _ in range(LIMIT + 1):
        api.get("/api/v1/departments/", REMOTE_ADDR="192.0.2.1")
    assert api.get("/api/v1/departments/", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert api.get("/api/v1/departments/", REMOTE_ADDR="192.0.2.2").status_code == 200


@pytest.mark.django_db
def test_token_holders_are_throttled_per_user(low_rates, integrator):
    _token, raw = issue_token(integrator, scope="read")
    statuses = []
    for n in range(LIMIT + 1):
        api = APIClient(REMOTE_ADDR=f"192.0.2.{n + 10}")  # a new address each time: the user is the key
        api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        statuses.append(api.get("/api/v1/departments/").status_code)
    assert statuses == [200] * LIMIT + [429]


@pytest.mark.django_db
def test_anonymous_calls_are_counted_by_the_anonymous_throttle_only(monkeypatch):
    # The user throttle's rate is stricter here: were anonymous calls counted by it too, it would refuse.
    monkeypatch.setattr(AnonRateThrottle, "rate", f"{LIMIT + 2}/min", raising=False)
    monkeypatch.setattr(UserRateThrottle, "rate", f"{LIMIT}/min", raising=False)
    api = APIClient()
    statuses = [api.get("/api/v1/departments/").status_code for _ in range(LIMIT + 3)]
    assert statuses == [200] * (LIMIT + 2) + [429]
