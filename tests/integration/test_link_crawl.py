"""Every link a person can click works: a crawl of the demo site as each demo role sees it.

The small demo is loaded once for the module (inside a transaction rolled back at the end). For the
anonymous visitor and each demo login, the crawl starts at the home page and the workbench and
follows every same-site link of every page it reaches, one page per URL *shape* (numbers, codes and
query values collapsed), and fails on any 5xx, 404, 400 or 403, on a link that leads to the login
page although the user is logged in, on a malformed href (``??``, ``None``, empty, template syntax
left over) and on a "next page" link that does not lead to a later page. New apps' pages are crawled
as soon as a menu, card or page links to them: there is no list of URLs to maintain.
"""

import re
import time
from io import StringIO
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from portal.demo import DEMO_USERS
from tests.links import links

ROLES = ["anonymous", *[row[0] for row in DEMO_USERS]]
START = ["/", "/workbench/"]
# Not pages a person browses: signing out, the admin site, the API and its docs, language switch.
SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/api/", "/i18n/", "/jsi18n/", "/static/", "/media/")
MAX_PAGES = 400  # per role; the small demo needs far fewer shapes

# Broken links found by this crawl in apps that other issues own, reported (printed) instead of failing
# until their owners fix them: (regex on the broken URL, regex on the page showing it, whose).
# Remove an entry once its link works; an entry that matches nothing any more is harmless.
KNOWN_BROKEN: list[tuple[str, str, str]] = []

CODE_SEGMENT = re.compile(r"^(?=.*\d)[\w\-.〔〕]+$")


def shape(url: str) -> tuple:
    """The URL with ids and codes in the path, and the values of the query, collapsed."""
    parts = urlsplit(url)
    segments = tuple("<id>" if CODE_SEGMENT.match(s) else s for s in parts.path.split("/"))
    keys = tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))
    return segments, keys


def malformed(href: str) -> str | None:
    if not href.strip():
        return "empty href"
    for bad in ("??", "None", "{{", "{%", "}}"):
        if bad in href:
            return f"contains {bad!r}"
    return None


def same_site(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc or parts.netloc in ("testserver",)


def page_number(url: str) -> int:
    value = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    return int(value) if value.isdigit() else 1


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            started = time.monotonic()
            call_command("seed_demo", stdout=StringIO())
            print(f"seed_demo (small): {time.monotonic() - started:.1f} s")
            yield
            transaction.set_rollback(True)


class Crawl:
    def __init__(self, client, logged_in: bool):
        self.client = client
        self.logged_in = logged_in
        self.seen: set = set()
        self.problems: list[str] = []
        self.known: list[str] = []
        self.pages = 0
        self.next_pages = 0  # 下一页 links checked

    def problem(self, message: str, url: str, source: str | None):
        text = f"{message}: {url} (linked from {source or 'start'})"
        known = any(
            re.search(broken, url) and re.search(page, source or "") for broken, page, _owner in KNOWN_BROKEN
        )
        (self.known if known else self.problems).append(text)

    def run(self, starts):
        queue = [(url, None) for url in starts]
        while queue and self.pages < MAX_PAGES:
            url, source = queue.pop(0)
            if shape(url) in self.seen:
                continue
            self.seen.add(shape(url))
            queue.extend(self.visit(url, source))
        return self

    def visit(self, url, source):
        response = self.client.get(url)
        self.pages += 1
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            target = urljoin(url, response["Location"])
            if urlsplit(target).path.startswith("/accounts/login/"):
                if self.logged_in or source is not None and urlsplit(url).path != "/workbench/":
                    self.problem("a shown link leads to the login page", url, source)
                return []
            return [(target, source)] if same_site(target) else []
        if status >= 500 or status in (400, 403, 404, 405):
            self.problem(f"HTTP {status}", url, source)
            return []
        if "text/html" not in response.get("Content-Type", ""):
            return []
        found = []
        for link in links(response):
            href = link.get("href")
            if href is None:
                continue
            reason = malformed(href)
            if reason:
                self.problem(f"malformed href {href!r} ({reason})", url, source)
                continue
            if href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            target = urljoin(url, href.split("#", 1)[0])
            if not same_site(target):
                continue
            target = urlsplit(target)._replace(scheme="", netloc="").geturl()
            if target.startswith(SKIP_PREFIXES):
                continue
            if "next" in link.get("rel", "").split():
                self.check_next(url, target)
            found.append((target, url))
        return found

    def check_next(self, url, target):
        """A "next page" link must lead to a later page of the same list, which links back."""
        self.next_pages += 1
        if urlsplit(target).path != urlsplit(url).path or page_number(target) <= page_number(url):
            self.problem(f"下一页 {target!r} is not a later page", url, url)
            return
        response = self.client.get(target)
        if response.status_code != 200 or 'rel="prev"' not in response.content.decode():
            self.problem(f"下一页 answered {response.status_code} without a previous-page link", target, url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_link_works(demo, client, role):
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    started = time.monotonic()
    crawl = Crawl(client, logged_in=role != "anonymous").run(START)
    elapsed = time.monotonic() - started
    print(f"{role}: {crawl.pages} pages, {len(crawl.seen)} shapes in {elapsed:.1f} s")
    for text in crawl.known:
        print(f"  known broken link (see KNOWN_BROKEN): {text}")
    assert not crawl.problems, "\n".join(crawl.problems)
    assert crawl.pages > 5
    if role in ("anonymous", "admin"):  # the public power list alone has several pages
        assert crawl.next_pages, "the crawl followed no 下一页 link"
