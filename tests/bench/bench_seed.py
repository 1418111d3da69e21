"""Benchmark: ``seed_demo --scale city`` and the power-list API at that scale.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_seed.py              # SQLite in a fresh temporary PORTAL_VAR_DIR
    DATABASE_URL=postgres://… uv run python tests/bench/bench_seed.py --keep   # an EMPTY database of yours

Prints the time of each seeding step and of the whole run, then times a few public API lists
(median of 5 requests each) and their query counts. Targets: the seed in minutes (about one on
SQLite here), each list well under 200 ms with a constant, small number of queries.
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
    print(f"seed_demo --scale city: {time.monotonic() - started:.1f}s")

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


if __name__ == "__main__":
    main()
