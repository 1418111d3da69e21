"""Regression tests for problems found in the security review of the service centre."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_tracking_throttle_ignores_a_forged_forwarded_for_header(centre):
    """Varying X-Forwarded-For (and the case code) must not buy a client more guesses at a secret."""
    api = APIClient()
    codes = []
    for i in range(11):
        response = api.post(
            "/api/v1/cases/track/",
            {"code": f"SP2025030300{i:04d}", "secret": "WRONGWRO"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
        codes.append(response.status_code)
    assert codes[:10] == [404] * 10
    assert codes[10] == 429
