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
