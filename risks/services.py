"""State-changing verbs of the risks app (查点、评权、三级预警).

Every verb: one ``transaction.atomic()``, the row locked with ``select_for_update``, the move checked
against the explicit maps in ``risks.choices`` (TransitionError), the permission checked through
``risks.permissions`` (PermissionDenied), one audit event through ``portal.audit``. Bad input raises
ValidationError keyed by field name. Views, the API, the admin and the demo call these.
"""

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import timers
from portal import audit, numbering, workdays
from portal.forms import clean_text
from portal.models import Department
from portal.services import check_transition, require

from . import grading, permissions
from .choices import (
    EDITABLE_STATUSES,
    INFORMATION_TRANSITIONS,
    LEVEL_OF_GRADE,
    MAX_DEADLINE_DAYS,
    ORDER_TIMER,
    ORDER_TRANSITIONS,
    RISK_POINT_TRANSITIONS,
    SCORE_FIELDS,
    WARNING_TRANSITIONS,
    Grade,
    InformationSource,
    InformationStatus,
    OrderStatus,
    RiskPointStatus,
    WarningLevel,
    WarningStatus,
)
from .models import (
    Acknowledgement,
    GradingMatrix,
    RiskInformation,
    RiskPoint,
    RiskPointVersion,
    SupervisionOrder,
    WarningNotice,
)

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")

# Fields of a risk point a department declares and edits (the rest is workflow and grading).
POINT_FIELDS = (
    "power", "step", "post", "title", "risk_type", "source", "holder", "description", "measures",
    "responsible_person", "responsible_name", "commitment", "separation_rules", *SCORE_FIELDS,
)  # fmt: skip
SNAPSHOT_FIELDS = (
    "code", "version", "status", "department_id", "power_id", "step_id", "post_id", "title", "risk_type",
    "source", "holder", "description", "measures", "responsible_person_id", "responsible_name", "commitment",
    "separation_rules", *SCORE_FIELDS, "grade", "score", "grade_reason",
)  # fmt: skip


def snapshot(point: RiskPoint) -> dict:
    return {name: getattr(point, name) for name in SNAPSHOT_FIELDS}


def _clean_text(value, field: str, message: str, *, max_length: int | None = None) -> str:
    """Required free text through the kernel's rule (no control characters, bounded), no markup."""
    try:
        value = clean_text(value, max_length=max_length)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    if not value:
        raise ValidationError({field: message})
    if _MARKUP.search(value):
        raise ValidationError({field: _("不得包含 HTML 标记或脚本。")})
    return value


def _refuse_markup(values: dict) -> None:
    errors = {
        name: _("不得包含 HTML 标记或脚本。")
        for name, value in values.items()
        if isinstance(value, str) and _MARKUP.search(value)
    }
    if errors:
        raise ValidationError(errors)


# --- numbering: portal.numbering, one gap-free series per prefix ------------------------------------


def _last_serial(model, field: str, prefix: str) -> int:
    """The greatest serial already stored under ``prefix`` (the series' starting point on first use)."""
    last = (
        model.objects.filter(**{f"{field}__startswith": prefix})
        .annotate(width=Length(field))
        .order_by("-width", f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    return int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0


def _save_numbered(obj, field: str, prefix: str) -> None:
    """Save with the next number of the series ``prefix`` (gap-free, inside the verb's transaction)."""
    model = type(obj)
    n = numbering.next_number(
        f"risks:{model._meta.model_name}:{prefix}",
        gap_free=True,
        initial=lambda: _last_serial(model, field, prefix),
    )
    setattr(obj, field, numbering.format_code(prefix, None, n, 4))
    with transaction.atomic():  # savepoint: a unique clash (e.g. the same alert twice) spares the caller
        obj.save()


def point_prefix(department) -> str:
    return f"FX-{department.code}-"


def number_points(points) -> None:
    """Give unsaved risk points their codes FX-<department>-0001…, in the order given, from each
    department's series (the one ``declare`` numbers from): for rows created in bulk (the demo's history)."""
    by_department = {}
    for point in points:
        by_department.setdefault(point.department_id, []).append(point)
    codes = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "code"))
    model = RiskPoint._meta.model_name
    for department_id, rows in by_department.items():
        prefix = f"FX-{codes[department_id]}-"
        numbers = numbering.next_numbers(
            f"risks:{model}:{prefix}",
            len(rows),
            gap_free=True,
            initial=lambda p=prefix: _last_serial(RiskPoint, "code", p),
        )
        for point, n in zip(rows, numbers, strict=True):
            point.code = numbering.format_code(prefix, None, n, 4)


# --- grading ------------------------------------------------------------------------------------


def current_matrix() -> GradingMatrix:
    """The current matrix; the seeds' defaults are created on first use."""
    matrix = GradingMatrix.objects.current()
    if matrix is None:
        with transaction.atomic():
            matrix = GradingMatrix.objects.select_for_update().filter(is_current=True).first()
            if matrix is None:
                weights = grading.DEFAULT_WEIGHTS
                matrix = GradingMatrix.objects.create(
                    version=1,
                    weight_likelihood=weights["likelihood"],
                    weight_harm=weights["harm"],
                    weight_frequency=weights["frequency"],
                    weight_discretion=weights["discretion"],
                    a_threshold=grading.DEFAULT_A_THRESHOLD,
                    b_threshold=grading.DEFAULT_B_THRESHOLD,
                    overrides=grading.DEFAULT_OVERRIDES,
                    reason="初始评级矩阵（依据种子材料：处罚、征收权力由单位主要负责人直接行使的为A级；"
                    "非许可审批和内部管理权力为C级）",
                )
    return matrix


def apply_grade(point: RiskPoint, matrix: GradingMatrix, compiled: grading.Matrix | None = None) -> None:
    """Set an unsaved point's grade, score and reason by ``matrix`` (the rule every verb applies; the
    demo's bulk rows use it too). ``compiled`` is ``matrix.as_matrix()``, passed to grade many at once."""
    result = grading.grade(
        point.scores, compiled or matrix.as_matrix(), category=point.power.category, holder=point.holder
    )
    point.grade, point.score, point.grade_reason, point.matrix = (
        result.grade,
        result.score,
        result.reason[:300],
        matrix,
    )


def _check_scores(values: dict) -> None:
    for name in SCORE_FIELDS:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ValidationError({name: _("评分应为 1 至 5 的整数。")})


# --- risk points --------------------------------------------------------------------------------


def _check_placement(department, values: dict) -> None:
    power, step, post = values.get("power"), values.get("step"), values.get("post")
    errors = {}
    if power is None or power.department_id != department.pk:
        errors["power"] = _("风险点只能挂在本单位的权力事项上。")
    if post is None or post.department_id != department.pk:
        errors["post"] = _("岗位应为本单位的岗位。")
    if step is not None and power is not None and step.flowchart.power_id != power.pk:
        errors["step"] = _("流程环节应属于所选权力事项的流程图。")
    if errors:
        raise ValidationError(errors)


def declare_point(*, by, department, **values) -> RiskPoint:
    """查点: declare a risk point of ``department`` as a draft, graded by the current matrix.

    Department staff of ``department`` (or an administrator) only. ``values`` are ``POINT_FIELDS``.
    """
    require(permissions.can_declare(by, department), _("只有本单位工作人员可以申报本单位的廉政风险点。"))
    unknown = set(values) - set(POINT_FIELDS)
    if unknown:
        raise ValidationError(f"未知字段：{', '.join(sorted(unknown))}")
    _check_placement(department, values)
    _check_scores(values)
    _refuse_markup(values)
    with transaction.atomic():
        point = RiskPoint(department=department, status=RiskPointStatus.DRAFT, declared_by=by, **values)
        point.code = "pending"
        apply_grade(point, current_matrix())
        point.full_clean(exclude=["code", "matrix"])
        _save_numbered(point, "code", point_prefix(department))
        audit.record(by, "risks.point.declare", point, after=snapshot(point))
    return point


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def update_point(point: RiskPoint, *, by, **changes) -> RiskPoint:
    """Edit a draft or returned risk point (the declaring department only); re-graded at once."""
    unknown = set(changes) - set(POINT_FIELDS)
    if unknown:
        raise ValidationError(f"不能通过修改变更这些字段：{', '.join(sorted(unknown))}")
    _refuse_markup(changes)
    with transaction.atomic():
        point = _lock(RiskPoint, point)
        if point.status not in EDITABLE_STATUSES:
            raise ValidationError(_("只有草稿或退回的风险点可以修改；已确认的请先提出修订。"))
        require(permissions.can_edit(by, point), _("只有本单位工作人员可以修改本单位的风险点。"))
        before = snapshot(point)
        for name, value in changes.items():
            setattr(point, name, value)
        _check_placement(point.department, {n: getattr(point, n) for n in ("power", "step", "post")})
        _check_scores(point.scores)
        apply_grade(point, current_matrix())
        point.full_clean()
        point.save()
        audit.record(by, "risks.point.update", point, before=before, after=snapshot(point))
    return point


def _move(point: RiskPoint, to_status: str) -> dict:
    check_transition(RISK_POINT_TRANSITIONS, point.status, to_status, RiskPointStatus, "风险点")
    before = {"status": point.status, "version": point.version}
    point.status = to_status
    return before


def submit_point(point: RiskPoint, *, by) -> RiskPoint:
    """Submit a draft for the inspection office's review; the submitted content is kept as a version."""
    with transaction.atomic():
        point = _lock(RiskPoint, point)
        require(
            permissions.can_declare(by, point.department), _("只有本单位工作人员可以申报本单位的风险点。")
        )
        before = _move(point, RiskPointStatus.SUBMITTED)
        point.save()
        RiskPointVersion.objects.create(
            point=point,
            version=point.version,
            content=audit._canonical(snapshot(point)),
            status=RiskPointStatus.SUBMITTED,
            submitted_by=by,
        )
        audit.record(by, "risks.point.submit", point, before=before, after=snapshot(point))
    return point


def _decide_version(point: RiskPoint, status: str, by, note: str) -> None:
    RiskPointVersion.objects.filter(point=point, version=point.version, decided_at__isnull=True).update(
        status=status, decided_by=by, decided_at=timezone.now(), note=note
    )


def confirm_point(point: RiskPoint, *, by, note: str = "") -> RiskPoint:
    """The inspection office confirms a submitted risk point; it enters the public catalogue."""
    with transaction.atomic():
        point = _lock(RiskPoint, point)
        require(permissions.is_office(by), _("只有纪检监察机关可以确认风险点。"))
        before = _move(point, RiskPointStatus.CONFIRMED)
        point.review_note = (note or "").strip()
        point.confirmed_by, point.confirmed_at = by, timezone.now()
        point.save()
        _decide_version(point, RiskPointStatus.CONFIRMED, by, point.review_note)
        audit.record(
            by, "risks.point.confirm", point, before=before, after=snapshot(point), note=point.review_note
        )
    return point


def return_point(point: RiskPoint, *, by, reason: str) -> RiskPoint:
    """The inspection office returns a submitted risk point with its reasons."""
    reason = _clean_text(reason, "reason", _("退回须说明理由。"))
    with transaction.atomic():
        point = _lock(RiskPoint, point)
        require(permissions.is_office(by), _("只有纪检监察机关可以退回风险点。"))
        before = _move(point, RiskPointStatus.RETURNED)
        point.review_note = reason
        point.save()
        _decide_version(point, RiskPointStatus.RETURNED, by, reason)
        audit.record(by, "risks.point.return", point, before=before, after=snapshot(point), note=reason)
    return point


def revise_point(point: RiskPoint, *, by, reason: str) -> RiskPoint:
    """Open a new draft version of a confirmed point (the confirmed versions stay in its history).

    Limitation: the point leaves the public catalogue until the new version is confirmed.
    """
    reason = _clean_text(reason, "reason", _("修订须说明理由。"))
    with transaction.atomic():
        point = _lock(RiskPoint, point)
        require(
            permissions.can_declare(by, point.department), _("只有本单位工作人员可以修订本单位的风险点。")
        )
        before = _move(point, RiskPointStatus.DRAFT)
        point.version += 1
        point.review_note = ""
        point.save()
        audit.record(by, "risks.point.revise", point, before=before, after=snapshot(point), note=reason)
    return point


def adjust_scores(point: RiskPoint, *, by, reason: str, **scores) -> RiskPoint:
    """The inspection office adjusts the scores with a reason; the point is re-graded at once."""
    reason = _clean_text(reason, "reason", _("调整评分须说明理由。"))
    if not scores or set(scores) - set(SCORE_FIELDS):
        raise ValidationError(_("请填写要调整的评分：可能性、危害程度、行使频率、裁量空间。"))
    with transaction.atomic():
        point = _lock(RiskPoint, point)
        require(permissions.can_adjust_scores(by, point), _("只有纪检监察机关可以调整风险点评分。"))
        before = {**point.scores, "grade": point.grade, "score": point.score}
        merged = {**point.scores, **scores}
        _check_scores(merged)
        for name, value in merged.items():
            setattr(point, name, value)
        point.score_note = reason
        apply_grade(point, current_matrix())
        point.save()
        after = {**point.scores, "grade": point.grade, "score": point.score}
        audit.record(by, "risks.point.adjust_scores", point, before=before, after=after, note=reason)
    return point


def change_matrix(
    *, by, weights: dict, a_threshold, b_threshold, overrides, reason: str
) -> tuple[GradingMatrix, int]:
    """A new version of the grading matrix; re-grades every risk point. Administrators only.

    Returns ``(matrix, changed)`` where ``changed`` is the number of points whose grade changed.
    Each re-graded point's ``grade_reason`` names the matrix version; one audit event records the
    old and new matrix, the reason and the grade counts before and after.
    """
    require(permissions.can_change_matrix(by), _("只有系统管理员可以调整风险评级矩阵。"))
    reason = _clean_text(reason, "reason", _("调整评级矩阵须说明理由。"))
    from powers.choices import Category

    try:
        compiled = grading.make_matrix(
            weights, a_threshold, b_threshold, overrides, categories=Category.values
        )
    except grading.MatrixError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        old = GradingMatrix.objects.select_for_update().filter(is_current=True).first() or current_matrix()
        GradingMatrix.objects.filter(pk=old.pk).update(is_current=False)
        matrix = GradingMatrix.objects.create(
            version=old.version + 1,
            weight_likelihood=compiled.weights["likelihood"],
            weight_harm=compiled.weights["harm"],
            weight_frequency=compiled.weights["frequency"],
            weight_discretion=compiled.weights["discretion"],
            a_threshold=compiled.a_threshold,
            b_threshold=compiled.b_threshold,
            overrides=[rule.as_dict() for rule in compiled.overrides],
            reason=reason,
            created_by=by,
        )
        changed, counts_before, counts_after = regrade_all(matrix, compiled, reason=reason)
        audit.record(
            by,
            "risks.matrix.change",
            matrix,
            before={"version": old.version, "weights": old.weights, "a": old.a_threshold, "b": old.b_threshold,
                    "overrides": old.overrides, "grades": counts_before},
            after={"version": matrix.version, "weights": matrix.weights, "a": matrix.a_threshold,
                   "b": matrix.b_threshold, "overrides": matrix.overrides, "grades": counts_after,
                   "changed": changed},
            note=reason,
        )  # fmt: skip
    return matrix, changed


def regrade_all(matrix: GradingMatrix, compiled: grading.Matrix, *, reason: str, batch: int = 2000):
    """Re-grade every risk point with ``matrix`` (bulk, in batches). Returns (changed, before, after)."""
    counts_before = {g: 0 for g in Grade.values}
    counts_after = {g: 0 for g in Grade.values}
    changed = 0
    note = f"评级矩阵 v{matrix.version}：{reason}"
    queryset = (
        RiskPoint.objects.select_for_update(of=("self",))
        .select_related("power")
        .only("id", "grade", "score", "grade_reason", "matrix", "holder", "power__category", *SCORE_FIELDS)
    )
    pending = []
    for point in queryset.order_by("id").iterator(chunk_size=batch):
        counts_before[point.grade] = counts_before.get(point.grade, 0) + 1
        old_grade = point.grade
        apply_grade(point, matrix, compiled)
        if point.grade != old_grade:
            changed += 1
            point.grade_reason = f"{point.grade_reason}（{note}，原{old_grade}级）"[:300]
        counts_after[point.grade] += 1
        pending.append(point)
        if len(pending) >= batch:
            RiskPoint.objects.bulk_update(pending, ["grade", "score", "grade_reason", "matrix"])
            pending = []
    if pending:
        RiskPoint.objects.bulk_update(pending, ["grade", "score", "grade_reason", "matrix"])
    return changed, counts_before, counts_after


def acknowledge_list(post, *, by) -> Acknowledgement:
    """A civil servant acknowledges the power-risk list of a post they hold (签认), with today's date."""
    require(permissions.can_acknowledge_list(by, post), _("只能签认本人所在岗位的权力风险清单。"))
    with transaction.atomic():
        codes = list(
            RiskPoint.objects.public().filter(post=post).order_by("code").values_list("code", flat=True)
        )
        ack = Acknowledgement.objects.create(person=by, post=post, points=codes)
        audit.record(by, "risks.list.acknowledge", ack, after={"post": post.pk, "points": codes})
    return ack


# --- the three-level warning loop ---------------------------------------------------------------


def record_information(
    *,
    by,
    source: str,
    title: str,
    content: str,
    department,
    person=None,
    power=None,
    risk_point=None,
    source_ref: str = "",
    now: datetime | None = None,
) -> tuple[RiskInformation, bool]:
    """信息收集: record a piece of risk information. Returns ``(information, created)``.

    ``by`` is an inspector, or None for a system intake (``risks.intake``). With a ``source_ref``
    (an alert's or a complaint's id) the same source gives the same information, however often.
    """
    if by is not None:
        require(permissions.can_record_information(by), _("只有纪检监察机关可以收集廉政风险信息。"))
    source = InformationSource(source)
    title = _clean_text(title, "title", _("请填写标题。"))[:200]
    content = _clean_text(content, "content", _("请填写情况说明。"))
    source_ref = str(source_ref or "")[:64]
    if source_ref:
        existing = RiskInformation.objects.filter(source=source, source_ref=source_ref).first()
        if existing is not None:
            return existing, False
    now = now or timezone.now()
    with transaction.atomic():
        info = RiskInformation(
            source=source,
            source_ref=source_ref,
            title=title,
            content=content,
            department=department,
            person=person,
            power=power,
            risk_point=risk_point,
            recorded_by=by,
            recorded_at=now,
        )
        try:
            _save_numbered(info, "number", f"廉信〔{now.year}〕")
        except IntegrityError:
            existing = RiskInformation.objects.filter(source=source, source_ref=source_ref).first()
            if existing is None:
                raise
            return existing, False
        audit.record(by, "risks.information.record", info, after={"source": source, "ref": source_ref,
                                                                   "department": department.pk})  # fmt: skip
    return info, True


def information_from_alert(alert_id, *, by) -> tuple[RiskInformation, bool]:
    """One click: turn a monitoring alert (overdue alarm, anomaly) into risk information.

    Reads the alert through ``monitoring.alerts.describe`` (never monitoring's models).
    """
    from monitoring.alerts import describe

    require(permissions.can_record_information(by), _("只有纪检监察机关可以收集廉政风险信息。"))
    alert = describe(alert_id)
    if alert is None:
        raise ValidationError({"alert": _("没有这条监察预警。")})
    if alert["department_id"] is None:
        raise ValidationError({"alert": _("该预警没有责任单位，请人工录入风险信息。")})
    content = "\n".join(
        part for part in (f"{alert['kind_label']}（{alert['level_label']}）：{alert['title']}",
                          f"对象：{alert['target_label']}", alert["detail"]) if part
    )  # fmt: skip
    return record_information(
        by=by,
        source=InformationSource.ALERT,
        source_ref=str(alert["id"]),
        title=alert["title"],
        content=content,
        department=Department.objects.get(pk=alert["department_id"]),
    )


def assess_information(info: RiskInformation, *, by, grade: str, assessment: str) -> RiskInformation:
    """分析评估: grade the information A/B/C with the office's assessment."""
    grade = Grade(grade)
    assessment = _clean_text(assessment, "assessment", _("请填写分析评估意见。"))
    with transaction.atomic():
        info = _lock(RiskInformation, info)
        require(permissions.can_assess_information(by, info), _("只有纪检监察机关可以评估风险信息。"))
        check_transition(
            INFORMATION_TRANSITIONS, info.status, InformationStatus.ASSESSED, InformationStatus, "风险信息"
        )
        before = {"status": info.status, "grade": info.grade}
        info.status, info.grade, info.assessment = InformationStatus.ASSESSED, grade, assessment
        info.assessed_by, info.assessed_at = by, timezone.now()
        info.save()
        audit.record(by, "risks.information.assess", info, before=before, after={"status": info.status,
                                                                                "grade": grade})  # fmt: skip
    return info


def dismiss_information(info: RiskInformation, *, by, reason: str) -> RiskInformation:
    """不予预警: close the information without a warning, with the reason."""
    reason = _clean_text(reason, "reason", _("请说明不予预警的理由。"))
    with transaction.atomic():
        info = _lock(RiskInformation, info)
        require(permissions.can_assess_information(by, info), _("只有纪检监察机关可以评估风险信息。"))
        check_transition(
            INFORMATION_TRANSITIONS, info.status, InformationStatus.DISMISSED, InformationStatus, "风险信息"
        )
        before = {"status": info.status}
        info.status = InformationStatus.DISMISSED
        info.assessment = (info.assessment + "\n" if info.assessment else "") + f"不予预警：{reason}"
        info.save()
        audit.record(
            by, "risks.information.dismiss", info, before=before, after={"status": info.status}, note=reason
        )
    return info


def issue_warning(
    info: RiskInformation,
    *,
    by,
    content: str,
    requirements: str,
    department=None,
    person=None,
    level: str | None = None,
    now: datetime | None = None,
) -> WarningNotice:
    """风险预警: issue a red/yellow/blue warning notice (colour from the grade unless given)."""
    content = _clean_text(content, "content", _("请填写预警内容。"))
    requirements = _clean_text(requirements, "requirements", _("请填写防范要求。"))
    now = now or timezone.now()
    with transaction.atomic():
        info = _lock(RiskInformation, info)
        require(permissions.can_issue_warning(by, info), _("只有纪检监察机关可以发出廉政风险预警。"))
        check_transition(
            INFORMATION_TRANSITIONS, info.status, InformationStatus.WARNED, InformationStatus, "风险信息"
        )
        level = WarningLevel(level) if level else LEVEL_OF_GRADE[Grade(info.grade)]
        department = department or info.department
        if (
            person is not None
            and getattr(getattr(person, "staff_profile", None), "department_id", None) != department.pk
        ):
            raise ValidationError({"person": _("预警对象应为预警单位的工作人员。")})
        warning = WarningNotice(
            information=info,
            level=level,
            department=department,
            person=person,
            content=content,
            requirements=requirements,
            issued_by=by,
            issued_at=now,
        )
        _save_numbered(warning, "number", f"廉警〔{now.year}〕")
        before = {"status": info.status}
        info.status = InformationStatus.WARNED
        info.save(update_fields=["status"])
        audit.record(by, "risks.warning.issue", warning, before=before,
                     after={"level": level, "department": department.pk, "person": getattr(person, "pk", None)})  # fmt: skip
    return warning


def acknowledge_warning(warning: WarningNotice, *, by) -> WarningNotice:
    """签收: the addressed department (or person) acknowledges the warning."""
    with transaction.atomic():
        warning = _lock(WarningNotice, warning)
        check_transition(
            WARNING_TRANSITIONS, warning.status, WarningStatus.ACKNOWLEDGED, WarningStatus, "预警警报"
        )
        require(permissions.can_acknowledge_warning(by, warning), _("只有预警对象可以签收预警警报。"))
        warning.status, warning.acknowledged_by, warning.acknowledged_at = (
            WarningStatus.ACKNOWLEDGED,
            by,
            timezone.now(),
        )
        warning.save()
        audit.record(by, "risks.warning.acknowledge", warning, before={"status": WarningStatus.ISSUED},
                     after={"status": warning.status})  # fmt: skip
    return warning


def _deadline(days, today):
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DEADLINE_DAYS:
        raise ValidationError({"deadline_days": f"整改期限应为 1 至 {MAX_DEADLINE_DAYS} 个工作日。"})
    return workdays.add_working_days(today, days)


def _start_order_timer(order: SupervisionOrder, now: datetime) -> None:
    """The rectification deadline is a monitoring timer: reminder the working day before, alarm after."""
    due_at = workdays.end_of_working_day(order.deadline_on)
    warn_at = workdays.end_of_working_day(workdays.subtract_working_days(order.deadline_on, 1))
    timers.start(
        order,
        purpose=ORDER_TIMER,
        due_at=due_at,
        warn_at=min(max(warn_at, now), due_at),
        department=order.department,
        person=order.person,
        label=f"{order.number} 廉政风险督办整改期限",
        at=now,
    )


def issue_order(
    info: RiskInformation,
    *,
    by,
    plan: str,
    deadline_days: int,
    prevention: str = "",
    warning: WarningNotice | None = None,
    department=None,
    person=None,
    now: datetime | None = None,
) -> SupervisionOrder:
    """督办: a supervision order with a rectification plan and a deadline in working days (a timer).

    ``now`` back-dates the order (demo data and tests); the deadline counts from its date.
    """
    plan = _clean_text(plan, "plan", _("请填写整改方案要求。"))
    _refuse_markup({"prevention": prevention})
    now = now or timezone.now()
    deadline_on = _deadline(deadline_days, timezone.localdate(now))
    with transaction.atomic():
        info = _lock(RiskInformation, info)
        require(permissions.can_issue_order(by, info), _("只有纪检监察机关可以发出廉政风险督办书。"))
        if info.status not in (InformationStatus.ASSESSED, InformationStatus.WARNED):
            raise ValidationError(_("风险信息须先分析评估，才能发出督办书。"))
        if warning is not None and warning.information_id != info.pk:
            raise ValidationError({"warning": _("预警警报应属于同一条风险信息。")})
        order = SupervisionOrder(
            information=info,
            warning=warning,
            department=department or (warning.department if warning else info.department),
            person=person if person is not None else (warning.person if warning else info.person),
            plan=plan,
            prevention=(prevention or "").strip(),
            deadline_days=deadline_days,
            deadline_on=deadline_on,
            issued_by=by,
            issued_at=now,
        )
        _save_numbered(order, "number", f"廉督〔{now.year}〕")
        _start_order_timer(order, now)
        audit.record(by, "risks.order.issue", order, after={"department": order.department_id,
                                                            "deadline_on": deadline_on, "status": order.status})  # fmt: skip
    return order


def _move_order(order: SupervisionOrder, to_status: str) -> dict:
    check_transition(ORDER_TRANSITIONS, order.status, to_status, OrderStatus, "督办书")
    before = {"status": order.status}
    order.status = to_status
    return before


def answer_order(
    order: SupervisionOrder, *, by, rectification: str, now: datetime | None = None
) -> SupervisionOrder:
    """跟踪反馈: the department reports its rectification; the deadline timer stops at the answer."""
    rectification = _clean_text(rectification, "rectification", _("请填写整改情况。"))
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(SupervisionOrder, order)
        before = _move_order(order, OrderStatus.ANSWERED)
        order.status = before["status"]  # permission is judged on the state before the move
        require(permissions.can_answer_order(by, order), _("只有督办书所列整改单位可以报送整改情况。"))
        order.status = OrderStatus.ANSWERED
        order.rectification, order.answered_by, order.answered_at = rectification, by, now
        order.save()
        timers.stop(order, ORDER_TIMER, at=now)
        audit.record(by, "risks.order.answer", order, before=before, after={"status": order.status})
    return order


def close_order(order: SupervisionOrder, *, by, note: str = "") -> SupervisionOrder:
    """核实办结: the office verifies the rectification and closes the order (on time or not)."""
    with transaction.atomic():
        order = _lock(SupervisionOrder, order)
        require(permissions.is_office(by), _("只有纪检监察机关可以核实办结督办书。"))
        before = _move_order(order, OrderStatus.CLOSED)
        order.review_note = (note or "").strip()
        order.verified_by, order.closed_at = by, timezone.now()
        order.closed_on_time = timezone.localdate(order.answered_at) <= order.deadline_on
        order.save()
        audit.record(by, "risks.order.close", order, before=before,
                     after={"status": order.status, "on_time": order.closed_on_time})  # fmt: skip
    return order


def return_order(order: SupervisionOrder, *, by, reason: str, deadline_days: int) -> SupervisionOrder:
    """核实退回: the rectification is not enough; a new deadline (a new timer) is set."""
    reason = _clean_text(reason, "reason", _("退回须说明理由。"))
    now = timezone.now()
    deadline_on = _deadline(deadline_days, timezone.localdate(now))
    with transaction.atomic():
        order = _lock(SupervisionOrder, order)
        require(permissions.is_office(by), _("只有纪检监察机关可以退回整改。"))
        before = _move_order(order, OrderStatus.RETURNED)
        order.review_note = reason
        order.deadline_days, order.deadline_on = deadline_days, deadline_on
        order.save()
        _start_order_timer(order, now)
        audit.record(by, "risks.order.return", order, before=before,
                     after={"status": order.status, "deadline_on": deadline_on}, note=reason)  # fmt: skip
    return order


def share_integrity_file(person, *, viewer, by, reason: str):
    """The office shares ``person``'s integrity file with ``viewer`` (e.g. their department head), with a reason."""
    from .models import IntegrityFileShare

    reason = _clean_text(reason, "reason", _("共享廉政档案须说明理由。"), max_length=200)
    require(permissions.is_office(by), _("只有纪检监察机关可以共享廉政档案。"))
    if viewer.pk == person.pk:
        raise ValidationError({"viewer": _("本人本就可以查看自己的廉政档案。")})
    with transaction.atomic():
        share, _created = IntegrityFileShare.objects.update_or_create(
            person=person,
            viewer=viewer,
            defaults={"reason": reason, "shared_by": by, "shared_at": timezone.now()},
        )
        audit.record(by, "risks.integrity_file.share", share, after={"person": person.pk, "viewer": viewer.pk},
                     note=reason)  # fmt: skip
    return share
