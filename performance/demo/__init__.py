"""Demo data of the appraisal, through the verbs (``seed_demo`` runs it after approvals and monitoring).

- 2024 and 2025: Xiamen's five series (each department in the series its record names), each with
  its own indicator system and rater weights; routine-check figures with evidence, survey results of
  the nine surveyed rater kinds, online votes; computed, ranked and published. Consequences: units
  graded 一般/差 barred from the award, the last three of each series owe a rectification report —
  2024's reports submitted and accepted, 2025's open, one of them past its deadline so the sweep has
  raised its overdue alarm — and every result entered in the unit heads' records.
- 2026 (in progress): Shenyang's class A and four class-B groups; online evaluation open with some
  votes, key-task criteria declared (one approved, one returned), a unit's figure waiting for its check.

Runs once: with an appraisal year present it does nothing.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from monitoring import timers
from monitoring.timers import run_sweep
from portal.choices import AppraisalSeries, Level
from portal.models import Department, StaffProfile
from portal.roles import ADMINISTRATOR, APPRAISER, DEPT_HEAD, department_of

from .. import services
from ..choices import RECTIFICATION_TIMER, Direction, RaterKind, Rule, Source
from ..models import (
    AppraisalYear,
    Category,
    Indicator,
    Membership,
    Period,
    RaterWeight,
    Rectification,
    Series,
)

K = RaterKind
SURVEYED = [k for k in RaterKind if k != K.ONLINE]

XIAMEN = [
    # code, name, portal series, rater weights
    ("district", "区党委和政府", AppraisalSeries.DISTRICT_PARTY_GOV,
     {K.DEPUTIES: 15, K.CPPCC: 10, K.RESIDENTS: 25, K.ENTERPRISES: 10, K.ONLINE: 10, K.CITY_DISTRICT_MUTUAL: 15,
      K.ON_SITE: 15}),
    ("party_mass", "党群部门", AppraisalSeries.PARTY_MASS,
     {K.DEPUTIES: 15, K.CPPCC: 15, K.CONDUCT: 20, K.PARTY_GOV_MUTUAL: 30, K.ONLINE: 20}),
    ("gov_dept", "政府部门和管委会", AppraisalSeries.GOV_DEPARTMENT,
     {K.DEPUTIES: 10, K.CPPCC: 10, K.RESIDENTS: 10, K.ENTERPRISES: 10, K.SERVICE_USERS: 15, K.ONLINE: 10,
      K.CONDUCT: 10, K.PARTY_GOV_MUTUAL: 10, K.CITY_DISTRICT_MUTUAL: 5, K.ON_SITE: 10}),
    ("central", "中央和省属驻市单位", AppraisalSeries.CENTRAL_PROVINCIAL,
     {K.ENTERPRISES: 30, K.SERVICE_USERS: 40, K.ONLINE: 30}),
    ("enterprise", "公共服务企业", AppraisalSeries.PUBLIC_ENTERPRISE,
     {K.RESIDENTS: 40, K.SERVICE_USERS: 30, K.ONLINE: 30}),
]  # fmt: skip

SHENYANG = [
    ("a", "区县政府和开发区", "A类", {K.DEPUTIES: 20, K.CPPCC: 20, K.RESIDENTS: 30, K.ONLINE: 30}),
    ("b1", "综合和社会管理服务部门", "B类", {K.SERVICE_USERS: 40, K.ONLINE: 30, K.CONDUCT: 30}),
    ("b2", "经济管理部门", "B类", {K.ENTERPRISES: 50, K.ONLINE: 50}),
    ("b3", "行政执法部门", "B类", {K.RESIDENTS: 30, K.ENTERPRISES: 30, K.ONLINE: 40}),
    ("b4", "中央和省属单位", "B类", {K.SERVICE_USERS: 50, K.ONLINE: 50}),
]
SHENYANG_B = {"SCJG": "b3", "CGJ": "b3", "GAJ": "b3", "HBJ": "b3", "GTJ": "b2", "ZJJ": "b2", "SWJ": "b4",
              "SWGS": "b4"}  # fmt: skip
WEAK = {"CGJ", "QCGJ"}  # units the demo makes score low (一般/差)


def _ind(category, code, name, weight, **kw):
    return Indicator.objects.create(category=category, code=code, name=name, weight=weight, **kw)


def _system(series, district: bool, available: set) -> None:
    """A two-level system whose weights add up; computed indicators only where their source exists."""
    if district:
        econ = Category.objects.create(series=series, name="经济发展", weight=30, order=1)
        _ind(econ, "gdp", "地区生产总值增长目标完成率", 60, unit="%", rule=Rule.LINEAR, target=100, floor=80,
             evidence="统计局核定数据", is_key_task=True)  # fmt: skip
        _ind(econ, "invest", "重点项目投资完成率", 40, unit="%", rule=Rule.LINEAR, target=100, floor=70,
             evidence="发改委项目台账")  # fmt: skip
        life = Category.objects.create(series=series, name="民生改善", weight=30, order=2)
        _ind(life, "livelihood", "为民办实事项目完成率", 100, unit="%", rule=Rule.BANDS,
             bands=[{"limit": 100, "score": 100}, {"limit": 90, "score": 80}, {"limit": 75, "score": 60}],
             evidence="项目验收材料", is_key_task=True)  # fmt: skip
        eco = Category.objects.create(series=series, name="生态环境", weight=20, order=3)
        _ind(eco, "air", "空气质量优良天数比例", 100, unit="%", rule=Rule.LINEAR, target=95, floor=80,
             evidence="生态环境局监测数据")  # fmt: skip
        gov = Category.objects.create(series=series, name="政府自身建设", weight=20, order=4)
        _efficiency(gov, available, weights=(50, 50))
    else:
        complaints = {
            "complaints.completion_rate",
            "complaints.satisfaction_rate",
            "complaints.grade",
        } <= available
        key_w, eff_w, law_w = (35, 30, 20) if complaints else (40, 35, 25)
        key = Category.objects.create(series=series, name="重点工作", weight=key_w, order=1)
        _ind(key, "key-task", "政府工作报告重点任务完成率", 70, unit="%", rule=Rule.LINEAR, target=100, floor=60,
             evidence="考评细则及完成情况佐证", is_key_task=True)  # fmt: skip
        _ind(key, "reform", "改革任务按期完成", 30, rule=Rule.PASS_FAIL, target=1, evidence="改革办督查通报",
             unit="项")  # fmt: skip
        eff = Category.objects.create(series=series, name="效能建设", weight=eff_w, order=2)
        _efficiency(eff, available, weights=(40, 30, 30))
        if complaints:
            hotline = Category.objects.create(series=series, name="投诉办理", weight=15, order=3)
            _ind(
                hotline,
                "complaint-completion",
                "诉求办结率",
                40,
                unit="%",
                rule=Rule.LINEAR,
                target=100,
                floor=80,
                source=Source.COMPUTED,
                source_key="complaints.completion_rate",
                evidence="统一受理投诉平台",
            )
            _ind(
                hotline,
                "complaint-satisfaction",
                "群众满意率",
                30,
                unit="%",
                rule=Rule.LINEAR,
                target=100,
                floor=70,
                source=Source.COMPUTED,
                source_key="complaints.satisfaction_rate",
                evidence="统一受理投诉平台",
            )
            _ind(
                hotline,
                "complaint-grade",
                "投诉办理质量等次",
                30,
                unit="分",
                rule=Rule.LINEAR,
                target=100,
                floor=0,
                source=Source.COMPUTED,
                source_key="complaints.grade",
                evidence="投诉办理质量评定",
            )
        law = Category.objects.create(series=series, name="依法行政", weight=law_w, order=4)
        if "monitoring.accountability" in available:
            _ind(law, "accountability", "问责记录", 50, unit="人次", direction=Direction.LOWER, rule=Rule.BANDS,
                 bands=[{"limit": 0, "score": 100}, {"limit": 1, "score": 80}, {"limit": 3, "score": 60}],
                 source=Source.COMPUTED, source_key="monitoring.accountability", evidence="问责决定")  # fmt: skip
            law_weight = 50
        else:
            law_weight = 100
        _ind(law, "law", "行政执法规范化检查", law_weight, unit="分", rule=Rule.LINEAR, target=95, floor=60,
             evidence="法制办执法检查记录")  # fmt: skip


def _efficiency(category, available: set, weights) -> None:
    computed = [
        ("on-time", "approvals.on_time_rate", "按时办结率", Direction.HIGHER, 100, 85, "%"),
        ("alarms", "approvals.alarms_per_100", "超时报警/百件", Direction.LOWER, 0, 10, "件"),
        ("satisfaction", "approvals.satisfaction", "服务对象满意率", Direction.HIGHER, 100, 80, "%"),
    ][: len(weights)]
    usable = [c for c in computed if c[1] in available]
    if not usable:
        _ind(category, "efficiency", "机关效能检查", 100, rule=Rule.LINEAR, target=95, floor=60, unit="分",
             evidence="效能检查记录")  # fmt: skip
        return
    share = [Decimal(w) for w in weights[: len(usable)]]
    share[-1] += Decimal(100) - sum(share)
    for (code, key, name, direction, target, floor, unit), weight in zip(usable, share, strict=True):
        _ind(category, code, name, weight, unit=unit, direction=direction, rule=Rule.LINEAR, target=target,
             floor=floor, source=Source.COMPUTED, source_key=key, evidence="系统自动采集")  # fmt: skip


def _year(number: int, *, quarters: bool) -> AppraisalYear:
    year = AppraisalYear.objects.create(year=number, name=f"{number}年度绩效考评", has_quarters=quarters)
    Period.objects.create(year=year, quarter=0, starts_on=date(number, 1, 1), ends_on=date(number, 12, 31),
                          voting_open=True)  # fmt: skip
    if quarters:
        for q in range(1, 5):
            start = date(number, 3 * q - 2, 1)
            end = (date(number + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
            Period.objects.create(year=year, quarter=q, starts_on=start, ends_on=end)
    return year


def _series(year, code, name, group, weights, order, district, available):
    series = Series.objects.create(year=year, code=code, name=name, group=group, order=order)
    RaterWeight.objects.bulk_create(
        [RaterWeight(series=series, kind=k, weight=w) for k, w in weights.items()]
    )
    _system(series, district, available)
    return series


def _figures(year, members, appraiser, rng) -> None:
    """Routine checks: the office records every entered indicator with its evidence (counts at once)."""
    period = Period.objects.get(year=year, quarter=0)
    indicators = {
        s.id: list(Indicator.objects.filter(category__series=s, source=Source.ENTERED))
        for s in year.series.all()
    }
    for series_id, depts in members.items():
        for dept in depts:
            weak = dept.code in WEAK
            for ind in indicators[series_id]:
                if ind.rule == Rule.PASS_FAIL:
                    value = 0 if weak else int(rng.random() < 0.85)
                else:
                    low, high = (55, 80) if weak else (82, 102)
                    value = round(rng.uniform(low, high), 1)
                services.submit_entry(period, indicator=ind, department=dept, value=Decimal(str(value)),
                                      evidence=f"{year.year}年日常考核记录（{ind.evidence}）", by=appraiser)  # fmt: skip


def _public(year, members, appraiser, rng, *, bulk: bool = False) -> None:
    """Survey results and online votes; ``bulk`` (city scale): the votes imported at once."""
    rows, votes, period = [], [], Period.objects.get(year=year, quarter=0)
    for series in year.series.all():
        kinds = set(series.rater_weights.values_list("kind", flat=True))
        for dept in members[series.id]:
            weak = dept.code in WEAK
            for kind in SURVEYED:
                if kind in kinds:
                    score = round(rng.uniform(55, 75) if weak else rng.uniform(78, 97), 2)
                    rows.append({"department": dept, "kind": kind, "score": Decimal(str(score)),
                                 "respondents": rng.randint(12, 120)})  # fmt: skip
            for i in range(rng.randint(4, 9)):
                choice = rng.choices(
                    ["satisfied", "fairly", "dissatisfied"], [2, 5, 3] if weak else [6, 3, 1]
                )[0]
                votes.append({"department": dept, "choice": choice, "comment": "", "device_id": f"demo-{year.year}-{dept.code}-{i}",
                              "address": f"10.{year.year % 100}.{dept.id % 250}.{i}"})  # fmt: skip
    if bulk:
        services.import_votes(period, votes, by=appraiser)
    else:
        for vote in votes:
            services.cast_vote(period, **vote)
    services.import_surveys(year, rows, by=appraiser)


def _members(year, assign) -> dict:
    members = {}
    for dept in Department.objects.filter(is_active=True).exclude(code__in={"KPB", "ZF"}).order_by("code"):
        series = assign(dept)
        if series is None:
            continue
        Membership.objects.create(series=series, department=dept)
        members.setdefault(series.id, []).append(dept)
    return members


def _xiamen_year(number, appraiser, available, rng, *, bulk: bool = False):
    year = _year(number, quarters=False)
    by_portal = {}
    for order, (code, name, portal_series, weights) in enumerate(XIAMEN):
        by_portal[portal_series] = _series(year, code, name, "", weights, order,
                                           portal_series == AppraisalSeries.DISTRICT_PARTY_GOV, available)  # fmt: skip
    members = _members(year, lambda d: by_portal.get(d.series))
    _figures(year, members, appraiser, rng)
    _public(year, members, appraiser, rng, bulk=bulk)
    services.compute_year(year, by=appraiser)
    services.publish_year(year, by=appraiser)
    return year


def seed(scale: str, stdout) -> None:
    if AppraisalYear.objects.exists():
        stdout.write("    appraisal already seeded")
        return
    User = get_user_model()
    appraiser = (
        User.objects.filter(username="appraiser").first()
        or User.objects.filter(groups__name__in=[APPRAISER, ADMINISTRATOR]).first()
    )
    if appraiser is None or not Department.objects.exists():
        stdout.write("    no appraiser login or departments; no appraisal data")
        return
    rng = random.Random(2025)
    available = set(services.sources.registry())
    this_year = timezone.localdate().year

    first = _xiamen_year(this_year - 2, appraiser, available, rng, bulk=scale == "city")
    # Last year's reports: submitted and accepted.
    for task in Rectification.objects.filter(result__year=first):
        head = User.objects.filter(groups__name=DEPT_HEAD, staff_profile__department=task.department).first()
        if head is None:
            head = User.objects.create(username=f"head-{task.department.code.lower()}")
            head.groups.add(*head.groups.model.objects.filter(name=DEPT_HEAD))
            StaffProfile.objects.create(
                user=head, department=task.department, display_name=f"{task.department.short_name}负责人"
            )
        services.submit_rectification(task, by=head, report="召开专题会议查找原因：办件流程衔接不畅、重点任务推进滞后。"
                                      "整改措施：压缩审批环节，建立周调度；已向市领导专题汇报。")  # fmt: skip
        services.accept_rectification(task, by=appraiser, note="整改措施具体，同意验收。")

    second = _xiamen_year(this_year - 1, appraiser, available, rng, bulk=scale == "city")
    # One of this year's reports is past its deadline: the sweep raises its overdue alarm.
    late = Rectification.objects.filter(result__year=second).order_by("-result__rank", "id").first()
    if late is not None:
        past = timezone.now() - timedelta(days=3)
        late.due_on = timezone.localdate(past)
        late.save(update_fields=["due_on"])
        timers.reschedule(late, RECTIFICATION_TIMER, due_at=past, warn_at=past - timedelta(days=4))
        run_sweep()

    # This year, in progress: Shenyang's class A and four class-B groups.
    current = _year(this_year, quarters=True)
    groups = {}
    for order, (code, name, group, weights) in enumerate(SHENYANG):
        groups[code] = _series(current, code, name, group, weights, order, code == "a", available)

    def assign(d):
        if d.level != Level.CITY or d.series == AppraisalSeries.DISTRICT_PARTY_GOV:
            return groups["a"] if d.kind == "government" else None
        return groups[SHENYANG_B.get(d.code, "b1")]

    members = _members(current, assign)
    period = Period.objects.get(year=current, quarter=0)
    for dept in [d for ds in members.values() for d in ds][:12]:
        for i in range(rng.randint(2, 5)):
            services.cast_vote(period, department=dept, choice=rng.choice(["satisfied", "fairly", "dissatisfied"]),
                               comment="", device_id=f"demo-now-{dept.code}-{i}", address=f"10.99.{dept.id % 250}.{i}")  # fmt: skip
    head = User.objects.filter(username="head").first()
    if (
        head is not None
        and department_of(head) is not None
        and Membership.objects.filter(year=current, department=department_of(head)).exists()
    ):
        dept = department_of(head)
        series = Membership.objects.get(year=current, department=dept).series
        key = Indicator.objects.filter(category__series=series, is_key_task=True).first()
        if key is not None:
            a = services.declare_criterion(current, department=dept, indicator=key, title="优化营商环境",
                                           work_report_ref="政府工作报告第二部分第三条",
                                           criterion="企业开办一日办结率不低于98%；食品经营许可承诺时限压缩至5个工作日。",
                                           by=head)  # fmt: skip
            services.approve_criterion(a, by=appraiser, note="与工作报告一致，同意。")
            b = services.declare_criterion(current, department=dept, indicator=key, title="双随机抽查",
                                           work_report_ref="政府工作报告第四部分", criterion="完成抽查任务。", by=head)  # fmt: skip
            services.return_criterion(b, by=appraiser, note="细则不可量化：请写明抽查比例和完成时限。")
            q = Period.objects.get(year=current, quarter=3)
            services.submit_entry(q, indicator=key, department=dept, value=Decimal("76.5"),
                                  evidence="第三季度重点任务推进台账（附件3份）", by=head)  # fmt: skip
    n_results = first.results.count() + second.results.count()
    stdout.write(
        f"    {AppraisalYear.objects.count()} appraisal years, {Series.objects.count()} series, {n_results} results, "
        f"{Rectification.objects.count()} rectification reports"
    )
