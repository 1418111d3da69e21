"""Demo data of the integrity-risk app (``seed_demo`` runs it after powers).

Small scale: risk points on the demo powers in every grade and type (most confirmed in bulk, a few
through the verbs in draft, submitted and returned), the heat-map figures that follow, one warning
of each colour, a supervision order in each state — one past its deadline with its overdue alarm
raised by the sweep — and the demo handler's integrity file (warning, order, evaluation).

City scale (``--scale city``): about 7,800 confirmed points over the city's powers with the seeds'
A:B:C mix (453 : 1,264 : 2,419), bulk-created in batches.
Runs once: with risk points already present it does nothing.
"""

from datetime import date, timedelta
from decimal import Decimal
from itertools import cycle

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.models import Post
from powers.choices import Category, PowerStatus
from powers.models import FlowStep, Power

from .. import grading, services
from ..choices import (
    SATISFACTION_FLAG_BELOW,
    DiscoverySource,
    Grade,
    Holder,
    RiskPointStatus,
    RiskType,
)
from ..models import DemocraticEvaluation, RiskPoint, SelfReview

# Score patterns (likelihood, harm, frequency, discretion) giving each grade under the default matrix.
PATTERNS = {
    Grade.A: [(5, 5, 4, 4), (4, 5, 3, 3), (5, 4, 3, 3), (4, 4, 4, 4)],
    Grade.B: [(3, 4, 3, 2), (4, 3, 2, 2), (3, 3, 3, 3), (2, 4, 3, 3)],
    Grade.C: [(2, 2, 1, 2), (1, 2, 2, 1), (2, 3, 2, 2), (1, 1, 1, 1), (3, 2, 1, 1)],
}
SEED_MIX = {Grade.A: 453, Grade.B: 1264, Grade.C: 2419}  # one city, 60 units (DOMAIN.md §2)
CITY_TOTAL = 7818  # Xiamen's municipal organs

TITLES = {
    RiskType.MORAL: [("利用职权收受服务对象财物", "借办事之机索取、收受礼品礼金"), ("与服务对象存在利益往来", "在管理对象处兼职或入股")],
    RiskType.INSTITUTIONAL: [("审批标准不细化", "自由裁量基准未细化，同类事项处理结果不一"), ("监督制约不到位", "关键环节一人说了算，缺少会审")],
    RiskType.OPERATIONAL: [("故意拖延办理", "对符合条件的申请无故拖延、刁难"), ("违规减免处罚", "擅自降低处罚档次或减免罚款"), ("违规放宽条件", "对不符合条件的申请予以通过")],
}  # fmt: skip
MEASURES = "一次性告知；限时办结；受理、审核、审批岗位分离；重大事项集体讨论；电子监察全程留痕"
COMMITMENT = "严守廉洁纪律，不收受服务对象任何财物，不利用职权为本人或他人谋取利益。"
SEPARATION = "受理与审核分离、审核与审批分离；罚缴分离；重大事项会审"


def _grade_for(power, target: str) -> str:
    """Internal-management ('other') powers are C by the override rule whatever the target."""
    return Grade.C if power.category == Category.OTHER else target


def _build(
    power, step, post, target, n, matrix, compiled, *, status=RiskPointStatus.CONFIRMED, holder=Holder.STAFF
):
    target = _grade_for(power, target)
    likelihood, harm, frequency, discretion = PATTERNS[target][n % len(PATTERNS[target])]
    risk_type = list(RiskType)[n % 3]
    title, description = TITLES[risk_type][n % len(TITLES[risk_type])]
    point = RiskPoint(
        department_id=power.department_id,
        power=power,
        step=step,
        post=post,
        title=f"{step.name if step else power.name[:12]}：{title}",
        risk_type=risk_type,
        source=list(DiscoverySource)[n % len(DiscoverySource)],
        holder=holder,
        description=description,
        measures=MEASURES,
        responsible_name=["张伟", "刘振华", "陈静", "李明", "王芳"][n % 5],
        commitment=COMMITMENT,
        separation_rules=SEPARATION,
        likelihood=likelihood,
        harm=harm,
        frequency=frequency,
        discretion=discretion,
        status=status,
        confirmed_at=timezone.now() if status == RiskPointStatus.CONFIRMED else None,
    )
    point.power = power
    services.apply_grade(point, matrix, compiled)
    return point


def seed(scale: str, stdout) -> None:
    if RiskPoint.objects.exists():
        stdout.write("    risks already seeded")
        return
    matrix = services.current_matrix()
    compiled = matrix.as_matrix()
    with transaction.atomic():
        _seed_points(matrix, compiled, stdout)
        _seed_workflow(stdout)
        _seed_loop(stdout)
    if scale == "city":
        _seed_city(matrix, compiled, stdout)


def _published_powers():
    return list(
        Power.objects.filter(status=PowerStatus.PUBLISHED, is_current=True)
        .select_related("department")
        .order_by("department__code", "code")
    )


def _steps_by_power(power_ids):
    steps = {}
    for step in (
        FlowStep.objects.filter(flowchart__power_id__in=power_ids).select_related("post").order_by("order")
    ):
        steps.setdefault(step.flowchart.power_id, []).append(step)
    return steps


def _first_posts(department_ids):
    posts = {}
    for post in Post.objects.filter(department_id__in=department_ids).order_by("code"):
        posts.setdefault(post.department_id, post)
    return posts


def _seed_points(matrix, compiled, stdout):
    powers = _published_powers()[:60]
    steps = _steps_by_power([p.pk for p in powers])
    posts = _first_posts({p.department_id for p in powers})
    grades = cycle([Grade.A, Grade.B, Grade.C, Grade.C, Grade.B, Grade.C])
    points, n = [], 0
    for power in powers:
        chart = steps.get(power.pk, [])
        post_default = posts.get(power.department_id)
        for step in chart[:3] or [None]:
            post = (step.post if step and step.post_id else None) or post_default
            if post is None:
                continue
            holder = (
                Holder.HEAD
                if power.category in (Category.PENALTY, Category.LEVY) and n % 7 == 0
                else Holder.STAFF
            )
            points.append(_build(power, step, post, next(grades), n, matrix, compiled, holder=holder))
            n += 1
    services.number_points(points)
    RiskPoint.objects.bulk_create(points, batch_size=1000)
    counts = {g: sum(1 for p in points if p.grade == g) for g in Grade.values}
    stdout.write(f"    {len(points)} risk points (A {counts['A']}, B {counts['B']}, C {counts['C']})")


def _seed_workflow(stdout):
    """A few points of the demo department through the verbs: draft, submitted, returned."""
    User = get_user_model()
    handler, inspector = (
        User.objects.filter(username="handler").first(),
        User.objects.filter(username="inspector").first(),
    )
    if handler is None or inspector is None:
        return
    department = handler.staff_profile.department
    power = Power.objects.filter(department=department, status=PowerStatus.PUBLISHED, is_current=True).first()
    post = handler.staff_profile.posts.first()
    if power is None or post is None:
        return
    step = FlowStep.objects.filter(flowchart__power=power).order_by("order").first()

    def declare(title, **scores):
        return services.declare_point(
            by=handler, department=department, power=power, step=step, post=post, title=title,
            risk_type=RiskType.OPERATIONAL, source=DiscoverySource.LEADER, holder=Holder.STAFF,
            description="现场检查时对违法行为定性随意", measures="双人检查；执法记录仪全程记录；案件集体审理",
            responsible_person=handler, responsible_name="张伟", commitment=COMMITMENT, separation_rules=SEPARATION,
            **{"likelihood": 3, "harm": 3, "frequency": 3, "discretion": 3, **scores},
        )  # fmt: skip

    declare("现场检查：执法尺度不一（草稿）")
    submitted = declare("现场检查：选择性执法", harm=4)
    services.submit_point(submitted, by=handler)
    returned = declare("现场检查：检查结果不公开", likelihood=2)
    services.submit_point(returned, by=handler)
    services.return_point(returned, by=inspector, reason="防控措施过于笼统，请写明公开的渠道和时限。")
    stdout.write("    3 risk points in the declaration workflow (draft, submitted, returned)")


def _seed_loop(stdout):
    User = get_user_model()
    inspector = User.objects.filter(username="inspector").first()
    handler = User.objects.filter(username="handler").first()
    head = User.objects.filter(username="head").first()
    if inspector is None or handler is None or head is None:
        stdout.write("    no demo inspector/handler/head: no warnings")
        return
    department = handler.staff_profile.department
    now = timezone.now()

    def info(title, grade, person=None, days_ago=0):
        record, _ = services.record_information(
            by=inspector, source="manual", title=title, content=f"{title}。经初步核实，情况基本属实。",
            department=department, person=person, now=now - timedelta(days=days_ago),
        )  # fmt: skip
        return services.assess_information(
            record, by=inspector, grade=grade, assessment="风险等级评估：" + grade
        )

    red = info("执法人员多次对同一商户减免处罚", "A", person=handler, days_ago=40)
    red_warning = services.issue_warning(
        red, by=inspector, content="你在行政处罚中多次降低处罚档次，存在较大廉政风险。",
        requirements="严格执行裁量基准，降档须集体讨论并说明理由。", person=handler, now=now - timedelta(days=40),
    )  # fmt: skip
    yellow = info("受理窗口存在“吃拿卡要”反映", "B", days_ago=20)
    services.issue_warning(
        yellow, by=inspector, content="群众反映受理窗口存在刁难现象。", requirements="一次性告知，限时办结。",
        now=now - timedelta(days=20),
    )  # fmt: skip
    blue = info("内部管理制度更新不及时", "C", days_ago=10)
    services.issue_warning(
        blue, by=inspector, content="部分内控制度多年未修订。", requirements="三个月内完成修订。"
    )
    # Orders: past deadline (alarm), issued, answered, returned, closed.
    overdue = services.issue_order(
        red, by=inspector, plan="对近一年降档处罚案件逐案复查，建立降档集体讨论台账。", deadline_days=10,
        warning=red_warning, now=now - timedelta(days=40),
    )  # fmt: skip
    services.issue_order(yellow, by=inspector, plan="窗口服务规范整改，公开投诉电话。", deadline_days=15)
    answered = services.issue_order(
        yellow, by=inspector, plan="建立首问负责制。", deadline_days=10, now=now - timedelta(days=5)
    )
    services.answer_order(answered, by=head, rectification="已建立首问负责制并公示。")
    returned = services.issue_order(
        blue, by=inspector, plan="修订内控制度。", deadline_days=10, now=now - timedelta(days=8)
    )
    services.answer_order(returned, by=head, rectification="已修订两项制度。")
    services.return_order(returned, by=inspector, reason="尚有三项制度未修订。", deadline_days=10)
    closed = services.issue_order(
        blue, by=inspector, plan="公开权力运行流程图。", deadline_days=10, now=now - timedelta(days=9)
    )
    services.answer_order(closed, by=head, rectification="已在门户网站和服务窗口公开。")
    services.close_order(closed, by=inspector, note="经核实已公开。")
    # The integrity file: a democratic evaluation below 60%, flagged for the office's decision.
    today = timezone.localdate()
    start = date(today.year, 1, 1) if today.month > 6 else date(today.year - 1, 7, 1)
    for person, respondents, satisfied in ((handler, 40, 22), (head, 40, 35)):
        DemocraticEvaluation.objects.create(
            person=person, department=department, period_start=start, period_end=start + timedelta(days=180),
            respondents=respondents, satisfied=satisfied,
            satisfaction=(Decimal(satisfied) * 100 / respondents).quantize(Decimal("0.01")),
            flagged=satisfied * 100 < SATISFACTION_FLAG_BELOW * respondents, recorded_by=inspector,
        )  # fmt: skip
    # The last quarter's self-reviews (timed), one submitted; evidence for one of the ten clarities.
    from .. import reviews

    last_quarter = (today.month - 1) // 3 or 4
    reviews.open_self_reviews(today.year if today.month > 3 else today.year - 1, last_quarter)
    review = SelfReview.objects.filter(department=department).first()
    if review is not None:
        reviews.submit_self_review(
            review, by=head, report="对本单位全部风险点逐一自查，防控措施落实到位，未发现新的风险点。"
        )
    reviews.record_clarity_evidence(
        department, by=head, clarity="leading_group", evidence="《关于成立廉政风险防控工作领导小组的通知》"
    )
    from monitoring.timers import run_sweep

    transaction.on_commit(run_sweep)  # the overdue order's alarm (monitoring's demo sweeps again later)
    stdout.write(
        f"    3 warnings (red, yellow, blue), 5 supervision orders ({overdue.number} past its deadline)"
    )


def _seed_city(matrix, compiled, stdout, batch: int = 2000):
    """≈7,800 confirmed points with the seeds' A:B:C mix, bulk-created in batches."""
    have = set(RiskPoint.objects.values_list("power_id", flat=True).distinct())
    powers = [p for p in _published_powers() if p.pk not in have]  # one query, not one per power
    if not powers:
        return
    eligible = [p for p in powers if p.category != Category.OTHER]
    total = CITY_TOTAL - RiskPoint.objects.count()
    mix_total = sum(SEED_MIX.values())
    targets = {g: round(total * n / mix_total) for g, n in SEED_MIX.items()}
    steps = _steps_by_power([p.pk for p in powers])
    posts = _first_posts({p.department_id for p in powers})
    sequence = [Grade.A] * targets[Grade.A] + [Grade.B] * targets[Grade.B]
    sequence += [Grade.C] * (total - len(sequence))
    # Interleave so every department gets every grade; C targets may fall on 'other' powers.
    sequence.sort(key=lambda g: hash((g, id(sequence))) % 7)
    created, n = 0, 0
    pool = cycle(powers)
    eligible_pool = cycle(eligible or powers)
    pending = []
    for target in sequence:
        power = next(eligible_pool) if target != Grade.C else next(pool)
        chart = steps.get(power.pk) or [None]
        step = chart[n % len(chart)]
        post = (step.post if step and step.post_id else None) or posts.get(power.department_id)
        n += 1
        if post is None:
            continue
        pending.append(_build(power, step, post, target, n, matrix, compiled))
        if len(pending) >= batch:
            with transaction.atomic():
                services.number_points(pending)
                RiskPoint.objects.bulk_create(pending, batch_size=batch)
            created += len(pending)
            pending = []
    if pending:
        with transaction.atomic():
            services.number_points(pending)
            RiskPoint.objects.bulk_create(pending, batch_size=batch)
        created += len(pending)
    counts = {row: RiskPoint.objects.filter(grade=row).count() for row in Grade.values}
    stdout.write(f"    city: {created} more risk points; A {counts['A']}, B {counts['B']}, C {counts['C']}")


__all__ = ["seed", "grading"]
