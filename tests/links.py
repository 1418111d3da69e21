"""Read the links of a rendered page the way a person clicks them (tests follow hrefs, not the context)."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            link = {**{k: (v or "") for k, v in attrs}, "text": ""}
            self.links.append(link)
            self._open.append(link)

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data):
        for link in self._open:
            link["text"] += data


def links(response) -> list[dict]:
    """Every <a> of an HTML response: its attributes (``href``, ``rel``, ``class``…) and its ``text``."""
    parser = _Links()
    parser.feed(response.content.decode())
    for link in parser.links:
        link["text"] = " ".join(link["text"].split())
    return parser.links


def resolve(response, href: str) -> str:
    """The href resolved against the URL the response was fetched from (as a browser does)."""
    request = response.wsgi_request
    return urljoin(request.get_full_path(), href)


def href_of(response, *, text: str | None = None, rel: str | None = None) -> str:
    """The resolved href of the one link whose text contains ``text`` (or whose rel is ``rel``)."""
    found = [
        link
        for link in links(response)
        if "href" in link
        and (text is None or text in link["text"])
        and (rel is None or rel in link.get("rel", "").split())
    ]
    assert len(found) == 1, f"expected one link text={text!r} rel={rel!r}, found {found}"
    return resolve(response, found[0]["href"])


def click(client, response, *, text: str | None = None, rel: str | None = None):
    """GET the link a person would click; asserts its href is well formed first."""
    href = href_of(response, text=text, rel=rel)
    assert "??" not in href and "None" not in href, href
    return client.get(href)


SKIPPED = ("/admin/", "/api/", "/accounts/", "/i18n/", "/static/", "/media/")


def broken_status(status: int) -> bool:
    """What a link a person was shown must never answer."""
    return status >= 500 or status in (400, 403, 404)


def crawl(client, start_urls, *, follow: str, limit: int = 80, skip_suffixes: tuple = ()):
    """One app's crawl on its own test data (the whole site's crawl on the demo is tests/integration).

    Follows every link under ``follow`` from ``start_urls``; a link to another app's page is opened
    (it must answer) but not followed. Returns ``(seen, broken)``: ``broken`` lists ``(url, status)`` of
    every page reached from a shown link that answered 5xx, 400, 403 or 404, and of every start URL that
    answered 5xx, 400 or 404 (a start URL the user may not open is not a link they were shown).
    Malformed hrefs (``??``, ``None``) fail at once.
    """
    seen, queue, broken = set(), list(start_urls), []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        status = response.status_code
        if broken_status(status) and not (url in start_urls and status == 403):
            broken.append((url, status))
            continue
        if status != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in links(response):
            href = link.get("href", "")
            if not href or href.startswith(("#", "mailto:", "http")):
                continue
            assert "??" not in href and "None" not in href, (url, href)
            target = resolve(response, href)
            path = urlsplit(target).path
            if path.startswith(SKIPPED) or target in seen or path.endswith(skip_suffixes):
                continue
            if path.startswith(follow):
                queue.append(target)
            else:
                seen.add(target)
                other = client.get(target).status_code  # another app's page: answers, not followed
                if broken_status(other):
                    broken.append((target, other))
    return seen, broken
