"""The year-end run writes exactly the rows the model-instance writer it replaced wrote."""

import random
import re
from argparse import Namespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from performance import services
from performance.models import IndicatorScore, Membership, Result
from portal.models import Department
from tests.bench import bench_appraisal as bench

pytestmark = pytest.mark.django_db


def snapshot(year):
    results = list(
        Result.objects.filter(year=year)
        .order_by("department__code")
        .values_list(
            "pk",
            "department__code",
            "series_id",
            "internal_score",
            "public_score",
            "public_detail",
            "total",
            "rank",
            "rank_note",
            "grade",
            "award_eligible",
        )  # fmt: skip
    )
    scores = list(
        IndicatorScore.objects.filter(result__year=year)
        .order_by("result__department__code", "indicator_id")
        .values_list("result_id", "indicator_id", "raw_value", "score", "weighted", "basis")
    )
    return results, scores


@pytest.fixture
def city_year(appraiser):
    """The benchmark's data at a small scale: every computed source, entered figures, surveys, votes."""
    rng = random.Random(7)
    departments = Department.objects.bulk_create(
        Department(code=f"U{i:04d}", name=f"基准单位{i}", short_name=f"单位{i}") for i in range(12)
    )
    bench.load_rows(Namespace(cases=1500, complaints=400, alerts=60), departments, rng)
    return bench.build_year(bench.YEAR, departments, appraiser, rng)


def test_the_bulk_writer_writes_what_the_old_writer_wrote(city_year, appraiser, monkeypatch):
    services.compute_year(city_year, by=appraiser)  # the new writer, no results yet
    first = snapshot(city_year)
    assert len(first[0]) == 12 and len(first[1]) == 12 * 40
    assert {score[5]["source"] for score in first[1]} == {"computed", "entered", "public"}
    with monkeypatch.context() as patched:
        patched.setattr(services, "_replace_results", bench.previous_writer)
        services.compute_year(city_year, by=appraiser)
        old = snapshot(city_year)
    services.compute_year(city_year, by=appraiser)  # the new writer over existing results
    assert snapshot(city_year) == old == first  # same ids, same figures, same bases


def test_a_unit_that_left_loses_its_result_the_others_keep_their_ids(city_year, appraiser):
    services.compute_year(city_year, by=appraiser)
    ids = dict(Result.objects.filter(year=city_year).values_list("department__code", "pk"))
    Membership.objects.filter(year=city_year, department__code="U0003").delete()
    services.compute_year(city_year, by=appraiser)
    after = dict(Result.objects.filter(year=city_year).values_list("department__code", "pk"))
    assert after == {code: pk for code, pk in ids.items() if code != "U0003"}
    assert not IndicatorScore.objects.filter(result_id=ids["U0003"]).exists()


def test_the_run_costs_the_same_queries_for_5_units_and_for_110(appraiser):
    """Over a hundred units (Django deletes and fetches in chunks of 100): still a constant count."""
    rng = random.Random(3)
    departments = Department.objects.bulk_create(
        Department(code=f"U{i:04d}", name=f"基准单位{i}", short_name=f"单位{i}") for i in range(110)
    )
    bench.load_rows(Namespace(cases=300, complaints=100, alerts=20), departments, rng)
    small = bench.build_year(bench.YEAR - 1, departments[:5], appraiser, rng)
    large = bench.build_year(bench.YEAR, departments, appraiser, rng)

    def statements(year):
        services.compute_year(year, by=appraiser)  # the second run replaces existing results
        with CaptureQueriesContext(connection) as queries:
            services.compute_year(year, by=appraiser)
        # SQLite alone splits an INSERT into batches of its 999 parameters.
        return [
            re.sub(r'"s\d+_x\d+"', "", q["sql"])[:40]
            for q in queries.captured_queries
            if "INSERT INTO" not in q["sql"]
        ]

    assert statements(large) == statements(small)
