"""Crawl the complaint pages as each role and as the public: every link shown answers (no 403 from a
link that was shown, no 404, no 5xx, no malformed href), following links under /complaints/."""

import pytest
from django.urls import reverse

from complaints import services
from tests import links


def crawl(client, start_urls, limit=60):
    return links.crawl(client, start_urls, follow="/complaints/", limit=limit)


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
