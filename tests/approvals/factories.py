"""Factories and a ready-made service centre for the approvals tests.

``centre()`` builds the usual cast: the SCJG department with posts 受理岗 (with its B post),
审查岗 and 审批岗, a published licensing power whose flowchart runs 受理 → 审查 → 决定 on those
posts, a service item with two materials (one optional) and a fee, and the people: a window
clerk of the service centre, an acceptor (A post), a backup acceptor (B post), a reviewer and an
approver, plus staff of another department for parallel approval.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals import services
from approvals.models import FeeItem, Material, ServiceItem
from portal import roles
from portal.choices import DepartmentKind
from portal.models import Department, Post
from powers.choices import Category, StepKind
from powers.models import Flowchart, FlowStep, Power
from tests.factories import DepartmentFactory, PostFactory, UserFactory
from tests.powers.factories import PowerFactory, hangzhou_standard

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=10, minute=0) -> datetime:
    """An aware moment in the portal's time zone (verbs take ``now=``)."""
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def pdf(name="材料.pdf", content=b"%PDF-1.4 test"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def flowchart(power: Power, steps) -> list[FlowStep]:
    """``steps``: (name, post, time_limit_days[, kind]) in order (kind: 其他 unless given)."""
    chart = Flowchart.objects.create(power=power)
    return [
        FlowStep.objects.create(
            flowchart=chart, order=i, name=step[0], post=step[1], time_limit_days=step[2],
            kind=step[3] if len(step) > 3 else StepKind.OTHER,
        )
        for i, step in enumerate(steps, start=1)
    ]  # fmt: skip


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    power = factory.SubFactory(PowerFactory)
    department = factory.LazyAttribute(lambda o: o.power.department)
    code = factory.Sequence(lambda n: f"FW-T-{n:04d}")
    name = factory.LazyAttribute(lambda o: o.power.name)
    statutory_days = 20
    promised_days = 10
    warn_days_before = 1
    warn_ratio = None


@dataclass
class Centre:
    department: Department
    other: Department
    third: Department
    power: Power
    steps: list
    item: ServiceItem
    required: Material
    optional: Material
    clerk: object
    acceptor: object
    backup: object
    reviewer: object
    approver: object
    other_staff: object
    third_staff: object
    outsider: object
    inspector: object

    def apply(self, *, now=None, files=True, **kwargs):
        """An online application with the required material uploaded; returns Submitted(case, secret)."""
        data = {
            "applicant_name": "张三",
            "applicant_phone": "13800138000",
            "applicant_id_number": "350203199001011234",
        }
        data.update(kwargs)
        uploads = {self.required.pk: pdf()} if files else None
        return services.submit_application(self.item, files=uploads, now=now or at(2025, 3, 3, 9), **data)

    def accepted(self, *, now=None):
        case, secret = self.apply(now=now)
        return services.accept_case(case, by=self.clerk, now=now or at(2025, 3, 3, 10)), secret

    def decided(self, *, now=None, decision="approve"):
        """A case accepted on 2025-03-03 and taken through every step to a decision."""
        case, secret = self.accepted()
        case = services.advance_step(case, by=self.acceptor, opinion="材料齐全", now=at(2025, 3, 4))
        case = services.advance_step(case, by=self.reviewer, opinion="符合条件", now=at(2025, 3, 5))
        kwargs = {"reason": "不符合条件", "legal_basis": "《条例》第十条"} if decision == "refuse" else {}
        case = services.decide_case(
            case, by=self.approver, decision=decision, now=now or at(2025, 3, 6), **kwargs
        )
        return case, secret


def centre(*, fee=Decimal("50.00"), warn_ratio=None, step_days=(1, 3, 2)) -> Centre:
    department = DepartmentFactory(code="SCJG", name="市市场监督管理局", short_name="市场监管局")
    service_centre = DepartmentFactory(code="FWZX", name="市行政服务中心", kind=DepartmentKind.SERVICE_CENTRE)
    other = DepartmentFactory(code="ZJJ", name="市住房和城乡建设局", short_name="住建局")
    third = DepartmentFactory(code="HBJ", name="市生态环境局", short_name="生态环境局")
    accept_b = PostFactory(department=department, code="SL-B", name="受理岗(B岗)")
    accept_post = PostFactory(department=department, code="SL", name="受理岗", backup=accept_b)
    review_post = PostFactory(department=department, code="SC", name="审查岗")
    approve_post = PostFactory(department=department, code="SP", name="审批岗")
    power = PowerFactory(department=department, category=Category.LICENSING, name="食品经营许可")
    steps = flowchart(
        power,
        [
            ("受理", accept_post, step_days[0], StepKind.INTAKE),
            ("审查", review_post, step_days[1], StepKind.REVIEW),
            ("决定", approve_post, step_days[2], StepKind.DECISION),
        ],
    )
    item = ServiceItemFactory(
        power=power, warn_days_before=None if warn_ratio else 1, warn_ratio=warn_ratio, code="FW-XK-SCJG-0001"
    )
    required = Material.objects.create(item=item, order=1, name="营业执照", required=True)
    optional = Material.objects.create(item=item, order=2, name="委托书", required=False)
    if fee:
        FeeItem.objects.create(item=item, name="工本费", amount=fee, basis="收费文件")
    clerk = UserFactory(username="clerk", roles=[roles.WINDOW_CLERK], department=service_centre)
    acceptor = UserFactory(
        username="acceptor", roles=[roles.DEPT_HANDLER], department=department, posts=[accept_post]
    )
    backup = UserFactory(
        username="backup", roles=[roles.DEPT_HANDLER], department=department, posts=[accept_b]
    )
    reviewer = UserFactory(
        username="reviewer", roles=[roles.DEPT_HANDLER], department=department, posts=[review_post]
    )
    approver = UserFactory(
        username="approver", roles=[roles.DEPT_HEAD], department=department, posts=[approve_post]
    )
    other_staff = UserFactory(username="zjj", roles=[roles.DEPT_HANDLER], department=other)
    third_staff = UserFactory(username="hbj", roles=[roles.DEPT_HANDLER], department=third)
    outsider = UserFactory(
        username="outsider", roles=[roles.DEPT_HANDLER], department=DepartmentFactory(code="GAJ")
    )
    inspector = UserFactory(
        username="inspector", roles=[roles.INSPECTOR], department=DepartmentFactory(code="JW")
    )
    return Centre(
        department, other, third, power, steps, item, required, optional, clerk, acceptor, backup, reviewer,
        approver, other_staff, third_staff, outsider, inspector,
    )  # fmt: skip


def penalty_power(department: Department, posts: list[Post], *, time_limit_days=None):
    """A published penalty power with the Hangzhou discretion standard and a two-step flowchart."""
    power = PowerFactory(
        department=department, category=Category.PENALTY, name="店外摆卖处罚", time_limit_days=time_limit_days,
        promised_days=None,
    )  # fmt: skip
    flowchart(
        power, [("调查取证", posts[0], 10, StepKind.REVIEW), ("处罚决定", posts[1], 5, StepKind.DECISION)]
    )
    return power, hangzhou_standard(power)
