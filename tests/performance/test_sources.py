"""Computed indicators: read through the registry, one call per function, absent sources refused."""

import importlib.util
from decimal import Decimal

import pytest

from performance import services, sources
from performance.choices import Direction, Rule, Source
from performance.models import Category, Indicator, Result
from tests.performance import fake_indicators

pytestmark = pytest.mark.django_db

FAKE = [
    sources.SourceDef("fake.rate", "测试比率", "%", "tests.performance.fake_indicators", "figures"),
    sources.SourceDef(
        "fake.count",
        "测试计数",
        "件",
        "tests.performance.fake_indicators",
        "figures",
        field="n",
        absent=sources.COUNT,
    ),  # fmt: skip
]


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(sources, "CANDIDATES", sources.CANDIDATES + FAKE)
    fake_indicators.CALLS.clear()
    yield fake_indicators
    fake_indicators.FIGURES.clear()


def test_registry_lists_only_published_functions(fake):
    keys = set(sources.registry())
    assert {"fake.rate", "fake.count", "approvals.on_time_rate", "complaints.satisfaction_rate"} <= keys
    if importlib.util.find_spec("risks.indicators") is None:
        assert "risks.rectifications_on_time" not in keys  # absent, not faked


def test_risk_sources_shaped_from_their_published_form():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start, end = (
        datetime(2025, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    calls = []

    def rectifications(first, last):
        calls.append((first, last))
        return {7: (3, 4), 8: (0, 0)}

    rows = sources._risk_rectifications(rectifications, start, end)
    assert calls == [
        (start.date(), datetime(2025, 12, 31).date())
    ]  # the risks function takes inclusive dates
    assert rows == {7: {"value": 75.0, "on_time": 3, "total": 4}}
    warned = sources._risk_warnings(lambda a, b: {7: {"red": 1, "yellow": 2, "blue": 0}}, start, end)
    assert warned[7]["value"] == 3.0


def test_computed_indicators_scored_from_the_published_figures(fake, series, units, appraiser):
    eff = Category.objects.get(series=series, name="效能建设")
    Indicator.objects.filter(category=eff).delete()
    Indicator.objects.create(category=eff, code="r", name="比率", weight=50, rule=Rule.LINEAR, target=100, floor=80,
                             source=Source.COMPUTED, source_key="fake.rate")  # fmt: skip
    Indicator.objects.create(category=eff, code="c", name="计数", weight=50, rule=Rule.LINEAR, target=0, floor=10,
                             direction=Direction.LOWER, source=Source.COMPUTED, source_key="fake.count")  # fmt: skip
    fake.FIGURES.update(
        {units[0].id: {"value": 90.0, "n": 5, "completed": 10}, units[1].id: {"value": 100.0, "n": 0}}
    )
    services.compute_year(series.year, by=appraiser)
    assert len(fake.CALLS) == 1  # two sources, one function, one call
    scores = {
        (s.result.department_id, s.indicator.code): s
        for s in Result.objects.get(department=units[0]).scores.select_related("result", "indicator")
    }
    assert scores[(units[0].id, "r")].score == Decimal("50.00")
    assert scores[(units[0].id, "c")].score == Decimal("50.00")
    assert scores[(units[0].id, "r")].basis["figures"]["completed"] == 10
    absent = {
        s.indicator.code: s
        for s in Result.objects.get(department=units[2]).scores.select_related("indicator")
    }
    assert (
        absent["r"].score == 100 and "不适用" in absent["r"].basis["note"]
    )  # nothing to divide: not applicable
    assert absent["c"].score == 100 and absent["c"].raw_value == 0  # nothing counted: zero


def test_complaint_grade_points():
    grade = next(s for s in sources.CANDIDATES if s.key == "complaints.grade")
    assert sources._value({"grade": "qualified"}, grade) == 75.0
    assert sources._value({"grade": None}, grade) is None
