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


# --- who may hold which token (issue 9, hole 6) ------------------------------------------------


def _request_token(api, username, **extra):
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def _lifetime_days(token):
    return (token.expires_at - token.created_at).total_seconds() / 86400


@pytest.mark.django_db
def test_integrators_get_long_lived_write_tokens(api, integrator):
    response = _request_token(api, "integrator")
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert token.scope == ApiToken.Scope.WRITE
    assert 29.9 < _lifetime_days(token) <= 30


@pytest.mark.django_db
def test_the_superuser_gets_a_write_token_for_one_day_at_most(api, admin_user):
    response = _request_token(api, "admin")
    assert response.status_code == 201, response.content
    token = ApiToken.objects.get()
    assert token.scope == ApiToken.Scope.WRITE
    assert _lifetime_days(token) <= 1


@pytest.mark.django_db
def test_other_staff_get_read_only_short_tokens_and_no_write_token(api, handler):
    refused = _request_token(api, "handler", scope="write")
    assert refused.status_code == 400
    assert "只读" in refused.content.decode()
    assert not ApiToken.objects.exists()
    response = _request_token(api, "handler")
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert token.scope == ApiToken.Scope.READ
    assert _lifetime_days(token) <= 1


@pytest.mark.django_db
def test_an_account_without_a_role_gets_no_token(api):
    from tests.factories import UserFactory

    UserFactory(username="nobody")
    assert _request_token(api, "nobody").status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_issue_token_caps_the_lifetime_and_refuses_a_write_scope_for_staff(handler, admin_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        issue_token(handler, scope=ApiToken.Scope.WRITE)
    token, _raw = issue_token(admin_user, days=90)
    assert _lifetime_days(token) <= 1


@pytest.mark.django_db
def test_a_write_token_stops_writing_when_its_holder_loses_the_role(api, integrator):
    _token, raw = issue_token(integrator)
    integrator.groups.clear()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.post("/api/v1/departments/", {"code": "X"}, format="json")
    assert response.status_code == 403
    assert "角色" in response.json()["detail"]


@pytest.mark.django_db
def test_changing_the_password_revokes_the_users_tokens(api, integrator):
    token, raw = issue_token(integrator)
    integrator.set_password("another-long-password-1")
    integrator.save()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _whoami(api, raw).status_code == 401
    event = AuditEvent.objects.filter(verb="api_token.revoke").get()
    assert "密码已更改" in event.note


@pytest.mark.django_db
def test_signing_in_does_not_revoke_tokens(client, integrator):
    token, _raw = issue_token(integrator)
    client.post("/accounts/login/", {"username": "integrator", "password": PASSWORD})
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_an_administrator_resetting_a_password_in_the_admin_revokes_the_tokens(
    client, integrator, admin_user
):
    token, raw = issue_token(integrator)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/user/{integrator.pk}/password/",
        {
            "password1": "a-new-long-password-77",
            "password2": "a-new-long-password-77",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoke = AuditEvent.objects.get(verb="api_token.revoke")
    assert revoke.actor == admin_user
    assert AuditEvent.objects.filter(verb="account.user.password_changed", actor=admin_user).exists()


@pytest.mark.django_db
def test_deactivating_a_user_revokes_the_tokens(integrator):
    token, raw = issue_token(integrator)
    integrator.is_active = False
    integrator.save(update_fields=["is_active"])
    token.refresh_from_db()
    assert token.revoked_at is not None
    integrator.is_active = True
    integrator.save()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {raw}").delete("/api/v1/auth/token/").status_code == 401


@pytest.mark.django_db
def test_the_admin_issues_tokens_under_the_same_policy(client, admin_user, handler, integrator):
    client.force_login(admin_user)
    refused = client.post("/admin/portal/apitoken/add/", {"user": handler.pk, "name": "x", "scope": "write"})
    assert refused.status_code == 200
    assert not ApiToken.objects.filter(user=handler).exists()
    ok = client.post(
        "/admin/portal/apitoken/add/", {"user": integrator.pk, "name": "大屏", "scope": "", "days": 400}
    )
    assert ok.status_code == 200  # 400 days is past the form's bound
    ok = client.post(
        "/admin/portal/apitoken/add/", {"user": integrator.pk, "name": "大屏", "scope": "", "days": 7}
    )
    assert ok.status_code == 302
    token = ApiToken.objects.get(user=integrator)
    assert token.scope == ApiToken.Scope.WRITE and 6.9 < _lifetime_days(token) <= 7
