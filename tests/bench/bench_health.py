"""Benchmark: /health/ with a broker (and a cache) that accept connections but never answer.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_health.py                      # SQLite, a scratch file
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/portal_perf \\
        uv run python tests/bench/bench_health.py                  # PostgreSQL, a scratch database
    # options: --rounds 20

A real listening socket that never accepts nor answers stands in for the hung Redis (the kernel
completes the TCP handshake from the backlog; every read then waits). Prints the median and the
slowest /health/ answer with the hung broker, with the hung broker and cache, and with the embedded
broker (the baseline, measured in the same run), next to a plain view that only runs ``SELECT 1``.
Goal: 503 within 1 s.
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_cases import recreate, scratch  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-health-")
    admin_url, scratch_url, name = scratch(os.environ.get("DATABASE_URL", ""), tmp)
    name = name.replace("bench_cases", "bench_health")
    scratch_url = scratch_url.replace("bench_cases", "bench_health")
    recreate(admin_url, name)
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("PORTAL_VAR_DIR", tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    import logging
    import types

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # each 503 is expected here

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.urls import include, path

    from monitoring.timers import run_sweep

    def plain(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return JsonResponse({"status": "ok"})

    module = types.ModuleType("bench_health_urls")
    module.urlpatterns = [path("bench/plain/", plain), path("", include(settings.ROOT_URLCONF))]
    sys.modules["bench_health_urls"] = module
    setup_test_environment()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    hung = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    try:
        call_command("migrate", verbosity=0)
        run_sweep()
        client = Client()

        def measure(url):
            client.get(url)
            times, codes = [], set()
            for _ in range(args.rounds):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                codes.add(response.status_code)
            return statistics.median(times), max(times), sorted(codes)

        redis_cache = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": hung}
        }
        print(
            f"{connection.vendor}; machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
            f"median and slowest of {args.rounds}"
        )
        with override_settings(ROOT_URLCONF="bench_health_urls"):
            base = measure("/bench/plain/")
            print(
                f"  plain view (SELECT 1)                  {base[0]:7.1f} ms  max {base[1]:7.1f} ms  {base[2]}"
            )
            rows = [
                ("embedded broker (baseline)", {}),
                ("broker accepts, never answers", {"CELERY_BROKER_URL": hung}),
                ("broker and cache never answer", {"CELERY_BROKER_URL": hung, "CACHES": redis_cache}),
            ]
            for label, overrides in rows:
                with override_settings(**overrides):
                    ms, slowest, codes = measure("/health/")
                verdict = "ok" if slowest < 1000 and (not overrides or codes == [503]) else "MISSED"
                print(
                    f"  /health/ {label:<30} {ms:7.1f} ms  max {slowest:7.1f} ms  {codes}  goal 503 < 1 s: {verdict}"
                )
    finally:
        server.close()
        connection.close()
        recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    main()
