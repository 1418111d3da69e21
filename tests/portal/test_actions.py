"""portal.actions: one verb table (``Verb``) for both action views; ``DetailActionView`` shows the forms of
a detail page and posts each to ``<page>/<verb>/`` (the case page, the alert and notice pages use it)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.template.loader import render_to_string

from portal import roles
from portal.actions import DetailActionView, NoFields, Verb, offered
from portal.forms import ReasonForm
from portal.services import TransitionError

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.actions_urls")]


class Lamp:
    """A stand-in object with a two-state map: off → on → off."""

    def __init__(self, pk, state="off"):
        self.pk, self.state, self.log = pk, state, []


LAMPS: dict[int, Lamp] = {}


def switch_on(lamp, *, by):
    if lamp.state != "off":
        raise TransitionError("灯已经亮了。")
    lamp.state = "on"
    return lamp


def switch_off(lamp, *, by, reason):
    if not by.username.startswith("inspector"):
        raise PermissionDenied("只有纪检监察员可以关灯。")
    if reason == "不行":
        raise ValidationError({"reason": "理由不成立。"})
    lamp.state = "off"
    lamp.log.append(reason)
    return lamp


class LabelForm(forms.Form):
    label = forms.CharField(max_length=10)

    def __init__(self, *args, lamp, **kwargs):
        super().__init__(*args, **kwargs)
        self.lamp = lamp


VERBS = {
    "on": Verb("开灯", None, lambda user, lamp: lamp.state == "off", switch_on, primary=True),
    "off": Verb(
        "关灯", ReasonForm, lambda user, lamp: lamp.state == "on", switch_off, danger=True,
        submit_label="关掉", message=lambda lamp, result: f"已关灯：{result.log[-1]}",
    ),
    "label": Verb(
        "贴标签", LabelForm, lambda user, lamp: True, lambda lamp, *, by, text: lamp.log.append(text),
        form_kwargs=lambda lamp: {"lamp": lamp}, initial=lambda lamp: {"label": f"灯{lamp.pk}"},
        arguments=lambda lamp, form: {"text": form.cleaned_data["label"].upper()}, message="标签已贴上。",
    ),
}  # fmt: skip


class LampView(DetailActionView):
    roles = (roles.INSPECTOR, roles.WINDOW_CLERK)
    verbs = VERBS
    detail_url_name = "lamp"

    def get_object(self):
        return LAMPS[self.kwargs["pk"]]

    def render_page(self, *, bound=None, status=200, **kwargs):
        context = self.get_context_data(bound=bound, **kwargs)
        rows = [
            {k: (str(v) if k != "form" else {"errors": v.errors, "bound": v.is_bound, "initial": v.initial})
             for k, v in row.items()}
            for row in context["action_forms"]
        ]  # fmt: skip
        return JsonResponse({"state": context["object"].state, "forms": rows}, status=status)


@pytest.fixture(autouse=True)
def lamps():
    LAMPS.clear()
    LAMPS.update({1: Lamp(1), 2: Lamp(2, "on")})
    return LAMPS


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def forms_of(response):
    return {row["name"]: row for row in response.json()["forms"]}


def test_the_page_offers_what_the_permission_functions_allow_in_table_order(client, inspector):
    client.force_login(inspector)
    rows = client.get("/lamps/1/").json()["forms"]
    assert [row["name"] for row in rows] == ["on", "label"]  # "off" is not allowed on an unlit lamp
    on, label = rows
    assert on["url"] == "/lamps/1/on/" and on["open"] == "True" and on["submit_label"] == "确定"
    assert label["open"] == "False" and label["form"]["initial"] == {"label": "灯1"}
    assert [name for name, _title in offered(VERBS, inspector, LAMPS[2])] == ["off", "label"]


def test_a_verb_runs_and_the_page_says_so(client, inspector):
    client.force_login(inspector)
    response = client.post("/lamps/1/on/")
    assert response.status_code == 302 and response["Location"] == "/lamps/1/"
    assert LAMPS[1].state == "on"
    assert said(response) == ["已开灯"]  # the default message


def test_arguments_form_kwargs_and_a_message_of_the_row(client, inspector):
    client.force_login(inspector)
    response = client.post("/lamps/2/label/", {"label": "hall"})
    assert LAMPS[2].log == ["HALL"] and said(response) == ["标签已贴上。"]
    response = client.post("/lamps/2/off/", {"reason": "下班"})
    assert response.status_code == 302 and LAMPS[2].state == "off"
    assert said(response)[-1] == "已关灯：下班"


def test_bad_input_shows_the_page_again_with_that_form_open(client, inspector):
    client.force_login(inspector)
    response = client.post("/lamps/2/off/", {"reason": ""})
    assert response.status_code == 400 and LAMPS[2].state == "on"
    off = forms_of(response)["off"]
    assert off["open"] == "True" and "reason" in off["form"]["errors"] and off["form"]["bound"]
    assert forms_of(response)["label"]["open"] == "False"  # only the bound form is open
    refused = client.post("/lamps/2/off/", {"reason": "不行"})  # the verb's ValidationError, by field
    assert refused.status_code == 400 and forms_of(refused)["off"]["form"]["errors"] == {
        "reason": ["理由不成立。"]
    }


def test_an_illegal_transition_is_a_message_on_the_page_and_a_refusal_is_403(client, inspector, clerk):
    client.force_login(inspector)
    LAMPS[1].state = "on"  # someone else switched it on while the form was open
    response = client.post("/lamps/1/on/")
    assert response.status_code == 302 and response["Location"] == "/lamps/1/"
    assert said(response) == ["灯已经亮了。"]
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    client.force_login(clerk)
    refused = client.post("/lamps/1/off/", {"reason": "下班"})
    assert refused.status_code == 403 and LAMPS[1].state == "on"


def test_unknown_verbs_get_and_post_on_the_page(client, inspector, clerk):
    client.force_login(inspector)
    assert client.post("/lamps/1/explode/").status_code == 404
    assert client.post("/lamps/1/").status_code == 405  # verbs are posted to <page>/<verb>/ only
    response = client.get("/lamps/1/on/")
    assert response.status_code == 302 and response["Location"] == "/lamps/1/" and LAMPS[1].state == "off"
    client.logout()
    assert client.post("/lamps/1/on/").status_code == 302 and LAMPS[1].state == "off"  # to the login page


def test_no_fields_verbs_get_a_form_and_each_form_its_own_ids(client, inspector):
    view = LampView()
    view.object, view.kwargs = LAMPS[2], {"pk": 2}
    assert isinstance(view.make_form("on"), NoFields)
    html = view.make_form("off").as_div()
    assert 'id="id_off_reason"' in html and 'name="reason"' in html


def test_the_shared_partial_posts_to_the_verb_url():
    row = {"name": "off", "title": "关灯", "submit_label": "关掉", "danger": True, "form": ReasonForm(),
           "url": "/lamps/2/off/", "open": True}  # fmt: skip
    html = render_to_string("_action_form.html", {"a": row})
    assert '<details class="action-box danger" id="action-off" open>' in html
    assert 'action="/lamps/2/off/"' in html and 'class="danger">关掉</button>' in html
