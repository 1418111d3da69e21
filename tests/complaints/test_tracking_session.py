"""Issue 9, hole 10: a complaint's tracking session keeps a keyed proof, never the query secret."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from complaints.choices import ComplaintState

pytestmark = pytest.mark.django_db


def test_the_tracking_session_keeps_no_secret_and_still_rates(client, desk, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    complaint, secret = desk.closed()
    assert (
        client.post(reverse("complaints:track"), {"code": complaint.code, "secret": secret}).status_code
        == 302
    )
    for stored in Session.objects.all():
        assert secret not in stored.session_data and secret not in str(stored.get_decoded())
    assert client.post(reverse("complaints:track_rate"), {"satisfaction": "satisfied"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.satisfaction == "satisfied" and complaint.state == ComplaintState.CLOSED


def test_a_forged_proof_is_refused(client, desk):
    complaint, secret = desk.closed()
    client.post(reverse("complaints:track"), {"code": complaint.code, "secret": secret})
    session = client.session
    key = next(k for k, v in session.items() if isinstance(v, dict) and v.get("complaint") == complaint.pk)
    session[key]["proofs"]["track"] = "0" * 64  # the one session shape of portal.tracking
    session.save()
    assert client.post(reverse("complaints:track_rate"), {"satisfaction": "satisfied"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.satisfaction == ""
