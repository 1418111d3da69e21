"""Benchmark: the inspectors' dashboard over 500,000 cases and 5,000 open alerts, on PostgreSQL.

Run on demand (not part of the unit suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:55433/portal TEST_DATABASE_NAME=test_dash \\
        uv run python tests/bench/bench_dashboard.py
    # options: --cases 500000 --departments 300 --open-alerts 5000 --closed-alerts 100000 --rounds 7

It creates a scratch database (TEST_DATABASE_NAME, else ``<name>_bench_dashboard``; dropped at the
end unless --keep), migrates it and loads with INSERT … SELECT generate_series:

* ~300 departments over the four levels;
* the case timers (purpose "case"), accepted uniformly over the last two years, statutory limit 20
  days after acceptance, completed 1–25 days after acceptance (so about a fifth late, alarmed at
  the limit), a few old ones never completed (overdue now) and the recent ones still running;
* the open alerts (yellow and red, open or acknowledged, raised over the last 30 days) and, for a
  realistic alert table, closed ones raised over the two years.

Then it times, median of the rounds after one warm-up, ``monitoring.dashboard.figures()`` (also with
its cached history of earlier months cleared first — a restart or a cache flush: read from the stored
monthly roll-up — and with the roll-up deleted too: the twelve months counted, as on the first view
after installing),
the first page view and the first home page view after ``migrate`` on the loaded data (which stores
the missing months in post_migrate) next to the same views with nothing stored, the time ``migrate``
takes to store them, the dashboard page and figures.json through the test client (an inspector logged in), with their
query counts, and prints the slowest queries of one page view. Targets: ≤ 300 ms, ≤ 15 queries.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_MS, TARGET_QUERIES = 300, 15

SQL_CASES = """
INSERT INTO monitoring_timer (target_type_id, target_id, purpose, label, department_id, started_at, warn_at,
                              due_at, provisional, paused_seconds, stopped_at, reminded_at, alarmed_at,
                              next_fire_at, updated_at)
SELECT %(type)s, g::text, 'case', '办件' || g, (%(depts)s::bigint[])[1 + g %% %(ndepts)s], st,
       st + interval '14 days', due, false, 0, stopped,
       CASE WHEN st + interval '14 days' < COALESCE(stopped, %(now)s) THEN st + interval '14 days' END,
       CASE WHEN COALESCE(stopped, %(now)s) > due THEN due END,
       CASE WHEN stopped IS NULL AND due > %(now)s THEN due END,
       %(now)s
FROM (
    SELECT g, st, st + interval '20 days' AS due,
           CASE WHEN st + dur < %(now)s AND r > 0.005 THEN st + dur END AS stopped
    FROM (
        SELECT g, %(now)s - random() * interval '730 days' AS st,
               interval '1 day' + random() * interval '24 days' AS dur, random() AS r
        FROM generate_series(1, %(n)s) AS g
    ) a
) b
"""

SQL_ALERTS = """
INSERT INTO monitoring_alert (kind, level, state, target_type_id, target_id, target_label, department_id,
                              timer_id, rule, occurrence, title, detail, raised_at, closed_at)
SELECT CASE WHEN g %% 2 = 0 THEN 'overdue' ELSE 'reminder' END,
       CASE WHEN g %% 2 = 0 THEN 'red' ELSE 'yellow' END,
       %(state)s, %(type)s, g::text, '办件' || g, (%(depts)s::bigint[])[1 + (g * 7) %% %(ndepts)s],
       NULL, 'bench', %(prefix)s || g, '预警' || g, '', raised,
       CASE WHEN %(state)s = 'resolved' THEN raised + interval '1 day' END
FROM (SELECT g, %(now)s - random() * %(span)s::interval AS raised FROM generate_series(1, %(n)s) AS g) a
"""


def scratch_database(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (see the docstring).")
    name = os.environ.get("TEST_DATABASE_NAME") or (parts.path.lstrip("/") or "postgres") + "_bench_dashboard"
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


def load(args, now) -> float:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from portal.choices import Level
    from portal.models import Department

    levels = [Level.CITY] * 2 + [Level.DISTRICT] * 2 + [Level.TOWN] * 4 + [Level.VILLAGE] * 2
    departments = Department.objects.bulk_create(
        Department(
            code=f"B{i:04d}", name=f"基准单位{i}", short_name=f"单位{i}", level=levels[i % len(levels)]
        )
        for i in range(args.departments)
    )
    depts = [d.pk for d in departments]
    type_id = ContentType.objects.get_for_model(Department).pk
    common = {"type": type_id, "depts": depts, "ndepts": len(depts), "now": now}
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(SQL_CASES, {**common, "n": args.cases})
        for state, n, span, prefix in (
            ("open", args.open_alerts * 4 // 5, "30 days", "o"),
            ("acknowledged", args.open_alerts - args.open_alerts * 4 // 5, "30 days", "a"),
            ("resolved", args.closed_alerts, "730 days", "r"),
        ):
            cursor.execute(SQL_ALERTS, {**common, "state": state, "n": n, "span": span, "prefix": prefix})
        # As autovacuum would, eventually: the visibility map lets the timer_case_* indexes answer
        # alone (index-only scans). A transaction open elsewhere on the server can keep VACUUM from
        # setting it; the share is printed with the results.
        for _ in range(5):
            cursor.execute("VACUUM ANALYZE monitoring_timer")
            cursor.execute("VACUUM ANALYZE monitoring_alert")
            cursor.execute(
                "SELECT relallvisible::float / greatest(relpages, 1) FROM pg_class WHERE relname = 'monitoring_timer'"
            )
            visible = cursor.fetchone()[0]
            if visible > 0.99:
                break
            time.sleep(1)
        return visible


def timed(fn, rounds: int, setup=None) -> tuple[float, int, list]:
    """Median milliseconds over ``rounds`` after one warm-up, and the queries of the last run
    (``setup`` runs before each, untimed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup and setup()
    fn()
    times = []
    for _ in range(rounds):
        setup and setup()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries), list(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=500_000)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--open-alerts", type=int, default=5_000)
    parser.add_argument("--closed-alerts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    admin_url, scratch_url, name = scratch_database(os.environ.get("DATABASE_URL", ""))
    recreate(admin_url, name)
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from monitoring import dashboard
    from monitoring.models import Alert, DashboardMonth, Timer
    from portal import roles

    setup_test_environment()  # the test client's host, and a debug cursor for the query log
    try:
        call_command("migrate", verbosity=0)
        now = timezone.now()
        started = time.monotonic()
        visible = load(args, now)
        print(
            f"loaded {Timer.objects.count():,} case timers over 2 years, {args.departments} departments, "
            f"{Alert.objects.unresolved().count():,} open alerts (+{args.closed_alerts:,} closed) "
            f"in {time.monotonic() - started:.1f} s; {visible:.0%} of the timer pages all-visible"
        )

        inspector = User.objects.create_user("bench-inspector")
        inspector.groups.add(Group.objects.get_or_create(name=roles.INSPECTOR)[0])
        client = Client()
        client.force_login(inspector)

        def page():
            response = client.get("/monitoring/")
            assert response.status_code == 200, response.status_code

        figures = dashboard.figures()
        fn_ms, fn_queries, _ = timed(dashboard.figures, args.rounds)

        # A restart, a cache flush: the earlier months come from the stored roll-up.
        cold_ms, cold_queries, _ = timed(dashboard.figures, args.rounds, setup=cache.clear)

        def nothing_stored():  # the first view after installing: twelve months counted (and stored)
            cache.clear()
            DashboardMonth.objects.all().delete()

        recount_ms, recount_queries, _ = timed(dashboard.figures, args.rounds, setup=nothing_stored)

        # Never cold: migrate (post_migrate), the worker's start and seed_demo store the missing months
        # outside any request. The first page view after `migrate` on existing data (an upgrade, before
        # the worker's first recount), next to the same first view with nothing stored (the fallback).
        anonymous = Client()
        migrate_runs = []

        def migrate() -> float:
            """`manage.py migrate` in a process of its own, as on a deployment (run in this process, it
            would also reset this process's model caches, which a web server never sees)."""
            t = time.perf_counter()
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
            return (time.perf_counter() - t) * 1000

        def after_migrate():
            nothing_stored()
            migrate_runs.append(migrate())
            assert DashboardMonth.objects.exists()

        def home():
            response = anonymous.get("/")
            assert response.status_code == 200, response.status_code

        page_cold_ms, page_cold_queries, _ = timed(page, args.rounds, setup=nothing_stored)
        page_migrated_ms, page_migrated_queries, _ = timed(page, args.rounds, setup=after_migrate)
        home_cold_ms, _, _ = timed(home, args.rounds, setup=nothing_stored)
        home_migrated_ms, _, _ = timed(home, args.rounds, setup=after_migrate)
        migrate_ms = statistics.median(migrate_runs)
        empty_runs = []  # migrate with every month stored: what post_migrate costs when there is nothing to do
        for _ in range(args.rounds):
            empty_runs.append(migrate())
        migrate_stored_ms = statistics.median(empty_runs)

        # The first view after the cached history passed history_seconds() and no worker renewed
        # it: the aged copy is served (until history_stale_seconds()), nothing recounted.
        expired_runs = []
        for _ in range(args.rounds):
            dashboard.figures()
            key = dashboard._history_key(dashboard.Window.ending(timezone.now()))
            entry = cache.get(key)
            entry["at"] -= dashboard.history_seconds() + 1
            cache.set(key, entry, dashboard.history_stale_seconds())
            assert dashboard.history_age() > dashboard.history_seconds()
            t = time.perf_counter()
            dashboard.figures()
            expired_runs.append((time.perf_counter() - t) * 1000)
        expired_ms, warm_ms = statistics.median(expired_runs), fn_ms
        page_ms, page_queries, captured = timed(page, args.rounds)
        json_ms, json_queries, _ = timed(lambda: client.get("/monitoring/figures.json"), args.rounds)

        year = figures["periods"]["year"]
        print(
            f"figures: year accepted {year['accepted']:,}, completed {year['completed']:,}, overdue "
            f"{year['overdue']:,}, on time {year['on_time_rate']}; in progress {figures['now']['in_progress']:,}, "
            f"open yellow/red {figures['now']['reminders_open']:,}/{figures['now']['alarms_open']:,}, "
            f"{len(figures['departments'])} department rows"
        )
        print("\nslowest queries of one page view:")
        for query in sorted(captured, key=lambda q: -float(q["time"]))[:6]:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")

        def verdict(ms, queries):
            ok = ms <= TARGET_MS and queries <= TARGET_QUERIES
            return "ok" if ok else "MISSED"

        print(
            f"\nmedian of {args.rounds} (targets ≤ {TARGET_MS} ms, ≤ {TARGET_QUERIES} queries):\n"
            f"  dashboard.figures()      {fn_ms:7.1f} ms  {fn_queries:3d} queries  {verdict(fn_ms, fn_queries)}\n"
            f"    … cache flushed        {cold_ms:7.1f} ms  {cold_queries:3d} queries  "
            f"{verdict(cold_ms, cold_queries)} (earlier months read from the stored roll-up)\n"
            f"    … nothing stored       {recount_ms:7.1f} ms  {recount_queries:3d} queries  "
            f"{verdict(recount_ms, recount_queries)} (twelve months counted: the first view after installing; "
            f"baseline of the roll-up: {cold_ms:.1f} vs {recount_ms:.1f} ms, {recount_ms / cold_ms:.1f}× faster)\n"
            f"    … expired, no worker   {expired_ms:7.1f} ms  {verdict(expired_ms, 0)} (baseline: a warm view "
            f"{warm_ms:.1f} ms; ratio {warm_ms / expired_ms:.2f}×)\n"
            f"  first GET /monitoring/ after migrate {page_migrated_ms:7.1f} ms  {page_migrated_queries:3d} queries  "
            f"{verdict(page_migrated_ms, page_migrated_queries)} (baseline, nothing stored: {page_cold_ms:.1f} ms, "
            f"{page_cold_queries} queries; {page_cold_ms / page_migrated_ms:.1f}× faster)\n"
            f"  first GET / (home) after migrate     {home_migrated_ms:7.1f} ms  {verdict(home_migrated_ms, 0)} "
            f"(baseline, nothing stored: {home_cold_ms:.1f} ms; {home_cold_ms / home_migrated_ms:.1f}× faster)\n"
            f"  migrate storing the months {migrate_ms:7.1f} ms (migrate with every month stored: "
            f"{migrate_stored_ms:.1f} ms; the months' share {migrate_ms - migrate_stored_ms:.1f} ms)\n"
            f"  GET /monitoring/         {page_ms:7.1f} ms  {page_queries:3d} queries  {verdict(page_ms, page_queries)}\n"
            f"  GET figures.json         {json_ms:7.1f} ms  {json_queries:3d} queries  {verdict(json_ms, json_queries)}"
        )
    finally:
        connection.close()
        if not args.keep:
            recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    main()
