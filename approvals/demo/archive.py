"""The city-scale archive (``seed_demo --scale city``): a year of completed applications before the
detailed history, ≈500,000 cases on PostgreSQL (50,000 on SQLite), written set-based.

Each row is computed with the verbs' own rule functions — due dates by ``portal.workdays.deadline``,
``on_time``/``promised_on_time``/``working_days_used`` by ``services.steps.record_completion``, timer
limits by ``services.timing.window`` and labels by ``timing.case_label`` — memoised per distinct
input (a few thousand), then written without model instances: codes from the day's number series
(``next_case_numbers`` reserves a block per day), case rows through ``portal.bulk.insert_rows``
(COPY on PostgreSQL), the statutory timers and the reminders and alarms the sweep raised on them
through monitoring's ``timers.import_stopped``.

Kept simple on purpose: applications of items without fees, accepted at the window and completed
(approved or refused), no steps, trail, suspension or public record (the detailed history has
those). Audit: one summarising event (``approvals.archive.imported``), not one per case — the
rows are an import, not acts of anyone.
"""

import bisect
import random
import time as time_module
from contextlib import nullcontext
from datetime import datetime, time, timedelta
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from monitoring import timers
from portal import audit, bulk, numbering, workdays
from portal.models import AuditEvent

from ..choices import CaseKind, CaseStatus, Channel, Decision
from ..models import Case, CaseAccess
from ..services import timing
from ..services.common import CODE_PREFIX, next_case_numbers
from ..services.steps import record_completion
from . import history

VERB = "approvals.archive.imported"
SEED = 5_000
COUNT = {"postgresql": 500_000}
DEFAULT_COUNT = 50_000  # SQLite: a tenth (one writer, no COPY); the figure is printed
FIELDS = [
    "id", "code", "kind", "item_id", "power_id", "department_id", "applicant_name", "applicant_type",
    "applicant_phone", "applicant_id_number", "channel", "status", "submitted_at", "created_by_id",
    "accepted_on", "accepted_by_id", "statutory_days", "promised_days", "due_on", "promised_due_on",
    "due_provisional", "decision", "decision_reason", "legal_basis", "decided_by_id", "decided_at",
    "completed_at", "closed_at", "on_time", "promised_on_time", "working_days_used",
]  # fmt: skip


def default_count() -> int:
    return COUNT.get(connection.vendor, DEFAULT_COUNT)


@cache
def _deadline(day, days: int):
    return workdays.deadline(day, days)


@cache
def _end(day, used: int):
    return workdays.add_working_days(day, used)


@cache
def _completion(accepted_on, due_on, promised_due_on, end) -> tuple:
    """``complete_case``'s flags for a completion on ``end`` (``record_completion`` on the facts)."""
    facts = SimpleNamespace(
        accepted_on=accepted_on, due_on=due_on, promised_due_on=promised_due_on, suspended_days=0
    )
    record_completion(facts, end)
    return facts.on_time, facts.promised_on_time, facts.working_days_used


@cache
def _window(due_on, limit: int, item):
    return timing.window(due_on, limit, item)


def seed_archive(stdout, *, count: int | None = None, now: datetime | None = None) -> dict | None:
    """Load the archive once (later runs see its audit event and do nothing)."""
    if AuditEvent.objects.filter(verb=VERB).exists():
        stdout.write("    archive already imported")
        return None
    from .live import Demo

    count = default_count() if count is None else count
    started = time_module.monotonic()
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    rng = random.Random(SEED)
    demo = Demo(stdout)
    routes = [r for r in history.routes(demo, rng) if r.kind == CaseKind.APPLICATION and r.fee_total == 0]
    if not routes or count <= 0:
        return None
    cumulative, total = [], 0.0
    for route in routes:
        total += route.weight
        cumulative.append(total)
    # The working days of the year before the detailed history.
    last = timezone.localdate(now) - timedelta(days=history.HISTORY_DAYS + 1)
    days = [last - timedelta(days=n) for n in range(365)]
    days = sorted(d for d in days if workdays.is_working_day(d))
    per_day = [count // len(days) + (1 if i < count % len(days) else 0) for i in range(len(days))]
    clerk = demo.clerk.pk
    prefix = CODE_PREFIX[CaseKind.APPLICATION]
    first_id = bulk.reserve_ids(Case, count)
    timer_rows = []

    def at(day, minutes):
        return datetime.combine(day, time(8, 40), tzinfo=tz) + timedelta(minutes=minutes)

    def case_rows():
        case_id = first_id
        for day, n in zip(days, per_day, strict=True):
            numbers = next_case_numbers(prefix, day, n)
            for number in numbers:
                route = routes[bisect.bisect(cumulative, rng.random() * total)]
                code = numbering.format_code(prefix, day, number, 6)
                used = history._used(rng, route)
                refused = rng.random() < history.REFUSE_RATE
                name, kind, phone, id_number = history._applicant(rng, rng.random() < 0.4)
                statutory, promised = _deadline(day, route.statutory), _deadline(day, route.promised)
                end = _end(day, used)
                on_time, promised_on_time, used_days = _completion(
                    day, statutory.due_on, promised.due_on, end
                )
                accepted_at = at(day, rng.randint(0, 400))
                completed_at = max(at(end, rng.randint(240, 480)), accepted_at + timedelta(minutes=30))
                decided_at = completed_at - timedelta(minutes=rng.randint(10, 90))
                provisional = statutory.provisional or promised.provisional
                yield (
                    case_id, code, CaseKind.APPLICATION, route.item.pk, route.power.pk, route.department.pk, name, kind,
                    phone, id_number, Channel.WINDOW, CaseStatus.COMPLETED, accepted_at - timedelta(minutes=20), clerk,
                    day, clerk, route.statutory, route.promised, statutory.due_on, promised.due_on, provisional,
                    Decision.REFUSE if refused else Decision.APPROVE,
                    history.REFUSALS[case_id % len(history.REFUSALS)] if refused else "符合法定条件",
                    f"{route.power.name}的设定依据" if refused else "", route.decider.pk, decided_at, completed_at,
                    completed_at, on_time, promised_on_time, used_days,
                )  # fmt: skip
                warn_at, due_at = _window(statutory.due_on, route.statutory, route.item)
                if warn_at < accepted_at:  # the reminder is never before timing began (the verb's not_before)
                    warn_at, due_at = timing.window(
                        statutory.due_on, route.statutory, route.item, not_before=accepted_at
                    )
                label = timing.case_label(SimpleNamespace(code=code, title=route.title))
                timer_rows.append(
                    (
                        case_id,
                        route.department.pk,
                        label,
                        accepted_at,
                        warn_at,
                        due_at,
                        completed_at,
                        provisional,
                    )
                )
                case_id += 1

    step = time_module.monotonic()
    large = count >= 100_000  # most of the table: its plain indexes are built once, afterwards
    with transaction.atomic():
        with bulk.indexes_rebuilt(Case) if large else nullcontext():
            written = bulk.insert_rows(Case, FIELDS, case_rows())
        CaseAccess.fill(first_id=first_id)  # who sees them: the rows were written without save()
        cases_seconds = time_module.monotonic() - step
        step = time_module.monotonic()
        timed = timers.import_stopped(Case, timers.CASE, timer_rows, now=now, large=large)
        timers_seconds = time_module.monotonic() - step
        counts = {
            "cases": written, **timed, "first_id": first_id, "cases_seconds": round(cases_seconds, 2),
            "timers_seconds": round(timers_seconds, 2), "seconds": round(time_module.monotonic() - started, 1),
        }  # fmt: skip
        audit.record(
            None, VERB, None, after=counts, label="历史数据导入",
            note=f"历史办件归档导入：{written} 件（{days[0]} 至 {days[-1]}），计时器 {timed['timers']} 个。",
        )  # fmt: skip
    stdout.write(
        f"    archive: {written:,} cases {days[0]}…{days[-1]} ({cases_seconds:.1f}s), {timed['timers']:,} timers, "
        f"{timed['reminders']:,} reminders, {timed['alarms']:,} alarms ({timers_seconds:.1f}s); "
        f"{time_module.monotonic() - started:.1f}s in all"
    )
    return counts
