"""The read-only API: filters, and the same visibility as the pages."""

import pytest

from performance import services
from performance.models import Indicator, Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(series, units, appraiser):
    period = Period.objects.get(year=series.year)
    for i, dept in enumerate(units):
        services.submit_entry(period, indicator=Indicator.objects.get(code="kt"), department=dept,
                              value=90 - 10 * i, evidence="记录", by=appraiser)  # fmt: skip
    services.compute_year(series.year, by=appraiser)
    return series.year


def test_results_hidden_until_published(client, computed, units, unit_head, appraiser):
    assert client.get("/api/v1/appraisal/results/").json()["results"] == []
    assert client.get("/api/v1/appraisal/scores/").json()["results"] == []
    client.force_login(unit_head)
    own = client.get("/api/v1/appraisal/results/").json()["results"]
    assert [r["department"] for r in own] == [units[0].code]
    client.force_login(appraiser)
    assert len(client.get("/api/v1/appraisal/results/").json()["results"]) == 5
    services.publish_year(computed, by=appraiser)
    client.logout()
    data = client.get("/api/v1/appraisal/results/", {"grade": "poor", "year": computed.year}).json()[
        "results"
    ]
    assert data and all(r["grade"] == "poor" and r["published"] for r in data)
    scores = client.get("/api/v1/appraisal/scores/", {"department": units[0].code, "indicator": "kt"}).json()
    assert [s["score"] for s in scores["results"]] == ["90.00"]


def test_series_with_indicator_system_and_bad_filter(client, computed, appraiser):
    client.force_login(appraiser)
    data = client.get("/api/v1/appraisal/series/", {"year": computed.year}).json()["results"]
    assert data[0]["public_share"] == "0.40" and len(data[0]["categories"]) == 2
    assert client.get("/api/v1/appraisal/series/", {"year": "1E+999999"}).status_code == 400
    assert client.get("/api/v1/appraisal/periods/").status_code == 200
    assert client.get("/api/v1/appraisal/criteria/").status_code == 200
    assert len(client.get("/api/v1/appraisal/entries/").json()["results"]) == 5
    client.logout()
    assert client.get("/api/v1/appraisal/entries/").json()["results"] == []
    assert client.get("/api/v1/appraisal/series/").json()["results"] == []  # not published yet
