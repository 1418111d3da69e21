"""Helpers shared by the verbs: locking, who may act, the trail, notifications, the clock."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import audit, numbering
from portal.roles import DEPT_HANDLER, DEPT_HEAD, INSPECTOR, WINDOW_CLERK, department_of, has_role
from portal.services import TransitionError, require

from .. import notifications
from ..choices import CaseKind
from ..models import Case, CaseEvent

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


def is_staff_of(user, department) -> bool:
    """A handler or head of ``department``."""
    return has_role(user, DEPT_HANDLER, DEPT_HEAD) and department_of(user) == department


def can_intake(user, case: Case) -> bool:
    """One window accepts (一个窗口受理): the centre's window clerks, or the case department's own staff."""
    return has_role(user, WINDOW_CLERK) or is_staff_of(user, case.department)


def can_view_id_number(user, case: Case) -> bool:
    """Who may open an applicant's full ID number (audited): the window, the case department's staff
    and inspectors. Everyone else, and every page by default, sees it masked."""
    return has_role(user, WINDOW_CLERK, INSPECTOR) or is_staff_of(user, case.department)


def view_id_number(case: Case, *, by) -> str:
    """The full ID number of ``case``'s applicant, for ``by``; writes the audit event (查看完整证件号)."""
    require(can_view_id_number(by, case), "无权查看完整证件号码。")
    audit.record(by, "case.id_number_viewed", case, note="查看完整证件号")
    return case.applicant_id_number


def require_intake(user, case: Case) -> None:
    require(can_intake(user, case), "只有服务中心窗口人员或本单位工作人员可以受理办件。")


def post_ids_of(user) -> set[int]:
    profile = getattr(user, "staff_profile", None) if getattr(user, "is_authenticated", False) else None
    return set(profile.posts.values_list("id", flat=True)) if profile else set()


def acting_post(user, step):
    """The post ``user`` acts in on ``step``: the step's post (A post) or its named back-up (B post).

    Returns ``(post, acted_as_backup)``; refuses anybody else. A step with no post is open to
    the staff of the power's department.
    """
    if step.post_id is None:
        require(
            is_staff_of(user, step.flowchart.power.department), "该环节未指定岗位，只能由本单位工作人员办理。"
        )
        return None, False
    held = post_ids_of(user)
    if step.post_id in held:
        return step.post, False
    backup_id = step.post.backup_id
    if backup_id is not None and backup_id in held:
        return step.post.backup, True
    raise_permission(f"「{step.name}」环节只能由{step.post}岗位（或其B岗）办理。")


def raise_permission(message: str):
    require(False, message)


def require_not_suspended(case: Case) -> None:
    entry = case.suspensions.filter(ended_at__isnull=True).first()
    if entry is not None:
        raise TransitionError(f"办件正在暂停计时（{entry.get_kind_display()}），请先恢复计时。")


def trail(case: Case, kind: str, by, *, at: datetime, before: dict | None = None, note: str = "", post=None):
    """Write one trail entry (留痕) and the matching audit event.

    The anomaly rules see the new trail entry on their next incremental run (beat, every minute):
    a verb never publishes to the Celery broker, so a hung broker cannot delay a citizen's request.
    """
    user = by if getattr(by, "is_authenticated", False) else None
    CaseEvent.objects.create(
        case=case, at=at, kind=kind, actor=user, actor_label=audit.actor_label(by), post=post, note=note
    )
    audit.record(by, f"case.{kind}", case, before=before, after=snapshot(case), note=note)


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
