"""The verbs of the appraisal. Each is one transaction, locks its row, checks the transition map and
the permission (``performance.permissions``), and writes one audit event.

Shenyang's three steps: units declare key-task criteria (``declare_criterion``) which the office
approves or returns; routine checks record figures with evidence (``submit_entry``/``check_entry``);
the year-end run scores and ranks (``compute_year``, idempotent) and ``publish_year`` freezes the
results and records their consequences. A later change is ``correct_result``, with a reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from monitoring import timers
from portal import audit, bulk, workdays
from portal.forms import clean_text
from portal.models import StaffProfile
from portal.roles import DEPT_HEAD
from portal.services import check_transition, require

from . import permissions, scoring, sources
from .choices import (
    CRITERION_TRANSITIONS,
    ENTRY_TRANSITIONS,
    NO_AWARD_GRADES,
    RECTIFICATION_TIMER,
    RECTIFICATION_TRANSITIONS,
    YEAR_TRANSITIONS,
    CriterionStatus,
    EntryStatus,
    Grade,
    RaterKind,
    RectificationStatus,
    Source,
    YearStatus,
)
from .models import (
    AppraisalYear,
    Correction,
    IndicatorScore,
    KeyTaskCriterion,
    LeaderRecord,
    Membership,
    OnlineVote,
    Rectification,
    Result,
    ScoreEntry,
    Series,
    SurveyResult,
)

BOTTOM_COUNT = 3
WARN_DAYS_BEFORE = 3
TWO = Decimal("0.01")


def _d(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO)


def year_bounds(year: AppraisalYear) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return datetime(year.year, 1, 1, tzinfo=tz), datetime(year.year + 1, 1, 1, tzinfo=tz)


# --- checking an indicator system ----------------------------------------------------------------


def system_errors(series: Series, available: dict | None = None) -> list[str]:
    """Everything that stops a series from being scored: weights per level, rules, sources."""
    available = sources.registry() if available is None else available
    categories = list(series.categories.all())
    tree = [(c.name, c.weight, [i.weight for i in c.indicators.all()]) for c in categories]
    errors = scoring.check_weights(str(series), tree)
    errors += scoring.check_rater_weights(str(series), {w.kind: w.weight for w in series.rater_weights.all()})
    for category in categories:
        for ind in category.indicators.all():
            if ind.source == Source.COMPUTED and ind.source_key not in available:
                errors.append(
                    f"指标「{ind.name}」的计算数据源「{ind.source_key}」暂不可用（所属模块尚未发布该函数）。"
                )
            if ind.rule == "bands":
                problem = scoring.check_bands(ind.bands)
                if problem:
                    errors.append(f"指标「{ind.name}」：{problem}")
            elif ind.target is None or (ind.rule == "linear" and ind.floor is None):
                errors.append(f"指标「{ind.name}」缺少目标值或底线值。")
    return errors


def _series_of(year: AppraisalYear):
    return list(
        Series.objects.filter(year=year)
        .prefetch_related("categories__indicators", "rater_weights")
        .order_by("order", "code")
    )


# --- the year-end run ----------------------------------------------------------------------------


def _entered_values(year: AppraisalYear) -> dict:
    """``{(indicator_id, department_id): (entry id, value, evidence, quarter)}``: the last checked
    entry of the latest period (plain tuples: thousands of rows, no model instances needed)."""
    rows = (
        ScoreEntry.objects.filter(period__year=year, status=EntryStatus.CHECKED)
        .order_by("period__quarter", "checked_at", "id")
        .values_list("indicator_id", "department_id", "id", "value", "evidence", "period__quarter")
    )
    return {(ind, dept): rest for ind, dept, *rest in rows}


def _public_inputs(year: AppraisalYear) -> tuple[dict, dict]:
    """Survey scores ``{dept: {kind: (score, n)}}`` and online vote counts ``{dept: {choice: n}}``."""
    surveys = defaultdict(dict)
    for s in SurveyResult.objects.filter(year=year).values("department_id", "kind", "score", "respondents"):
        surveys[s["department_id"]][s["kind"]] = (float(s["score"]), s["respondents"])
    votes = defaultdict(dict)
    rows = (
        OnlineVote.objects.filter(period__year=year)
        .order_by()
        .values("department_id", "choice")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        votes[row["department_id"]][row["choice"]] = row["n"]
    return surveys, votes


def _public_for(series: Series, dept_id: int, surveys: dict, votes: dict) -> tuple[float | None, dict]:
    kind_scores, detail = {}, {}
    for kind, (score, n) in surveys.get(dept_id, {}).items():
        kind_scores[kind] = score
        detail[kind] = {"score": score, "respondents": n}
    counts = votes.get(dept_id, {})
    online = scoring.vote_score(counts)
    if online is not None:
        kind_scores[RaterKind.ONLINE] = online
        detail[RaterKind.ONLINE] = {"score": online, "respondents": sum(counts.values()), "votes": counts}
    weights = {w.kind: float(w.weight) for w in series.rater_weights.all()}
    for kind in detail:
        detail[kind]["weight"] = weights.get(kind, 0.0)
    return scoring.public_score(kind_scores, weights), detail


def _score_one(ind, dept_id, figures, entered, public, available) -> tuple[float | None, float, dict]:
    """(raw value, score, basis) of one indicator for one unit."""
    basis: dict = {"source": ind.source}
    if ind.source == Source.COMPUTED:
        source = available[ind.source_key]
        row = figures[ind.source_key].get(dept_id)
        basis.update(key=ind.source_key, label=source.label)
        if row is None and source.absent == sources.COUNT:
            row = {"value": 0.0}
        if row is None:
            basis["note"] = "本期无相关业务，不适用，按满分计"
            return None, scoring.FULL, basis
        basis["figures"] = row
        value = row["value"]
    elif ind.source == Source.ENTERED:
        entry = entered.get((ind.id, dept_id))
        if entry is None:
            basis["note"] = "未填报或未核定，计 0 分"
            return None, 0.0, basis
        entry_id, value, evidence, quarter = entry
        period = f"第{quarter}季度" if quarter else "全年"
        basis.update(entry=entry_id, period=period, evidence=evidence[:300])
        value = float(value)
    else:
        if public is None:
            basis["note"] = "暂无公众评议结果，计 0 分"
            return None, 0.0, basis
        value = public
    score = scoring.score_indicator(
        ind.rule, value, direction=ind.direction, target=ind.target, floor=ind.floor, bands=ind.bands
    )
    return round(value, 4), score, basis


SCORE_COLUMNS = ["result", "indicator", "raw_value", "score", "weighted", "basis"]


def _replace_results(year: AppraisalYear, results: list[Result], score_rows: list[tuple]) -> None:
    """Replace the year's results and their indicator scores in a constant number of queries.

    A unit that had a result keeps its row's id (its pages and links do not move); a unit no longer
    in any series loses its result. Nothing refers to a result before publication (corrections,
    rectifications and leader records are written at publication or after, and a published year
    is never recomputed), so the rows are deleted and written again rather than updated field by
    field: Django's ``bulk_update`` builds a CASE of every row for every column, which cost more
    than the whole scoring at 200 units. The thousands of indicator scores are written as plain
    rows (``portal.bulk``: COPY on PostgreSQL), no model instances.
    """
    existing = dict(Result.objects.filter(year=year).values_list("department_id", "pk"))
    for result in results:
        result.pk = existing.get(result.department_id)
    IndicatorScore.objects.filter(result__year=year).delete()
    LeaderRecord.objects.filter(result__year=year).delete()  # none before publication; one query
    # One statement whatever the number of units (QuerySet.delete() would load the rows and delete
    # them 100 at a time): the rows referring to a result are gone, or — corrections and
    # rectifications, PROTECT — cannot exist before publication.
    Result.objects.filter(year=year)._raw_delete(Result.objects.db)
    Result.objects.bulk_create(results)
    bulk.insert_rows(
        IndicatorScore,
        SCORE_COLUMNS,
        (
            (
                result.pk,
                ind.id,
                None if raw is None else Decimal(str(raw)),
                _d(score),
                Decimal(str(round(weighted, 3))),
                json.dumps(basis, ensure_ascii=False),
            )
            for result, rows in score_rows
            for ind, raw, score, weighted, basis in rows
        ),
    )


def compute_year(year: AppraisalYear, *, by) -> int:
    """Score and rank every unit of every series of ``year``; returns the number of results.

    Idempotent: a second run on the same data writes the same results (they are replaced, not
    added to). Refused once the year is published (use ``correct_result``), to anyone but the
    office, and — with every problem listed — when an indicator system does not add up or names a
    source that is not available.
    """
    with transaction.atomic():
        year = AppraisalYear.objects.select_for_update().get(pk=year.pk)
        require(permissions.can_compute(by, year), "只有考评办可以计分，且已公布的年度不能重新计分。")
        check_transition(YEAR_TRANSITIONS, year.status, YearStatus.COMPUTED, YearStatus, "考评年度")
        all_series = _series_of(year)
        available = sources.registry()
        errors = [e for s in all_series for e in system_errors(s, available)]
        if errors:
            raise ValidationError(errors)
        members = defaultdict(list)
        for m in (
            Membership.objects.filter(year=year).select_related("department").order_by("department__code")
        ):
            members[m.series_id].append(m.department)
        keys = {
            i.source_key
            for s in all_series
            for c in s.categories.all()
            for i in c.indicators.all()
            if i.source == Source.COMPUTED
        }
        start, end = year_bounds(year)
        figures = sources.load(keys, start, end)
        entered = _entered_values(year)
        surveys, votes = _public_inputs(year)
        now = timezone.now()
        thresholds = {k: float(v) for k, v in year.thresholds.items()}

        results, score_rows = [], []
        for series in all_series:
            share = float(series.public_share)
            per_unit = {}
            for dept in members[series.id]:
                public, public_detail = _public_for(series, dept.id, surveys, votes)
                tree, rows = [], []
                for category in series.categories.all():
                    pairs = []
                    for ind in category.indicators.all():
                        raw, score, basis = _score_one(ind, dept.id, figures, entered, public, available)
                        pairs.append((float(ind.weight), score))
                        weighted = float(category.weight) * float(ind.weight) * score / 10000
                        rows.append((ind, raw, score, weighted, basis))
                    tree.append((float(category.weight), pairs))
                internal = scoring.internal_score(tree)
                total = scoring.combine(internal, public, share)
                per_unit[dept.id] = (dept, internal, public, public_detail, total, rows)
            labels = {d: v[0].short_name or v[0].name for d, v in per_unit.items()}
            placings = scoring.rank({d: v[4] for d, v in per_unit.items()}, labels)
            for dept_id, (dept, internal, public, public_detail, total, rows) in per_unit.items():
                grade = scoring.grade(total, thresholds)
                result = Result(
                    year_id=year.id, series_id=series.id, department_id=dept.id, internal_score=_d(internal),
                    public_score=None if public is None else _d(public), public_detail=public_detail,
                    total=_d(total), rank=placings[dept_id].rank, rank_note=placings[dept_id].note,
                    grade=grade, award_eligible=grade not in NO_AWARD_GRADES, computed_at=now,
                )  # fmt: skip
                results.append(result)
                score_rows.append((result, rows))

        _replace_results(year, results, score_rows)
        before = year.status
        year.status, year.computed_at = YearStatus.COMPUTED, now
        year.save(update_fields=["status", "computed_at"])
        digest = hashlib.sha256(
            ";".join(f"{r.department_id}:{r.total}:{r.rank}" for r in results).encode()
        ).hexdigest()
        audit.record(
            by, "performance.year.computed", year,
            before={"status": before}, after={"status": year.status, "results": len(results), "digest": digest},
        )  # fmt: skip
        return len(results)


# --- publication and its consequences ------------------------------------------------------------


def _due_datetime(day) -> datetime:
    return workdays.end_of_working_day(day)


def publish_year(year: AppraisalYear, *, by) -> AppraisalYear:
    """Publish the ranking: the results are frozen, and their consequences recorded.

    - 一般 and 差 cannot receive a year-end award (``Result.award_eligible``, set by the run);
    - the last three of each series owe a rectification report, its deadline timed by monitoring
      (reminder before it, overdue alarm after it);
    - each result is entered in the records of the unit's leaders (its department heads).
    """
    with transaction.atomic():
        year = AppraisalYear.objects.select_for_update().get(pk=year.pk)
        require(permissions.can_publish(by, year), "只有考评办可以公布已计分的年度结果。")
        check_transition(YEAR_TRANSITIONS, year.status, YearStatus.PUBLISHED, YearStatus, "考评年度")
        now = timezone.now()
        today = timezone.localdate(now)
        due_on = workdays.add_working_days(today, year.rectification_days)
        due_at = _due_datetime(due_on)
        warn_at = _due_datetime(workdays.subtract_working_days(due_on, WARN_DAYS_BEFORE))
        results = list(Result.objects.filter(year=year).select_related("department", "series"))
        by_series = defaultdict(dict)
        for r in results:
            by_series[r.series_id][r.id] = r
        tasks = []
        for series_results in by_series.values():
            placings = {rid: scoring.Placing(r.rank, (), "") for rid, r in series_results.items()}
            for rid in sorted(scoring.bottom(placings, BOTTOM_COUNT)):
                r = series_results[rid]
                tasks.append(Rectification(result=r, department=r.department, due_on=due_on, created_at=now))
        Rectification.objects.bulk_create(tasks)
        for task in tasks:
            timers.start(
                task, purpose=RECTIFICATION_TIMER, due_at=due_at, warn_at=warn_at, department=task.department,
                label=f"{year.year}年度绩效考评整改报告（{task.department}）", at=now,
            )  # fmt: skip
        heads = defaultdict(list)
        profiles = StaffProfile.objects.filter(
            department_id__in=[r.department_id for r in results], user__groups__name=DEPT_HEAD
        ).select_related("user")
        for profile in profiles:
            heads[profile.department_id].append(profile)
        records = []
        for r in results:
            text = (
                f"{year.year}年度绩效考评：{r.series} 第{r.rank}名，总分{r.total}，等次{r.get_grade_display()}"
                + ("" if r.award_eligible else "，不得参加年度评优")
            )
            people = heads.get(r.department_id) or [None]
            for p in people:
                records.append(
                    LeaderRecord(
                        result=r,
                        leader=p.user if p else None,
                        recorded_at=now,
                        text=text[:300],
                        leader_name=p.display_name if p else f"{r.department}领导班子",
                    )  # fmt: skip
                )
        LeaderRecord.objects.bulk_create(records)
        year.status, year.published_at = YearStatus.PUBLISHED, now
        year.save(update_fields=["status", "published_at"])
        audit.record(
            by, "performance.year.published", year,
            before={"status": YearStatus.COMPUTED},
            after={"status": year.status, "rectifications": len(tasks), "leader_records": len(records),
                   "not_eligible": sum(1 for r in results if not r.award_eligible)},
        )  # fmt: skip
        return year


def _rerank(series_results: list[Result], thresholds: dict) -> None:
    labels = {r.id: r.department.short_name or r.department.name for r in series_results}
    placings = scoring.rank({r.id: float(r.total) for r in series_results}, labels)
    for r in series_results:
        r.rank, r.rank_note = placings[r.id].rank, placings[r.id].note
        r.grade = scoring.grade(float(r.total), thresholds)
        r.award_eligible = r.grade not in NO_AWARD_GRADES
    Result.objects.bulk_update(series_results, ["rank", "rank_note", "grade", "award_eligible"])


def correct_result(result: Result, *, by, reason: str, new_score, indicator=None) -> Correction:
    """Change a published result — one indicator's score, or the public score when ``indicator`` is
    None — with a reason. The unit's total and grade follow, and its series is ranked again; the
    correction and the before/after are recorded and audited. Only the office; only once published.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("更正须说明理由。")
    new_score = scoring._clamp(float(new_score))
    with transaction.atomic():
        result = (
            Result.objects.select_for_update(of=("self",))
            .select_related("year", "series", "department")
            .get(pk=result.pk)
        )
        require(permissions.can_correct(by, result), "只有考评办可以更正已公布的结果。")
        series = _series_of(result.year)
        series = next(s for s in series if s.id == result.series_id)
        scores = {s.indicator_id: s for s in result.scores.all()}
        total_before = result.total
        if indicator is not None:
            row = scores[indicator.id]
            before = row.score
            row.score = _d(new_score)
            field = f"indicator:{indicator.code}"
        else:
            before = result.public_score
            result.public_score = _d(new_score)
            field = "public_score"
        tree = []
        for category in series.categories.all():
            pairs = [
                (float(i.weight), float(scores[i.id].score))
                for i in category.indicators.all()
                if i.id in scores
            ]
            tree.append((float(category.weight), pairs))
            for i in category.indicators.all():
                if i.id in scores:
                    s = scores[i.id]
                    s.weighted = Decimal(
                        str(round(float(category.weight) * float(i.weight) * float(s.score) / 10000, 3))
                    )
        IndicatorScore.objects.bulk_update(list(scores.values()), ["score", "weighted"])
        result.internal_score = _d(scoring.internal_score(tree))
        public = None if result.public_score is None else float(result.public_score)
        result.total = _d(scoring.combine(float(result.internal_score), public, float(series.public_share)))
        result.save(update_fields=["internal_score", "public_score", "total"])
        siblings = list(Result.objects.filter(series=series).select_related("department"))
        _rerank(siblings, {k: float(v) for k, v in result.year.thresholds.items()})
        result.refresh_from_db()
        correction = Correction.objects.create(
            result=result, indicator=indicator, field=field, before=before, after=_d(new_score),
            total_before=total_before, total_after=result.total, reason=reason, corrected_by=by,
            corrected_at=timezone.now(),
        )  # fmt: skip
        audit.record(
            by, "performance.result.corrected", result,
            before={"field": field, "score": before, "total": total_before},
            after={"score": correction.after, "total": result.total, "rank": result.rank, "grade": result.grade},
            note=reason,
        )  # fmt: skip
        return correction


# --- Shenyang's first step: key-task criteria ----------------------------------------------------


def declare_criterion(
    year, *, department, indicator, title, work_report_ref, criterion, by
) -> KeyTaskCriterion:
    """A unit declares its detailed criteria for a key task of its series' indicator system."""
    with transaction.atomic():
        require(permissions.can_declare(by, year, department), "只有本单位人员可以申报本单位的考评细则。")
        member = Membership.objects.filter(year=year, department=department).first()
        if member is None or indicator.category.series_id != member.series_id or not indicator.is_key_task:
            raise ValidationError("该指标不是本单位所在系列的重点工作指标。")
        obj = KeyTaskCriterion.objects.create(
            year=year, department=department, indicator=indicator, title=title, work_report_ref=work_report_ref,
            criterion=criterion, declared_by=by, declared_at=timezone.now(),
        )  # fmt: skip
        audit.record(by, "performance.criterion.declared", obj, after={"status": obj.status, "title": title})
        return obj


def _move_criterion(obj, to, *, by, note, allowed, message, verb, **changes):
    with transaction.atomic():
        obj = (
            KeyTaskCriterion.objects.select_for_update(of=("self",))
            .select_related("year", "department")
            .get(pk=obj.pk)
        )
        require(allowed(by, obj), message)
        check_transition(CRITERION_TRANSITIONS, obj.status, to, CriterionStatus, "考评细则")
        before = obj.status
        obj.status = to
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()
        audit.record(by, verb, obj, before={"status": before}, after={"status": to}, note=note)
        return obj


def approve_criterion(obj, *, by, note: str = "") -> KeyTaskCriterion:
    """The office approves criteria it has checked against the government work report."""
    return _move_criterion(
        obj, CriterionStatus.APPROVED, by=by, note=note, allowed=permissions.can_review_criterion,
        message="只有考评办可以核定考评细则。", verb="performance.criterion.approved",
        reviewed_by=by, reviewed_at=timezone.now(), review_note=note,
    )  # fmt: skip


def return_criterion(obj, *, by, note: str) -> KeyTaskCriterion:
    """The office returns criteria that do not match the work report; the reason is required."""
    if not (note or "").strip():
        raise ValidationError("退回须说明理由。")
    return _move_criterion(
        obj, CriterionStatus.RETURNED, by=by, note=note, allowed=permissions.can_review_criterion,
        message="只有考评办可以退回考评细则。", verb="performance.criterion.returned",
        reviewed_by=by, reviewed_at=timezone.now(), review_note=note,
    )  # fmt: skip


def redeclare_criterion(obj, *, by, criterion: str) -> KeyTaskCriterion:
    """The unit declares returned criteria again, amended."""
    return _move_criterion(
        obj, CriterionStatus.DECLARED, by=by, note="", allowed=permissions.can_redeclare,
        message="只有本单位人员可以重新申报被退回的考评细则。", verb="performance.criterion.redeclared",
        criterion=criterion, declared_at=timezone.now(), declared_by=by,
    )  # fmt: skip


# --- Shenyang's second step: routine checks and entered figures ----------------------------------


def submit_entry(period, *, indicator, department, value, evidence, by) -> ScoreEntry:
    """Record an entered figure with its evidence. A unit's own figure waits for the office's check;
    a figure the office records in a routine check counts at once (it is the check)."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError("填报须附佐证材料说明。")
    with transaction.atomic():
        require(permissions.can_enter(by, period.year, department), "只有考评办或本单位人员可以填报。")
        if indicator.source != Source.ENTERED:
            raise ValidationError("该指标由系统计算或来自公众评议，不能填报。")
        office = permissions.is_office(by)
        now = timezone.now()
        entry = ScoreEntry.objects.create(
            period=period, indicator=indicator, department=department, value=value, evidence=evidence,
            entered_by=by, entered_at=now, status=EntryStatus.CHECKED if office else EntryStatus.SUBMITTED,
            checked_by=by if office else None, checked_at=now if office else None,
        )  # fmt: skip
        audit.record(by, "performance.entry.submitted", entry, after={"status": entry.status, "value": value})
        return entry


def _move_entry(entry, to, *, by, note, verb):
    try:
        note = clean_text(note, max_length=ScoreEntry._meta.get_field("note").max_length or 2000)
    except ValidationError as exc:
        raise ValidationError({"note": exc.messages}) from exc
    with transaction.atomic():
        entry = ScoreEntry.objects.select_for_update().get(pk=entry.pk)
        require(permissions.can_check_entry(by, entry), "只有考评办可以核定待核定的填报。")
        check_transition(ENTRY_TRANSITIONS, entry.status, to, EntryStatus, "填报")
        before = entry.status
        entry.status, entry.checked_by, entry.checked_at, entry.note = to, by, timezone.now(), note
        entry.save()
        audit.record(by, verb, entry, before={"status": before}, after={"status": to}, note=note)
        return entry


def check_entry(entry, *, by, note: str = "") -> ScoreEntry:
    """The office accepts a unit's figure and its evidence."""
    return _move_entry(entry, EntryStatus.CHECKED, by=by, note=note, verb="performance.entry.checked")


def return_entry(entry, *, by, note: str) -> ScoreEntry:
    """The office returns a unit's figure (evidence missing or not convincing); reason required."""
    if not (note or "").strip():
        raise ValidationError("退回须说明理由。")
    return _move_entry(entry, EntryStatus.RETURNED, by=by, note=note, verb="performance.entry.returned")


# --- public evaluation ---------------------------------------------------------------------------


def voter_hash(kind: str, value: str) -> str:
    """A keyed hash of a voter's device id, address or phone: the raw values are never stored."""
    key = f"performance-vote:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{kind}:{value.strip()}".encode(), hashlib.sha256).hexdigest()


class AlreadyVoted(Exception):
    pass


def cast_vote(
    period, *, department, choice, comment: str, device_id: str, address: str, phone: str = ""
) -> OnlineVote:
    """A citizen's online evaluation of one unit in one period.

    Refused (AlreadyVoted) when this device, this address or this phone has already rated this unit
    in this period; refused when the period is not open for voting or the unit is not appraised.
    """
    if not period.voting_open or period.year.status == YearStatus.PUBLISHED:
        raise ValidationError("本期网上评议未开放。")
    if not Membership.objects.filter(year=period.year, department=department).exists():
        raise ValidationError("该单位不在本年度参评单位之列。")
    hashes = {
        "device_hash": voter_hash("device", device_id),
        "address_hash": voter_hash("address", address),
        "phone_hash": voter_hash("phone", phone) if phone else "",
    }
    with transaction.atomic():
        taken = OnlineVote.objects.filter(period=period, department=department)
        for field, value in hashes.items():
            if value and taken.filter(**{field: value}).exists():
                raise AlreadyVoted()
        vote = OnlineVote.objects.create(
            period=period, department=department, choice=choice, comment=comment.strip()[:500], **hashes
        )
        audit.record(
            None, "performance.vote.cast", vote, after={"department": department.code, "choice": choice}
        )
        return vote


def import_votes(period, votes: list[dict], *, by=None) -> int:
    """Store many online evaluations at once (an earlier system's votes, the city demo's past
    years): ``[{"department", "choice", "comment", "device_id", "address", "phone"}…]``, each
    refused as ``cast_vote`` refuses it (period closed, unit not appraised, a voter twice for a
    unit); all of them or none, in one bulk insert with one audit event for the import."""
    if not period.voting_open or period.year.status == YearStatus.PUBLISHED:
        raise ValidationError("本期网上评议未开放。")
    members = set(Membership.objects.filter(year=period.year).values_list("department_id", flat=True))
    seen, rows = set(), []
    for vote in votes:
        department = vote["department"]
        if department.pk not in members:
            raise ValidationError("该单位不在本年度参评单位之列。")
        hashes = {
            "device_hash": voter_hash("device", vote["device_id"]),
            "address_hash": voter_hash("address", vote["address"]),
            "phone_hash": voter_hash("phone", vote["phone"]) if vote.get("phone") else "",
        }
        for field, value in hashes.items():
            if value and (department.pk, field, value) in seen:
                raise AlreadyVoted()
            seen.add((department.pk, field, value))
        rows.append(
            OnlineVote(period=period, department=department, choice=vote["choice"],
                       comment=(vote.get("comment") or "").strip()[:500], **hashes)
        )  # fmt: skip
    with transaction.atomic():
        taken = OnlineVote.objects.filter(period=period, department__in={r.department_id for r in rows})
        for field in ("device_hash", "address_hash", "phone_hash"):
            wanted = {(r.department_id, getattr(r, field)) for r in rows if getattr(r, field)}
            if wanted and any(pair in wanted for pair in taken.values_list("department_id", field)):
                raise AlreadyVoted()
        OnlineVote.objects.bulk_create(rows, batch_size=2000)
        audit.record(by, "performance.votes.imported", period, after={"votes": len(rows)})
    return len(rows)


def import_surveys(year, rows: list[dict], *, by) -> int:
    """Store survey results ``[{"department": Department, "kind", "score", "respondents"}…]`` already
    validated row by row (``performance.excel.read_survey_workbook``); all of them or none.
    A unit's earlier result for the same rater kind is replaced."""
    with transaction.atomic():
        AppraisalYear.objects.select_for_update().get(pk=year.pk)
        require(permissions.can_import_surveys(by, year), "只有考评办可以在公布前导入评议调查结果。")
        now = timezone.now()
        for row in rows:
            SurveyResult.objects.update_or_create(
                year=year, department=row["department"], kind=row["kind"],
                defaults={"score": row["score"], "respondents": row["respondents"], "imported_by": by,
                          "imported_at": now},
            )  # fmt: skip
        audit.record(by, "performance.surveys.imported", year, after={"rows": len(rows)})
        return len(rows)


# --- rectification reports -----------------------------------------------------------------------


def _move_task(task, to, *, by, allowed, message, verb, note="", **changes):
    with transaction.atomic():
        task = (
            Rectification.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
        )
        require(allowed(by, task), message)
        check_transition(RECTIFICATION_TRANSITIONS, task.status, to, RectificationStatus, "整改报告")
        before = task.status
        task.status = to
        for name, value in changes.items():
            setattr(task, name, value)
        task.save()
        audit.record(by, verb, task, before={"status": before}, after={"status": to}, note=note)
        return task


def submit_rectification(task, *, by, report: str) -> Rectification:
    """The unit submits its rectification report (causes found, measures); the deadline timer stops."""
    report = (report or "").strip()
    if not report:
        raise ValidationError("整改报告不能为空。")
    now = timezone.now()
    with transaction.atomic():
        task = _move_task(
            task, RectificationStatus.SUBMITTED, by=by, allowed=permissions.can_submit_rectification,
            message="只有本单位人员可以提交本单位的整改报告。", verb="performance.rectification.submitted",
            report=report, submitted_at=now, submitted_by=by,
        )  # fmt: skip
        timers.stop(task, RECTIFICATION_TIMER, at=now)
        return task


def accept_rectification(task, *, by, note: str = "") -> Rectification:
    """The office accepts the report."""
    return _move_task(
        task, RectificationStatus.ACCEPTED, by=by, allowed=permissions.can_review_rectification,
        message="只有考评办可以验收整改报告。", verb="performance.rectification.accepted", note=note, review_note=note,
    )  # fmt: skip


def return_rectification(task, *, by, note: str) -> Rectification:
    """The office sends the report back; the original deadline is timed again."""
    if not (note or "").strip():
        raise ValidationError("退回须说明理由。")
    with transaction.atomic():
        task = _move_task(
            task, RectificationStatus.ASSIGNED, by=by, allowed=permissions.can_review_rectification,
            message="只有考评办可以退回整改报告。", verb="performance.rectification.returned", note=note,
            review_note=note,
        )  # fmt: skip
        due_at = _due_datetime(task.due_on)
        timers.start(
            task, purpose=RECTIFICATION_TIMER, due_at=due_at, warn_at=None, department=task.department
        )
        return task


def grade_label(value: str) -> str:
    return str(Grade(value).label)
