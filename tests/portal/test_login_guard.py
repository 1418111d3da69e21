"""Login brute-force protection: lockout by user name and address, audited, lifted by an administrator."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from portal.login_guard import unlock_login
from portal.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
ATTACKER = "198.51.100.7"


def attempt(client, username, password, address=ATTACKER):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, handler, settings):
    for n in range(30):
        response = attempt(client, "handler", f"guess-{n}")
        assert response.status_code in {200, 429}
    response = attempt(client, "handler", PASSWORD)
    assert response.status_code == 429
    assert "登录已被锁定" in response.content.decode()
    assert not logged_in(client)
    # One audit event for the lockout, not one per refused retry.
    events = AuditEvent.objects.filter(verb="auth.locked_out")
    assert events.count() == 1
    assert events.get().after == {"username": "handler", "ip_address": ATTACKER}
    assert events.get().target_id == str(handler.pk)


@pytest.mark.django_db
def test_the_lockout_starts_at_the_failure_limit(client, handler, settings):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "handler", f"guess-{n}").status_code == 200
    assert attempt(client, "handler", PASSWORD).status_code == 302  # below the limit: still works


@pytest.mark.django_db
def test_the_lockout_is_per_user_and_address(client, handler, head, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "handler", f"guess-{n}")
    assert attempt(client, "handler", PASSWORD).status_code == 429
    # The same user from the office's own address, and another user from the attacker's address.
    assert attempt(client, "handler", PASSWORD, address="203.0.113.5").status_code == 302
    client.logout()
    assert attempt(client, "head", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, handler, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(
            LOGIN,
            {"username": "handler", "password": f"guess-{n}"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.1.1.{n}",
        )
    assert attempt(client, "handler", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_token_endpoint_shares_the_lockout(handler, settings):
    api = APIClient(REMOTE_ADDR=ATTACKER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": "handler", "password": f"guess-{n}"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "handler", "password": PASSWORD}, format="json")
    assert response.status_code in {400, 403, 429}
    assert "token" not in response.json()


@pytest.mark.django_db
def test_an_administrator_unlocks_in_the_admin_and_the_unlock_is_audited(
    client, handler, admin_user, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "handler", f"guess-{n}")
    assert attempt(client, "handler", PASSWORD).status_code == 429
    locked = AccessAttempt.objects.get(username="handler")

    admin = type(client)()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [locked.pk]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="handler").exists()
    event = AuditEvent.objects.get(verb="auth.unlocked")
    assert event.actor == admin_user
    assert event.after["username"] == "handler"

    assert attempt(client, "handler", PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_only_an_administrator_may_unlock(client, handler, head, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "handler", f"guess-{n}")
    with pytest.raises(PermissionDenied):
        unlock_login(username="handler", by=head)
    assert AccessAttempt.objects.filter(username="handler").exists()
    assert not AuditEvent.objects.filter(verb="auth.unlocked").exists()


@pytest.mark.django_db
def test_one_account_guessed_from_many_addresses_is_locked_too(client, handler, head, admin_user, settings):
    """Each address stays below the pair's limit; the account-wide count (ACCOUNT_FAILURE_LIMIT an hour,
    every address together) stops the guessing, audited once; an administrator's unlock lifts it."""
    settings.ACCOUNT_FAILURE_LIMIT = 8
    addresses = [f"198.51.100.{n}" for n in range(1, 5)]
    for n in range(settings.ACCOUNT_FAILURE_LIMIT):
        assert attempt(client, "handler", f"guess-{n}", address=addresses[n % 4]).status_code == 200
    fresh = "203.0.113.9"  # an address that never failed: the right password is refused for the hour
    response = attempt(client, "handler", PASSWORD, address=fresh)
    assert response.status_code == 429 and not logged_in(client)
    assert AuditEvent.objects.filter(verb="auth.account_locked", target_id=str(handler.pk)).count() == 1
    assert attempt(client, "head", PASSWORD, address=fresh).status_code == 302  # other accounts unaffected
    client.logout()
    unlock_login(username="handler", by=admin_user)
    assert attempt(client, "handler", PASSWORD, address=fresh).status_code == 302


@pytest.mark.django_db
def test_an_over_long_user_name_is_a_form_error_not_a_500(client, handler):
    """Found by the form fuzz test on PostgreSQL: axes stored the name in a 255-character column."""
    response = attempt(client, "x" * 100_000, "guess")
    assert response.status_code == 200 and not logged_in(client)
    assert "150" in response.content.decode()  # the length limit is the form's message
    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/", {"username": "y" * 100_000, "password": "guess"}, REMOTE_ADDR=ATTACKER
    )
    assert token.status_code in {400, 401}
    from portal.login_guard import axes_username

    assert len(axes_username(None, {"username": "z" * 1000})) == 150
