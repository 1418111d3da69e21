"""Live demo cases of the service centre, taken through the verbs (``approvals.demo.seed`` runs it first).

Service items are made from the published powers citizens apply for (materials, fees, windows,
warning rules); then cases in every state are taken THROUGH the verbs with acceptance dates in
the past (each verb's ``now=``), so their due dates, trails and timers are what real handling
would have left: some fresh, some past their reminder, some overdue, so the supervision sweep
raises reminders (黄) and alarms (红) within a minute of the portal starting. Also enforcement
cases (one decided outside its discretion band, with reasons and the collective record), a
parallel approval, a suspended case, a green-channel case and rated cases.
"""

import zlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import count

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from portal import roles, workdays
from portal.models import Department, Post, StaffProfile
from powers.models import FlowStep, Power

from .. import services
from ..choices import SuspensionKind
from ..models import Case, ServiceItem, Window
from ..services.items import APPLICABLE_CATEGORIES

MATERIALS = {
    "licensing": [
        {"name": "申请书", "note": "申请人签字（盖章）"},
        {"name": "营业执照或身份证明", "note": "原件核验，收复印件"},
        {"name": "与许可事项相关的证明材料", "note": "按办事指南所列条件提交"},
        {"name": "授权委托书", "required": False, "note": "委托他人办理时提交"},
    ],
    "benefit": [
        {"name": "申请书"},
        {"name": "户口簿和身份证", "copies": 2},
        {"name": "家庭收入证明"},
        {"name": "银行账户信息", "required": False},
    ],
    "default": [
        {"name": "申请表"},
        {"name": "身份证明", "note": "原件核验"},
        {"name": "相关证明材料", "required": False, "note": "按事项要求提交"},
    ],
}
# Items whose materials differ from their category's list: name fragment -> material rows.
ITEM_MATERIALS = {
    "食品经营许可": [
        {"name": "食品经营许可申请书", "note": "申请人签字（盖章）"},
        {"name": "营业执照或身份证明", "note": "原件核验，收复印件"},
        {"name": "经营场所使用证明", "note": "房屋产权证明或租赁合同"},
        {"name": "食品安全管理制度文本"},
        {"name": "授权委托书", "required": False, "note": "委托他人办理时提交"},
    ],
    "建设工程规划许可": [
        {"name": "建设工程规划许可证申请表", "note": "建设单位盖章"},
        {"name": "使用土地的有关证明文件"},
        {"name": "建设工程设计方案总平面图", "note": "经审定的设计方案"},
        {"name": "建设工程施工图", "required": False, "note": "按规划条件要求提交"},
    ],
    "城市道路占用挖掘许可": [
        {"name": "占用挖掘城市道路申请表"},
        {"name": "施工方案及交通组织方案", "note": "含施工范围平面图"},
        {"name": "道路修复承诺书"},
    ],
    "户外广告设置许可": [
        {"name": "户外广告设置申请表"},
        {"name": "广告设施设计效果图和安全技术资料"},
        {"name": "场地使用权证明", "note": "产权证明或租赁合同"},
    ],
}
# Items with fees (一个窗口收费): name fragment -> fee rows.
FEES = {
    "城市道路占用挖掘许可": [
        {"name": "城市道路占用费", "amount": Decimal("1200.00"), "basis": "示范市城市道路占用费收费标准"}
    ],
    "户外广告设置许可": [
        {"name": "户外广告设施审核工本费", "amount": Decimal("50.00"), "basis": "示范市行政事业性收费目录"}
    ],
    "建设工程规划许可": [
        {"name": "规划许可证工本费", "amount": Decimal("20.00"), "basis": "示范市行政事业性收费目录"}
    ],
}
# Warning rules in turn: a day before, two days before, 80% of the limit elapsed.
WARN_RULES = [{"warn_days_before": 1}, {"warn_days_before": 2}, {"warn_ratio": Decimal("0.80")}]
APPLICANTS = [
    ("陈美玲", "person", "13905921234"), ("示范市鹭岛餐饮管理有限公司", "organisation", "0592-5551234"),
    ("林志强", "person", "13806005678"), ("厦港海鲜大排档", "organisation", "13950001111"),
    ("黄晓燕", "person", ""), ("示范市城建集团有限公司", "organisation", "0592-2223333"),
    ("吴建华", "person", "13600001234"), ("思明区百姓大药房", "organisation", "13700002222"),
]  # fmt: skip


class Demo:
    """The cast and the calendar of one seeding run."""

    def __init__(self, stdout):
        User = get_user_model()
        self.stdout = stdout
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.clerk = User.objects.get(username="clerk")
        self.admin = User.objects.get(username="admin")
        self.password = make_password(settings.DEMO_PASSWORD)
        self.applicants = count()
        self.receipts = count(1)
        self.created_users = 0

    # --- time -------------------------------------------------------------------------------

    def day(self, working_days_ago: int):
        return (
            workdays.subtract_working_days(self.today, working_days_ago)
            if working_days_ago > 0
            else self.today
        )

    def at(self, day, slot: int = 0) -> datetime:
        """A moment of ``day``: 09:00 plus ``slot`` half-hours, never later than now."""
        moment = datetime.combine(day, time(9, 0), tzinfo=timezone.get_current_timezone())
        moment += timedelta(minutes=30 * slot)
        return min(moment, self.now - timedelta(minutes=40 - slot))

    # --- people ----------------------------------------------------------------------------

    def holder(self, step: FlowStep):
        """Someone who may act on ``step``: its post's holder (a demo user is made when nobody holds it)."""
        if step.post_id is None:
            return self.staff_of(step.flowchart.power.department)
        profile = (
            StaffProfile.objects.filter(posts=step.post).select_related("user").order_by("user_id").first()
        )
        if profile is not None:
            return profile.user
        return self.make_user(step.post)

    def staff_of(self, department: Department):
        profile = (
            StaffProfile.objects.filter(department=department, user__groups__name=roles.DEPT_HANDLER)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        if profile is not None:
            return profile.user
        return self.make_user(
            Post.objects.filter(department=department, code="CB").first(), department=department
        )

    def make_user(self, post: Post | None, department: Department | None = None):
        department = department or post.department
        code = (post.code if post else "cb").lower().replace("-", "")
        user, created = get_user_model().objects.get_or_create(username=f"{code}_{department.code.lower()}")
        if created:
            user.password = self.password
            user.save(update_fields=["password"])
            head = post is not None and post.code in {"SH", "SP"}
            user.groups.add(
                Group.objects.get_or_create(name=roles.DEPT_HEAD if head else roles.DEPT_HANDLER)[0]
            )
            label = demo_person_name(user.username)
            StaffProfile.objects.get_or_create(
                user=user, defaults={"department": department, "display_name": label}
            )
            self.created_users += 1
        if post is not None:
            user.staff_profile.posts.add(post)
        return user

    def make_users(self, posts) -> dict[int, object]:
        """``make_user`` for many posts at once (the city's thousands of posts nobody holds yet), in a
        few bulk inserts: the same users, groups, profiles and posts. Returns post id -> holder."""
        User = get_user_model()
        wanted: dict[str, list] = {}
        for post in posts:
            name = f"{post.code.lower().replace('-', '')}_{post.department.code.lower()}"
            wanted.setdefault(name, []).append(post)
        if not wanted:
            return {}
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        fresh = [name for name in wanted if name not in existing]
        User.objects.bulk_create([User(username=name, password=self.password) for name in fresh])
        users = {user.username: user for user in User.objects.filter(username__in=wanted)}
        groups = {
            name: Group.objects.get_or_create(name=name)[0] for name in (roles.DEPT_HEAD, roles.DEPT_HANDLER)
        }
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(
                    user_id=users[name].pk,
                    group_id=groups[
                        roles.DEPT_HEAD if wanted[name][0].code in {"SH", "SP"} else roles.DEPT_HANDLER
                    ].pk,
                )
                for name in fresh
            ],
            ignore_conflicts=True,
        )
        StaffProfile.objects.bulk_create(
            [
                StaffProfile(
                    user=users[name],
                    department=wanted[name][0].department,
                    display_name=demo_person_name(name),
                )
                for name in fresh
            ],
            ignore_conflicts=True,
        )
        profiles = dict(StaffProfile.objects.filter(user__in=users.values()).values_list("user_id", "pk"))
        StaffProfile.posts.through.objects.bulk_create(
            [
                StaffProfile.posts.through(staffprofile_id=profiles[users[name].pk], post_id=post.pk)
                for name, name_posts in wanted.items()
                for post in name_posts
            ],
            ignore_conflicts=True,
        )
        self.created_users += len(fresh)
        return {post.pk: users[name] for name, name_posts in wanted.items() for post in name_posts}

    def next_applicant(self):
        name, kind, phone = APPLICANTS[next(self.applicants) % len(APPLICANTS)]
        return {"applicant_name": name, "applicant_type": kind, "applicant_phone": phone,
                "applicant_id_number": "350203198805061234" if kind == "person" else "91350200MA2XYZ1234"}  # fmt: skip


# --- service items ------------------------------------------------------------------------------


def seed_windows() -> dict[str, Window]:
    windows = {}
    for number, name, code, fee in [
        ("01", "综合受理窗口", None, False), ("02", "市场监管窗口", "SCJG", False), ("03", "住建窗口", "ZJJ", False),
        ("04", "城管窗口", "CGJ", False), ("05", "自然资源和规划窗口", "GTJ", False), ("06", "生态环境窗口", "HBJ", False),
        ("07", "社会事务窗口", None, False), ("08", "统一收费窗口", None, True),
    ]:  # fmt: skip
        department = Department.objects.filter(code=code).first() if code else None
        windows[code or number], _ = Window.objects.get_or_create(
            number=number, defaults={"name": name, "department": department, "is_fee_window": fee}
        )
    return windows


# At city scale the items the story names (materials or fees of their own) and the first few go
# through the verb; the rest of the city's catalogue is imported in bulk with the same rows.
VERB_ITEMS = 40


def seed_items(demo: Demo, scale: str = "small") -> list[ServiceItem]:
    windows = seed_windows()
    powers = (
        Power.objects.exercisable()
        .filter(category__in=APPLICABLE_CATEGORIES, flowchart__steps__isnull=False)
        .distinct()
        .select_related("department")
        .order_by("code")
    )
    made, bulk = {}, []
    for index, power in enumerate(powers):
        materials = next(
            (rows for name, rows in ITEM_MATERIALS.items() if name in power.name),
            MATERIALS.get(power.category, MATERIALS["default"]),
        )
        fees = next((rows for name, rows in FEES.items() if name in power.name), [])
        statutory = power.time_limit_days or 20
        spec = dict(
            power=power, materials=materials, fees=fees, statutory_days=statutory,
            promised_days=min(power.promised_days or statutory, statutory),
            windows=[w for w in (windows.get(power.department.code) or windows["01"], windows["08"] if fees else None) if w],
            conditions=f"申请人符合{power.name}的法定条件，材料齐全、符合法定形式。",
            is_online=index % 4 != 3, **WARN_RULES[index % len(WARN_RULES)],
        )  # fmt: skip
        story = index < VERB_ITEMS or any(name in power.name for name in (*ITEM_MATERIALS, *FEES))
        if scale == "small" or story:
            made[index] = services.create_service_item(by=demo.admin, **spec)
        else:
            bulk.append((index, spec))
    if bulk:
        ids = services.import_service_items([spec for _index, spec in bulk], by=demo.admin)
        imported = ServiceItem.objects.select_related("power", "department").in_bulk(ids)
        made.update((index, imported[pk]) for (index, _spec), pk in zip(bulk, ids, strict=True))
    return [made[index] for index in sorted(made)]


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = ["建国", "志强", "秀英", "丽华", "海燕", "晓明", "国栋", "文静", "立新", "春梅", "振华", "雪梅"]


def demo_person_name(username: str) -> str:
    """A person's name for a demo user, the same every run (pages show the post beside it)."""
    digest = zlib.crc32(username.encode())
    return SURNAMES[digest % len(SURNAMES)] + GIVEN_NAMES[(digest // len(SURNAMES)) % len(GIVEN_NAMES)]


# --- cases ----------------------------------------------------------------------------------------------


def uploads(item: ServiceItem, *, complete: bool = True) -> dict:
    materials = list(item.materials.filter(required=True))
    if not complete:
        materials = materials[:-1]
    return {m.pk: ContentFile(b"%PDF-1.4 demo", name=f"{m.name}.pdf") for m in materials}


def apply(demo: Demo, item: ServiceItem, day, *, complete=True, online=True):
    kwargs = demo.next_applicant()
    if online and item.is_online:
        return services.submit_application(
            item, files=uploads(item, complete=complete), now=demo.at(day), **kwargs
        )
    paper = [m.pk for m in item.materials.filter(required=True)]
    return services.submit_application(item, by=demo.clerk, paper_materials=paper, now=demo.at(day), **kwargs)


def walk(demo: Demo, case: Case, start, steps: int, *, gap: int = 1, opinion: str = "同意，转下一环节"):
    """Advance ``steps`` steps, one every ``gap`` working days after ``start`` (never past today)."""
    day, slot = start, 1
    for _ in range(steps):
        day = min(workdays.add_working_days(day, gap), demo.today)
        slot += 1
        case = services.advance_step(
            case, by=demo.holder(case.current_step), opinion=opinion, now=demo.at(day, slot)
        )
    return case, day


def to_decision(demo: Demo, case: Case, start, *, gap: int = 1):
    """Advance up to the decision step."""
    decision = services.decision_step(case.current_step.flowchart_id)
    day = start
    while case.current_step_id != decision.pk:
        case, day = walk(demo, case, day, 1, gap=gap)
    return case, day


def accepted(demo: Demo, item: ServiceItem, ago: int, *, steps: int = 0, gap: int = 1):
    start = demo.day(ago)
    case, secret = apply(demo, item, start)
    case = services.accept_case(case, by=demo.clerk, now=demo.at(start, 1))
    case, day = walk(demo, case, start, steps, gap=gap)
    return case, secret, day


def finish(demo: Demo, item: ServiceItem, ago: int, *, late: bool = False, rating=None, refuse: bool = False):
    """A case taken through to completion; ``late`` finishes it after its statutory limit."""
    case, secret, day = accepted(demo, item, ago)
    case, day = to_decision(demo, case, day, gap=2 if late else 1)
    decider = demo.holder(case.current_step)
    if refuse:
        case = services.decide_case(
            case, by=decider, decision="refuse", reason="经现场核查，经营场所与申请材料不符，不符合法定条件。",
            legal_basis=f"{item.power.name}的设定依据", now=demo.at(day, 6),
        )  # fmt: skip
    else:
        case = services.decide_case(
            case, by=decider, decision="approve", reason="符合法定条件", now=demo.at(day, 6)
        )
    while case.current_step_id is not None:
        case, day = walk(demo, case, day, 1, opinion="已送达并公开")
    if item.has_fees and not refuse:
        services.record_fee(
            case, by=demo.clerk, amount=item.fee_total, receipt_no=f"FS{demo.today:%Y}{next(demo.receipts):06d}",
            now=demo.at(day, 8),
        )  # fmt: skip
    done_on = min(workdays.add_working_days(case.due_on, 2), demo.today) if late else day
    case = services.complete_case(case, by=demo.clerk, now=demo.at(done_on, 9))
    if rating:
        services.rate_case(case, secret=secret, score=rating[0], comment=rating[1], now=demo.at(done_on, 10))
    return case


def seed_applications(demo: Demo, items: list[ServiceItem]) -> None:
    by_name = {item.power.name: item for item in items}
    food = by_name.get("食品经营许可") or items[0]
    road = by_name.get("城市道路占用挖掘许可") or next((i for i in items if i.has_fees), items[-1])
    permit = by_name.get("建筑工程施工许可") or items[1 % len(items)]
    others = [i for i in items if i not in (food, road, permit)] or items

    # Before acceptance: online, complete and incomplete; a correction notice; a refusal.
    apply(demo, food, demo.today)
    apply(demo, others[0], demo.today, complete=False)
    pending, _ = apply(demo, food, demo.day(1), complete=False)
    services.request_correction(
        pending, by=demo.clerk, missing=[m.pk for m in services.missing_materials(pending)] + ["法定代表人身份证复印件"],
        note="请补齐后重新提交，补正期间不计入办理时限。", now=demo.at(demo.day(1), 2),
    )  # fmt: skip
    refused, _ = apply(demo, others[1 % len(others)], demo.day(2))
    services.refuse_intake(
        refused,
        by=demo.clerk,
        reason="申请事项不属于本机关职权范围，请向区级部门申请。",
        now=demo.at(demo.day(2), 3),
    )

    # Running: fresh, green channel, near the statutory limit, overdue, suspended.
    accepted(demo, food, 0)
    green, _, _ = accepted(demo, permit, 1, steps=1)
    services.mark_green_channel(
        green, by=demo.clerk, reason="市重点招商项目，纳入绿色通道优先办理。", now=demo.at(demo.today, 3)
    )
    for item in (food, others[2 % len(others)]):
        statutory = item.statutory_days
        accepted(demo, item, max(statutory - 1, 1), steps=2, gap=max(statutory // 4, 1))  # reminder due
        accepted(demo, item, statutory + 3, steps=3, gap=max(statutory // 4, 1))  # overdue
    case, _, day = accepted(demo, food, 6, steps=1)
    services.suspend_case(
        case, by=demo.holder(case.current_step), kind=SuspensionKind.EXPERT_REVIEW,
        reason="需组织食品安全专家对生产工艺进行论证。", now=demo.at(demo.day(3), 4),
    )  # fmt: skip
    case, _, day = accepted(demo, food, 8, steps=1)
    holder = demo.holder(case.current_step)
    services.suspend_case(
        case,
        by=holder,
        kind=SuspensionKind.CORRECTION,
        reason="申请人补充经营场所平面图。",
        now=demo.at(demo.day(6), 4),
    )
    services.resume_case(case, by=holder, note="申请人已补正。", now=demo.at(demo.day(4), 4))

    # Parallel approval: the construction permit waits for planning and environment opinions.
    case, _, day = accepted(demo, permit, 4, steps=1)
    partners = list(Department.objects.filter(code__in=["GTJ", "HBJ"]).order_by("code"))
    if partners:
        subs = services.open_parallel(
            case, by=demo.holder(case.current_step), departments=partners, note="请就规划条件和环评批复提出会签意见。",
            days=2, now=demo.at(demo.day(3), 5),
        )  # fmt: skip
        services.complete_subcase(
            subs[0], by=demo.staff_of(subs[0].department), opinion="符合规划条件，同意。", agree=True,
            now=demo.at(demo.day(2), 5),
        )  # fmt: skip

    # Decided: the fee is still to be collected at the fee window.
    case, _, day = accepted(demo, road, 5)
    case, day = to_decision(demo, case, day)
    services.decide_case(case, by=demo.holder(case.current_step), decision="approve", now=demo.at(day, 6))

    # Completed: on time and rated, refused, late.
    ratings = [
        (5, "窗口一次性告知，跑一次就办好了。"),
        (4, "办理很快，材料要求清楚。"),
        (3, ""),
        (2, "现场核查等待时间较长。"),
    ]
    for offset, rating in enumerate(ratings):
        finish(demo, food if offset % 2 == 0 else road, 12 + offset * 3, rating=rating)
    finish(demo, others[3 % len(others)], 20, refuse=True, rating=(4, "虽未获批，但理由说得清楚。"))
    finish(demo, others[4 % len(others)], 45, late=True)


def seed_enforcement(demo: Demo) -> int:
    powers = sorted(
        Power.objects.exercisable()
        .filter(category="penalty", standards__isnull=False, flowchart__steps__isnull=False)
        .distinct()
        .select_related("department"),
        key=lambda power: (power.department.code != "SCJG", power.code),  # the demo logins' department first
    )
    if not powers:
        return 0
    made = 0
    for index, power in enumerate(powers[:3]):
        standard = power.standards.prefetch_related("bands").first()
        band = standard.bands.order_by("order").first()
        officer = demo.holder(power.flowchart.steps.order_by("order").first())
        start = demo.day(12 + index * 4)
        case = services.open_enforcement_case(
            power, by=officer, party_name=APPLICANTS[index * 2 + 1][0], facts=f"执法检查发现当事人涉嫌{standard.title}。",
            now=demo.at(start),
        )  # fmt: skip
        made += 1
        case, day = to_decision(demo, case, start, gap=2)
        fact = band.fact_min if band.fact_max is None else (band.fact_min + band.fact_max) / 2
        if index == 1:  # outside the band: stated reasons and the collective discussion record
            amount = band.amount_max + max(band.amount_max - band.amount_min, Decimal("100"))
            extra = {
                "reasons": "当事人一年内第三次实施同类违法行为，且拒不配合调查，依法从重处罚。",
                "collective_discussion_record": f"{day:%Y年%m月%d日}局务会议集体讨论：同意超出裁量基准从重处罚（会议纪要第12号）。",
            }
        else:
            amount, extra = band.amount_min, {}
        services.decide_penalty(
            case, by=demo.holder(case.current_step), standard=standard, fact=fact, amount=amount, now=demo.at(day, 6),
            **extra,
        )  # fmt: skip
        if index == 0:
            case = Case.objects.get(pk=case.pk)
            while case.current_step_id is not None:
                case, day = walk(demo, case, day, 1, opinion="决定书已送达，罚款已缴纳")
            services.complete_case(case, by=officer, now=demo.at(day, 9))
    # One still under investigation long past its limit: an overdue alarm.
    power = powers[-1]
    first = power.flowchart.steps.order_by("order").first()
    case = services.open_enforcement_case(
        power, by=demo.holder(first), party_name="某某商行", facts="群众举报当事人占道经营，经多次责令仍未改正。",
        now=demo.at(demo.day((power.time_limit_days or 90) + 5)),
    )  # fmt: skip
    walk(demo, case, demo.day((power.time_limit_days or 90) + 5), 1, gap=3)
    return made + 1
