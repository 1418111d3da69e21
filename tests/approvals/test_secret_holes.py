"""Issue 9, holes 2 and 10: a reissued secret never rates; tracking sessions keep no secret."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from approvals import services
from approvals.choices import EventKind
from approvals.models import Rating
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def completed(centre):
    case, secret = centre.decided()
    services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-1")
    return services.complete_case(case, by=centre.clerk), secret


def test_a_clerk_cannot_rate_with_a_secret_they_reissued(centre):
    case, _original = completed(centre)
    reissued = services.reissue_secret(case, by=centre.clerk)
    with pytest.raises(PermissionDenied, match="回执"):
        services.rate_case(case, secret=reissued, score=5)
    assert not Rating.objects.exists()
    # The reissued secret still tracks the case.
    assert services.track(case.code, reissued) == case


def test_the_audit_names_the_clerk_who_reissued(centre):
    case, _original = completed(centre)
    services.reissue_secret(case, by=centre.clerk)
    event = AuditEvent.objects.get(verb=f"case.{EventKind.SECRET_REISSUED}")
    assert event.actor == centre.clerk
    assert case.events.get(kind=EventKind.SECRET_REISSUED).actor == centre.clerk


def test_the_applicant_still_rates_with_the_receipt_secret_after_a_reissue(centre):
    case, original = completed(centre)
    services.reissue_secret(case, by=centre.clerk)
    rating = services.rate_case(case, secret=original, score=4)
    assert rating.score == 4


def test_the_api_refuses_a_rating_with_a_reissued_secret(centre):
    case, _original = completed(centre)
    reissued = services.reissue_secret(case, by=centre.clerk)
    response = APIClient().post(
        f"/api/v1/cases/{case.code}/rate/", {"secret": reissued, "score": 5, "comment": ""}, format="json"
    )
    assert response.status_code in {403, 400}
    assert not Rating.objects.exists()


def test_the_page_refuses_a_rating_with_a_reissued_secret(client, centre):
    case, _original = completed(centre)
    reissued = services.reissue_secret(case, by=centre.clerk)
    client.post(reverse("approvals:track"), {"code": case.code, "secret": reissued})
    response = client.post(reverse("approvals:track_rate"), {"score": "5", "comment": "很好"})
    assert response.status_code in {302, 400}
    assert not Rating.objects.exists()


def test_the_page_rates_with_the_receipt_secret(client, centre):
    case, original = completed(centre)
    client.post(reverse("approvals:track"), {"code": case.code, "secret": original})
    assert "rating_form" in client.get(reverse("approvals:track")).context
    response = client.post(reverse("approvals:track_rate"), {"score": "5", "comment": "很好"})
    assert response.status_code == 302
    assert Rating.objects.get(case=case).score == 5


def _stored_sessions():
    return [(s.session_data, s.get_decoded()) for s in Session.objects.all()]


def test_the_tracking_session_keeps_no_secret(client, centre, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    case, secret = centre.apply()
    response = client.post(reverse("approvals:track"), {"code": case.code, "secret": secret})
    assert response.status_code == 302
    assert client.get(reverse("approvals:track")).context["case"] == case
    sessions = _stored_sessions()
    assert sessions
    for raw, decoded in sessions:
        assert secret not in raw and secret not in str(decoded)
        assert secret.lower() not in str(decoded)


def test_a_reissue_ends_every_tracking_session_of_the_old_secret(client, centre):
    case, secret = centre.apply()
    client.post(reverse("approvals:track"), {"code": case.code, "secret": secret})
    assert client.get(reverse("approvals:track")).context.get("case") == case
    services.reissue_secret(case, by=centre.clerk)
    assert "case" not in client.get(reverse("approvals:track")).context


def test_a_forged_session_proof_is_refused(client, centre):
    case, secret = centre.apply()
    client.post(reverse("approvals:track"), {"code": case.code, "secret": secret})
    session = client.session
    key = next(k for k, v in session.items() if isinstance(v, dict) and v.get("case") == case.pk)
    session[key]["proofs"]["track"] = "0" * 64
    session.save()
    assert "case" not in client.get(reverse("approvals:track")).context


# --- ID numbers: masked on staff pages, the full number by an audited action ----------------------


def test_the_desk_shows_the_id_number_masked(client, centre):
    case, _secret = centre.apply()
    client.force_login(centre.clerk)
    page = client.get(reverse("approvals:case", args=[case.code])).content.decode()
    assert case.applicant_id_number not in page
    assert case.masked_id_number in page
    assert "查看完整联系方式" in page
    assert case.applicant_phone and case.applicant_phone not in page  # the phone too (ASVS: least data)
    assert case.masked_phone in page


def test_opening_the_full_id_number_is_audited(client, centre):
    case, _secret = centre.apply()
    client.force_login(centre.clerk)
    response = client.post(reverse("approvals:case_id_number", args=[case.code]))
    assert response.status_code == 200
    assert case.applicant_id_number in response.content.decode()
    assert case.applicant_phone in response.content.decode()
    assert "no-store" in response.headers["Cache-Control"]
    event = AuditEvent.objects.get(verb="case.contact_viewed")
    assert event.actor == centre.clerk and event.target_id == str(case.pk)


def test_a_get_never_reveals_the_id_number(client, centre):
    case, _secret = centre.apply()
    client.force_login(centre.clerk)
    response = client.get(reverse("approvals:case_id_number", args=[case.code]))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(verb="case.contact_viewed").exists()


def test_staff_of_another_department_cannot_open_it(client, centre):
    from portal import roles
    from tests.factories import UserFactory

    case, _secret = centre.apply()
    outsider = UserFactory(username="outsider", roles=[roles.DEPT_HEAD], department=centre.other)
    client.force_login(outsider)
    response = client.post(reverse("approvals:case_id_number", args=[case.code]))
    assert response.status_code in {403, 404, 302}
    assert case.applicant_id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(verb="case.contact_viewed").exists()
