import pytest

from tests.approvals.factories import centre as build_centre


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    # A fast hasher: every test creates a handful of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads go to a temporary folder; throttle counters to a private in-memory cache.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


@pytest.fixture
def centre(db):
    return build_centre()
