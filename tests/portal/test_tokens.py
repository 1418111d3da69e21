from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import ApiToken, AuditEvent
from portal.tokens import issue_token, revoke_token
from tests.factories import PASSWORD


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_token_endpoint_issues_a_hashed_token(api, integrator):
    response = api.post(
        "/api/v1/auth/token/", {"username": "integrator", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    token = ApiToken.objects.get()
    assert token.digest == ApiToken.hash_secret(raw)
    assert raw not in {token.digest, token.prefix}
    assert AuditEvent.objects.filter(verb="api_token.issue").count() == 1


@pytest.mark.django_db
def test_token_endpoint_refuses_wrong_password(api, integrator):
    response = api.post("/api/v1/auth/token/", {"username": "integrator", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.content.decode()
    assert not ApiToken.objects.exists()


def _whoami(api, raw):
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api.delete("/api/v1/auth/token/")


@pytest.mark.django_db
def test_expired_and_revoked_tokens_are_refused(api, integrator):
    token, raw = issue_token(integrator)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _whoami(api, raw)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]

    token, raw = issue_token(integrator)
    revoke_token(token)
    response = _whoami(api, raw)
    assert response.status_code == 401
    assert "吊销" in response.json()["detail"]


@pytest.mark.django_db
def test_delete_revokes_the_presented_token(api, integrator):
    token, raw = issue_token(integrator)
    assert _whoami(api, raw).status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _whoami(api, raw).status_code == 401


@pytest.mark.django_db
def test_read_scope_cannot_write(api, integrator):
    _token, raw = issue_token(integrator, scope=ApiToken.Scope.READ)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.post("/api/v1/auth/token/", {}, format="json")  # AllowAny view: still reachable
    assert response.status_code == 400
    # A scoped write elsewhere is refused by the default permission class.
    response = api.post("/api/v1/departments/", {"code": "X"}, format="json")
    assert response.status_code == 403
    assert "只读" in response.json()["detail"]
