"""Helpers shared by the verbs: locking, the trail, notifications, the clock (who may act: ../permissions.py)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import audit, numbering, rows
from portal.services import TransitionError, require

from .. import notifications
from ..choices import CaseKind
from ..models import Case, CaseEvent
from ..permissions import can_view_contact

SNAPSHOT_FIELDS = [
    "status", "current_step_id", "current_post_id", "accepted_on", "due_on", "promised_due_on",
    "due_provisional", "decision", "green_channel", "suspended_days",
]  # fmt: skip


@dataclass(frozen=True)
class Clock:
    """The moment a verb acts at. Verbs take ``now=`` so demos and tests can act in the past."""

    now: datetime
    today: date


def clock(now: datetime | None = None) -> Clock:
    now = now or timezone.now()
    return Clock(now=now, today=timezone.localdate(now))


def snapshot(case: Case) -> dict:
    return {field: getattr(case, field) for field in SNAPSHOT_FIELDS}


def lock(case: Case) -> Case:
    """Reload ``case`` with its row locked for the rest of the transaction."""
    # of=("self",): lock the case row only, not the item, power and department rows joined to it.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "power", "department")
        .get(pk=case.pk)
    )


def text(value, field: str, message: str) -> str:
    """A required free-text input, stripped; refused with ``message`` when blank."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def view_contact(case: Case, *, by) -> dict:
    """The full ID number and telephone of ``case``'s applicant, for ``by``; writes the audit event
    (查看完整联系方式). Staff pages show both masked until then."""
    require(can_view_contact(by, case), "无权查看申请人的完整证件号码和联系电话。")
    audit.record(by, "case.contact_viewed", case, note="查看完整证件号码和联系电话")
    return {"id_number": case.applicant_id_number, "phone": case.applicant_phone}


def require_not_suspended(case: Case) -> None:
    entry = case.suspensions.filter(ended_at__isnull=True).first()
    if entry is not None:
        raise TransitionError(f"办件正在暂停计时（{entry.get_kind_display()}），请先恢复计时。")


def trail(
    case: Case,
    kind: str,
    by,
    *,
    at: datetime,
    before: dict | None = None,
    note: str = "",
    post=None,
    deferred_audit: bool = False,
):
    """Write one trail entry (留痕) and the matching audit event (``deferred_audit``: chained later,
    for the public submissions, see ``portal.audit.record``).

    The anomaly rules see the new trail entry on their next incremental run (beat, every minute):
    a verb never publishes to the Celery broker, so a hung broker cannot delay a citizen's request.
    """
    user = by if getattr(by, "is_authenticated", False) else None
    rows.insert(
        CaseEvent(
            case=case, at=at, kind=kind, actor=user, actor_label=audit.actor_label(by), post=post, note=note
        )
    )
    audit.record(
        by, f"case.{kind}", case, before=before, after=snapshot(case), note=note, deferred=deferred_audit
    )


def notify(case: Case, event: str) -> None:
    """Record the applicant's notice and queue its SMS in the verb's transaction (sent by the outbox)."""
    notifications.notify(case, event)


def next_code(prefix: str, day: date) -> str:
    """The next uniform code of the day: prefix + yyyymmdd + six-digit sequence (SP20250301000042).

    From ``portal.numbering``: not gap-free (a PostgreSQL sequence per day), so concurrent
    submissions never wait for each other's transaction.
    """
    return numbering.format_code(prefix, day, next_case_numbers(prefix, day, 1)[0], 6)


def next_case_numbers(prefix: str, day: date, count: int) -> list[int]:
    """``count`` numbers of the day's series of ``prefix`` (after any code of the day already stored)."""
    stem = f"{prefix}{day:%Y%m%d}"

    def greatest_used() -> int:
        last = (
            Case.objects.filter(code__startswith=stem)
            .order_by("-code")
            .values_list("code", flat=True)
            .first()
        )
        return int(last[len(stem) :]) if last and last[len(stem) :].isdigit() else 0

    return numbering.next_numbers(f"case:{stem}", count, initial=greatest_used)


CODE_PREFIX = {CaseKind.APPLICATION: "SP", CaseKind.ENFORCEMENT: "ZF"}
