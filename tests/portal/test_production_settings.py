"""Production settings (DEBUG=0), checked the way a deployment starts them: in a fresh process.

Each test runs ``manage.py`` or a short script in a subprocess with a clean environment, so the
settings module is imported exactly as gunicorn, the worker and beat import it.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from portal.middleware import POLICY

ROOT = Path(__file__).resolve().parents[2]
DEV_KEY = "embedded-default-insecure-key-change-me-in-production-0123456789"

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "PRODUCTION", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS"]}))
"""


def production_env(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for name in ("SECRET_KEY", "DEBUG", "PRODUCTION", "DATABASE_URL", "REDIS_URL", "AUDIT_HMAC_KEY"):
        env.pop(name, None)
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="portal.example.gov.cn",
        PORTAL_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def real_key():
    return secrets.token_urlsafe(50)


@pytest.mark.parametrize(
    "key",
    [None, "", DEV_KEY, "short-key", "a" * 60, "django-insecure-" + "x1y2z3w4v5" * 5],
    ids=["missing", "empty", "development key", "short", "one character", "django-insecure"],
)
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    env = production_env(tmp_path, AUDIT_HMAC_KEY=real_key())
    if key is not None:
        env["SECRET_KEY"] = key
    result = run(["-c", "import portal.settings"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "audit_key", [None, "too-short", "same"], ids=["missing", "short", "same as SECRET_KEY"]
)
def test_production_refuses_to_start_without_a_real_audit_key(tmp_path, audit_key):
    key = real_key()
    env = production_env(tmp_path, SECRET_KEY=key)
    if audit_key is not None:
        env["AUDIT_HMAC_KEY"] = key if audit_key == "same" else audit_key
    result = run(["-c", "import portal.settings"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "AUDIT_HMAC_KEY" in result.stderr


def test_deploy_check_is_clean_with_a_real_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=real_key(), AUDIT_HMAC_KEY=real_key())
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=real_key(), AUDIT_HMAC_KEY=real_key())
    result = run(["-c", SHOW_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False and values["PRODUCTION"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_development_run_keeps_working_without_a_key(tmp_path):
    env = production_env(tmp_path, DEBUG="1")
    result = run(["-c", "import portal.settings"], env)
    assert result.returncode == 0, result.stderr


ALLOWED_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}


def test_content_security_policy_names_no_external_host():
    directives = [part.split() for part in POLICY.split(";") if part.strip()]
    assert directives
    for name, *sources in directives:
        assert sources, name
        assert set(sources) <= ALLOWED_SOURCES, (name, sources)
    names = {d[0] for d in directives}
    assert {"default-src", "script-src", "object-src", "frame-ancestors", "form-action"} <= names
    script_src = next(d for d in directives if d[0] == "script-src")
    assert "'unsafe-inline'" not in script_src


@pytest.mark.django_db
def test_pages_send_the_policy(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == POLICY


SHOW_DATABASE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({k: s.DATABASES["default"][k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}))
"""


def test_production_keeps_database_connections_and_checks_them_before_reuse(tmp_path):
    """Issue 13: a request does not pay a new connection; a connection the server dropped is replaced."""
    env = production_env(tmp_path, SECRET_KEY=real_key(), AUDIT_HMAC_KEY=real_key())
    result = run(["-c", SHOW_DATABASE], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["CONN_MAX_AGE"] >= 60 and values["CONN_HEALTH_CHECKS"] is True
