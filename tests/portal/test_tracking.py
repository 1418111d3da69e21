"""portal.tracking: the one lookup-by-code-and-secret kernel of the citizens' tracking pages.

A stand-in record (a parcel) with a real query secret drives the three views: the lookup (POST only,
rate-limited, one answer for a wrong code or secret), the session that keeps proofs and never the
secret, the tracked verbs and leaving. The apps' own flows are tested in tests/approvals and
tests/complaints; the last tests check that both apps are wired to this kernel.
"""

import time

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.urls import URLPattern, get_resolver
from django.utils.translation import gettext_lazy

from portal import query_secret, tracking
from portal.services import TransitionError

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.tracking_urls")]


class Parcel:
    def __init__(self, pk, code, secret):
        self.pk, self.code, self.signed = pk, code, []
        self.query_secret_hash = query_secret.make_hash(secret)


PARCELS: dict[int, Parcel] = {}


class SignForm(forms.Form):
    name = forms.CharField(max_length=10)


def sign(parcel, proofs, form):
    name = form.cleaned_data["name"]
    if name == "late":
        raise TransitionError("包裹已签收。")
    if name == "nobody":
        raise PermissionDenied("需要回执上的签收密码。")
    if name == "bad":
        raise ValidationError({"name": "签名不清。"})
    parcel.signed.append((name, proofs["track"]))


class ParcelForm(tracking.LookupForm):
    code = forms.CharField(label="包裹编号", max_length=12)


class ParcelTracking(tracking.Tracking):
    session_key, record_name, url_name = "parcels.tracked", "parcel", "parcel_track"
    form_class = ParcelForm
    form_template, page_template = "form", "page"
    limit_scope, limit_per_minute = "parcel-track", 3
    wrong = "包裹编号或查询密码不正确。"
    expired = gettext_lazy("查询已过期。")
    left = gettext_lazy("已退出包裹查询。")
    verbs = {"sign": tracking.TrackedVerb(SignForm, "sign_form", sign, "已签收。")}

    def find(self, code, secret):
        parcel = next((p for p in PARCELS.values() if p.code == code), None)
        ok = query_secret.check(secret, parcel.query_secret_hash if parcel else None)
        return parcel if ok else None

    def make_proofs(self, parcel, secret, until):
        return {"track": query_secret.proof("parcel", parcel.pk, parcel.query_secret_hash, until)}

    def proves(self, parcel, proofs, until):
        value, _until = proofs.get("track") or ("", until)
        return query_secret.check_proof(value, "parcel", parcel.pk, parcel.query_secret_hash, until)

    def load(self, pk):
        return PARCELS.get(pk)

    def context(self, parcel, proofs, **forms_):
        return {"parcel": parcel, "sign_form": forms_.get("sign_form") or SignForm()}


TRACKING = ParcelTracking()


class JsonPages(tracking.TrackingMixin):
    """What would be rendered, as JSON: the template, the record's code, the forms' state, the error."""

    def respond(self, request, template_name, context, status=200):
        form = context.get("form") or context.get("sign_form")
        body = {
            "template": template_name,
            "parcel": getattr(context.get("parcel"), "code", None),
            "error": context.get("error"),
            "bound": form.is_bound,
            "errors": form.errors if form.is_bound else {},
            "initial": form.initial,
        }
        return tracking.no_store(JsonResponse(body, status=status))


class TrackView(JsonPages, tracking.TrackView):
    tracking = TRACKING


class SignView(JsonPages, tracking.TrackedActionView):
    tracking, verb = TRACKING, "sign"


class LeaveView(JsonPages, tracking.TrackLeaveView):
    tracking = TRACKING


@pytest.fixture(autouse=True)
def parcels():
    PARCELS.clear()
    PARCELS.update({1: Parcel(1, "P1", "ABCD2345"), 2: Parcel(2, "P2", "WXYZ6789")})
    return PARCELS


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def look_up(client, code="P1", secret="ABCD2345"):
    return client.post("/parcels/track/", {"code": code, "secret": secret})


def test_a_lookup_remembers_the_record_with_a_proof_never_the_secret(client):
    client.get("/parcels/track/")
    before = client.session.session_key
    response = look_up(client, secret="abcd-2345")  # typed as on the receipt, any case, with a hyphen
    assert response.status_code == 302 and response["Location"] == "/parcels/track/"
    session = client.session
    assert session.session_key != before  # cycled: a planted session id does not inherit the lookup
    entry = session["parcels.tracked"]
    assert entry["parcel"] == 1 and set(entry["proofs"]) == {"track"}
    assert 29 * 60 < entry["until"] - time.time() <= 30 * 60
    assert "ABCD2345" not in str(dict(session.items())).upper()
    page = client.get("/parcels/track/")
    assert page.json()["template"] == "page" and page.json()["parcel"] == "P1"
    assert "no-store" in page["Cache-Control"]


def test_a_wrong_code_and_a_wrong_secret_get_one_answer_keeping_the_code_only(client):
    wrong_secret = look_up(client, secret="ZZZZ2222")
    wrong_code = look_up(client, code="P9")
    for response, code in ((wrong_secret, "P1"), (wrong_code, "P9")):
        body = response.json()
        assert response.status_code == 200 and body["template"] == "form"
        assert body["error"] == "包裹编号或查询密码不正确。"
        assert body["initial"] == {"code": code} and not body["bound"]
        assert "no-store" in response["Cache-Control"]
    assert "parcels.tracked" not in client.session


def test_a_lookup_is_rate_limited_per_address_even_with_the_right_secret(client):
    for _ in range(3):
        assert look_up(client, secret="ZZZZ2222").status_code == 200
    refused = look_up(client)
    assert refused.status_code == 429 and refused.json()["error"] == "查询过于频繁，请一分钟后再试。"
    assert "parcels.tracked" not in client.session


def test_bad_input_is_a_400_with_the_form_errors(client):
    response = client.post("/parcels/track/", {"code": "P1" * 10, "secret": ""})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"code", "secret"}


def test_an_expired_lookup_or_a_dead_proof_shows_the_form_and_is_forgotten(client, monkeypatch):
    look_up(client)
    later = time.time() + 31 * 60
    monkeypatch.setattr(tracking.time, "time", lambda: later)
    assert client.get("/parcels/track/").json()["template"] == "form"
    assert "parcels.tracked" not in client.session
    monkeypatch.undo()
    look_up(client)
    PARCELS[1].query_secret_hash = query_secret.make_hash("NEWS3CRT")  # reissued at a window
    assert client.get("/parcels/track/").json()["template"] == "form"
    assert "parcels.tracked" not in client.session


def test_a_forged_session_entry_is_refused(client):
    look_up(client)
    session = client.session
    session["parcels.tracked"]["parcel"] = 2  # someone else's parcel with this session's proof
    session.save()
    assert client.get("/parcels/track/").json()["template"] == "form"
    session = client.session
    session["parcels.tracked"] = {"parcel": 1, "until": "never", "proofs": {}}
    session.save()
    assert client.get("/parcels/track/").json()["template"] == "form"


def test_a_tracked_verb_gets_the_record_and_its_proofs(client):
    look_up(client)
    response = client.post("/parcels/track/sign/", {"name": "王"})
    assert response.status_code == 302 and response["Location"] == "/parcels/track/"
    assert said(response) == ["已签收。"]
    [(name, (proof, until))] = PARCELS[1].signed
    assert name == "王" and proof == client.session["parcels.tracked"]["proofs"]["track"]
    assert until == client.session["parcels.tracked"]["until"]


def test_a_tracked_verb_without_a_fresh_lookup_goes_back_to_the_form(client):
    response = client.post("/parcels/track/sign/", {"name": "王"})
    assert response.status_code == 302 and said(response) == ["查询已过期。"]
    assert PARCELS[1].signed == []


def test_bad_input_and_the_verbs_refusals(client):
    look_up(client)
    empty = client.post("/parcels/track/sign/", {"name": ""})
    assert (
        empty.status_code == 400 and empty.json()["template"] == "page" and "name" in empty.json()["errors"]
    )
    refused = client.post("/parcels/track/sign/", {"name": "bad"})  # the verb's ValidationError, on the form
    assert refused.status_code == 400 and refused.json()["errors"] == {"name": ["签名不清。"]}
    for name, message in (("late", "包裹已签收。"), ("nobody", "需要回执上的签收密码。")):
        response = client.post("/parcels/track/sign/", {"name": name})
        assert response.status_code == 302 and said(response)[-1] == message
    assert PARCELS[1].signed == []


def test_leaving_forgets_the_record(client):
    look_up(client)
    response = client.post("/parcels/track/leave/")
    assert response.status_code == 302 and said(response) == ["已退出包裹查询。"]
    assert "parcels.tracked" not in client.session
    assert client.get("/parcels/track/").json()["template"] == "form"


# --- both apps are wired to the kernel ------------------------------------------------------------


def _tracking_views():
    from django.urls import URLResolver

    found = {}

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + (p.namespace + ":" if p.namespace else ""))
            elif isinstance(p, URLPattern):
                view = getattr(p.callback, "view_class", None)
                if view and issubclass(view, tracking.TrackingMixin):
                    found[prefix + (p.name or "")] = (view, str(p.pattern))

    walk(get_resolver("portal.urls").url_patterns)
    return found


@pytest.mark.urls("portal.urls")
def test_both_apps_track_through_the_kernel():
    from approvals.views import public
    from complaints import views

    found = _tracking_views()
    assert {name: pattern for name, (_view, pattern) in found.items()} == {
        "approvals:track": "track/", "approvals:track_rate": "track/rate/",
        "approvals:track_correct": "track/correct/", "approvals:track_leave": "track/leave/",
        "complaints:track": "complaints/track/", "complaints:track_rate": "complaints/track/rate/",
        "complaints:track_reopen": "complaints/track/reopen/", "complaints:track_leave": "complaints/track/leave/",
    }  # fmt: skip
    for name, (view, _pattern) in found.items():
        app = name.split(":")[0]
        assert view.tracking is {"approvals": public.TRACKING, "complaints": views.TRACKING}[app]
        assert view.__module__.split(".")[0] == app  # the app's page (permission matrix, tracebacks)
        if issubclass(view, tracking.TrackedActionView):
            assert name == f"{app}:track_{view.verb}"
    assert public.TRACKING.session_key != views.TRACKING.session_key
    assert public.TRACKING.limit_scope != views.TRACKING.limit_scope  # each app its own counter


def test_leave_is_not_a_verb_name():
    class Odd(ParcelTracking):
        verbs = {"leave": ParcelTracking.verbs["sign"]}

    with pytest.raises(ValueError):
        Odd().urls()
