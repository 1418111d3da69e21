"""Crawl the appraisal pages as the office and as the public: every link answers, none is broken."""

import pytest
from django.urls import reverse

from performance import services
from performance.models import Indicator, Period, SurveyResult
from tests import links

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
    return links.crawl(client, start_urls, follow="/appraisal/", limit=limit)


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
