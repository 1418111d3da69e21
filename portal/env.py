"""Read settings from the environment with defaults that run with zero set-up.

One small helper, in the manner of Healthchecks' ``envbool``/``envint``: every
setting that differs between the embedded default and production is read here,
so going to production never means editing code.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def require_secret(name: str, value: str, *, development_value: str = "", min_length: int = 50) -> str:
    """Refuse to start (ImproperlyConfigured) unless ``value`` is a real secret for production.

    A real secret is set, is not the repository's development value, has ``min_length``
    characters of which at least 5 distinct, and does not start with Django's
    ``django-insecure-`` marker: the rule ``check --deploy`` uses for SECRET_KEY (security.W009),
    applied at import time so that a production process never runs with a guessable key.
    """
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG=0 (production).")
    if development_value and value == development_value:
        raise ImproperlyConfigured(f"{name} is the repository's development value; set a real secret.")
    if len(value) < min_length or len(set(value)) < 5 or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"{name} is too weak: use at least {min_length} random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return value
