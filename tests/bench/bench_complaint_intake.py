"""Benchmark: public complaint intake through gunicorn, next to a plain Django view that only inserts
the row, measured in the same run; with the Celery broker down (a closed port), every submission stored.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_complaint_intake.py                      # SQLite, a scratch file
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/portal_complaints_bench \\
        uv run python tests/bench/bench_complaint_intake.py                  # PostgreSQL, scratch database
    # options: --requests 600 --clients 8 --workers 4

What it does: migrates a scratch database, adds one department and category, starts gunicorn
(``--workers`` sync workers) with ``CELERY_BROKER_URL`` pointing at a closed port and the public
limits raised (a load test is one address), then ``--clients`` threads post ``--requests``
submissions to each of:

* ``POST /api/v1/complaints/`` — the public intake API (anonymous; the real verb: code from the
  numbering service, hashed query secret, trail entry, audit event, outbox message);
* ``POST /complaints/`` — the public HTML form (CSRF token, honeypot and minimum fill time checked,
  the receipt redirect);
* ``POST /bench/plain/`` — a plain Django view doing ``Complaint.objects.create`` of the same row
  and answering 201 (no CSRF, no validation, no audit, no secret).

It prints submissions per second of each, the ratio to the plain view, and the rows stored against
the answers received (every 201/302 answer must be a stored row; nothing may be lost with the
broker down). Goals (issue 11): ≥ 200/s and ≥ 50 % of the plain view, nothing lost.
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BODY = {"title": "窗口办事拖延", "matter": "营业执照申请超过承诺时限仍未办结，电话无人接听。",
        "reporter_name": "王小明", "reporter_contact": "13800001234"}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict) -> None:
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg2

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        admin = psycopg2.connect(host=parts.hostname, port=parts.port, user=parts.username, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    run = [sys.executable, "manage.py"]
    subprocess.run(run + ["migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup = (
        "from portal.models import Department; from complaints.models import Category;"
        "Department.objects.get_or_create(code='JW', defaults={'name': '市纪委监委'});"
        "Category.objects.get_or_create(code='XL', defaults={'name': '办事效率', 'limit_days': 10})"
    )
    subprocess.run(run + ["shell", "-c", setup], cwd=ROOT, env=env, check=True, capture_output=True)


def count_rows(env: dict) -> dict:
    code = (
        "import json; from complaints.models import Complaint, ComplaintEvent; from portal.models import "
        "AuditEvent, OutboxMessage; print(json.dumps({'complaints': Complaint.objects.count(), "
        "'events': ComplaintEvent.objects.count(), 'audit': AuditEvent.objects.filter(verb='complaints.submitted')"
        ".count(), 'outbox': OutboxMessage.objects.filter(kind='complaints.message').count(), "
        "'plain': Complaint.objects.filter(code__startswith='PLAIN').count()}))"
    )
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/complaints/track/")  # not /health/: it probes the (closed) broker
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def form_credentials(port: int) -> tuple[str, str, str]:
    """A CSRF cookie and token and a signed start time from one GET of the form (reused by every post)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/complaints/")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    return cookie, token, started


def load(port: int, path: str, make_body, headers: dict, total: int, clients: int) -> dict:
    """``total`` POSTs from ``clients`` threads; returns elapsed seconds, the answers by status and the
    latency percentiles (p50, p95, max in seconds)."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=make_body(n), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return {"seconds": elapsed, "statuses": statuses, "per_second": total / elapsed,
            "p50": pct(0.5), "p95": pct(0.95), "max": latencies[-1] if latencies else 0.0}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--redis-url", default="", help="the cache (not the broker), e.g. redis://127.0.0.1:6379/5"
    )
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="bench-complaints-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.bench.complaint_intake_settings",
        "PORTAL_VAR_DIR": scratch,
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # a closed port: the broker is down
        "DEBUG": "1",
        "API_ANON_RATE": "100000000/min",
        "COMPLAINTS_SUBMIT_PER_MINUTE": "100000000",
        "COMPLAINTS_MIN_FILL_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    })  # fmt: skip
    # The shared cache (throttles, the form's rate limit) as in production when --redis-url is given.
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    db = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    prepare_database(env)
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        cookie, token, started = form_credentials(port)
        api_headers = {"Content-Type": "application/json"}
        form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
                        "Referer": f"http://127.0.0.1:{port}/complaints/"}  # fmt: skip
        form_body = urlencode({**BODY, "csrfmiddlewaretoken": token, "started": started, "website": ""})
        runs = {}
        # warm-up: each worker imports and connects
        load(port, "/bench/plain/", lambda n: json.dumps(BODY), api_headers, args.workers * 4, args.clients)
        before = count_rows(env)
        runs["plain view (insert only)"] = load(port, "/bench/plain/", lambda n: json.dumps(BODY), api_headers,
                                                args.requests, args.clients)  # fmt: skip
        runs["intake API (anonymous)"] = load(port, "/api/v1/complaints/", lambda n: json.dumps(BODY), api_headers,
                                              args.requests, args.clients)  # fmt: skip
        runs["public form (HTML)"] = load(port, "/complaints/", lambda n: form_body, form_headers, args.requests,
                                          args.clients)  # fmt: skip
        after = count_rows(env)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    plain = runs["plain view (insert only)"]["per_second"]
    load_avg = os.getloadavg()
    print(f"\nComplaint intake on {db}: gunicorn {args.workers} sync workers, {args.clients} client threads, "
          f"{args.requests} submissions each, broker at a closed port; load average {load_avg[0]:.1f} on "
          f"{os.cpu_count()} cores (shared machine); cache: {'Redis' if args.redis_url else 'files'}\n")  # fmt: skip
    print(f"{'':28}{'subm./s':>10}{'× plain':>9}  answers")
    for name, run in runs.items():
        print(f"{name:28}{run['per_second']:>10.1f}{run['per_second'] / plain:>9.2f}  {run['statuses']}")
    accepted = sum(run["statuses"].get(201, 0) + run["statuses"].get(302, 0) for name, run in runs.items()
                   if not name.startswith("plain"))  # fmt: skip
    stored = after["complaints"] - before["complaints"] - (after["plain"] - before["plain"])
    print(f"\nproject submissions answered 201/302: {accepted}; complaints stored: {stored}; trail entries +"
          f"{after['events'] - before['events']}; audit events +{after['audit'] - before['audit']}; outbox messages "
          f"+{after['outbox'] - before['outbox']}")  # fmt: skip
    print("nothing lost" if stored == accepted else f"LOST: {accepted - stored}")
    return 0 if stored == accepted else 1


if __name__ == "__main__":
    raise SystemExit(main())
