"""Demo result disclosures (双公示): every decided case gets its public record in one of its states.

Cases decided through the verbs already have theirs (due, with its timer). The imported history
(``approvals.demo.history``) is decided in bulk, so its records are written here in bulk: most published within
the limit, a few exempted on a legal ground, a few withdrawn after review, the last week's still due
with their timers, and a handful left past their limit so the first sweep raises their overdue alarms.
Then a few of the live demo's records are published, withdrawn and exempted through the verbs.
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal import audit, numbering, workdays
from portal.roles import DEPT_HANDLER, DEPT_HEAD

from ..choices import (
    DISCLOSURE_WORKING_DAYS,
    DisclosureState,
    ExemptionReason,
)
from ..models import Case, ResultDisclosure
from ..services import disclosure as verbs

OVERDUE_KEPT = 4  # history records left unpublished past their limit (alarms on the first sweep)
BATCH = 2000


def _staff(department, role):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(staff_profile__department=department, groups__name=role, is_active=True)
        .order_by("id")
        .first()
    )


def _numbers(cases: list[Case]) -> dict[int, str]:
    """Gap-free decision numbers per department, kind and year, in the order of the decisions."""
    groups = defaultdict(list)
    for case in sorted(cases, key=lambda c: (c.decided_at, c.pk)):
        groups[
            verbs.decision_series(
                case.department, verbs.kind_of(case), timezone.localdate(case.decided_at).year
            )
        ].append(case)
    numbers = {}
    for (series, prefix), members in groups.items():
        for case, n in zip(members, numbering.next_numbers(series, len(members), gap_free=True), strict=True):
            numbers[case.pk] = f"{prefix}{n}号"
    return numbers


def _at(day, rng) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9 + rng.randint(0, 7), rng.randint(0, 59))))


def backfill_history(rng: random.Random, now: datetime) -> dict[str, int]:
    """Records for decided cases that have none (the bulk-imported history)."""
    today = timezone.localdate(now)
    cases = list(
        Case.objects.filter(decided_at__isnull=False, parent__isnull=True, disclosure__isnull=True)
        .select_related("department", "power", "item", "penalty__standard")
        .order_by("decided_at", "id")
    )
    numbers = _numbers(cases)
    records, counts = [], defaultdict(int)
    overdue_left = OVERDUE_KEPT
    reasons = list(ExemptionReason)
    for case in cases:
        record = verbs.record_of(case, timezone.localdate(case.decided_at), numbers[case.pk])
        if record.due_on >= today:
            record.state = DisclosureState.DUE if rng.random() < 0.6 else DisclosureState.PUBLISHED
        elif overdue_left and rng.random() < 0.01:
            record.state, overdue_left = DisclosureState.DUE, overdue_left - 1
        else:
            roll = rng.random()
            record.state = (
                DisclosureState.EXEMPTED if roll < 0.02 else DisclosureState.WITHDRAWN if roll < 0.04
                else DisclosureState.PUBLISHED
            )  # fmt: skip
        if record.state in (DisclosureState.PUBLISHED, DisclosureState.WITHDRAWN):
            publish_on = workdays.add_working_days(
                record.decided_on, rng.randint(1, DISCLOSURE_WORKING_DAYS - 1)
            )
            record.published_at = min(_at(publish_on, rng), now)
        if record.state == DisclosureState.WITHDRAWN:
            record.withdrawn_at = record.published_at + timedelta(days=rng.randint(20, 60))
            record.withdrawal_reason = "原决定经行政复议被撤销，撤销公示。"
            if record.withdrawn_at > now:
                record.state, record.withdrawn_at, record.withdrawal_reason = (
                    DisclosureState.PUBLISHED,
                    None,
                    "",
                )
        if record.state == DisclosureState.EXEMPTED:
            record.exemption_reason = rng.choice(reasons)
            record.exemption_note = "经法制机构审核，依法不予公开。"
            record.exempted_at = _at(record.decided_on + timedelta(days=1), rng)
        counts[str(record.state)] += 1
        records.append(record)
    ResultDisclosure.objects.bulk_create(records, batch_size=BATCH)
    for record in records:
        if record.state == DisclosureState.DUE:
            verbs.start_timer(record, c=verbs.clock(_at(record.decided_on, rng)))
    return dict(counts)


def act_on_live(now: datetime) -> dict[str, int]:
    """Publish most of the live demo's records (all there are when called) through the verbs; withdraw one, exempt one, keep one due."""
    done = defaultdict(int)
    due = list(
        ResultDisclosure.objects.filter(state=DisclosureState.DUE).select_related("department").order_by("id")
    )
    for index, record in enumerate(due):
        handler, head = _staff(record.department, DEPT_HANDLER), _staff(record.department, DEPT_HEAD)
        if handler is None or head is None or index == 0:
            continue  # the first stays due: its reminder comes in a few days
        if index == 1:
            verbs.exempt(record, by=head, reason=ExemptionReason.COMMERCIAL_SECRET,
                         note="涉及申请人的工艺配方，权利人书面不同意公开。", now=now)  # fmt: skip
            done["exempted"] += 1
            continue
        record = verbs.publish(record, by=handler, now=now)
        done["published"] += 1
        if index == 2:
            verbs.withdraw(record, by=head, reason="当事人申请行政复议，原决定被撤销。", now=now)
            done["withdrawn"] += 1
    return dict(done)


def seed_disclosures(stdout, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    rng = random.Random(14)
    with transaction.atomic():
        live = act_on_live(now)  # before the history: the records that exist now are the live demo's
        history = backfill_history(rng, now)
        audit.record(None, "disclosure.imported", None, after={"history": history, "live": live},
                     note="演示数据：历史办件的结果公示", label="历史数据导入")  # fmt: skip
    stdout.write(f"    result disclosures: history {history}, live {live}")
