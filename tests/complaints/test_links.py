"""Crawl the complaint pages as each role and as the public: every link shown answers (no 403 from a
link that was shown, no 404, no 5xx, no malformed href), following links under /complaints/."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from complaints import services
from tests.links import links, resolve


def crawl(client, start_urls, limit=60):
    seen, queue, broken = set(), list(start_urls), []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code not in (200, 302) and (url not in start_urls or response.status_code != 403):
            broken.append((url, response.status_code))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in links(response):
            href = link.get("href", "")
            if not href or href.startswith(("#", "mailto:", "http")):
                continue
            assert "??" not in href and "None" not in href, (url, href)
            target = resolve(response, href)
            path = urlsplit(target).path
            if path.startswith(("/admin/", "/api/", "/accounts/", "/i18n/", "/static/")) or target in seen:
                continue
            if path.startswith("/complaints/"):
                queue.append(target)
            elif target not in seen:
                seen.add(target)
                status = client.get(target).status_code  # another app's page: answers, not followed
                if status >= 500 or status == 404:  # its own 403s are that app's crawl's business
                    broken.append((target, status))
    return seen, broken


@pytest.fixture
def busy(desk, inspector, corruption):
    desk.closed()
    desk.forwarded(title="办证难")
    complaint, _ = desk.submit(title="重复")
    services.merge(complaint, desk.submit()[0], by=inspector)


@pytest.mark.parametrize("role", ["inspector", "operator", "handler", "head", "admin_user", None])
def test_crawl(client, request, busy, role):
    start = [reverse("portal:home"), reverse("complaints:submit"), reverse("complaints:track")]
    if role:
        client.force_login(request.getfixturevalue(role))
        start = [reverse("portal:workbench"), reverse("complaints:list") + "?tab=all", *start]
    seen, broken = crawl(client, start)
    assert not broken, broken
    assert len(seen) > 3
