"""Benchmark: online application ``POST /api/v1/cases/`` and complaint intake through gunicorn, next to
plain insert views measured in the same run, with the Celery broker up, refusing connections and hung.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_intake.py --broker-url redis://127.0.0.1:56380/7     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/portal_intake_bench \\
        uv run python tests/bench/bench_intake.py --broker-url redis://127.0.0.1:56380/7 # PostgreSQL
    # options: --requests 400 --clients 8 --workers 2 --modes up,refused,hung
    #          --cache-url redis://127.0.0.1:56380/8 --production (the shared cache and DEBUG=0, as deployed)

What it does (the harness is the complaint benchmark's: ``bench_complaint_intake.py``): migrates a
scratch database, builds one service centre (a published power, an online service item with two
materials: ``tests/approvals/factories.centre``) and the complaint intake's department and category,
then for each broker mode starts gunicorn (``--workers`` sync workers) with ``CELERY_BROKER_URL``

* ``up``: the ``--broker-url`` given (a running Redis; skipped when none is given);
* ``refused``: a closed port (every connection refused);
* ``hung``: a socket this script listens on that accepts every connection and never answers a byte,

and ``--clients`` threads post ``--requests`` submissions to each of:

* ``POST /bench/plain-case/`` — a plain Django view doing ``Case.objects.create`` of one row (the
  baseline of the online application);
* ``POST /api/v1/cases/`` — the online application (anonymous; the real verb: the item and its
  materials, a code from the numbering service, a keyed query-secret digest, the trail entry, the audit
  event; JSON, no file);
* ``POST /bench/plain/`` — a plain view doing ``Complaint.objects.create`` (the complaint baseline);
* ``POST /api/v1/complaints/`` and ``POST /complaints/`` — the complaint intake, API and HTML form.

It prints submissions per second, the ratio to the plain view of the same kind, p50/p95/max latency,
the SQL statements one submission executes (BEGIN/COMMIT not counted), and checks that every 201/302
answer is a stored row, that a receipt (code and query secret) tracks its case, and finally that the
audit chain verifies (after the chainer links the events sealed while the chain was busy).

Goals (issue 13): ≥ 200/s and ≥ 0.5× the plain insert on SQLite and PostgreSQL; broker refusing:
≥ 0.9× the broker-up figure; broker hung: every submission answered in normal time, nothing lost.
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_complaint_intake import (  # noqa: E402
    BODY as COMPLAINT,
)
from tests.bench.bench_complaint_intake import (  # noqa: E402
    form_credentials,
    free_port,
    load,
    prepare_database,
    start_gunicorn,
)

ITEM = "FW-XK-SCJG-0001"  # the service centre's item (tests/approvals/factories.centre)
CASE = {"item": ITEM, "applicant_name": "张三", "applicant_phone": "13800138000",
        "applicant_id_number": "350203199001011234", "description": "网上申请"}  # fmt: skip


def prepare(env: dict) -> None:
    prepare_database(env)  # migrate, the complaint intake's department and category
    setup = (
        "from approvals.models import ServiceItem; from tests.approvals.factories import centre;\n"
        f"ServiceItem.objects.filter(code='{ITEM}').exists() or centre()"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True)


def shell(env: dict, code: str) -> dict:
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def count_rows(env: dict) -> dict:
    return shell(env, (
        "import json; from approvals.models import Case, CaseEvent; from complaints.models import Complaint;"
        "from portal.models import AuditEvent;"
        "print(json.dumps({'cases': Case.objects.exclude(code__startswith='PLAIN').count(),"
        "'case_events': CaseEvent.objects.filter(kind='submitted').count(),"
        "'complaints': Complaint.objects.exclude(code__startswith='PLAIN').count(),"
        "'audit': AuditEvent.objects.count(), 'pending': AuditEvent.objects.filter(seq__isnull=True).count()}))"
    ))  # fmt: skip


class HungBroker:
    """A TCP port that accepts every connection and never sends a byte (a broker that hangs)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)  # kept open, never answered

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def post(port: int, path: str, body: str, headers: dict) -> tuple[int, dict, float, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    began = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    elapsed = time.perf_counter() - began
    conn.close()
    try:
        data = json.loads(raw)
    except ValueError:
        data = {}
    return response.status, data, elapsed, dict(response.getheaders())


def receipt_tracks(port: int) -> tuple[bool, float, int]:
    """One application: its receipt (code + query secret) tracks the case. (ok, seconds, statements)."""
    status, data, elapsed, headers = post(port, "/api/v1/cases/", json.dumps(CASE), JSON)
    if status != 201 or not data.get("code") or not data.get("query_secret"):
        return False, elapsed, int(headers.get("X-Bench-Queries", 0))
    track = json.dumps({"code": data["code"], "secret": data["query_secret"]})
    tracked, found, _, _ = post(port, "/api/v1/cases/track/", track, JSON)
    return (
        tracked == 200 and found.get("code") == data["code"],
        elapsed,
        int(headers.get("X-Bench-Queries", 0)),
    )


def statements(port: int, path: str, body: str, headers: dict) -> int:
    return int(post(port, path, body, headers)[3].get("X-Bench-Queries", 0))


JSON = {"Content-Type": "application/json"}


def run_mode(env: dict, broker: str, args) -> dict:
    env = {**env, "CELERY_BROKER_URL": broker}
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        cookie, token, started = form_credentials(port)
        form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
                        "Referer": f"http://127.0.0.1:{port}/complaints/"}  # fmt: skip
        form_body = urlencode({**COMPLAINT, "csrfmiddlewaretoken": token, "started": started, "website": ""})
        case_body, complaint_body = json.dumps(CASE), json.dumps(COMPLAINT)
        # warm-up: each worker imports, connects and reads the item once
        for path, body in (("/bench/plain-case/", case_body), ("/api/v1/cases/", case_body)):
            load(port, path, lambda n, b=body: b, JSON, args.workers * 4, args.clients)
        before = count_rows(env)
        runs = {
            "plain case insert": load(port, "/bench/plain-case/", lambda n: case_body, JSON, args.requests,
                                      args.clients),
            "online application API": load(port, "/api/v1/cases/", lambda n: case_body, JSON, args.requests,
                                           args.clients),
            "plain complaint insert": load(port, "/bench/plain/", lambda n: complaint_body, JSON, args.requests,
                                           args.clients),
            "complaint API": load(port, "/api/v1/complaints/", lambda n: complaint_body, JSON, args.requests,
                                  args.clients),
            "complaint form (HTML)": load(port, "/complaints/", lambda n: form_body, form_headers, args.requests,
                                          args.clients),
        }  # fmt: skip
        after = count_rows(env)
        tracked, receipt_seconds, case_statements = receipt_tracks(port)
        queries = {
            "plain case insert": statements(port, "/bench/plain-case/", case_body, JSON),
            "online application API": case_statements,
            "plain complaint insert": statements(port, "/bench/plain/", complaint_body, JSON),
            "complaint API": statements(port, "/api/v1/complaints/", complaint_body, JSON),
            "complaint form (HTML)": statements(port, "/complaints/", form_body, form_headers),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    accepted_cases = runs["online application API"]["statuses"].get(201, 0)
    accepted_complaints = sum(
        runs[name]["statuses"].get(code, 0)
        for name in ("complaint API", "complaint form (HTML)")
        for code in (201, 302)
    )
    return {
        "runs": runs, "queries": queries, "tracked": tracked, "receipt_seconds": receipt_seconds,
        "accepted_cases": accepted_cases, "stored_cases": after["cases"] - before["cases"],
        "trail": after["case_events"] - before["case_events"],
        "accepted_complaints": accepted_complaints, "stored_complaints": after["complaints"] - before["complaints"],
        "audit": after["audit"] - before["audit"], "pending": after["pending"],
    }  # fmt: skip


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="up,refused,hung")
    parser.add_argument(
        "--broker-url", default="", help="a running broker for the 'up' mode, e.g. redis://…/7"
    )
    parser.add_argument(
        "--cache-url", default="", help="the shared cache (throttles) as in production, e.g. redis://…/8"
    )
    parser.add_argument(
        "--production",
        action="store_true",
        help="DEBUG=0 as in production (no SQL log per statement, connections kept open) for every view",
    )
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="bench-intake-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.bench.intake_settings",
        "PORTAL_VAR_DIR": scratch,
        "MEDIA_ROOT": f"{scratch}/media",
        "DEBUG": "1",
        # Throttled as in production (the throttle reads and writes its history per request) but per
        # second: one address sends everything here, and a per-minute history of every submission
        # would grow far past the 120 entries one citizen's address ever keeps.
        "API_ANON_RATE": "100000000/s",
        "COMPLAINTS_SUBMIT_PER_MINUTE": "100000000",
        "COMPLAINTS_MIN_FILL_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    })  # fmt: skip
    env.pop("REDIS_URL", None)
    if args.production:  # PRODUCTION=0 all the same: plain HTTP here, no HTTPS redirect
        env.update({"DEBUG": "0", "PRODUCTION": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                    "AUDIT_HMAC_KEY": secrets.token_urlsafe(40)})  # fmt: skip
    if args.cache_url:
        env["REDIS_URL"] = args.cache_url  # the cache, not the broker
    db = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    prepare(env)
    hung = HungBroker()
    brokers = {
        "up": args.broker_url,
        "refused": "redis://127.0.0.1:1/0",
        "hung": f"redis://127.0.0.1:{hung.port}/0",
    }
    results = {}
    try:
        for mode in args.modes.split(","):
            if not brokers.get(mode):
                print(f"(mode {mode!r} skipped: no --broker-url)")
                continue
            results[mode] = run_mode(env, brokers[mode], args)
    finally:
        hung.close()
    chain = subprocess.run([sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True,
                           text=True)  # fmt: skip

    load_avg = os.getloadavg()
    print(f"\nIntake on {db}: gunicorn {args.workers} sync workers, {args.clients} client threads, "
          f"{args.requests} submissions each; load average {load_avg[0]:.1f} on {os.cpu_count()} cores "
          f"(shared machine); cache: {'Redis' if args.cache_url else 'files'}; "
          f"{'DEBUG=0 (production)' if args.production else 'DEBUG=1'}")  # fmt: skip
    ok = True
    for mode, result in results.items():
        print(f"\nbroker {mode} ({brokers[mode]})")
        print(
            f"{'':26}{'subm./s':>9}{'× plain':>9}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'queries':>9}  answers"
        )
        for name, run in result["runs"].items():
            plain = result["runs"]["plain case insert" if "case" in name or "application" in name
                                   else "plain complaint insert"]["per_second"]  # fmt: skip
            print(f"{name:26}{run['per_second']:>9.1f}{run['per_second'] / plain:>9.2f}{run['p50'] * 1000:>8.0f}"
                  f"{run['p95'] * 1000:>8.0f}{run['max'] * 1000:>8.0f}{result['queries'][name]:>9}  "
                  f"{run['statuses']}")  # fmt: skip
        lost_cases = result["accepted_cases"] - result["stored_cases"]
        lost_complaints = result["accepted_complaints"] - result["stored_complaints"]
        print(f"applications answered 201: {result['accepted_cases']}, stored: {result['stored_cases']}, trail "
              f"entries +{result['trail']}; complaints answered 201/302: {result['accepted_complaints']}, stored: "
              f"{result['stored_complaints']}; audit events +{result['audit']} ({result['pending']} sealed, waiting "
              f"for the chainer); a receipt tracks its case: {result['tracked']} "
              f"({result['receipt_seconds'] * 1000:.0f} ms)")  # fmt: skip
        ok &= lost_cases == 0 and lost_complaints == 0 and result["tracked"]
    if "up" in results and "refused" in results:
        up = results["up"]["runs"]["online application API"]["per_second"]
        for mode in ("refused", "hung"):
            if mode in results:
                figure = results[mode]["runs"]["online application API"]["per_second"]
                print(
                    f"online application, broker {mode}: {figure:.1f}/s = {figure / up:.2f}× broker up ({up:.1f}/s)"
                )
    print(f"\naudit chain: {(chain.stdout + chain.stderr).strip()}")
    ok &= chain.returncode == 0
    print("nothing lost, every receipt tracks, chain intact" if ok else "PROBLEM: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
