"""Benchmark: one supervision sweep over 1,000,000 open timers with 1% due, on PostgreSQL.

Run on demand (not part of the unit suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/portal uv run python tests/bench/bench_sweep.py
    # options: --timers 1000000 --due-share 0.01 --rounds 3

It creates a scratch database ``<name>_bench_sweep`` next to the one in DATABASE_URL (dropped at the
end), migrates it, loads the timers with INSERT … SELECT generate_series (half of the due ones need
a reminder, half an overdue alarm), then, on a fresh copy of the data each round:

* times ``monitoring.sweep.run_sweep()`` — the real thing, including its SweepRun row and audit event;
* times the hand-written SQL doing the same work: INSERT INTO alert … SELECT … FROM timer WHERE
  next_fire_at <= now … ON CONFLICT DO NOTHING, then the UPDATE … CASE, in one transaction.

Prints both figures (median of the rounds) and their ratio. Targets: sweep ≤ 2 s and ≤ 3× the SQL.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SQL_INSERT = """
INSERT INTO monitoring_alert (kind, level, state, target_type_id, target_id, target_label, department_id,
                              timer_id, rule, occurrence, title, detail, raised_at)
SELECT CASE WHEN t.due_at <= %(now)s THEN 'overdue' ELSE 'reminder' END,
       CASE WHEN t.due_at <= %(now)s THEN 'red' ELSE 'yellow' END,
       'open', t.target_type_id, t.target_id, t.label, t.department_id, t.id, 'timer', '',
       CASE WHEN t.due_at <= %(now)s THEN '超时报警：' ELSE '时限提示：' END || t.label,
       '办理期限 ' || to_char(t.due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'),
       %(now)s
FROM monitoring_timer t
WHERE t.stopped_at IS NULL AND t.paused_at IS NULL AND t.next_fire_at IS NOT NULL AND t.next_fire_at <= %(now)s
ON CONFLICT DO NOTHING
"""
SQL_UPDATE = """
UPDATE monitoring_timer
SET alarmed_at = CASE WHEN due_at <= %(now)s THEN %(now)s ELSE alarmed_at END,
    reminded_at = CASE WHEN due_at > %(now)s THEN %(now)s ELSE reminded_at END,
    next_fire_at = CASE WHEN due_at <= %(now)s THEN NULL ELSE due_at END
WHERE stopped_at IS NULL AND paused_at IS NULL AND next_fire_at IS NOT NULL AND next_fire_at <= %(now)s
"""
# Back to the freshly loaded state: only the swept rows changed.
SQL_RESET = """
DELETE FROM monitoring_alert;
DELETE FROM monitoring_sweeprun;
UPDATE monitoring_timer
SET reminded_at = NULL, alarmed_at = NULL,
    next_fire_at = CASE WHEN warn_at IS NOT NULL AND warn_at < due_at THEN warn_at ELSE due_at END
WHERE reminded_at IS NOT NULL OR alarmed_at IS NOT NULL;
"""


def scratch_database(url: str) -> tuple[str, str, str]:
    """(admin url, scratch url, scratch name) for DATABASE_URL."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (see the docstring).")
    name = (parts.path.lstrip("/") or "postgres") + "_bench_sweep"
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


def load(cursor, timers: int, due_share: float, now, department_id: int, type_id: int) -> int:
    due = int(timers * due_share)
    # Row g < due: due now — even g past their warning (reminder), odd g past their limit (alarm).
    # Others: warning and limit days to weeks ahead.
    cursor.execute(
        """
        INSERT INTO monitoring_timer (target_type_id, target_id, purpose, label, department_id, started_at,
                                      warn_at, due_at, provisional, paused_seconds, next_fire_at, updated_at)
        SELECT %(type)s, g::text, 'case', '办件' || g, %(dept)s, %(now)s - interval '10 days',
               w, d, false, 0, w, %(now)s
        FROM (
            SELECT g,
                   CASE WHEN g < %(due)s THEN %(now)s - interval '2 hours' - (g %% 600) * interval '1 second'
                        ELSE %(now)s + interval '1 day' + (g %% 20000) * interval '1 minute' END AS w,
                   CASE WHEN g < %(due)s AND g %% 2 = 1 THEN %(now)s - interval '1 hour'
                        WHEN g < %(due)s THEN %(now)s + interval '1 day'
                        ELSE %(now)s + interval '3 days' + (g %% 20000) * interval '1 minute' END AS d
            FROM generate_series(0, %(n)s - 1) AS g
        ) s
        """,
        {"type": type_id, "dept": department_id, "now": now, "due": due, "n": timers},
    )
    return due


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timers", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    admin_url, scratch_url, name = scratch_database(os.environ.get("DATABASE_URL", ""))
    recreate(admin_url, name)
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from monitoring.models import Alert, Timer
    from monitoring.timers import run_sweep
    from portal.models import Department

    try:
        call_command("migrate", verbosity=0)
        department = Department.objects.create(code="BENCH", name="基准测试局")
        type_id = ContentType.objects.get_for_model(Department).pk
        now = timezone.now()
        started = time.monotonic()
        with connection.cursor() as cursor:
            due = load(cursor, args.timers, args.due_share, now, department.pk, type_id)
        loaded_in = time.monotonic() - started

        def fresh():
            with connection.cursor() as cursor:
                cursor.execute(SQL_RESET)
                cursor.execute("VACUUM ANALYZE monitoring_timer")
                cursor.execute("VACUUM ANALYZE monitoring_alert")

        fresh()
        due_query = Timer.objects.due(now).order_by("next_fire_at").values("id")[:20000]
        plan = "\n".join("    " + line for line in due_query.explain().splitlines())
        print(
            f"loaded {args.timers:,} open timers ({due:,} due) in {loaded_in:.1f} s; the sweep's read plan:\n{plan}"
        )

        sweep_times, sql_times = [], []
        for round_no in range(1, args.rounds + 1):
            fresh()
            started = time.monotonic()
            result = run_sweep(now)
            sweep_times.append(time.monotonic() - started)
            assert result.reminders + result.alarms == due, result
            assert Alert.objects.count() == due and not Timer.objects.due(now).exists()

            fresh()
            started = time.monotonic()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(SQL_INSERT, {"now": now})
                inserted = cursor.rowcount
                cursor.execute(SQL_UPDATE, {"now": now})
            sql_times.append(time.monotonic() - started)
            assert inserted == due, inserted
            print(
                f"round {round_no}: run_sweep {sweep_times[-1] * 1000:7.0f} ms   hand-written SQL "
                f"{sql_times[-1] * 1000:7.0f} ms"
            )

        sweep_s, sql_s = statistics.median(sweep_times), statistics.median(sql_times)
        ratio = sweep_s / sql_s
        print(
            f"\n{args.timers:,} open timers, {due:,} due "
            f"({result.reminders:,} reminders, {result.alarms:,} alarms), median of {args.rounds}:\n"
            f"  run_sweep()       {sweep_s * 1000:7.0f} ms   (target ≤ 2000 ms: {'ok' if sweep_s <= 2 else 'MISSED'})\n"
            f"  hand-written SQL  {sql_s * 1000:7.0f} ms\n"
            f"  ratio             {ratio:7.2f}×     (target ≤ 3×: {'ok' if ratio <= 3 else 'MISSED'})"
        )
    finally:
        connection.close()
        recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    main()
