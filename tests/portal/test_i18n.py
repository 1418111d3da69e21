"""The English translation: pages switch language by the language cookie / form, and the catalogue is complete.

The portal is Chinese first. ``locale/en/LC_MESSAGES/django.po`` holds the English, and the compiled
``django.mo`` is committed so that the portal needs no gettext tools at run time. After
``makemessages -l en`` every new or changed msgid must be translated (no empty, no fuzzy entries) and
``compilemessages -l en`` run again — the catalogue tests below fail until that is done.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from powers.choices import Category
from tests.powers.factories import PowerFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
SHELL_TEMPLATES = ["base.html", "portal/home.html", "portal/_nav.html", "portal/_workbench_cards.html",
                   "registration/login.html"]  # fmt: skip
PLACEHOLDER = re.compile(r"%\((\w+)\)[-+ #0-9.]*([a-z])|(%[sd])")  # name and type; width may differ


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPagesFollowTheLanguage:
    def test_home_is_chinese_by_default(self, client):
        html = page(client, reverse("portal:home"))
        assert '<html lang="zh-hans">' in html
        assert "晒权力 · 亮流程 · 受监督" in html and "工作人员登录" in html
        assert "Staff sign-in" not in html

    def test_home_in_english_with_the_language_cookie(self, client):
        html = page(english(client), reverse("portal:home"))
        assert '<html lang="en">' in html
        for phrase in ["Publish powers · Show procedures · Accept supervision", "Staff sign-in", "Open API",
                       "Public search", "中文"]:  # fmt: skip
            assert phrase in html
        for phrase in ["晒权力", "工作人员登录", "开放接口", "公共检索", "无需登录即可查询"]:
            assert phrase not in html

    def test_power_list_in_english(self, client, department):
        PowerFactory(department=department, name="食品经营许可", category=Category.LICENSING)
        html = page(english(client), reverse("powers:list"))
        assert "食品经营许可" in html  # data stays as entered
        for phrase in ["By power category", "Administrative licensing", "Unified code", "Power name",
                       "Statutory / promised limit"]:  # fmt: skip
            assert phrase in html
        for phrase in ["按权力类别", "行政许可", "统一编码", "法定/承诺时限", "实施主体"]:
            assert phrase not in html

    def test_power_list_is_chinese_by_default(self, client, department):
        PowerFactory(department=department, category=Category.LICENSING)
        html = page(client, reverse("powers:list"))
        assert "按权力类别" in html and "行政许可" in html
        assert "By power category" not in html

    def test_language_form_switches_to_english_and_back(self, client):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert response.status_code == 302
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert "Staff sign-in" in page(client, "/")
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        assert "工作人员登录" in page(client, "/")


# --- the catalogue ----------------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr / msgstr[n] (joined), flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry, key = {"flags": set(), "strs": {}}, None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line):
                key = match.group(1)
                entry["strs"][key] = ast.literal_eval(match.group(2))
            elif line.startswith('"'):
                entry["strs"][key] += ast.literal_eval(line)
        if not entry.get("obsolete") and "msgid" in entry["strs"]:
            entries.append(entry)
    return entries


def _translations(entry) -> list[str]:
    return [value for key, value in entry["strs"].items() if key.startswith("msgstr")]


@pytest.fixture(scope="module", params=["django", "djangojs"])
def catalogue(request) -> str:
    """The templates' and Python's catalogue, and the one of the site's own scripts (static/js)."""
    return request.param


@pytest.fixture(scope="module")
def po_entries(catalogue):
    entries = [e for e in _po_entries(LOCALE_DIR / f"{catalogue}.po") if e["strs"]["msgid"]]  # no header
    assert len(entries) > (900 if catalogue == "django" else 3)
    return entries


def test_every_msgid_is_translated_and_none_is_fuzzy(po_entries):
    untranslated = [e["strs"]["msgid"] for e in po_entries if not all(_translations(e))]
    fuzzy = [e["strs"]["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy (check and remove the flag): {fuzzy[:20]}"


def test_translations_keep_every_placeholder(po_entries):
    wrong = []
    for entry in po_entries:
        strs = entry["strs"]
        pairs = [(strs["msgid"], strs.get("msgstr", strs.get("msgstr[0]")))]
        if "msgid_plural" in strs:
            pairs.append((strs["msgid_plural"], strs["msgstr[1]"]))
        wrong += [
            (src, dst)
            for src, dst in pairs
            if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(dst))
        ]
    assert not wrong


def test_compiled_catalogue_matches_the_po_file(catalogue, po_entries):
    with (LOCALE_DIR / f"{catalogue}.mo").open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog
    stale = []
    for entry in po_entries:
        strs = entry["strs"]
        if "msgid_plural" in strs:
            ok = (
                catalog.get((strs["msgid"], 0)) == strs["msgstr[0]"]
                and catalog.get((strs["msgid"], 1)) == strs["msgstr[1]"]
            )
        else:
            ok = catalog.get(strs["msgid"]) == strs["msgstr"]
        if not ok:
            stale.append(strs["msgid"])
    assert not stale, f"{catalogue}.mo is out of date — run compilemessages -l en: {stale[:10]}"


def _template_msgids(name: str) -> list[str]:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    msgids = re.findall(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""", source)
    msgids = [text for _quote, text in msgids]
    msgids += re.findall(r"\{%\s*blocktranslate\s*%\}(.+?)\{%\s*endblocktranslate\s*%\}", source, re.S)
    return msgids


@pytest.mark.parametrize("name", SHELL_TEMPLATES)
def test_shell_templates_are_fully_translated(name):
    msgids = _template_msgids(name)
    assert msgids
    with translation.override("en"):
        missing = [m for m in msgids if translation.gettext(m) == m]
    assert not missing, f"{name}: not in the English catalogue: {missing}"


@pytest.mark.django_db
def test_script_texts_follow_the_language(client):
    """static/js/*.js take their texts from /jsi18n/: English there when the page is English."""
    assert "falls in no discretion band" in page(english(client), reverse("javascript-catalog"))
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert "falls in no discretion band" not in page(client, reverse("javascript-catalog"))


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client):
    """Chinese first: the browser's Accept-Language is not followed; the language switch is."""
    home = reverse("portal:home")
    html = client.get(home, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html
    client.post(reverse("set_language"), {"language": "en", "next": home})
    html = client.get(home, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in html


# --- marking --------------------------------------------------------------------------------------

#: The names makemessages (xgettext with Django's keywords) extracts texts from.
EXTRACTED = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
             "pgettext_lazy", "npgettext", "npgettext_lazy"}  # fmt: skip


def test_texts_are_marked_under_names_makemessages_extracts():
    """A text marked through an alias such as ``gettext_lazy as _lazy`` is never extracted: it stays
    Chinese on every English page (the tracking pages' messages once did), and the catalogue tests
    above cannot see it. Every import of a translation function keeps a name makemessages reads."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if (
            relative.parts[0] in {".venv", "tests", "node_modules", "staticfiles"}
            or "migrations" in relative.parts
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if "gettext" in alias.name and name not in EXTRACTED:
                        offenders.append(f"{relative}: {alias.name} as {name}")
    assert offenders == []


def test_a_wrong_tracking_secret_is_answered_in_english(client):
    from approvals import query_secret

    with translation.override("en"):
        assert translation.gettext(query_secret.WRONG) != query_secret.WRONG
