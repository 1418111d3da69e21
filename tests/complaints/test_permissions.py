"""The complaint platform's permission matrix: every role × every page and API operation, and the
reporter-confidentiality rule (identity and contact only for intake and supervisory staff, never for
the department concerned, never on a public page, never in the API for other roles, never in exports)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from complaints import permissions as perm
from complaints import services
from portal import roles
from tests.factories import DepartmentFactory, UserFactory

NAME, CONTACT = "王小明", "13800000000"


@pytest.fixture
def people(db, department, other_department, handler, head, clerk, legal, inspector, operator, admin_user,
           integrator):  # fmt: skip
    return {
        "anonymous": None,
        "clerk": clerk,
        "handler": handler,
        "head": head,
        "other_handler": UserFactory(username="other", roles=[roles.DEPT_HANDLER], department=other_department),
        "legal": legal,
        "inspector": inspector,
        "operator": operator,
        "appraiser": UserFactory(username="appraiser", roles=[roles.APPRAISER],
                                 department=DepartmentFactory(code="KPB", name="考评办")),
        "admin": admin_user,
        "integrator": integrator,
    }  # fmt: skip


@pytest.fixture
def forwarded(desk):
    scan = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 signed by the reporter")
    complaint, _ = desk.forwarded(files=[scan], department=desk.department)
    return complaint


# Expected HTTP status per role for each read page (302 = to the login page).
PAGES = {
    #              list  intake detail report export attachment
    "anonymous":    (302, 302, 302, 302, 302, 302),
    "clerk":        (403, 403, 403, 403, 403, 403),
    "handler":      (200, 403, 200, 403, 403, 403),
    "head":         (200, 403, 200, 200, 200, 403),
    "other_handler": (200, 403, 404, 403, 403, 403),
    "legal":        (403, 403, 403, 403, 403, 403),
    "inspector":    (200, 200, 200, 200, 200, 200),
    "operator":     (200, 200, 200, 403, 403, 200),
    "appraiser":    (403, 403, 403, 200, 200, 403),
    "admin":        (200, 403, 200, 200, 200, 200),
    "integrator":   (403, 403, 403, 403, 403, 403),
}  # fmt: skip
IDENTITY = {"inspector", "operator", "admin"}


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_by_role_and_no_reporter_leak(client, people, forwarded, role):
    client = client_for(client, people[role])
    attachment = forwarded.attachments.get()
    urls = [
        reverse("complaints:list") + "?tab=all",
        reverse("complaints:intake"),
        forwarded.get_absolute_url(),
        reverse("complaints:report"),
        reverse("complaints:report_export"),
        reverse("complaints:attachment", args=[forwarded.code, attachment.pk]),
    ]
    for url, expected in zip(urls, PAGES[role], strict=True):
        response = client.get(url)
        assert response.status_code == expected, (role, url)
        if response.status_code == 200 and not url.endswith((".xlsx", f"/{attachment.pk}/")):
            text = response.content.decode()
            assert NAME not in text and CONTACT not in text, (role, url)
    identity = client.post(reverse("complaints:identity", args=[forwarded.code]))
    if role in IDENTITY:
        assert identity.status_code == 200 and NAME in identity.text and CONTACT in identity.text
    else:
        assert identity.status_code in (302, 403, 404) and NAME not in identity.content.decode()


@pytest.mark.parametrize("role", list(PAGES))
def test_export_never_holds_the_reporter(client, people, desk, role):
    desk.closed()
    client = client_for(client, people[role])
    response = client.get(reverse("complaints:report_export"))
    if response.status_code == 200:
        assert NAME.encode() not in response.content and CONTACT.encode() not in response.content


# Which verbs (page and API) each role may use on a complaint in the right state.
VERB_ROLES = {
    "classify": {"inspector"},
    "forward": {"inspector"},
    "accept": {"handler", "head"},
}


@pytest.mark.parametrize("role", list(PAGES))
@pytest.mark.parametrize("verb", list(VERB_ROLES))
def test_verbs_by_role_on_pages(client, people, desk, role, verb, department):
    complaint, _ = desk.submit()
    if verb == "accept":
        complaint, _ = desk.forwarded()
    if verb == "forward":
        services.classify(complaint, desk.category, by=desk.inspector)
    data = {"category": desk.category.pk, "department": department.code, "note": ""}
    response = client_for(client, people[role]).post(
        reverse("complaints:action", args=[complaint.code, verb]), data
    )
    allowed = role in VERB_ROLES[verb]
    assert (response.status_code == 302 and "login" not in response.url) is allowed, (
        role,
        verb,
        response.status_code,
    )
    complaint.refresh_from_db()
    changed = complaint.events.filter(verb={"classify": "classified", "forward": "forwarded",
                                            "accept": "accepted"}[verb]).exists()  # fmt: skip
    assert changed is allowed


API_LIST = {"anonymous": 403, "clerk": 403, "handler": 200, "head": 200, "other_handler": 200, "legal": 403,
            "inspector": 200, "operator": 200, "appraiser": 403, "admin": 200, "integrator": 403}  # fmt: skip
API_DETAIL = {**API_LIST, "other_handler": 404}
API_IDENTITY = {"anonymous": 403, "clerk": 403, "handler": 403, "head": 403, "other_handler": 404, "legal": 403,
                "inspector": 200, "operator": 200, "appraiser": 403, "admin": 200, "integrator": 403}  # fmt: skip
API_INDICATORS = {"anonymous": 403, "clerk": 403, "handler": 403, "head": 200, "other_handler": 403, "legal": 403,
                  "inspector": 200, "operator": 403, "appraiser": 200, "admin": 200, "integrator": 200}  # fmt: skip


@pytest.mark.parametrize("role", list(API_LIST))
def test_api_by_role_and_no_reporter_leak(people, forwarded, role):
    api = APIClient()
    if people[role] is not None:
        api.force_authenticate(people[role])
    base = f"/api/v1/complaints/{forwarded.code}/"
    normalise = lambda status: 403 if status == 401 else status  # noqa: E731
    listing = api.get("/api/v1/complaints/")
    detail = api.get(base)
    assert normalise(listing.status_code) == API_LIST[role], role
    assert normalise(detail.status_code) == API_DETAIL[role], role
    for response in (listing, detail):
        assert NAME not in response.content.decode() and CONTACT not in response.content.decode()
    identity = api.post(base + "identity/")
    assert normalise(identity.status_code) == API_IDENTITY[role], role
    if identity.status_code == 200:
        assert identity.json() == {"reporter_name": NAME, "reporter_contact": CONTACT}
    indicators = api.get("/api/v1/complaint-indicators/?start=2020-01-01&end=2030-01-01")
    assert normalise(indicators.status_code) == API_INDICATORS[role], role
    assert NAME not in indicators.content.decode()


def test_department_complained_about_never_sees_the_reporter_even_as_inspector(desk, inspector, supervisory):
    """A complaint about the supervisory organ itself: its own staff do not see who complained."""
    complaint, _ = desk.submit(department=supervisory)
    assert not perm.can_see_identity(inspector, complaint)
    admin = UserFactory(username="root", roles=[roles.ADMINISTRATOR])
    assert perm.can_see_identity(admin, complaint)


def test_corruption_clue_is_invisible_to_the_department_concerned(desk, inspector, handler, corruption):
    complaint, _ = desk.submit(department=desk.department, title="收受好处")
    services.classify(complaint, corruption, by=inspector)
    services.route(complaint, by=inspector)
    from complaints.models import Complaint

    assert not Complaint.objects.visible_to(handler).filter(pk=complaint.pk).exists()
    assert Complaint.objects.visible_to(inspector).filter(pk=complaint.pk).exists()
