"""Reviews (组织监督、群众监督) and the ten clarities (十明确).

- Quarterly self-review: ``open_self_reviews(year, quarter)`` opens one task per department that has
  confirmed risk points, due ``SELF_REVIEW_DAYS`` working days after the quarter ends; the deadline
  is a monitoring timer (reminder and overdue alarm). The department submits its report
  (``submit_self_review``, the timer stops); the office accepts it or sends it back.
- Half-yearly democratic evaluation: ``record_evaluation`` stores satisfaction per person; below
  ``SATISFACTION_FLAG_BELOW`` % the person is flagged. Flagging decides nothing: the office records
  its decision (keep with a talk, transfer, removal) with ``decide_evaluation``.
- Ten clarities: ``clarities(department)`` computes what the data can show and reads the evidence
  recorded for the rest (``record_clarity_evidence``).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import timers
from portal import audit, workdays
from portal.models import Department, Post
from portal.services import check_transition, require
from powers.choices import PowerStatus
from powers.models import Flowchart, Power

from . import permissions
from .choices import (
    EVIDENCED_CLARITIES,
    REVIEW_TIMER,
    REVIEW_TRANSITIONS,
    SATISFACTION_FLAG_BELOW,
    Clarity,
    EvaluationDecision,
    ReviewStatus,
    RiskPointStatus,
)
from .models import ClarityEvidence, DemocraticEvaluation, RiskPoint, SelfReview

SELF_REVIEW_DAYS = 10


def quarter_end(year: int, quarter: int) -> date:
    if not 1 <= quarter <= 4:
        raise ValidationError({"quarter": _("季度应为 1 至 4。")})
    month = quarter * 3
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def open_self_reviews(year: int, quarter: int, *, by=None) -> int:
    """Open the quarter's self-review task of every department with confirmed risk points (idempotent)."""
    if by is not None:
        require(permissions.is_office(by), _("只有纪检监察机关可以部署季度自查。"))
    due_on = workdays.add_working_days(quarter_end(year, quarter), SELF_REVIEW_DAYS)
    departments = Department.objects.filter(
        pk__in=RiskPoint.objects.filter(status=RiskPointStatus.CONFIRMED).values("department")
    )
    opened = 0
    for department in departments:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    review = SelfReview.objects.create(
                        department=department, year=year, quarter=quarter, due_on=due_on
                    )
            except IntegrityError:
                continue
            due_at = workdays.end_of_working_day(due_on)
            warn_at = workdays.end_of_working_day(workdays.subtract_working_days(due_on, 2))
            timers.start(review, purpose=REVIEW_TIMER, due_at=due_at, warn_at=min(warn_at, due_at),
                         department=department, label=str(review))  # fmt: skip
            audit.record(by, "risks.review.open", review, after={"due_on": due_on})
            opened += 1
    return opened


def _move(review, to_status):
    check_transition(REVIEW_TRANSITIONS, review.status, to_status, ReviewStatus, "季度自查")
    before = {"status": review.status}
    review.status = to_status
    return before


def submit_self_review(review: SelfReview, *, by, report: str) -> SelfReview:
    """The department reports how its risk points were resolved; the deadline timer stops."""
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("请填写自查情况。")})
    with transaction.atomic():
        review = SelfReview.objects.select_for_update().get(pk=review.pk)
        require(permissions.can_submit_self_review(by, review), _("只有本单位工作人员可以报送自查情况。"))
        before = _move(review, ReviewStatus.SUBMITTED)
        review.report, review.submitted_by, review.submitted_at = report, by, timezone.now()
        review.points_reviewed = RiskPoint.objects.filter(
            department=review.department, status=RiskPointStatus.CONFIRMED
        ).count()
        review.save()
        timers.stop(review, REVIEW_TIMER)
        audit.record(by, "risks.review.submit", review, before=before, after={"status": review.status})
    return review


def accept_self_review(review: SelfReview, *, by, note: str = "", accept: bool = True) -> SelfReview:
    """The office accepts the report, or sends it back (a new deadline of five working days)."""
    with transaction.atomic():
        review = SelfReview.objects.select_for_update().get(pk=review.pk)
        require(permissions.can_review_self_review(by, review), _("只有纪检监察机关可以审阅自查情况。"))
        before = _move(review, ReviewStatus.ACCEPTED if accept else ReviewStatus.OPEN)
        review.review_note = (note or "").strip()
        if not accept:
            review.due_on = workdays.add_working_days(timezone.localdate(), 5)
            due_at = workdays.end_of_working_day(review.due_on)
            timers.start(
                review, purpose=REVIEW_TIMER, due_at=due_at, warn_at=None, department=review.department
            )
        review.save()
        audit.record(by, "risks.review.accept" if accept else "risks.review.reopen", review, before=before,
                     after={"status": review.status}, note=review.review_note)  # fmt: skip
    return review


def record_evaluation(*, by, person, period_start: date, period_end: date, respondents: int, satisfied: int):
    """民主评议: satisfaction of one person for a half-year; below 60% the person is flagged (no decision)."""
    require(permissions.is_office(by), _("只有纪检监察机关可以录入民主评议结果。"))
    errors = {}
    if not isinstance(respondents, int) or not 1 <= respondents <= 100000:
        errors["respondents"] = _("参评人数应为 1 至 100000。")
    elif not isinstance(satisfied, int) or not 0 <= satisfied <= respondents:
        errors["satisfied"] = _("满意人数应在 0 与参评人数之间。")
    if period_end < period_start:
        errors["period_end"] = _("评议期止不能早于评议期起。")
    profile = getattr(person, "staff_profile", None)
    if profile is None:
        errors["person"] = _("被评议人应为工作人员。")
    if errors:
        raise ValidationError(errors)
    satisfaction = (Decimal(satisfied) * 100 / respondents).quantize(Decimal("0.01"))
    with transaction.atomic():
        evaluation, _created = DemocraticEvaluation.objects.update_or_create(
            person=person, period_end=period_end,
            defaults={"department": profile.department, "period_start": period_start, "respondents": respondents,
                      "satisfied": satisfied, "satisfaction": satisfaction,
                      "flagged": satisfaction < SATISFACTION_FLAG_BELOW, "recorded_by": by},
        )  # fmt: skip
        audit.record(by, "risks.evaluation.record", evaluation,
                     after={"satisfaction": satisfaction, "flagged": evaluation.flagged})  # fmt: skip
    return evaluation


def decide_evaluation(
    evaluation: DemocraticEvaluation, *, by, decision: str, note: str
) -> DemocraticEvaluation:
    """The office's recorded decision on a flagged person (never automatic)."""
    decision = EvaluationDecision(decision)
    note = (note or "").strip()
    if not decision or not note:
        raise ValidationError(_("请选择研究决定并说明理由。"))
    with transaction.atomic():
        evaluation = DemocraticEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        require(permissions.is_office(by), _("只有纪检监察机关可以作出研究决定。"))
        if not evaluation.flagged:
            raise ValidationError(_("满意率未低于60%，无须研究决定。"))
        before = {"decision": evaluation.decision}
        evaluation.decision, evaluation.decision_note = decision, note
        evaluation.decided_by, evaluation.decided_at = by, timezone.now()
        evaluation.save()
        audit.record(
            by, "risks.evaluation.decide", evaluation, before=before, after={"decision": decision}, note=note
        )
    return evaluation


def record_clarity_evidence(department, *, by, clarity: str, evidence: str) -> ClarityEvidence:
    """Tick a clarity the data cannot show (leading group, work plan, joint-review rule) with its evidence."""
    clarity = Clarity(clarity)
    if clarity not in EVIDENCED_CLARITIES:
        raise ValidationError({"clarity": _("该项由系统根据数据自动判断，无须填报。")})
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": _("请说明佐证材料（文件名称、文号、日期）。")})
    require(
        permissions.is_staff_of(by, department) or permissions.is_office(by),
        _("只能填报本单位的十明确佐证。"),
    )
    with transaction.atomic():
        row, _created = ClarityEvidence.objects.update_or_create(
            department=department, clarity=clarity, defaults={"evidence": evidence, "recorded_by": by}
        )
        audit.record(by, "risks.clarity.evidence", row, after={"clarity": clarity})
    return row


def clarities(department) -> list[dict]:
    """The ten clarities of ``department``: ``[{"code", "label", "done", "detail", "computed"}]`` (a few queries)."""
    points = RiskPoint.objects.filter(department=department)
    confirmed = points.filter(status=RiskPointStatus.CONFIRMED)
    p = confirmed.aggregate(
        total=Count("id"),
        responsible=Count("id", filter=~Q(responsible_name="")),
        committed=Count("id", filter=~Q(commitment="")),
        prevention=Count("id", filter=~Q(measures="") & ~Q(separation_rules="")),
        key_posts=Count("post", distinct=True, filter=Q(grade__in=["A", "B"])),
    )
    powers = Power.objects.filter(department=department, status=PowerStatus.PUBLISHED)
    power_count = powers.count()
    charted = (
        Flowchart.objects.filter(power__in=powers, steps__isnull=False).values("power").distinct().count()
    )
    posts = Post.objects.filter(department=department, backs_up__isnull=True).exclude(code__endswith="-B")
    post_count = posts.count()
    with_backup = posts.filter(backup__isnull=False).count()
    evidence = {row.clarity: row for row in ClarityEvidence.objects.filter(department=department)}
    total = p["total"]

    def ratio(n, d):
        return f"{n}/{d}"

    computed = {
        Clarity.KEY_POSTS: (p["key_posts"] > 0, f"A、B级风险岗位 {p['key_posts']} 个"),
        Clarity.RISK_POINTS: (total > 0 and not points.exclude(status=RiskPointStatus.CONFIRMED).exists(),
                              f"已确认 {total} 个，未确认 {points.count() - total} 个"),
        Clarity.RESPONSIBLE: (total > 0 and p["responsible"] == total, f"已明确责任人 {ratio(p['responsible'], total)}"),
        Clarity.COMMITMENTS: (total > 0 and p["committed"] == total, f"已作承诺 {ratio(p['committed'], total)}"),
        Clarity.FLOWCHARTS: (power_count > 0 and charted == power_count, f"已公布流程图 {ratio(charted, power_count)}"),
        Clarity.AB_POSTS: (post_count > 0 and with_backup == post_count, f"已设B岗 {ratio(with_backup, post_count)}"),
        Clarity.PREVENTION: (total > 0 and p["prevention"] == total, f"防控制度齐全 {ratio(p['prevention'], total)}"),
    }  # fmt: skip
    rows = []
    for clarity in Clarity:
        if clarity in computed:
            done, detail = computed[clarity]
            rows.append(
                {
                    "code": clarity.value,
                    "label": clarity.label,
                    "done": done,
                    "detail": detail,
                    "computed": True,
                }
            )
        else:
            row = evidence.get(clarity)
            rows.append({"code": clarity.value, "label": clarity.label, "done": row is not None,
                         "detail": row.evidence if row else "待填报佐证", "computed": False})  # fmt: skip
    return rows
