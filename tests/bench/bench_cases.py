"""Benchmark: case lists, the staff desk and intake at a city's year (1,000,000 cases), each figure
next to its baseline measured in the same run, on SQLite or PostgreSQL.

Run on demand (not part of the unit suite):

    uv run python tests/bench/bench_cases.py                       # SQLite, a scratch file
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/portal_perf \\
        uv run python tests/bench/bench_cases.py                   # PostgreSQL, a scratch database
    # options: --cases 1000000 --departments 300 --rounds 7 --submissions 200 --keep

It builds the usual service centre of the unit tests (tests/approvals/factories.centre: a published
licensing power on a three-step flowchart, its online service item, the staff), adds departments,
and loads the cases with one INSERT … SELECT (97 % closed over two years, 3 % open with due dates
around today, 1 % sub-cases of another department's case). One department has no case at all and
one has ten: their staff's lists must not scan the table. Then it measures, through the test client
in this process (one request at a time: the server's own cost, without gunicorn or the network):

* ``GET /api/v1/cases/`` (first page of 50) as an inspector (sees all), and as staff of the empty
  and of the small department, against a plain Django view answering the same page as JSON from
  ``values()`` with the same keyset (``ORDER BY id DESC LIMIT 50``);
* ``GET /desk/?tab=all`` and each working tab, against the same plain view (a page of rows);
* ``POST /api/v1/cases/`` (online application, no upload) against a plain view inserting one
  case row with ``Case.objects.create``: throughput and queries per submission.

Each line prints the project's figure, the baseline's, and the ratio (baseline time / project
time: 1.0 = as fast as the plain view). Goals (issue 13): list ≥ 0.5× the plain view; staff of a
small department ≤ 50 ms; desk ≤ 200 ms; intake ≥ 0.5× the plain insert.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# Columns of the plain baseline view: what a case list row shows.
PLAIN_COLUMNS = (
    "id", "code", "kind", "status", "applicant_name", "submitted_at", "due_on", "department_id", "item_id",
    "current_step_id", "current_post_id", "green_channel",
)  # fmt: skip

INSERT_COLUMNS = (
    "code, query_secret_hash, rating_secret_hash, kind, item_id, power_id, department_id, parent_id, parent_department_id, "
    "applicant_name, applicant_id_number, applicant_phone, applicant_type, description, channel, "
    "green_channel, green_channel_reason, status, submitted_at, accepted_on, statutory_days, "
    "promised_days, due_on, promised_due_on, due_provisional, suspended_days, decision, decision_reason, "
    "legal_basis, completed_at, closed_at, on_time, updated_at"
)

# One row per g (1..n): department by g, 3 % open, the rest closed; expressions per dialect.
SELECT_ROW = """
SELECT 'BC' || {g}, '', '', 'application', %(item)s, %(power)s, {dept}, NULL, NULL,
       '申请人' || {g}, '', '', 'person', '', 'online', {g} %% 50 = 0, '',
       CASE WHEN {g} %% 33 = 0 THEN 'in_progress' ELSE 'completed' END,
       {submitted}, {accepted}, 20, 10, {due}, {due}, {false}, 0,
       CASE WHEN {g} %% 33 = 0 THEN '' ELSE 'approve' END, '', '',
       CASE WHEN {g} %% 33 = 0 THEN NULL ELSE {submitted} END,
       CASE WHEN {g} %% 33 = 0 THEN NULL ELSE {submitted} END,
       CASE WHEN {g} %% 33 = 0 THEN NULL ELSE {true} END,
       {submitted}
"""

PG = {
    "g": "g",
    "dept": "(%(depts)s::bigint[])[1 + g %% %(ndepts)s]",
    "submitted": "(%(start)s::timestamptz + g * %(step)s * interval '1 second')",
    "accepted": "(%(start)s::timestamptz + g * %(step)s * interval '1 second')::date",
    "due": "(%(soon)s::date + (g %% 40))",
    "false": "false",
    "true": "true",
}
SQLITE = {
    "g": "x",
    "dept": "(%(first)s + x %% %(ndepts)s)",
    "submitted": "datetime(%(start)s, '+' || (x * %(step)s) || ' seconds')",
    "accepted": "date(%(start)s, '+' || (x * %(step)s) || ' seconds')",
    "due": "date(%(soon)s, '+' || (x %% 40) || ' days')",
    "false": "0",
    "true": "1",
}


def scratch(url: str, tmp: str) -> tuple[str, str, str]:
    """(admin url, scratch url, name): a scratch PostgreSQL database, or a SQLite file in ``tmp``."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        path = Path(tmp) / "bench_cases.sqlite3"
        return "", f"sqlite:///{path}", str(path)
    name = (parts.path.lstrip("/") or "postgres") + "_bench_cases"
    # Created and dropped from the server's "postgres" database (the one in the URL need not exist).
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path="/" + name)), name


def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    if not admin_url:
        return
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def load(args, centre) -> dict:
    """Departments, the cases, a few sub-cases; returns the departments of interest."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from approvals.models import Case, CaseAccess
    from portal.models import Department

    departments = Department.objects.bulk_create(
        Department(code=f"BD{i:04d}", name=f"基准单位{i}", short_name=f"单位{i}")
        for i in range(args.departments)
    )
    empty = Department.objects.create(code="BEMPTY", name="没有办件的单位", short_name="空单位")
    small = Department.objects.create(code="BSMALL", name="只有十件的单位", short_name="小单位")
    depts = [centre.department.pk] + [d.pk for d in departments]
    now = timezone.now()
    step = max(1, int(730 * 86400 / max(args.cases, 1)))
    params = {
        "item": centre.item.pk,
        "power": centre.power.pk,
        "depts": depts,
        "first": depts[1],
        "ndepts": len(depts) - 1,
        "start": (now - timedelta(days=730)).strftime("%Y-%m-%d %H:%M:%S"),
        "step": step,
        "soon": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "n": args.cases,
    }
    postgres = connection.vendor == "postgresql"
    row = SELECT_ROW.format(**(PG if postgres else SQLITE))
    if postgres:
        sql = f"INSERT INTO approvals_case ({INSERT_COLUMNS}) {row} FROM generate_series(1, %(n)s) AS g"
    else:
        sql = (
            f"INSERT INTO approvals_case ({INSERT_COLUMNS}) WITH RECURSIVE s(x) AS "
            f"(SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < %(n)s) {row} FROM s"
        )
    if not postgres:
        del params["depts"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    # Ten cases of the small department, and 1 % sub-cases addressed to ordinary departments.
    for i in range(10):
        Case.objects.create(
            code=f"BS{i}",
            item=centre.item,
            power=centre.power,
            department=small,
            applicant_name="小单位申请人",
        )
    parents = list(
        Case.objects.filter(department_id=depts[1]).values_list("pk", "department_id")[: args.cases // 100]
    )
    Case.objects.bulk_create(
        Case(
            code=f"BSUB{n}",
            item=centre.item,
            power=centre.power,
            department_id=depts[2 + n % (len(depts) - 2)],
            parent_id=pk,
            parent_department_id=dept,
            applicant_name="会签",
            status="in_progress",
        )  # fmt: skip
        for n, (pk, dept) in enumerate(parents)
    )
    CaseAccess.fill()  # who sees which case, for the rows written without save()
    with connection.cursor() as cursor:  # PostgreSQL: as autovacuum would after a million inserts
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    return {"empty": empty, "small": small, "big": Department.objects.get(pk=depts[1])}


def timed(fn, rounds: int) -> tuple[float, int]:
    """Median milliseconds over ``rounds`` after one warm-up, and the queries of the last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    times = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries)


def explain(fn) -> None:
    """The three slowest queries of one call of ``fn``, with the database's plan of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
        print(f"      {float(query['time']) * 1000:7.1f} ms  {query['sql'][:400]}")
        if query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(prefix + query["sql"])
                for row in cursor.fetchall():
                    print("          ", " ".join(str(c) for c in row)[:200])


def profile(fn, rounds: int = 50) -> None:
    """Where one request's time goes: cProfile over ``rounds`` calls, the top functions by own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        fn()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def line(label, ms, queries, base_ms, goal="") -> str:
    ratio = base_ms / ms if ms else float("inf")
    return f"  {label:<44} {ms:8.1f} ms {queries:3d} q | plain {base_ms:7.1f} ms | {ratio:5.2f}×  {goal}"


def bench_urls():
    """The portal's URLs plus the plain baselines, as a module for ROOT_URLCONF."""
    import types

    from django.http import JsonResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    from approvals.models import Case

    def plain_cases(request):
        department = request.GET.get("department")
        rows = Case.objects.order_by("-id")
        if department:
            rows = rows.filter(department_id=int(department))
        return JsonResponse({"results": list(rows.values(*PLAIN_COLUMNS)[:50])}, safe=False)

    counter = iter(range(10**9))

    @csrf_exempt
    def plain_insert(request):
        case = Case.objects.create(
            code=f"PLAIN{os.getpid()}-{next(counter)}", item_id=int(request.POST["item"]),
            power_id=int(request.POST["power"]), department_id=int(request.POST["department"]),
            applicant_name=request.POST["applicant_name"], channel="online",
        )  # fmt: skip
        return JsonResponse({"code": case.code}, status=201)

    module = types.ModuleType("bench_cases_urls")
    module.urlpatterns = [
        path("bench/plain-cases/", plain_cases),
        path("bench/plain-insert/", plain_insert),
        path("", include(os.environ.get("BENCH_ROOT_URLCONF", "portal.urls"))),
    ]
    sys.modules["bench_cases_urls"] = module
    return "bench_cases_urls"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--explain", action="store_true", help="print the slowest queries of each page and their plans"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the inspector's case list request")
    parser.add_argument("--api-only", action="store_true", help="only the case list API (no desk, no intake)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-cases-")
    admin_url, scratch_url, name = scratch(os.environ.get("DATABASE_URL", ""), tmp)
    recreate(admin_url, name)
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("PORTAL_VAR_DIR", tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # As production (DEBUG=0): persistent connections, health-checked before reuse (CONN_HEALTH_CHECKS).
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from approvals.models import Case
    from portal import roles
    from tests.approvals.factories import centre as build_centre
    from tests.factories import UserFactory

    setup_test_environment()
    from django.core.signals import request_started
    from django.db import reset_queries

    request_started.disconnect(reset_queries)  # the query counts span whole requests
    urlconf = bench_urls() if os.environ.setdefault("BENCH_ROOT_URLCONF", settings.ROOT_URLCONF) else None
    rest = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            k: "1000000/minute" for k in settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        },
    }
    try:
        call_command("migrate", verbosity=0)
        # AXES_ENABLED off: force_login's request has no address for the login log (PostgreSQL inet).
        with override_settings(ROOT_URLCONF=urlconf, REST_FRAMEWORK=rest, AXES_ENABLED=False):
            run(args, connection, Client, Case, roles, build_centre, UserFactory)
    finally:
        connection.close()
        if not args.keep:
            recreate(admin_url, name, drop_only=True)


def run(args, connection, Client, Case, roles, build_centre, UserFactory) -> None:
    centre = build_centre()
    started = time.monotonic()
    departments = load(args, centre)
    print(
        f"{connection.vendor}: loaded {Case.objects.count():,} cases in {time.monotonic() - started:.1f} s "
        f"({args.departments} departments; machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    def get(client, url):
        def fn():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fn

    staff = {
        key: UserFactory(username=f"bench-{key}", roles=[roles.DEPT_HANDLER], department=dept)
        for key, dept in departments.items()
    }
    inspector = client_for(centre.inspector)
    plain = client_for(centre.inspector)
    r = args.rounds
    print(f"\nmedian of {r} after a warm-up; plain = a Django view answering the same page from values()")
    base_all, _ = timed(get(plain, "/bench/plain-cases/"), r)
    ms, q = timed(get(inspector, "/api/v1/cases/"), r)
    print(line("GET /api/v1/cases/ (inspector, all cases)", ms, q, base_all, "goal ≥ 0.5×"))
    if args.profile:
        profile(get(inspector, "/api/v1/cases/"))
    for key in ("empty", "small", "big"):
        dept = departments[key].pk
        base, _ = timed(get(plain, f"/bench/plain-cases/?department={dept}"), r)
        ms, q = timed(get(client_for(staff[key]), "/api/v1/cases/"), r)
        goal = "goal ≤ 50 ms" if key != "big" else ""
        print(line(f"GET /api/v1/cases/ (staff, {key} department)", ms, q, base, goal))
        if args.explain:
            explain(get(client_for(staff[key]), "/api/v1/cases/"))
    if args.api_only:
        return
    for tab in ("all", "due", "mine", "intake"):
        ms, q = timed(
            get(inspector if tab in ("all", "due") else client_for(centre.clerk), f"/desk/?tab={tab}"), r
        )
        print(line(f"GET /desk/?tab={tab}", ms, q, base_all, "goal ≤ 200 ms"))
        if args.explain:
            explain(
                get(inspector if tab in ("all", "due") else client_for(centre.clerk), f"/desk/?tab={tab}")
            )
    for key in ("empty", "big"):
        ms, q = timed(get(client_for(staff[key]), "/desk/?tab=all"), r)
        print(line(f"GET /desk/?tab=all (staff, {key} department)", ms, q, base_all, "goal ≤ 200 ms"))
        if args.explain:
            explain(get(client_for(staff[key]), "/desk/?tab=all"))

    # Intake: one submission at a time, throughput and queries per submission.
    anonymous = Client()
    body = {"item": centre.item.code, "applicant_name": "基准申请人", "applicant_phone": "13800138000"}
    plain_body = {
        "item": centre.item.pk, "power": centre.power.pk, "department": centre.department.pk,
        "applicant_name": "基准申请人",
    }  # fmt: skip

    def submit():
        response = anonymous.post("/api/v1/cases/", body)
        assert response.status_code == 201, response.content[:300]

    def insert():
        response = anonymous.post("/bench/plain-insert/", plain_body)
        assert response.status_code == 201

    def throughput(fn) -> tuple[float, int]:
        from django.test.utils import CaptureQueriesContext

        fn()
        with CaptureQueriesContext(connection) as queries:
            fn()
        started = time.perf_counter()
        for _ in range(args.submissions):
            fn()
        return args.submissions / (time.perf_counter() - started), len(queries)

    base_rate, base_q = throughput(insert)
    rate, q = throughput(submit)
    print(
        f"  {'POST /api/v1/cases/ (online application)':<44} {rate:8.1f} /s {q:3d} q | plain insert "
        f"{base_rate:7.1f} /s ({base_q} q) | {rate / base_rate:5.2f}×  goal ≥ 0.5× (and ≥ 200/s under gunicorn)"
    )


if __name__ == "__main__":
    main()
