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


@pytest.fixture
def debug_urls(settings):
    """The root URLconf as it is built with DEBUG on (the default of a demo run)."""
    import importlib

    from django.urls import clear_url_caches

    import portal.urls

    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


def test_uploaded_materials_are_never_served_by_path(centre, debug_urls, client):
    """An applicant's uploads (ID cards, licences) only through the permission-checked download view."""
    case, _secret = centre.apply()
    material = case.materials.get()
    assert material.file.storage.exists(material.file.name)
    assert client.get(f"/media/{material.file.name}").status_code == 404
    client.force_login(centre.other_staff)
    assert client.get(f"/media/{material.file.name}").status_code == 404
    assert client.get(f"/desk/cases/{case.code}/materials/{material.pk}/").status_code == 404
    client.force_login(centre.acceptor)
    assert client.get(f"/desk/cases/{case.code}/materials/{material.pk}/").status_code == 200


def test_client_ip_trusts_forwarded_for_only_as_far_as_the_configured_proxies(rf, settings):
    from portal.ratelimit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_ip(request) == "10.0.0.1"  # no trusted proxy: the header is ignored
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw, not what the client wrote
