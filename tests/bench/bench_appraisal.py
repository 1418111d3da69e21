"""Benchmark: the year-end appraisal run (``performance.services.compute_year``) at city scale.

Run on demand (not part of the unit suite), on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:55433/portal TEST_DATABASE_NAME=bench_appraisal \\
        uv run python tests/bench/bench_appraisal.py
    # options: --units 200 --cases 200000 --complaints 50000 --alerts 20000 --rounds 3

It creates a scratch database (dropped at the end unless --keep), migrates it and loads in bulk:

* ``--units`` departments, split over five series; one indicator system of 40 indicators in five
  categories, copied to every series: 16 computed (the four service-centre sources, the two
  monitoring sources, the nine complaint indicators and the handling grade), 23 entered (one
  checked figure with evidence per unit and indicator) and one taking the public score;
* the real rows the computed indicators read: ``--cases`` completed cases over the year (a fifth of
  them rated), ``--complaints`` complaints forwarded, handled and rated, ``--alerts`` overdue
  alarms on cases, plus accountability records;
* nine survey results per unit and 20 online votes per unit.

Then it times the run (median of ``--rounds`` after one warm-up: the run is idempotent, each one
replaces the results) with its query count, for the year with every unit and for a second year
with a quarter of them, so the query count can be compared: it must not grow with the units.
Target: ≤ 5 s for 200 units × 40 indicators.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_S = 5.0
YEAR = 2025


def scratch_database(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (see the docstring).")
    name = os.environ.get("TEST_DATABASE_NAME") or (parts.path.lstrip("/") or "postgres") + "_bench_appraisal"
    return url, urlunsplit(parts._replace(path="/" + name)), name


def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


COMPUTED = [
    "approvals.on_time_rate", "approvals.alarms_per_100", "approvals.satisfaction", "approvals.cases",
    "monitoring.accountability", "monitoring.anomalies", "complaints.volume", "complaints.on_time_acceptance_rate",
    "complaints.completion_rate", "complaints.on_time_completion_rate", "complaints.reopened_rate",
    "complaints.pressed_rate", "complaints.returned_rate", "complaints.average_handling_days",
    "complaints.satisfaction_rate", "complaints.grade",
]  # fmt: skip


LOWER = {
    "approvals.alarms_per_100", "approvals.cases", "monitoring.accountability", "monitoring.anomalies",
    "complaints.volume", "complaints.reopened_rate", "complaints.pressed_rate", "complaints.returned_rate",
    "complaints.average_handling_days",
}  # fmt: skip


def build_year(year_number, departments, appraiser, rng):
    from decimal import Decimal

    from performance import sources
    from performance.choices import Direction, RaterKind, Rule, Source
    from performance.models import (
        AppraisalYear,
        Category,
        Indicator,
        Membership,
        OnlineVote,
        Period,
        RaterWeight,
        ScoreEntry,
        Series,
        SurveyResult,
    )

    available = sources.registry()
    missing = [k for k in COMPUTED if k not in available]
    if missing:
        sys.exit(f"sources not available: {missing}")
    year = AppraisalYear.objects.create(year=year_number, name=f"{year_number}年度")
    period = Period.objects.create(year=year, starts_on=date(year_number, 1, 1), ends_on=date(year_number, 12, 31),
                                   voting_open=True)  # fmt: skip
    entered_per_series = {}
    all_series = []
    for s in range(5):
        series = Series.objects.create(year=year, code=f"s{s}", name=f"系列{s}", order=s)
        all_series.append(series)
        kinds = [k for k in RaterKind][: 5 + s]
        share = Decimal(100) / len(kinds)
        weights = [share.quantize(Decimal("0.01"))] * len(kinds)
        weights[-1] += Decimal(100) - sum(weights)
        RaterWeight.objects.bulk_create(
            RaterWeight(series=series, kind=k, weight=w) for k, w in zip(kinds, weights, strict=True)
        )
        specs = (
            [(Source.COMPUTED, key) for key in COMPUTED] + [(Source.ENTERED, "")] * 23 + [(Source.PUBLIC, "")]
        )
        entered = []
        for c in range(5):
            category = Category.objects.create(series=series, name=f"类别{c}", weight=20, order=c)
            for i, (source, key) in enumerate(specs[c * 8 : c * 8 + 8]):
                lower = key in LOWER
                ind = Indicator.objects.create(
                    category=category, code=f"i{c}-{i}", name=f"指标{c}-{i}", weight="12.5",
                    rule=Rule.BANDS if i % 3 == 0 and not lower else Rule.LINEAR,
                    bands=[{"limit": 90, "score": 100}, {"limit": 70, "score": 70}, {"limit": 0, "score": 40}],
                    direction=Direction.LOWER if lower else Direction.HIGHER,
                    target=0 if lower else 100, floor=20 if lower else 50, source=source, source_key=key,
                )  # fmt: skip
                if source == Source.ENTERED:
                    entered.append(ind)
        entered_per_series[series.id] = entered
    members = []
    for i, dept in enumerate(departments):
        members.append(Membership(year=year, series=all_series[i % 5], department=dept))
    Membership.objects.bulk_create(members)
    now = datetime.now().astimezone()
    entries, surveys, votes = [], [], []
    for m in members:
        for ind in entered_per_series[m.series_id]:
            entries.append(ScoreEntry(period=period, indicator=ind, department=m.department,
                                      value=Decimal(rng.randint(50, 100)), evidence="核查记录", status="checked",
                                      entered_by=appraiser, entered_at=now, checked_by=appraiser, checked_at=now))  # fmt: skip
        for kind in list(RaterKind)[:9]:
            surveys.append(SurveyResult(year=year, department=m.department, kind=kind,
                                        score=Decimal(rng.randint(60, 99)), respondents=50, imported_at=now))  # fmt: skip
        for v in range(20):
            votes.append(OnlineVote(period=period, department=m.department, choice=rng.choice(["satisfied", "fairly", "dissatisfied"]),
                                    device_hash=f"d{m.department_id}-{v}", address_hash=f"a{m.department_id}-{v}"))  # fmt: skip
    ScoreEntry.objects.bulk_create(entries, batch_size=5000)
    SurveyResult.objects.bulk_create(surveys, batch_size=5000)
    OnlineVote.objects.bulk_create(votes, batch_size=5000)
    return year


def load_rows(args, departments, rng) -> None:
    """Cases, ratings, alarms, accountability records and complaints, in bulk, over the year."""
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from approvals.models import Case, Rating
    from complaints.models import Complaint
    from monitoring.models import AccountabilityRecord, Alert
    from powers.models import Power

    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(YEAR, 1, 1, tzinfo=tz)
    power = Power.objects.create(code="BENCH-1", name="基准执法事项", category="penalty", department=departments[0],
                                 subject="公民", status="published")  # fmt: skip
    batch = []
    for i in range(args.cases):
        done = start + timedelta(seconds=rng.randint(0, 364 * 86400))
        batch.append(Case(code=f"BC{i:08d}", kind="enforcement", power=power, department=departments[i % len(departments)],
                          applicant_name="某某", status="completed", submitted_at=done - timedelta(days=10),
                          accepted_on=(done - timedelta(days=9)).date(), completed_at=done, closed_at=done,
                          on_time=rng.random() > 0.1, statutory_days=20, working_days_used=rng.randint(1, 25)))  # fmt: skip
    cases = Case.objects.bulk_create(batch, batch_size=5000)
    Rating.objects.bulk_create(
        [Rating(case=c, score=rng.randint(1, 5), rated_at=c.completed_at) for c in cases[::5]],
        batch_size=5000,
    )
    case_type = ContentType.objects.get_for_model(Case)
    Alert.objects.bulk_create(
        [Alert(kind="overdue", level="red", state="open", target_type=case_type, target_id=str(c.pk),
               department_id=c.department_id, rule="bench", occurrence=str(c.pk), title="超时报警",
               raised_at=c.completed_at) for c in cases[: args.alerts]],
        batch_size=5000,
    )  # fmt: skip
    user = get_user_model().objects.create(username="bench-recorder")
    AccountabilityRecord.objects.bulk_create(
        [AccountabilityRecord(department=departments[i % len(departments)], person_name="某某", measure="criticism",
                              facts="效能问题", decided_on=date(YEAR, 1 + i % 12, 1 + i % 28), recorded_by=user)
         for i in range(len(departments) * 2)]
    )  # fmt: skip
    batch = []
    for i in range(args.complaints):
        fwd = start + timedelta(seconds=rng.randint(0, 360 * 86400))
        closed = fwd + timedelta(days=rng.randint(1, 20)) if rng.random() > 0.1 else None
        batch.append(Complaint(code=f"TS{i:08d}", channel="hotline", state="closed" if closed else "accepted",
                               title="投诉", matter="内容", received_at=fwd - timedelta(hours=2), forwarded_at=fwd,
                               handling_department=departments[i % len(departments)], accepted_at=fwd + timedelta(hours=5),
                               accepted_on_time=rng.random() > 0.05, closed_at=closed,
                               closed_on_time=(closed is not None and rng.random() > 0.15) or None,
                               handling_days=rng.randint(1, 15) if closed else None, pressed_count=int(rng.random() < 0.1),
                               satisfaction=rng.choice(["satisfied", "basically", "dissatisfied", ""]) if closed else ""))  # fmt: skip
    Complaint.objects.bulk_create(batch, batch_size=5000)


PREVIOUS_RESULT_FIELDS = [
    "series", "internal_score", "public_score", "public_detail", "total", "rank", "rank_note", "grade",
    "award_eligible", "computed_at",
]  # fmt: skip


def previous_writer(year, results, score_rows):
    """The run's writer before 2026-12-01, verbatim (the baseline, and the reference of
    tests/performance/test_run_writes.py): results updated in place by ``bulk_update``, the
    indicator scores created as model instances."""
    from decimal import Decimal

    from performance.models import IndicatorScore, Result
    from performance.services import _d

    existing = dict(Result.objects.filter(year=year).values_list("department_id", "pk"))
    to_update = []
    for result in results:
        result.pk = existing.pop(result.department_id, None)
        if result.pk is not None:
            to_update.append(result)
    if existing:
        Result.objects.filter(pk__in=existing.values()).delete()
    IndicatorScore.objects.filter(result__year=year).delete()
    Result.objects.bulk_create([r for r in results if r.pk is None])
    Result.objects.bulk_update(to_update, PREVIOUS_RESULT_FIELDS)
    IndicatorScore.objects.bulk_create(
        [
            IndicatorScore(
                result_id=result.pk,
                indicator_id=ind.id,
                raw_value=None if raw is None else Decimal(str(raw)),
                score=_d(score),
                weighted=Decimal(str(round(weighted, 3))),
                basis=basis,
            )  # fmt: skip
            for result, rows in score_rows
            for ind, raw, score, weighted, basis in rows
        ]
    )


def timed(fn, rounds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    times = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), list(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the run on a database kept by an earlier --keep (no loading)",
    )
    parser.add_argument("--profile", action="store_true", help="print the Python profile of one run")
    args = parser.parse_args()

    admin_url, scratch_url, name = scratch_database(os.environ.get("DATABASE_URL", ""))
    if not args.reuse:
        recreate(admin_url, name)
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import random

    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from performance import services
    from performance.models import IndicatorScore, Result
    from portal import roles
    from portal.models import Department

    setup_test_environment()
    rng = random.Random(42)
    try:
        call_command("migrate", verbosity=0)
        if args.reuse:
            from performance.models import AppraisalYear, Membership

            appraiser = User.objects.get(username="bench-appraiser")
            full, quarter = AppraisalYear.objects.get(year=YEAR), AppraisalYear.objects.get(year=YEAR - 1)
            args.units = Membership.objects.filter(year=full).count()
            print(f"reusing {name}: {args.units} units")
        else:
            started = time.monotonic()
            departments = Department.objects.bulk_create(
                Department(code=f"U{i:04d}", name=f"基准单位{i}", short_name=f"单位{i}")
                for i in range(args.units)
            )
            appraiser = User.objects.create_user("bench-appraiser")
            appraiser.groups.add(Group.objects.get_or_create(name=roles.APPRAISER)[0])
            load_rows(args, departments, rng)
            full = build_year(YEAR, departments, appraiser, rng)
            quarter = build_year(YEAR - 1, departments[: max(1, args.units // 4)], appraiser, rng)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(f"loaded {args.units} units, {args.cases:,} cases, {args.complaints:,} complaints, "
                  f"{args.alerts:,} alarms in {time.monotonic() - started:.1f} s")  # fmt: skip

        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(services.compute_year, full, by=appraiser)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        s_full, q_full, captured = timed(lambda: services.compute_year(full, by=appraiser), args.rounds)
        s_quarter, q_quarter, captured_quarter = timed(
            lambda: services.compute_year(quarter, by=appraiser), args.rounds
        )
        # The baseline, in the same run: the same run with the writer it had before (bulk_update of
        # the results, indicator scores as model instances).
        current_writer = services._replace_results
        services._replace_results = previous_writer
        try:
            s_before, q_before, _ = timed(lambda: services.compute_year(full, by=appraiser), args.rounds)
        finally:
            services._replace_results = current_writer
        n_results = Result.objects.filter(year=full).count()
        n_scores = IndicatorScore.objects.filter(result__year=full).count()
        print(f"year {YEAR}: {n_results} results, {n_scores:,} indicator scores")
        print("\nslowest queries of one run:")
        for query in sorted(captured, key=lambda q: -float(q["time"]))[:8]:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:140]}")
        if q_full != q_quarter:
            from collections import Counter

            def kinds(captured):
                return Counter(q["sql"][:60] for q in captured)

            print(
                "queries that differ:",
                kinds(captured) - kinds(captured_quarter),
                kinds(captured_quarter) - kinds(captured),
            )
        verdict = "ok" if s_full <= TARGET_S and q_full == q_quarter else "MISSED"
        print(
            f"\nmedian of {args.rounds} runs (target ≤ {TARGET_S:.0f} s; queries not growing with units):\n"
            f"  {args.units:4d} units × 40 indicators  {s_full:6.2f} s  {q_full:3d} queries  {verdict}\n"
            f"  {max(1, args.units // 4):4d} units × 40 indicators  {s_quarter:6.2f} s  {q_quarter:3d} queries\n"
            f"  baseline: {args.units} units with the previous writer  {s_before:6.2f} s  {q_before:3d} queries "
            f"(now {s_full / s_before:.2f}× its time)"
        )
    finally:
        connection.close()
        if not (args.keep or args.reuse):
            recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    main()
