import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 costs ~1 s per user here; the power-list tests create many users and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
