"""Crawl the appraisal pages as the office and as the public: every link answers, none is broken."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from performance import services
from performance.models import Indicator, Period, SurveyResult
from tests.links import links, resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(series, units, appraiser):
    period = Period.objects.get(year=series.year)
    for i, dept in enumerate(units):
        services.submit_entry(period, indicator=Indicator.objects.get(code="kt"), department=dept,
                              value=90 - 5 * i, evidence="记录", by=appraiser)  # fmt: skip
        SurveyResult.objects.create(year=series.year, department=dept, kind="residents", score=80 + i, respondents=9,
                                    imported_at="2025-12-01T00:00+08:00")  # fmt: skip
    services.compute_year(series.year, by=appraiser)
    services.publish_year(series.year, by=appraiser)
    return series.year


def crawl(client, start_urls, limit=80):
    seen, queue, broken = set(), list(start_urls), []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500 or response.status_code in (400, 403, 404):
            broken.append((url, response.status_code))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in links(response):
            href = link.get("href", "")
            if not href or href.startswith(("#", "mailto:", "http")):
                continue
            target = resolve(response, href)
            path = urlsplit(target).path
            if path.startswith(("/admin/", "/api/", "/accounts/", "/i18n/")) or target in seen:
                continue
            if path.startswith("/appraisal/"):
                queue.append(target)
            else:
                status = client.get(target).status_code  # another app's page: answers, not followed
                if status >= 500 or status in (400, 403, 404):  # shown only to who may open it
                    broken.append((target, status))
    return seen, broken


def test_office_crawl(client, published, appraiser):
    client.force_login(appraiser)
    seen, broken = crawl(client, [reverse("performance:office"), reverse("performance:index")])
    assert not broken, broken
    assert any("/results/" in u for u in seen) and any("/rectifications/" in u for u in seen)


def test_public_crawl(client, published):
    seen, broken = crawl(client, [reverse("performance:index")])
    assert not broken, broken
    assert any("/units/" in u for u in seen)


def test_unit_crawl(client, published, units):
    """A unit's head sees its result without links to the desks and lists it may not open."""
    from portal import roles
    from tests.factories import UserFactory

    head = UserFactory(username="unit-head", roles=[roles.DEPT_HEAD], department=units[-1])
    client.force_login(head)
    seen, broken = crawl(client, [reverse("performance:result", args=[published.year, units[-1].code])])
    assert not broken, broken
    assert any("/rectifications/" in u for u in seen)


def test_inspector_reads_rectification(client, published, units, inspector):
    """Inspectors supervise the report's timer: its alert links here, so they read it (no form)."""
    from performance.models import Rectification

    task = Rectification.objects.first()
    client.force_login(inspector)
    response = client.get(reverse("performance:rectification", args=[task.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None and not response.context["can_review"]
    assert (
        client.post(reverse("performance:rectification", args=[task.pk]), {"report": "x"}).status_code == 403
    )
    task.refresh_from_db()
    assert not task.report
