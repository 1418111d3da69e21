"""Read the links of a rendered page the way a person clicks them (tests follow hrefs, not the context)."""

from html.parser import HTMLParser
from urllib.parse import urljoin


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
