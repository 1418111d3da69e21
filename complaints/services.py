"""The complaint platform's verbs. Every state change of a complaint is one of these functions.

Each verb: one ``transaction.atomic()``, the complaint locked with ``select_for_update``, the move
checked against ``choices.TRANSITIONS`` (TransitionError), the permission checked through
``complaints.permissions`` (PermissionDenied), one trail entry and one audit event, and messages to
the reporter written to the kernel's outbox (``portal.outbox``: rows committed with the verb, sent
by its periodic task), so a failed or missing worker or broker never loses a complaint or a message.
``now`` back-dates a verb (demo data and tests).

Deadlines are monitoring timers on the working-day calendar: forwarding starts an acceptance timer
(the category's ``accept_days``) and a handling timer (``limit_days``); accepting stops the first,
the department's closure proposal the second.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from monitoring import timers
from portal import audit, numbering, query_secret, rows, workdays
from portal.models import Department
from portal.services import check_transition, require
from portal.uploads import check_uploads

from . import notifications
from . import permissions as perm
from .choices import (
    STAFF_CHANNELS,
    TIMER_ACCEPTANCE,
    TIMER_HANDLING,
    TRANSITIONS,
    Channel,
    ComplaintState,
    Satisfaction,
    Verb,
)
from .models import Category, Complaint, ComplaintAttachment, ComplaintEvent

S = ComplaintState
WRONG = gettext_noop("投诉编号或查询密码不正确。")
MAX_FILES = 5
MAX_TEXT = 5000
CODE_DIGITS = 5
PRESS_DAYS = 3


# --- helpers ---------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("category").get(pk=complaint.pk)


def _text(value: str, field: str, message: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("内容过长（最多 %(n)d 字）。") % {"n": limit}})
    return value


def _move(complaint: Complaint, to_state: str) -> str:
    check_transition(TRANSITIONS, complaint.state, to_state, ComplaintState, _("投诉件"))
    before, complaint.state = complaint.state, to_state
    return before


def _event(complaint, verb, by, *, now, before="", note="", department=None) -> ComplaintEvent:
    """The unsaved trail entry of ``verb`` on ``complaint``."""
    return ComplaintEvent(
        complaint=complaint,
        at=now,
        verb=verb,
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_label=audit.actor_label(by)[:60],
        department=department,
        from_state=before,
        to_state=complaint.state,
        note=note,
    )


def _trail(
    complaint,
    verb,
    by,
    *,
    now,
    before="",
    note="",
    department=None,
    audit_after=None,
    deferred_audit=False,
    written: ComplaintEvent | None = None,
) -> ComplaintEvent:
    """One trail entry and one audit event (the note may hold the reporter's words: not audited;
    ``deferred_audit``: sealed now, chained later, for the public submissions — ``portal.audit.record``).
    ``written``: the trail entry already stored (with the complaint, by ``submit``)."""
    event = written or rows.insert(
        _event(complaint, verb, by, now=now, before=before, note=note, department=department)
    )
    audit.record(
        by,
        f"complaints.{verb}",
        complaint,
        before={"state": before} if before else None,
        after={"state": complaint.state, **(audit_after or {})},
        deferred=deferred_audit,
    )
    return event


def _notify(complaint: Complaint, verb: str) -> None:
    """A message to the reporter in the kernel's outbox (sent later by its periodic task)."""
    notifications.notify(complaint, verb)


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ValidationError(_("未配置单位 %(code)s，请联系系统管理员。") % {"code": code})
    return department


def supervisory_department() -> Department:
    return _department(settings.COMPLAINTS_SUPERVISORY_DEPARTMENT)


def discipline_department() -> Department:
    return _department(settings.COMPLAINTS_DISCIPLINE_DEPARTMENT)


def _start_clock(complaint: Complaint, now: datetime) -> None:
    """The acceptance and handling deadlines from ``now`` in working days, as monitoring timers."""
    category = complaint.category
    today = timezone.localdate(now)
    complaint.forwarded_at = now
    complaint.accept_due_on = workdays.add_working_days(today, category.accept_days)
    complaint.due_on = workdays.add_working_days(today, category.limit_days)
    _start_handling_timer(complaint, now)


def _start_handling_timer(complaint: Complaint, now: datetime) -> None:
    due_at = workdays.end_of_working_day(complaint.due_on)
    warn_day = workdays.subtract_working_days(complaint.due_on, 1)
    warn_at = min(max(workdays.end_of_working_day(warn_day), now), due_at)
    timers.start(
        complaint,
        purpose=TIMER_HANDLING,
        due_at=due_at,
        warn_at=warn_at,
        department=complaint.handling_department,
        label=f"{complaint.code} {complaint.title}（投诉办理时限）",
        at=now,
    )


def _start_acceptance_timer(complaint: Complaint, now: datetime) -> None:
    due_at = workdays.end_of_working_day(complaint.accept_due_on)
    timers.start(
        complaint,
        purpose=TIMER_ACCEPTANCE,
        due_at=due_at,
        warn_at=None,
        department=complaint.handling_department,
        label=f"{complaint.code} {complaint.title}（投诉签收时限）",
        at=now,
    )


# --- intake ----------------------------------------------------------------------------------------


def submit(
    *,
    channel: str,
    title: str,
    matter: str,
    reporter_name: str = "",
    reporter_contact: str = "",
    category: Category | None = None,
    department: Department | None = None,
    case_code: str = "",
    power=None,
    official_name: str = "",
    files=(),
    by=None,
    now: datetime | None = None,
) -> tuple[Complaint, str]:
    """登记: store a complaint from any channel and return it with its query secret (shown once).

    The web channel is open to anybody (anonymous allowed); hotline, letter and e-mail are entered
    by intake staff. The row, its attachments, its trail entry and the acknowledgement message are
    committed together, before anything else happens.
    """
    channel = Channel(channel)
    if channel in STAFF_CHANNELS:
        require(perm.can_take_calls(by), _("只有投诉受理人员可以登记电话、来信和邮件投诉。"))
    title = _text(title, "title", _("请填写投诉事项。"), limit=120)
    matter = _text(matter, "matter", _("请填写投诉内容。"))
    files = check_uploads(files, max_files=MAX_FILES)
    now = _now(now)
    secret = query_secret.new_secret()
    complaint = Complaint(
        channel=channel,
        title=title,
        matter=matter,
        reporter_name=(reporter_name or "").strip()[:60],
        reporter_contact=(reporter_contact or "").strip()[:100],
        category=category,
        department=department,
        case_code=(case_code or "").strip().upper()[:40],
        power=power,
        official_name=(official_name or "").strip()[:60],
        received_at=now,
        query_secret_hash=query_secret.make_hash(secret),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        day = timezone.localdate(now)
        complaint.code = numbering.format_code(
            "TS", day, numbering.next_number(f"complaint:{day:%Y%m%d}"), CODE_DIGITS
        )
        # complaint.save(force_insert=True), its INSERT compiled once, with its trail entry (on
        # PostgreSQL in the same statement: a data-modifying WITH).
        event = _event(complaint, Verb.SUBMITTED, by, now=now)
        rows.insert(complaint, also=(event, "complaint"))
        if files:  # one INSERT for all (each file is stored by its field's pre_save)
            ComplaintAttachment.objects.bulk_create(
                ComplaintAttachment(
                    complaint=complaint, file=upload, name=upload.name[:200], size=upload.size or 0
                )
                for upload in files
            )
        _notify(complaint, Verb.SUBMITTED)
        # The audit event sealed now and chained later (portal/audit.py): no submission reads the
        # chain's head or holds its lock.
        _trail(
            complaint,
            Verb.SUBMITTED,
            by,
            now=now,
            audit_after={"channel": channel, "code": complaint.code},
            deferred_audit=True,
            written=event,
        )
    return complaint, secret


def find(code: str, secret: str) -> Complaint | None:
    """The complaint with ``code`` if ``secret`` is its query secret; the same work when it is not."""
    complaint = Complaint.objects.filter(code=(code or "").strip().upper()[:32]).first()
    stored = complaint.query_secret_hash if complaint is not None else None
    if query_secret.check(secret or "", stored):
        return complaint
    return None


# --- the supervisory organ ---------------------------------------------------------------------------


def classify(complaint: Complaint, category: Category, *, by, now=None) -> Complaint:
    """分类: set the category (which fixes the handling limit and whether it is a corruption clue)."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_classify(by, complaint), _("只有监察机关可以对投诉分类。"))
        if category is None or not category.is_active:
            raise ValidationError({"category": _("请选择有效的投诉类别。")})
        before_category = complaint.category.code if complaint.category else ""
        complaint.category = category
        complaint.save(update_fields=["category", "updated_at"])
        _trail(
            complaint,
            Verb.CLASSIFIED,
            by,
            now=now,
            note=str(category),
            audit_after={"category": category.code, "from_category": before_category},
        )
    return complaint


def duplicates(complaint: Complaint, *, limit: int = 10):
    """Likely duplicates to offer: same reporter contact, same case, or the same matter (title)."""
    condition = Q(title=complaint.title)
    if complaint.reporter_contact:
        condition |= Q(reporter_contact=complaint.reporter_contact)
    if complaint.case_code:
        condition |= Q(case_code=complaint.case_code)
    return (
        Complaint.objects.filter(condition)
        .exclude(pk=complaint.pk)
        .exclude(state=S.MERGED)
        .select_related("handling_department", "category")
        .order_by("received_at")[:limit]
    )


def merge(complaint: Complaint, into: Complaint, *, by, note: str = "", now=None) -> Complaint:
    """合并: ``complaint`` is a duplicate of ``into``; it closes as merged, with a link both ways."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_merge(by, complaint), _("只有监察机关可以合并重复投诉。"))
        into = Complaint.objects.select_for_update().get(pk=into.pk)
        if into.pk == complaint.pk or into.state == S.MERGED:
            raise ValidationError({"into": _("不能合并到自身或已被合并的投诉件。")})
        before = _move(complaint, S.MERGED)
        complaint.merged_into = into
        complaint.save(update_fields=["state", "merged_into", "updated_at"])
        _trail(complaint, Verb.MERGED, by, now=now, before=before, note=_("并入 %(code)s") % {"code": into.code},
               audit_after={"merged_into": into.code})  # fmt: skip
        ComplaintEvent.objects.create(
            complaint=into, at=now, verb=Verb.MERGED, actor=by, actor_label=audit.actor_label(by)[:60],
            from_state=into.state, to_state=into.state, note=_("合并重复件 %(code)s") % {"code": complaint.code},
        )  # fmt: skip
    return complaint


def _require_category(complaint: Complaint) -> Category:
    if complaint.category_id is None:
        raise ValidationError({"category": _("请先对投诉分类，再转办。")})
    return complaint.category


def forward(complaint: Complaint, department: Department, *, by, note: str = "", now=None) -> Complaint:
    """转办: send the complaint to the department responsible (谁主管、谁负责); starts the clock.

    Refused for corruption clues (they go to the discipline inspection office, ``route``), and
    unclassified complaints (the category sets the limit). A returned complaint forwarded again is
    rerouted.
    """
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_forward(by, complaint), _("只有监察机关可以转办投诉。"))
        category = _require_category(complaint)
        if category.corruption_clue:
            raise ValidationError({"department": _("腐败问题线索只能移送纪检监察机关，不能转办。")})
        if department is None:
            raise ValidationError({"department": _("请选择承办单位。")})
        before = _move(complaint, S.FORWARDED)
        complaint.handling_department = department
        _start_clock(complaint, now)
        _start_acceptance_timer(complaint, now)
        complaint.save()
        _trail(complaint, Verb.FORWARDED, by, now=now, before=before, note=note, department=department,
               audit_after={"department": department.code, "due_on": complaint.due_on})  # fmt: skip
    return complaint


def keep(complaint: Complaint, *, by, note: str = "", now=None) -> Complaint:
    """自办: the supervisory organ handles it itself (it concerns a department's own leaders)."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_keep(by, complaint), _("只有监察机关可以自办投诉。"))
        _require_category(complaint)
        before = _move(complaint, S.ACCEPTED)
        complaint.handling_department = supervisory_department()
        _start_clock(complaint, now)
        complaint.accepted_at, complaint.accepted_on_time = now, True
        complaint.save()
        _trail(complaint, Verb.KEPT, by, now=now, before=before, note=note,
               department=complaint.handling_department, audit_after={"due_on": complaint.due_on})  # fmt: skip
    return complaint


def route(complaint: Complaint, *, by, note: str = "", now=None) -> Complaint:
    """移送: a corruption clue goes to the discipline inspection office, and only there."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_route(by, complaint), _("只有监察机关可以移送线索。"))
        category = _require_category(complaint)
        if not category.corruption_clue:
            raise ValidationError({"category": _("只有腐败问题线索类投诉移送纪检监察机关。")})
        before = _move(complaint, S.FORWARDED)
        complaint.handling_department = discipline_department()
        _start_clock(complaint, now)
        _start_acceptance_timer(complaint, now)
        complaint.save()
        _trail(complaint, Verb.ROUTED, by, now=now, before=before, note=note,
               department=complaint.handling_department)  # fmt: skip
    return complaint


# --- the handling department -------------------------------------------------------------------------


def return_complaint(complaint: Complaint, *, by, reason: str, now=None) -> Complaint:
    """退回: the department says it is not theirs, with reasons; it goes back to be rerouted."""
    now = _now(now)
    reason = _text(reason, "reason", _("请说明退回理由。"), limit=1000)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_return(by, complaint), _("只有承办单位可以退回投诉。"))
        before = _move(complaint, S.RETURNED)
        department = complaint.handling_department
        timers.stop(complaint, TIMER_ACCEPTANCE, at=now)
        timers.stop(complaint, TIMER_HANDLING, at=now)
        complaint.handling_department = None
        complaint.forwarded_at = complaint.due_on = complaint.accept_due_on = None
        complaint.returned_count += 1
        complaint.save()
        _trail(complaint, Verb.RETURNED, by, now=now, before=before, note=reason, department=department,
               audit_after={"department": department.code if department else ""})  # fmt: skip
    return complaint


def record_acceptance(complaint: Complaint, now: datetime) -> None:
    """What acceptance at ``now`` records: on time when accepted by the acceptance due date
    (``accept``; the demo's bulk history sets the same fields)."""
    complaint.accepted_at = now
    complaint.accepted_on_time = timezone.localdate(now) <= complaint.accept_due_on


def record_closure(complaint: Complaint, now: datetime) -> None:
    """What closure at ``now`` records: on time when handled by the due date, and the working
    days from forwarding to handling (``approve_closure``; the demo's bulk history the same)."""
    handled_on = timezone.localdate(complaint.handled_at or now)
    complaint.closed_at = now
    complaint.closed_on_time = complaint.due_on is None or handled_on <= complaint.due_on
    if complaint.forwarded_at:
        start = timezone.localdate(complaint.forwarded_at)
        complaint.handling_days = min(workdays.working_days_between(start, handled_on), 32767)


def accept(complaint: Complaint, *, by, now=None) -> Complaint:
    """签收受理: the department takes the complaint on; on time when by the acceptance deadline."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_accept(by, complaint), _("只有承办单位可以受理投诉。"))
        before = _move(complaint, S.ACCEPTED)
        record_acceptance(complaint, now)
        timers.stop(complaint, TIMER_ACCEPTANCE, at=now)
        complaint.save()
        _trail(complaint, Verb.ACCEPTED, by, now=now, before=before, department=complaint.handling_department)
    return complaint


def reply(complaint: Complaint, *, by, text: str, now=None) -> Complaint:
    """答复: the department's answer to the citizen (shown on the tracking page, sent if contactable)."""
    now = _now(now)
    text = _text(text, "text", _("请填写答复意见。"))
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_reply(by, complaint), _("只有承办单位可以答复投诉。"))
        before = _move(complaint, S.REPLIED)
        complaint.reply, complaint.replied_at = text, now
        complaint.save()
        _trail(complaint, Verb.REPLIED, by, now=now, before=before, department=complaint.handling_department)
        _notify(complaint, Verb.REPLIED)
    return complaint


def propose_closure(complaint: Complaint, *, by, note: str = "", now=None) -> Complaint:
    """申请办结: the department has done its part; its handling clock stops here."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_propose_closure(by, complaint), _("只有承办单位可以申请办结。"))
        before = _move(complaint, S.CLOSING)
        complaint.handled_at = now
        timers.stop(complaint, TIMER_HANDLING, at=now)
        complaint.save()
        _trail(complaint, Verb.CLOSURE_PROPOSED, by, now=now, before=before, note=note,
               department=complaint.handling_department)  # fmt: skip
    return complaint


def approve_closure(complaint: Complaint, *, by, note: str = "", now=None) -> Complaint:
    """审核办结: the supervisory organ closes it; on time when handled by the due date."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_approve_closure(by, complaint), _("只有监察机关可以审核办结。"))
        before = _move(complaint, S.CLOSED)
        record_closure(complaint, now)
        complaint.save()
        _trail(complaint, Verb.CLOSURE_APPROVED, by, now=now, before=before, note=note,
               audit_after={"on_time": complaint.closed_on_time})  # fmt: skip
        _notify(complaint, Verb.CLOSURE_APPROVED)
    return complaint


def refuse_closure(complaint: Complaint, *, by, reason: str, now=None) -> Complaint:
    """退回重办: the supervisory organ sends it back to the department; the handling clock runs again."""
    now = _now(now)
    reason = _text(reason, "reason", _("请说明退回重办的理由。"), limit=1000)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_refuse_closure(by, complaint), _("只有监察机关可以退回重办。"))
        before = _move(complaint, S.ACCEPTED)
        complaint.handled_at = None
        if complaint.due_on:
            _start_handling_timer(complaint, now)
        complaint.save()
        _trail(complaint, Verb.CLOSURE_REFUSED, by, now=now, before=before, note=reason,
               department=complaint.handling_department)  # fmt: skip
    return complaint


def press(complaint: Complaint, *, by, requirement: str, deadline_days: int = PRESS_DAYS, now=None):
    """督办: a supervision notice to the handling department, through monitoring's notices."""
    from monitoring.alerts import issue_notice

    now = _now(now)
    requirement = _text(requirement, "requirement", _("请填写督办要求。"), limit=2000)
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_press(by, complaint), _("只有监察机关可以督办承办中的投诉。"))
        notice = issue_notice(
            None,
            department=complaint.handling_department,
            title=_("投诉件 %(code)s 督办") % {"code": complaint.code},
            requirement=requirement,
            by=by,
            deadline_days=deadline_days,
            now=now,
        )
        complaint.pressed_count += 1
        complaint.save(update_fields=["pressed_count", "updated_at"])
        _trail(complaint, Verb.PRESSED, by, now=now, note=f"{notice.number} {requirement}",
               department=complaint.handling_department, audit_after={"notice": notice.number})  # fmt: skip
    return notice


# --- the citizen ---------------------------------------------------------------------------------------


PROOF = "complaint-track"


def tracking_proof(complaint: Complaint, until: int) -> str:
    """What a tracking session keeps instead of the secret: a keyed proof that it was verified."""
    return query_secret.proof(PROOF, complaint.pk, complaint.query_secret_hash, until)


def _check_secret(complaint: Complaint, secret: str, proof=None) -> None:
    """The citizen proves the complaint is theirs: the secret, or a tracking session's (proof, until)."""
    if proof and query_secret.check_proof(
        proof[0], PROOF, complaint.pk, complaint.query_secret_hash, proof[1]
    ):
        return
    if not query_secret.check(secret or "", complaint.query_secret_hash):
        raise PermissionDenied(_(WRONG))


def rate(
    complaint: Complaint, *, secret: str = "", proof=None, satisfaction: str, comment: str = "", now=None
) -> Complaint:
    """满意度评价: once, after closure, by whoever holds the code and secret."""
    now = _now(now)
    satisfaction = Satisfaction(satisfaction)
    with transaction.atomic():
        complaint = _lock(complaint)
        _check_secret(complaint, secret, proof)
        if complaint.state != S.CLOSED or complaint.rated_at is not None:
            raise PermissionDenied(_("投诉办结后可评价一次。"))
        complaint.satisfaction, complaint.rated_at = satisfaction, now
        complaint.rating_comment = (comment or "").strip()[:500]
        complaint.save()
        _trail(complaint, Verb.RATED, None, now=now, note=complaint.get_satisfaction_display(),
               department=complaint.handling_department, audit_after={"satisfaction": satisfaction})  # fmt: skip
    return complaint


def can_reopen(complaint: Complaint, now: datetime | None = None) -> bool:
    """Once, within COMPLAINTS_REOPEN_DAYS days of closure."""
    now = _now(now)
    return (
        complaint.state == S.CLOSED
        and complaint.reopen_count == 0
        and complaint.closed_at is not None
        and now - complaint.closed_at <= timedelta(days=settings.COMPLAINTS_REOPEN_DAYS)
    )


def reopen(complaint: Complaint, *, secret: str = "", proof=None, reason: str, now=None) -> Complaint:
    """申请重新办理: once within the set number of days; back to the supervisory organ."""
    now = _now(now)
    reason = _text(reason, "reason", _("请说明申请重新办理的理由。"), limit=1000)
    with transaction.atomic():
        complaint = _lock(complaint)
        _check_secret(complaint, secret, proof)
        if not can_reopen(complaint, now):
            raise PermissionDenied(
                _("投诉办结后 %(days)d 日内可申请重新办理一次。") % {"days": settings.COMPLAINTS_REOPEN_DAYS}
            )
        before = _move(complaint, S.REOPENED)
        complaint.reopen_count += 1
        complaint.save()
        _trail(complaint, Verb.REOPENED, None, now=now, before=before, note=reason,
               department=complaint.handling_department)  # fmt: skip
    return complaint


# --- confidentiality ----------------------------------------------------------------------------------


def view_identity(complaint: Complaint, *, by, now=None) -> dict:
    """查看投诉人信息: the reporter's name and contact, for intake and supervisory staff; audited."""
    now = _now(now)
    require(perm.can_see_identity(by, complaint), _("您无权查看投诉人信息。"))
    with transaction.atomic():
        _trail(complaint, Verb.IDENTITY_VIEWED, by, now=now)
    return {"reporter_name": complaint.reporter_name, "reporter_contact": complaint.reporter_contact}


def anonymise(complaint: Complaint, *, by=None, now=None) -> Complaint:
    """匿名化: erase the reporter's identity and contact of a closed or merged complaint (irreversible)."""
    now = _now(now)
    with transaction.atomic():
        complaint = _lock(complaint)
        if by is not None:
            require(perm.can_anonymise(by), _("只有系统管理员可以匿名化投诉。"))
        if complaint.state not in (S.CLOSED, S.MERGED):
            raise ValidationError(_("只有已办结或已合并的投诉可以匿名化。"))
        if complaint.anonymised_at is not None:
            return complaint
        complaint.reporter_name = complaint.reporter_contact = ""
        complaint.anonymised_at = now
        complaint.save()
        notifications.forget_recipient(complaint)
        _trail(complaint, Verb.ANONYMISED, by, now=now)
    return complaint


def anonymise_expired(*, now=None, batch: int = 1000) -> int:
    """Anonymise closed complaints older than COMPLAINTS_RETENTION_DAYS (the nightly task)."""
    now = _now(now)
    cutoff = now - timedelta(days=settings.COMPLAINTS_RETENTION_DAYS)
    due = Complaint.objects.filter(anonymised_at__isnull=True, state__in=(S.CLOSED, S.MERGED)).filter(
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, received_at__lt=cutoff)
    )
    count = 0
    for complaint in due.order_by("pk")[:batch]:
        anonymise(complaint, now=now)
        count += 1
    return count


# --- one chain: a corruption clue becomes risk information --------------------------------------------


def risk_intake():
    """``risks.intake.record_information`` once the risks app publishes it, else None."""
    try:
        from risks.intake import record_information
    except ImportError:
        return None
    return record_information


def report_clue(complaint: Complaint, *, by, now=None):
    """转为廉政风险信息: hand a corruption clue to the risks app's warning loop (one action)."""
    now = _now(now)
    record_information = risk_intake()
    if record_information is None:
        raise ValidationError(_("廉政风险模块尚未启用。"))
    with transaction.atomic():
        complaint = _lock(complaint)
        require(perm.can_report_clue(by, complaint), _("只有监察机关可以把腐败线索转为风险信息。"))
        result = record_information(
            by=by,
            source="complaint",
            title=complaint.title,
            content=complaint.matter,
            department=complaint.department or complaint.handling_department,
            power=complaint.power,
            source_ref=complaint.code,
            now=now,
        )
        _trail(complaint, Verb.CLUE_REPORTED, by, now=now, department=complaint.department)
    return result
