"""Every form a page renders, posted with bad values: a form error, a 4xx or a safe redirect, never a
5xx, and nothing stored.

The pages come from the URL resolver (``page_urls`` of the permission matrix) and the role that posts
each one from the matrix table (the first role allowed to read and to write it). The form is the page's
``<form method=post>``, parsed with the stdlib HTML parser, posted with its csrf token (csrf checks
enforced). Each field gets every bad value of its kind while the other fields keep what the page
rendered; one more post sends every field empty. Row counts of every model are compared before and
after each form, except the bookkeeping tables in ``BOOKKEEPING``.

Pages whose URL needs an object are reached with ids that do not exist (as in the matrix), so they
answer 404 and render no form: only the forms of pages without URL arguments are fuzzed here.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests import permission_matrix as matrix
from tests.security.conftest import ROLES
from tests.security.test_permission_matrix import PAGES

# Tables a refused post may still write, with the reason.
BOOKKEEPING = {
    "django_session": "the login of the test client and the session's csrf/flash state",
    "portal_auditevent": "audit events record refusals as well as changes",
    "axes_accessattempt": "login attempt bookkeeping (django-axes)",
    "axes_accesslog": "login attempt bookkeeping (django-axes)",
    "axes_accessfailurelog": "login attempt bookkeeping (django-axes)",
}

SCRIPT = "<script>alert(1)</script>"
TEXT_BAD = {"oversized": "x" * 100_000, "nul": "a\x00b", "script": SCRIPT}
NUMBER_BAD = {
    "text": "abc",
    "2**64": str(2**64),
    "-2**64": str(-(2**64)),
    "1E+999999999": "1E+999999999",
    "NaN": "NaN",
    "nul": "1\x002",
    "oversized": "9" * 100_000,
}
DATE_BAD = {"text": "abc", "2**64": str(2**64), "overflow": "99999-12-31", "nul": "2026\x00-01-01", "oversized": "1" * 100_000}  # fmt: skip
CHOICE_BAD = {"2**64": str(2**64), "-2**64": str(-(2**64)), "1E+999999999": "1E+999999999", "NaN": "NaN", "nul": "a\x00b", "script": SCRIPT, "oversized": "9" * 100_000}  # fmt: skip
SKIP_TYPES = {"submit", "button", "reset", "image", "file", "hidden"}


class FormParser(HTMLParser):
    """Collects the POST forms: [{action, fields: {name: (kind, value)}}]."""

    def __init__(self):
        super().__init__()
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self.form)
        if self.form is None or not a.get("name"):
            return
        name, fields = a["name"], self.form["fields"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a or name not in fields:
                    fields[name] = ("choice", a.get("value", "on") if "checked" in a else "")
            else:
                fields[name] = (kind, a.get("value") or "")
        elif tag == "select":
            self.select = name
            fields[name] = ("choice", "")
        elif tag == "textarea":
            self.textarea = name
            fields[name] = ("text", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            self.form["fields"][self.textarea] = ("text", data)


def bad_values(kind):
    if kind in ("number", "range"):
        return NUMBER_BAD
    if kind in ("date", "datetime-local", "month", "time", "week"):
        return DATE_BAD
    if kind == "choice":
        return CHOICE_BAD
    return {**TEXT_BAD, "2**64": str(2**64), "1E+999999999": "1E+999999999"}


def counts():
    with connection.cursor() as cursor:
        out = {}
        for model in apps.get_models():
            table = model._meta.db_table
            if table in BOOKKEEPING or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            out[table] = cursor.fetchone()[0]
        return out


def poster(name):
    """The first role the matrix lets read and write this page, or None."""
    for rows in matrix.PAGES.values():
        if name in rows:
            read, write = rows[name]
            for role, r, w in zip(ROLES, read, write, strict=True):
                if r == "O" and w in "OB":
                    return role
    return None


FORM_PAGES = [
    (name, url, role)
    for name, (_app, url) in PAGES
    if "<" not in url and "999999" not in url and "NONE-0000" not in url and "/none" not in url
    for role in [poster(name)]
    if role
]

# Endpoints where a fix is not small: name -> reason (xfail strict).
KNOWN_5XX: dict[str, str] = {}


def _client(role):
    from django.contrib.auth import get_user_model

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    return client


def _safe(response):
    status = response.status_code
    if status in (301, 302, 303):
        target = urlsplit(response["Location"])
        return not target.netloc or target.netloc == "testserver"
    return status in (200, 400) or 400 <= status < 500


@pytest.mark.parametrize(
    "name, url, role",
    [
        pytest.param(
            *row,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_5XX[row[0]])] if row[0] in KNOWN_5XX else [],
        )
        for row in FORM_PAGES
    ],  # fmt: skip
    ids=[row[0] for row in FORM_PAGES],
)
def test_form_fuzz(demo, name, url, role, record_property):
    client = _client(role)
    page = client.get(url)
    assert page.status_code == 200, f"{name}: GET {url} as {role} answered {page.status_code}"
    if "text/html" not in page.get("Content-Type", ""):
        pytest.skip(f"{name} is not an HTML page")
    parser = FormParser()
    parser.feed(page.content.decode())
    forms = [f for f in parser.forms if any(k != "hidden" for k, _ in f["fields"].values())]
    if not forms:
        pytest.skip(f"{name} renders no POST form with fields")
    before = counts()
    problems, checked = [], 0
    for form in forms:
        action = form["action"] or url
        base = {n: v for n, (_k, v) in form["fields"].items()}
        token = base.get("csrfmiddlewaretoken")
        assert token, f"{name}: a POST form without a csrf token"
        cases = [("every field empty", {n: ("" if n != "csrfmiddlewaretoken" else token) for n in base})]
        for field, (kind, _v) in form["fields"].items():
            if kind in SKIP_TYPES:
                continue
            for label, value in bad_values(kind).items():
                cases.append((f"{field}={label}", {**base, field: value}))
        for label, data in cases:
            cache.clear()
            response = client.post(action, data)
            checked += 1
            if response.status_code == 403 and b"CSRF" in response.content:  # the test would prove nothing
                problems.append(f"{label}: the csrf token was refused")
            elif not _safe(response):
                problems.append(f"{label}: HTTP {response.status_code}")
            elif SCRIPT in response.content.decode(errors="replace"):
                problems.append(f"{label}: the script came back unescaped")
    after = counts()
    stored = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    record_property("posts", checked)
    print(f"{name}: {len(forms)} form(s), {sum(len(f['fields']) for f in forms)} fields, {checked} posts")
    assert not problems, f"{name} ({url} as {role}): {problems}"
    assert not stored, f"{name}: bad posts stored rows: {stored}"


def test_the_parser_and_the_oracle_can_fail():
    parser = FormParser()
    parser.feed(
        '<form method="get"><input name="q"></form><form method="post" action="/x/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="t"><input type="number" name="n" value="3">'
        '<select name="s"><option value="1">a</option></select><textarea name="t">hi</textarea>'
        '<input type="checkbox" name="c" value="v" checked></form>'
    )
    assert parser.forms == [
        {
            "action": "/x/",
            "fields": {
                "csrfmiddlewaretoken": ("hidden", "t"),
                "n": ("number", "3"),
                "s": ("choice", ""),
                "t": ("text", "hi"),
                "c": ("choice", "v"),
            },
        }
    ]
    assert bad_values("number") is NUMBER_BAD and "2**64" in bad_values("choice")

    class Answer(dict):
        def __init__(self, status, location=""):
            super().__init__(Location=location)
            self.status_code = status

    assert _safe(Answer(200)) and _safe(Answer(400)) and _safe(Answer(404)) and _safe(Answer(302, "/ok/"))
    assert (
        not _safe(Answer(500)) and not _safe(Answer(502)) and not _safe(Answer(302, "https://evil.example/"))
    )
