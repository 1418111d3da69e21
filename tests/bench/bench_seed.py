"""Benchmark: ``seed_demo --scale city`` and the power-list API at that scale.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_seed.py              # SQLite in a fresh temporary PORTAL_VAR_DIR
    DATABASE_URL=postgres://… uv run python tests/bench/bench_seed.py --keep   # an EMPTY database of yours

Prints the time of each seeding step and of the whole run (goal on PostgreSQL: ≥ 500,000 cases in
≤ 5 minutes; SQLite loads a tenth of the archive), the row counts, then the baseline: a raw
``INSERT … SELECT`` of the same archive case rows (and timer rows) into a scratch copy of the
table — the floor for writing those rows with no Python at all — and the archive's ratio to it.
Then times a few public API lists (median of 5 requests each) and their query counts.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

URLS = [
    "/api/v1/powers/",
    "/api/v1/powers/?q=许可",
    "/api/v1/powers/?q=罚&level=district",
    "/api/v1/powers/?category=licensing&level=city",
    "/api/v1/powers/?versions=all&status=superseded",
    "/api/v1/discretion-standards/",
    "/api/v1/flowcharts/",
    "/api/v1/legal-documents/?q=食品",
]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="use DATABASE_URL / PORTAL_VAR_DIR as given")
    args = parser.parse_args()
    if not args.keep:
        os.environ.pop("DATABASE_URL", None)
        os.environ["PORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-seed-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.monotonic()
    call_command("seed_demo", scale="city")
    seconds = time.monotonic() - started
    print(f"seed_demo --scale city: {seconds:.1f}s ({connection.vendor}, load {os.getloadavg()[0]:.1f})")
    counts_and_baseline(connection)

    client = Client(HTTP_HOST="localhost")
    client.get(URLS[0])  # warm-up: URL resolver, imports
    for url in URLS:
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                t = time.monotonic()
                response = client.get(url)
                times.append(time.monotonic() - t)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{url:55s} {statistics.median(times) * 1000:7.1f} ms  {len(ctx.captured_queries)} queries")
    if not args.keep:
        connection.close()
        shutil.rmtree(os.environ["PORTAL_VAR_DIR"], ignore_errors=True)


def counts_and_baseline(connection):
    from django.apps import apps

    from approvals.demo import archive
    from portal.models import AuditEvent

    for label in ["approvals.Case", "monitoring.Timer", "monitoring.Alert", "powers.Power", "complaints.Complaint",
                  "risks.RiskPoint", "approvals.CaseEvent", "portal.AuditEvent"]:  # fmt: skip
        print(f"  {label:24s} {apps.get_model(label).objects.count():>10,}")
    event = AuditEvent.objects.filter(verb=archive.VERB).first()
    if event is None:
        return
    figures = event.after
    first = figures["first_id"]
    with connection.cursor() as cursor:
        for table, seconds, where in (
            ("approvals_case", figures["cases_seconds"], f"id >= {int(first)}"),
            ("monitoring_timer", figures["timers_seconds"], f"purpose = 'case' AND target_id::text ~ '^[0-9]+$' AND target_id::bigint >= {int(first)}"
             if connection.vendor == "postgresql" else f"purpose = 'case' AND CAST(target_id AS INTEGER) >= {int(first)}"),
        ):  # fmt: skip
            cursor.execute(f"CREATE TEMPORARY TABLE bench_copy AS SELECT * FROM {table} WHERE 1 = 0")
            t = time.monotonic()
            cursor.execute(f"INSERT INTO bench_copy SELECT * FROM {table} WHERE {where}")  # noqa: S608
            rows = cursor.rowcount
            baseline = time.monotonic() - t
            cursor.execute("DROP TABLE bench_copy")
            print(
                f"  archive {table}: {rows:,} rows in {seconds:.1f}s; raw INSERT … SELECT {baseline:.1f}s; "
                f"ratio {seconds / max(baseline, 1e-6):.1f}×"
            )


if __name__ == "__main__":
    main()
