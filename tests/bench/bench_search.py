"""Benchmark: the public searches at city scale, each next to a plain Django view over the same rows.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_search.py                      # SQLite in a fresh temporary var dir
    DATABASE_URL=postgres://…/portal_x uv run python tests/bench/bench_search.py
        # PostgreSQL: creates and drops the scratch database <name>_bench_search next to it

Loads the city-scale power list (``powers.demo.city.seed_city``: ≈8,200 powers, ≈10,000 discretion
standards), ≈1,200 service items, the public search documents and the planner's statistics, then:

1. ``/api/v1/powers/?q=`` with 1–2-character queries, p95 over the queries × repeats, against a plain
   view (``LIKE`` on the name, 50 rows as dicts); goal p95 ≤ 50 ms on SQLite and ≥ 0.3× the plain view.
2. The power list page ``/powers/?q=`` with a 4-character query (median and p95); goal ≤ 60 ms.
3. The unified public search ``/api/v1/search/?q=`` (counts of three kinds + a page) against a plain
   ``LIKE`` scan of the same fields.
Each line prints figure, baseline and ratio (baseline time / figure: 1.0 = as fast as the plain view).

``--var-dir DIR`` (SQLite) keeps the seeded database in DIR and reuses it on the next run (iterate
without re-seeding), ``--keep`` does the same with PostgreSQL's scratch database (drop it when done:
``DROP DATABASE <name>_bench_search``); ``--profile`` prints where one request of each measure spends
its time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SHORT = ["许", "罚", "证", "食", "许可", "处罚", "经营", "食品", "建设", "登记"]
FOUR = ["食品经营", "建设工程", "户外广告", "道路运输"]
UNIFIED = ["许", "罚", "许可", "食品", "许可（镇街）", "安全法", "XK-", "第三十五条", "分阶"]
REPEATS = 5


def _scratch_postgres(url: str, keep: bool = False) -> str:
    import psycopg2

    base, _, name = url.rpartition("/")
    scratch = f"{name}_bench_search"
    admin = f"{base}/postgres"  # the named database need not exist
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch])
        if not (keep and cursor.fetchone()):
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            cursor.execute(f'CREATE DATABASE "{scratch}"')
    conn.close()
    return f"{base}/{scratch}", admin, scratch


def _drop_postgres(admin_url: str, scratch: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    conn.close()


def _time(client, url, params):
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, params, response.status_code)
    return elapsed


def _series(client, url, queries, key="q"):
    for q in queries:  # warm up
        client.get(url, {key: q})
    times = [_time(client, url, {key: q}) for _ in range(REPEATS) for q in queries]
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def _line(label, figure, baseline):
    ratio = baseline / figure if figure else float("inf")
    print(f"  {label:<52} {figure:7.1f} ms   baseline {baseline:7.1f} ms   ratio {ratio:4.2f}×")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", help="SQLite: keep the seeded database in this directory and reuse it")
    parser.add_argument("--profile", action="store_true", help="cProfile one request of each measure")
    parser.add_argument(
        "--keep", action="store_true", help="PostgreSQL: keep the scratch database and reuse it next time"
    )
    args = parser.parse_args()
    scratch = scratch_dir = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        new_url, admin_url, name = _scratch_postgres(url, keep=args.keep)
        os.environ["DATABASE_URL"] = new_url
        scratch = None if args.keep else (admin_url, name)
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["PORTAL_VAR_DIR"] = args.var_dir or tempfile.mkdtemp(prefix="bench-search-")
        if not args.var_dir:
            scratch_dir = os.environ["PORTAL_VAR_DIR"]  # removed when done
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("API_ANON_RATE", "100000/min")
    # As production (DEBUG=0): persistent connections, health-checked before reuse (CONN_HEALTH_CHECKS).
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    try:
        run(profile=args.profile)
    finally:
        if scratch_dir:
            import shutil

            shutil.rmtree(scratch_dir, ignore_errors=True)
        if scratch:
            from django.db import connections

            connections.close_all()
            _drop_postgres(*scratch)


def _profile(client, url, params, rounds=30):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        client.get(url, params)
    profiler.disable()
    print(f"--- profile of {rounds} × {url} {params}")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def run(profile=False):
    from django.core.management import call_command
    from django.db import connection, transaction

    from approvals.models import ServiceItem
    from portal import maintenance, search
    from powers.choices import Category, PowerStatus
    from powers.demo.city import seed_city
    from powers.models import Power

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if Power.objects.exists():  # a kept --var-dir: seeded already
        print(f"  reusing {Power.objects.count()} powers")
        measure(profile)
        return
    started = time.monotonic()
    seed_city(sys.stdout)
    licensing = Power.objects.filter(
        category=Category.LICENSING, status=PowerStatus.PUBLISHED, is_current=True
    )
    with transaction.atomic():
        ServiceItem.objects.bulk_create(
            ServiceItem(
                code=f"FW-B-{i:05d}", name=f"{p.name}办理", department_id=p.department_id, power=p,
                statutory_days=20, promised_days=10, warn_days_before=1,
            )
            for i, p in enumerate(licensing.order_by("pk")[:1250])
        )  # fmt: skip
        written = search.reindex_all()
    maintenance.optimize_database(full=True)
    from portal.models import SearchToken

    print(
        f"  loaded in {time.monotonic() - started:.0f}s; documents {written}; {SearchToken.objects.count()} tokens"
    )
    measure(profile)


def measure(profile=False):
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    with override_settings(ROOT_URLCONF="tests.bench.search_urls"):
        api = _series(client, "/api/v1/powers/", SHORT)
        plain = _series(client, "/bench/plain/powers/", SHORT)
        print("1. power-list API, 1–2 characters (p95; median in brackets)")
        _line("/api/v1/powers/?q= p95", api[1], plain[1])
        _line("/api/v1/powers/?q= median", api[0], plain[0])
        page = _series(client, "/powers/", FOUR)
        plain4 = _series(client, "/bench/plain/powers/", FOUR)
        print("2. power list page, 4 characters")
        _line("/powers/?q= median", page[0], plain4[0])
        _line("/powers/?q= p95", page[1], plain4[1])
        unified = _series(client, "/api/v1/search/", UNIFIED)
        scan = _series(client, "/bench/plain/search/", UNIFIED)
        print("3. unified public search (powers, standards, service items)")
        _line("/api/v1/search/?q= median", unified[0], scan[0])
        _line("/api/v1/search/?q= p95", unified[1], scan[1])
        pages = _series(client, "/search/", UNIFIED)
        _line("/search/?q= page median", pages[0], scan[0])
        if profile:
            _profile(client, "/api/v1/powers/", {"q": "许"})
            _profile(client, "/powers/", {"q": "食品经营"})
            _profile(client, "/api/v1/search/", {"q": "许可"})


if __name__ == "__main__":
    main()
