"""Supervision notices (督办) and accountability records (问责): the inspectors' verbs.

Every verb: one ``transaction.atomic()``, the row locked with ``select_for_update``, the move checked
against ``NOTICE_TRANSITIONS``, one audit event, and the permission checked here (PermissionDenied)
as well as in the pages and the API. Bad input raises ValidationError keyed by field name.

A notice's deadline is its own timer (purpose ``notice``, target the notice, the addressed department
responsible, reminder one working day before): the sweep raises the reminder and the overdue alarm
like any other time limit. Answering stops the timer; returning the answer starts a new one.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.choices import (
    NOTICE_TRANSITIONS,
    RULE_NOTICE,
    AccountabilityMeasure,
    AlertState,
    NoticeStatus,
)
from monitoring.models import AccountabilityRecord, Alert, SupervisionNotice
from monitoring.permissions import is_addressee
from monitoring.services import timers
from monitoring.services.alerts import require_inspector, transition_alert
from portal import audit, numbering, workdays
from portal.services import check_transition, require

NUMBER_PREFIX = "督〔{year}〕"
NUMBER_DIGITS = 4
DEFAULT_RETURN_DAYS = 5
MAX_DEADLINE_DAYS = 60


# --- deadlines -----------------------------------------------------------------------------------


def resolve_deadline(*, deadline_days: int | None, deadline_on: date | None, today: date) -> date:
    """The reply deadline: ``deadline_days`` working days after ``today``, or the date given."""
    if (deadline_days is None) == (deadline_on is None):
        raise ValidationError({"deadline_days": _("请填写答复期限：工作日天数或具体日期，二者选一。")})
    if deadline_on is None:
        if not 1 <= deadline_days <= MAX_DEADLINE_DAYS:
            raise ValidationError(
                {"deadline_days": _("答复期限应为 1 至 %(max)d 个工作日。") % {"max": MAX_DEADLINE_DAYS}}
            )
        return workdays.add_working_days(today, deadline_days)
    if deadline_on < today:
        raise ValidationError({"deadline_on": _("答复期限不能早于今天。")})
    return deadline_on


def _start_timer(notice: SupervisionNotice, now: datetime) -> None:
    """Time the notice's deadline: reminder at the end of the working day before, alarm after the day."""
    due_at = workdays.end_of_working_day(notice.deadline_on)
    warn_at = max(workdays.end_of_working_day(workdays.subtract_working_days(notice.deadline_on, 1)), now)
    timers.start(
        notice,
        purpose=RULE_NOTICE,
        due_at=due_at,
        warn_at=min(warn_at, due_at),
        department=notice.department,
        label=f"{notice.number} {notice.title}（督办期限）",
    )


def next_number(year: int) -> str:
    """The next number of the year, gap-free (``portal.numbering``): 督〔2026〕0001, 督〔2026〕0002 …

    Taken under the series' row lock in the issuing transaction: two inspectors never get the same
    number, and a notice that is not stored gives its number back.
    """
    prefix = NUMBER_PREFIX.format(year=year)

    def greatest_used() -> int:
        numbers = SupervisionNotice.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        return max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)

    n = numbering.next_number(f"notice:{year}", gap_free=True, initial=greatest_used)
    return numbering.format_code(prefix, None, n, NUMBER_DIGITS)


def _clean_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _lock(notice: SupervisionNotice) -> SupervisionNotice:
    return SupervisionNotice.objects.select_for_update().get(pk=notice.pk)


def _move(notice: SupervisionNotice, to_status: str) -> dict:
    check_transition(NOTICE_TRANSITIONS, notice.status, to_status, NoticeStatus, _("督办通知"))
    before = {"status": notice.status}
    notice.status = to_status
    return before


# --- notices -------------------------------------------------------------------------------------


def issue_notice(
    alert: Alert | None,
    *,
    department,
    title: str,
    requirement: str,
    by,
    deadline_days: int | None = None,
    deadline_on: date | None = None,
    now: datetime | None = None,
) -> SupervisionNotice:
    """发出督办: an inspector asks ``department`` to correct something by a deadline (working days).

    On an open alert the alert is acknowledged at the same time. ``now`` back-dates the notice (demo
    data and tests); the deadline counts from its date.
    """
    require_inspector(by)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if department is None:
        raise ValidationError({"department": _("请选择督办对象。")})
    title = _clean_text(title, "title", _("请填写督办事项。"))[:200]
    requirement = _clean_text(requirement, "requirement", _("请填写督办要求。"))
    deadline = resolve_deadline(deadline_days=deadline_days, deadline_on=deadline_on, today=today)
    with transaction.atomic():
        if alert is not None:
            alert = Alert.objects.select_for_update().get(pk=alert.pk)
            if alert.state == AlertState.DISMISSED:
                raise ValidationError({"alert": _("该预警已排除，不能据此督办。")})
        notice = SupervisionNotice(
            alert=alert,
            department=department,
            title=title,
            requirement=requirement,
            deadline_on=deadline,
            issued_by=by,
            issued_at=now,
        )
        notice.number = next_number(today.year)
        notice.save()
        audit.record(
            by,
            "monitoring.notice.issued",
            notice,
            after={
                "number": notice.number,
                "department": department.code,
                "deadline_on": deadline,
                "alert": alert.pk if alert else None,
            },
            note=title,
        )
        _start_timer(notice, now)
        if alert is not None and alert.state == AlertState.OPEN:
            transition_alert(alert, AlertState.ACKNOWLEDGED, by=by, note=_("已发出督办 %s") % notice.number)
        return notice


def answer_notice(
    notice: SupervisionNotice, *, by, answer: str, now: datetime | None = None
) -> SupervisionNotice:
    """整改答复: the addressed department answers (issued/returned → answered); the timer stops."""
    require(is_addressee(by, notice), _("只有被督办单位的负责人或承办人可以答复督办。"))
    answer = _clean_text(answer, "answer", _("请填写整改答复。"))
    with transaction.atomic():
        notice = _lock(notice)
        require(is_addressee(by, notice), _("只有被督办单位的负责人或承办人可以答复督办。"))
        before = _move(notice, NoticeStatus.ANSWERED)
        notice.answer, notice.answered_by, notice.answered_at = answer, by, now or timezone.now()
        notice.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit.record(
            by,
            "monitoring.notice.answered",
            notice,
            before=before,
            after={"status": notice.status},
            note=answer,
        )
        timers.stop(notice, RULE_NOTICE, at=now)
        return notice


def close_notice(notice: SupervisionNotice, *, by, review_note: str = "") -> SupervisionNotice:
    """办结: the inspector accepts the answer (answered → closed)."""
    require_inspector(by)
    with transaction.atomic():
        notice = _lock(notice)
        before = _move(notice, NoticeStatus.CLOSED)
        notice.review_note, notice.closed_at = (review_note or "").strip(), timezone.now()
        notice.save(update_fields=["status", "review_note", "closed_at"])
        audit.record(
            by, "monitoring.notice.closed", notice, before=before, after={"status": notice.status},
            note=notice.review_note,
        )  # fmt: skip
        return notice


def return_notice(
    notice: SupervisionNotice,
    *,
    by,
    review_note: str,
    deadline_days: int | None = None,
    deadline_on: date | None = None,
) -> SupervisionNotice:
    """退回重办: the answer is not good enough (answered → returned); a new deadline and a new timer.

    Without a deadline the department gets ``DEFAULT_RETURN_DAYS`` working days again.
    """
    require_inspector(by)
    review_note = _clean_text(review_note, "review_note", _("退回重办须写明审核意见。"))
    if deadline_days is None and deadline_on is None:
        deadline_days = DEFAULT_RETURN_DAYS
    now = timezone.now()
    deadline = resolve_deadline(
        deadline_days=deadline_days, deadline_on=deadline_on, today=timezone.localdate(now)
    )
    with transaction.atomic():
        notice = _lock(notice)
        before = _move(notice, NoticeStatus.RETURNED)
        before["deadline_on"] = notice.deadline_on
        notice.review_note, notice.deadline_on = review_note, deadline
        notice.save(update_fields=["status", "review_note", "deadline_on"])
        audit.record(
            by, "monitoring.notice.returned", notice, before=before,
            after={"status": notice.status, "deadline_on": deadline}, note=review_note,
        )  # fmt: skip
        _start_timer(notice, now)
        return notice


def withdraw_notice(notice: SupervisionNotice, *, by, reason: str) -> SupervisionNotice:
    """撤回: the inspector takes back a notice not yet answered (issued/returned → withdrawn)."""
    require_inspector(by)
    reason = _clean_text(reason, "reason", _("撤回督办须说明理由。"))
    with transaction.atomic():
        notice = _lock(notice)
        before = _move(notice, NoticeStatus.WITHDRAWN)
        notice.review_note, notice.closed_at = reason, timezone.now()
        notice.save(update_fields=["status", "review_note", "closed_at"])
        audit.record(
            by,
            "monitoring.notice.withdrawn",
            notice,
            before=before,
            after={"status": notice.status},
            note=reason,
        )
        timers.stop(notice, RULE_NOTICE)
        return notice


# --- accountability ------------------------------------------------------------------------------


def record_accountability(
    *,
    department,
    measure: str,
    facts: str,
    decided_on: date,
    by,
    person=None,
    person_name: str = "",
    person_title: str = "",
    alert: Alert | None = None,
    notice: SupervisionNotice | None = None,
) -> AccountabilityRecord:
    """问责: record who was held to account, by what measure, for which alert or notice. Append-only."""
    require_inspector(by)
    errors = {}
    if department is None:
        errors["department"] = _("请选择责任单位。")
    if person is not None and not person_name.strip():
        profile = getattr(person, "staff_profile", None)
        person_name = profile.display_name if profile and profile.display_name else person.get_username()
    person_name = (person_name or "").strip()
    if not person_name:
        errors["person_name"] = _("请填写被问责人。")
    if measure not in AccountabilityMeasure.values:
        errors["measure"] = _("请从列表中选择问责方式。")
    if not (facts or "").strip():
        errors["facts"] = _("请填写问责事由。")
    if decided_on is None:
        errors["decided_on"] = _("请填写决定日期。")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("决定日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if alert is not None:
            alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if notice is not None:
            notice = _lock(notice)
            if alert is None:
                alert = notice.alert
        record = AccountabilityRecord.objects.create(
            alert=alert,
            notice=notice,
            department=department,
            person=person,
            person_name=person_name[:60],
            person_title=(person_title or "").strip()[:60],
            measure=measure,
            facts=facts.strip(),
            decided_on=decided_on,
            recorded_by=by,
        )
        audit.record(
            by,
            "monitoring.accountability.recorded",
            record,
            after={
                "department": department.code,
                "person": person_name,
                "measure": measure,
                "decided_on": decided_on,
                "alert": alert.pk if alert else None,
                "notice": notice.pk if notice else None,
            },
            note=facts.strip()[:500],
        )
        return record


def accountability_of(person) -> list[dict]:
    """The accountability records naming ``person`` as plain data (risks' integrity file reads this).

    Keys: id, decided_on, measure, measure_label, facts, department, person_title. The caller decides
    who may see them (the integrity file: the inspection office and the person only).
    """
    rows = (
        AccountabilityRecord.objects.filter(person=person)
        .select_related("department")
        .order_by("-decided_on", "-id")
    )
    return [
        {
            "id": row.pk,
            "decided_on": row.decided_on,
            "measure": row.measure,
            "measure_label": str(row.get_measure_display()),
            "facts": row.facts,
            "department": str(row.department),
            "person_title": row.person_title,
        }
        for row in rows
    ]
