"""Demo history of the service centre (历史办件导入): about fourteen months of cases, loaded in bulk.

A real centre brings its past cases over from the old system when the portal goes live; so does
the demo. The cases are *imported* rows, not replays of the verbs (a thousand cases through the
verbs would take minutes): bulk inserts (``portal.bulk.insert_objects``: COPY on PostgreSQL) of the cases, their steps and trail, suspensions, fees,
penalty decisions, ratings, the statutory timers ("case") and the reminders and overdue alarms the
sweep would have raised — all consistent with each other and with the rules the verbs follow:

- codes in the verbs' format (SP/ZF + day + sequence), the day's number series (``portal.numbering``) moved past them,
  so codes handed out later never collide;
- due dates from ``portal.workdays.deadline``, moved on by the suspended working days;
  ``on_time``, ``promised_on_time`` and ``working_days_used`` by ``services.steps.record_completion``
  (what ``complete_case`` calls); the trail's texts from ``services.notes`` and the timers' labels
  and limits from ``services.timing`` (what the verbs write);
- every step by a holder of its post, the decision by someone who neither accepted the case nor
  handled another post's step, a fee for every approved case of an item with fees: the anomaly
  rules find nothing in the history (the demo's anomalies are made on purpose elsewhere);
- a timer per case: started at acceptance, paused while suspended, stopped at completion,
  ``reminded_at``/``alarmed_at`` when the limit neared/passed, with the matching alerts (old
  ones resolved; alarms of recent late completions and of cases overdue now still open).

Cases whose planned completion lies after now are left open where they are now (on a step,
suspended, decided waiting for delivery), a few stuck past their limit and a few near it, so the
inspectors' dashboard and the efficiency analysis show real figures from the first login.

One audit event records the import (``approvals.history.imported``) instead of thousands. The same
seed (``random.Random(2026)``) and the same day give the same history.
"""

from __future__ import annotations

import random
import time as time_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring import timers
from monitoring.choices import AlertState
from portal import audit, bulk, numbering, workdays
from portal.models import AuditEvent, StaffProfile
from powers.choices import StepKind
from powers.models import FlowStep, Power

from ..choices import (
    DEFAULT_ENFORCEMENT_DAYS,
    RATING_SCORES,
    SUSPENSION_MAX_DAYS,
    ApplicantType,
    CaseKind,
    CaseStatus,
    Channel,
    Decision,
    EventKind,
    SuspensionKind,
)
from ..models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseMaterial,
    CaseStep,
    FeePayment,
    PenaltyDecision,
    Rating,
    ServiceItem,
    Suspension,
    Window,
)
from ..services import notes, timing
from ..services.common import CODE_PREFIX, next_case_numbers
from ..services.steps import decision_of, record_completion
from ..services.timing import suspension_purpose, window

VERB = "approvals.history.imported"
SEED = 2026
HISTORY_DAYS = 425  # about fourteen months back from today
# Mean acceptances per working day (the centre grows a little over the period).
PER_DAY = {"small": 3.4, "city": 24.0}
ENFORCEMENT_SHARE = 0.08
LATE_RATE = 0.065  # mean share completed past the statutory limit; varies by department
REFUSE_RATE = 0.06
GREEN_RATE = 0.03
SUSPEND_RATE = 0.10
RATED_RATE = 0.35
OPEN_ALARM_DAYS = 21  # alarms of cases completed late in the last three weeks are still unresolved
BATCH = 2000
MARK = "（历史办件导入）"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕晓东文斌雪梅春林"
FIRMS = ["鹭岛", "海沧", "集美", "同安", "翔安", "思明", "湖里", "嘉禾", "筼筜", "五缘", "白鹭", "鼓浪"]
TRADES = ["餐饮管理有限公司", "建设工程有限公司", "商贸有限公司", "物业服务有限公司", "医疗科技有限公司",
          "房地产开发有限公司", "文化传媒有限公司", "食品有限公司", "百货商行", "大药房"]  # fmt: skip
OPINIONS = {
    StepKind.INTAKE: "材料齐全，符合法定形式，予以受理",
    StepKind.REVIEW: "经审查，申请材料符合要求，事实清楚",
    StepKind.CHECK: "程序合法，同意审查意见",
    StepKind.DELIVERY: "已送达并公开",
    StepKind.PUBLICATION: "已公示并送达",
}
REFUSALS = [
    "经现场核查，经营场所与申请材料不符，不符合法定条件。",
    "申请人家庭收入超过规定标准，不符合申请条件。",
    "申请材料经核实存在虚假内容，依法不予许可。",
]
RATINGS = [(5, "办理很快，一次就办好了。"), (5, ""), (5, "窗口服务热情，材料一次性告知。"), (4, ""),
           (4, "流程清楚，进度随时可查。"), (3, ""), (2, "现场核查等待时间较长。")]  # fmt: skip
SUSPENSION_REASONS = {
    SuspensionKind.CORRECTION: "申请人补充提交相关证明材料。",
    SuspensionKind.EXPERT_REVIEW: "需组织专家进行技术论证。",
    SuspensionKind.HEARING: "申请人申请听证，依法组织听证。",
    SuspensionKind.OTHER: "依法需要检验、检测，期间不计入办理时限。",
}


# --- what the centre handles ----------------------------------------------------------------------


@dataclass
class Route:
    """An item (or, for enforcement, a penalty power) with its flowchart, people and limits."""

    kind: str
    item: ServiceItem | None
    power: Power
    statutory: int
    promised: int
    steps: list[FlowStep]
    decision: int  # index of the decision step in ``steps``
    handlers: list  # (user, post) per step
    decider: object
    weight: float
    late_rate: float
    fee_total: Decimal = Decimal("0")
    standard: object = None
    penalty_basis: str = ""
    materials: list = field(default_factory=list)  # required materials, checked on paper
    bands: list = field(default_factory=list)

    @property
    def department(self):
        return self.power.department

    @property
    def title(self) -> str:
        return self.item.name if self.item is not None else self.power.name


class People:
    """Who acts on which post; a post nobody else can take gets a demo holder (like the verbs' demo)."""

    def __init__(self, demo):
        self.demo = demo
        self.by_post: dict[int, list] = {}
        self.staff: dict[int, object] = {}  # department -> its handler, for steps of no post
        for profile in (
            StaffProfile.objects.select_related("user").prefetch_related("posts").order_by("user_id")
        ):
            for post in profile.posts.all():
                self.by_post.setdefault(post.pk, []).append(profile.user)

    def provide(self, steps) -> None:
        """A holder for every post of ``steps`` nobody holds yet, made in one bulk pass."""
        missing = {
            step.post_id: step.post for step in steps if step.post_id and step.post_id not in self.by_post
        }
        for post_id, user in self.demo.make_users(missing.values()).items():
            self.by_post.setdefault(post_id, []).append(user)

    def holder(self, step: FlowStep, *, not_user=None):
        if step.post_id is None:
            department = step.flowchart.power.department
            if department.pk not in self.staff:
                self.staff[department.pk] = self.demo.staff_of(department)
            return self.staff[department.pk]
        for user in self.by_post.get(step.post_id, []):
            if user != not_user:
                return user
        user = self.demo.make_user(step.post)
        self.by_post.setdefault(step.post_id, []).append(user)
        return user

    def route_people(self, steps: list[FlowStep], decision: int):
        """The decider holds the decision step's post; nobody else on the case is the decider."""
        decider = self.holder(steps[decision])
        handlers = []
        for index, step in enumerate(steps):
            user = decider if index == decision else self.holder(step, not_user=decider)
            handlers.append((user, step.post))
        return decider, handlers


def _flowcharts(powers) -> dict[int, list[FlowStep]]:
    steps = FlowStep.objects.filter(flowchart__power__in=powers).select_related(
        "post__department", "flowchart__power__department"
    )
    charts: dict[int, list[FlowStep]] = {}
    for step in steps.order_by("order"):
        charts.setdefault(step.flowchart.power_id, []).append(step)
    return charts


def routes(demo, rng: random.Random) -> list[Route]:
    items = list(
        ServiceItem.objects.filter(is_active=True)
        .select_related("power__department", "department")
        .prefetch_related("fees", "materials")
        .order_by("code")
    )
    penalties = list(
        Power.objects.exercisable()
        .filter(category="penalty", standards__isnull=False, flowchart__steps__isnull=False)
        .distinct()
        .select_related("department")
        .prefetch_related("standards__bands")
        .order_by("code")
    )
    charts = _flowcharts([item.power for item in items] + penalties)
    people = People(demo)
    people.provide(step for steps in charts.values() for step in steps)
    department_late = {}
    out = []

    def late_of(department) -> float:
        if department.pk not in department_late:
            department_late[department.pk] = LATE_RATE * rng.choice([0.3, 0.5, 0.8, 1.0, 1.2, 1.6, 2.2])
        return department_late[department.pk]

    for item in items:
        steps = charts.get(item.power_id)
        if not steps:
            continue
        decision = steps.index(decision_of(steps))
        decider, handlers = people.route_people(steps, decision)
        popular = 4.0 if item.power.category in ("confirmation", "benefit") else 2.0
        if item.statutory_days <= 5:
            popular *= 2
        out.append(
            Route(
                kind=CaseKind.APPLICATION,
                item=item,
                power=item.power,
                statutory=item.statutory_days,
                promised=item.promised_days,
                steps=steps,
                decision=decision,
                handlers=handlers,
                decider=decider,
                weight=popular * rng.uniform(0.5, 1.5),
                late_rate=late_of(item.department),
                fee_total=item.fee_total,
                materials=[m for m in item.materials.all() if m.required],
            )  # fmt: skip
        )
    for power in penalties:
        steps = charts.get(power.pk)
        standard = next(iter(power.standards.all()), None)
        if not steps or standard is None:
            continue
        decision = steps.index(decision_of(steps))
        decider, handlers = people.route_people(steps, decision)
        statutory = power.time_limit_days or DEFAULT_ENFORCEMENT_DAYS
        out.append(
            Route(
                kind=CaseKind.ENFORCEMENT,
                item=None,
                power=power,
                statutory=statutory,
                promised=min(power.promised_days or statutory, statutory),
                steps=steps,
                decision=decision,
                handlers=handlers,
                decider=decider,
                weight=1.0,
                late_rate=late_of(power.department) * 0.8,
                standard=standard,
                bands=sorted(standard.bands.all(), key=lambda band: band.order),
                penalty_basis=str(standard.article) if standard.article_id else "",
            )  # fmt: skip
        )
    return out


# --- the plan: when each case was accepted and how it went ----------------------------------------


@dataclass
class Plan:
    route: Route
    accepted_on: date
    submitted_on: date
    used: int  # working days of handling, suspension excluded
    suspension: tuple[str, int, int] | None = None  # kind, clock offset it starts at, working days
    green: bool = False
    negative: bool = False  # refused (application) or no penalty (enforcement)
    online: bool = False
    rating: tuple[int, str] | None = None
    applicant: tuple[str, str, str, str] = ("", ApplicantType.PERSON, "", "")


def _applicant(rng: random.Random, organisation: bool) -> tuple[str, str, str, str]:
    if organisation:
        name = f"示范市{rng.choice(FIRMS)}{rng.choice(TRADES)}"
        return name, ApplicantType.ORGANISATION, f"0592-{rng.randint(2000000, 8999999)}", "91350200MA2XYZ1234"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    return name, ApplicantType.PERSON, f"13{rng.randint(100000000, 999999999)}", "350203198805061234"


def _used(rng: random.Random, route: Route) -> int:
    statutory, promised = route.statutory, route.promised
    draw = rng.random()
    if draw < route.late_rate:
        return statutory + rng.randint(1, max(2, statutory // 5))
    if route.kind == CaseKind.ENFORCEMENT:
        return rng.randint(max(5, statutory // 6), statutory * 3 // 4)
    if draw < route.late_rate + 0.45 and promised > 1:
        return rng.randint(max(0, promised // 3), promised - 1)  # early (提前办结)
    if draw < route.late_rate + 0.68 or promised == statutory:
        return promised
    return rng.randint(promised + 1, statutory)


def _suspension(rng: random.Random, route: Route, used: int) -> tuple[str, int, int] | None:
    if used < 2 or rng.random() >= SUSPEND_RATE:
        return None
    if route.kind == CaseKind.ENFORCEMENT:
        kind = rng.choice([SuspensionKind.HEARING, SuspensionKind.OTHER])
    elif route.statutory >= 20 and rng.random() < 0.3:
        kind = rng.choice([SuspensionKind.EXPERT_REVIEW, SuspensionKind.HEARING])
    else:
        kind = SuspensionKind.CORRECTION
    days = rng.randint(1, min(SUSPENSION_MAX_DAYS[kind], 15))
    return kind, rng.randint(1, max(1, used // 2)), days


def plan(routes_: list[Route], rng: random.Random, today: date, scale: str) -> list[Plan]:
    """The cases of the history: a pure function of the routes, the random stream and today."""
    applications = [r for r in routes_ if r.kind == CaseKind.APPLICATION]
    enforcement = [r for r in routes_ if r.kind == CaseKind.ENFORCEMENT]
    weights = [r.weight for r in applications]
    first = today - timedelta(days=HISTORY_DAYS)
    days = [first + timedelta(days=n) for n in range(HISTORY_DAYS + 1)]
    days = [d for d in days if workdays.is_working_day(d) or d == today]
    per_day = PER_DAY.get(scale, PER_DAY["small"])
    plans = []
    for number, day in enumerate(days):
        growth = 0.8 + 0.4 * number / len(days)
        monday = 1.25 if day.weekday() == 0 else 1.0
        mean = per_day * growth * monday * rng.uniform(0.6, 1.4)
        count = int(mean) + (1 if rng.random() < mean - int(mean) else 0)
        for _ in range(count):
            is_enforcement = enforcement and rng.random() < ENFORCEMENT_SHARE
            route = rng.choice(enforcement) if is_enforcement else rng.choices(applications, weights)[0]
            plans.append(_plan_one(rng, route, day))
    # A few stuck past their limit and a few near it, in several departments (the dashboard's "now").
    short = sorted((r for r in applications if r.statutory <= 20), key=lambda r: (r.department.code, r.title))
    for k, route in enumerate(short[::3][:6]):
        late_by = (1, 2, 4, 6, 9, 3)[k]
        start = workdays.subtract_working_days(today, route.statutory + late_by)
        plans.append(_plan_one(rng, route, start, used=route.statutory + late_by + 5))
    for route in short[1::4][:4]:
        start = workdays.subtract_working_days(today, max(route.statutory - 1, 1))
        plans.append(_plan_one(rng, route, start, used=route.statutory))
    return plans


def _plan_one(rng: random.Random, route: Route, day: date, *, used: int | None = None) -> Plan:
    enforcement = route.kind == CaseKind.ENFORCEMENT
    green = not enforcement and used is None and rng.random() < GREEN_RATE
    if used is None:
        used = _used(rng, route)
        if green:
            used = min(used, max(0, route.promised // 2))
    online = not enforcement and route.item.is_online and rng.random() < 0.55
    submitted = day
    if online and rng.random() < 0.5:
        submitted = day - timedelta(days=rng.randint(1, 3))
    negative = rng.random() < (0.1 if enforcement else REFUSE_RATE)
    return Plan(
        route=route, accepted_on=day, submitted_on=submitted, used=used,
        suspension=None if green else _suspension(rng, route, used), green=green, negative=negative,
        online=online, rating=rng.choice(RATINGS) if not enforcement and rng.random() < RATED_RATE else None,
        applicant=_applicant(rng, enforcement or rng.random() < 0.4),
    )  # fmt: skip


# --- from a plan to rows ---------------------------------------------------------------------------


@dataclass
class Event:
    day: date
    kind: str
    step: int | None = None  # index into the route's steps
    at: datetime | None = None


def _opinion(step: FlowStep) -> str:
    return OPINIONS.get(step.kind, "同意，转下一环节")


class Builder:
    """Turns plans into unsaved rows, then saves them in bulk in dependency order."""

    def __init__(self, demo, now: datetime):
        self.demo = demo
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.rng = random.Random(SEED + 1)
        self.fee_window = Window.objects.filter(is_fee_window=True).order_by("number").first()
        self.labels: dict[int, str] = {}
        self.cases: list[Case] = []
        self.children: list[tuple[Case, dict]] = []  # the case and its dependent rows, unsaved
        self.receipts = 0

    # --- time --------------------------------------------------------------------------------

    def _times(self, events: list[Event]) -> None:
        """Give each event a moment of its day, in order: 08:40–11:40 for the day's first, then later."""
        previous = None
        for event in events:
            if previous is not None and event.day == previous.day:
                event.at = previous.at + timedelta(minutes=self.rng.randint(3, 50))
            else:
                start = datetime.combine(event.day, time(8, 40), tzinfo=self.tz)
                event.at = start + timedelta(minutes=self.rng.randint(0, 180))
            previous = event

    def label(self, user) -> str:
        if user.pk not in self.labels:
            self.labels[user.pk] = audit.actor_label(user)
        return self.labels[user.pk]

    # --- one case ----------------------------------------------------------------------------

    def schedule(self, plan: Plan) -> tuple[list[Event], dict]:
        """The case's events in order, and the working-day facts they were derived from."""
        route, start = plan.route, plan.accepted_on
        limits = [step.time_limit_days or 1 for step in route.steps]
        total, running, clock = sum(limits), 0, []
        for limit in limits:
            running += limit
            clock.append(round(plan.used * running / total))
        suspension = plan.suspension
        if suspension is not None and suspension[1] >= clock[route.decision]:
            suspension = None
        shift = suspension[2] if suspension else 0

        def real(offset: int) -> date:
            moved = offset + shift if suspension and offset > suspension[1] else offset
            return workdays.add_working_days(start, moved)

        events = []
        if route.kind == CaseKind.APPLICATION:
            events.append(Event(plan.submitted_on, EventKind.SUBMITTED))
            events.append(Event(start, EventKind.ACCEPTED))
        else:
            events.append(Event(start, EventKind.FILED))
        if plan.green:
            events.append(Event(start, EventKind.GREEN_CHANNEL))
        pending = suspension
        for index, offset in enumerate(clock):
            if pending and offset > pending[1]:
                events.append(Event(workdays.add_working_days(start, pending[1]), EventKind.SUSPENDED))
                events.append(Event(workdays.add_working_days(start, pending[1] + shift), EventKind.RESUMED))
                pending = None
            kind = EventKind.STEP_DONE
            if index == route.decision:
                penalty = route.kind == CaseKind.ENFORCEMENT and not plan.negative
                kind = EventKind.PENALTY if penalty else EventKind.DECIDED
            events.append(Event(real(offset), kind, step=index))
        end = real(clock[-1])
        if route.fee_total > 0 and not plan.negative:
            events.append(Event(end, EventKind.FEE))
        events.append(Event(end, EventKind.COMPLETED))
        if plan.rating:
            events.append(Event(end + timedelta(days=self.rng.randint(0, 3)), EventKind.RATED))
        self._times(events)
        return events, {"suspension": suspension, "end": end}

    def build(self, plan: Plan) -> None:
        """The case row (unsaved, code not yet given) and everything that hangs on it."""
        events, facts = self.schedule(plan)
        happened = [event for event in events if event.at <= self.now]
        route, start = plan.route, plan.accepted_on
        enforcement = route.kind == CaseKind.ENFORCEMENT
        opened = next((e for e in happened if e.kind in (EventKind.ACCEPTED, EventKind.FILED)), None)
        if opened is None:
            return  # planned for later today
        by_kind = {event.kind: event for event in happened}
        steps_done = {event.step: event for event in happened if event.step is not None}
        suspension = facts["suspension"]
        resumed = EventKind.RESUMED in by_kind
        statutory = workdays.deadline(start, route.statutory)
        promised = workdays.deadline(start, route.promised)
        due_on, promised_due_on = statutory.due_on, promised.due_on
        provisional = statutory.provisional or promised.provisional
        if resumed:
            moved, moved_promised = (timing.extend(d, suspension[2]) for d in (due_on, promised_due_on))
            due_on, promised_due_on = moved.due_on, moved_promised.due_on
            provisional = provisional or moved.provisional or moved_promised.provisional
        clerk = self.demo.clerk
        officer = route.handlers[0][0] if enforcement else clerk
        case = Case(
            kind=route.kind, item=route.item, power=route.power, department=route.department,
            applicant_name=plan.applicant[0], applicant_type=plan.applicant[1], applicant_phone=plan.applicant[2],
            applicant_id_number=plan.applicant[3], channel=Channel.ONLINE if plan.online else Channel.WINDOW,
            green_channel=EventKind.GREEN_CHANNEL in by_kind,
            green_channel_reason="市重点项目，纳入绿色通道优先办理。" if EventKind.GREEN_CHANNEL in by_kind else "",
            status=CaseStatus.ACCEPTED, submitted_at=events[0].at,
            created_by=None if plan.online else officer, accepted_on=start, accepted_by=officer,
            statutory_days=route.statutory, promised_days=route.promised, due_on=due_on,
            promised_due_on=promised_due_on, due_provisional=provisional,
            suspended_days=suspension[2] if resumed else 0,
        )  # fmt: skip
        if enforcement:
            case.description = f"执法检查发现{case.applicant_name}涉嫌{route.power.name.removeprefix('对')}。"
        decision_event = next((e for e in happened if e.kind in (EventKind.DECIDED, EventKind.PENALTY)), None)
        rows = {"steps": [], "suspension": None, "fee": None, "penalty": None, "rating": None}
        if 0 in steps_done:
            case.status = CaseStatus.IN_PROGRESS
        if decision_event is not None:
            self._decide(case, plan, decision_event, rows)
        completed = by_kind.get(EventKind.COMPLETED)
        if completed is not None:
            case.status = CaseStatus.COMPLETED
            case.completed_at = case.closed_at = completed.at
            record_completion(case, facts["end"])
        suspended = by_kind.get(EventKind.SUSPENDED)
        # The steps: each starts when the one before it finished.
        previous_at = opened.at
        for index, flow_step in enumerate(route.steps):
            done = steps_done.get(index)
            user, post = route.handlers[index]
            limit = flow_step.time_limit_days
            step_due = workdays.deadline(timezone.localdate(previous_at), limit).due_on if limit else None
            ends = done.at if done is not None else None
            straddles = (
                suspended is not None
                and previous_at <= suspended.at
                and (ends is None or ends > suspended.at)
            )
            if straddles:
                rows["handler"] = user
                if resumed and step_due is not None:
                    step_due = timing.extend(step_due, suspension[2]).due_on
            opinion = case.decision_reason if index == route.decision else _opinion(flow_step)
            step = CaseStep(
                flow_step=flow_step, order=flow_step.order, name=flow_step.name, post=post, started_at=previous_at,
                due_on=step_due, finished_at=done.at if done else None, handled_by=user if done else None,
                handled_post=post if done else None, opinion=opinion if done else "",
            )  # fmt: skip
            rows["steps"].append(step)
            if done is None:
                if completed is None:
                    case.current_step, case.current_post = flow_step, post
                break
            previous_at = done.at
        if suspended is not None:
            kind, _offset, days = suspension
            ended = by_kind.get(EventKind.RESUMED)
            rows["suspension"] = Suspension(
                kind=kind, reason=SUSPENSION_REASONS[kind], started_at=suspended.at, started_on=suspended.day,
                max_days=SUSPENSION_MAX_DAYS[kind], ends_by=workdays.add_working_days(suspended.day, SUSPENSION_MAX_DAYS[kind]),
                started_by=rows["handler"], ended_at=ended.at if ended else None, ended_on=ended.day if ended else None,
                ended_by=rows["handler"] if ended else None, working_days=days if ended else None,
            )  # fmt: skip
        if EventKind.FEE in by_kind:
            self.receipts += 1
            rows["fee"] = FeePayment(
                amount=route.fee_total, expected_amount=route.fee_total, window=self.fee_window,
                receipt_no=f"LS{by_kind[EventKind.FEE].day:%Y}{self.receipts:06d}", recorded_by=clerk,
                recorded_at=by_kind[EventKind.FEE].at,
            )  # fmt: skip
        if EventKind.RATED in by_kind:
            score, comment = plan.rating
            rows["rating"] = Rating(score=score, comment=comment, rated_at=by_kind[EventKind.RATED].at)
        rows["trail"] = [(event, self._trail(case, plan, event, rows)) for event in happened]
        rows["code_day"] = events[0].day
        rows["route"] = route
        self.cases.append(case)
        self.children.append((case, rows))

    def _decide(self, case: Case, plan: Plan, event: Event, rows: dict) -> None:
        route = plan.route
        case.status = CaseStatus.DECIDED
        case.decided_by, case.decided_at = route.decider, event.at
        if route.kind == CaseKind.APPLICATION:
            case.decision = Decision.REFUSE if plan.negative else Decision.APPROVE
            case.decision_reason = self.rng.choice(REFUSALS) if plan.negative else "符合法定条件"
            case.legal_basis = f"{route.power.name}的设定依据" if plan.negative else ""
            return
        if plan.negative:
            case.decision = Decision.NO_ACTION
            case.decision_reason = "违法行为轻微并及时改正，没有造成危害后果，依法不予处罚。"
            case.legal_basis = "《中华人民共和国行政处罚法》第三十三条第一款"
            return
        standard, band = route.standard, self.rng.choice(route.bands)
        span = (
            (band.fact_max - band.fact_min) if band.fact_max is not None else max(band.fact_min, Decimal(10))
        )
        fact = (band.fact_min + span * Decimal(self.rng.randint(0, 90)) / 100).quantize(Decimal("0.01"))
        amount = (
            band.amount_min + (band.amount_max - band.amount_min) * Decimal(self.rng.randint(0, 100)) / 100
        )
        step = Decimal("100") if band.amount_max - band.amount_min >= 1000 else Decimal("0.01")
        amount = min(max((amount / step).quantize(Decimal(1)) * step, band.amount_min), band.amount_max)
        amount = amount.quantize(Decimal("0.01"))
        case.decision = Decision.IMPOSE
        case.decision_reason = notes.penalty_basis(standard.title, band.severity)
        case.legal_basis = route.penalty_basis
        rows["penalty"] = PenaltyDecision(
            standard=standard, fact=fact, band_order=band.order, band_severity=band.severity,
            band_amount_min=band.amount_min, band_amount_max=band.amount_max, amount=amount, outside_band=False,
            decided_by=route.decider, decided_at=event.at,
        )  # fmt: skip
        rows["penalty_note"] = notes.penalty(standard, fact, band.severity, amount, outside=False)

    def _trail(self, case: Case, plan: Plan, event: Event, rows: dict):
        """``(actor, post, note)`` of one trail entry, as the verb would have written it."""
        route, kind = plan.route, event.kind
        clerk = self.demo.clerk
        if kind == EventKind.SUBMITTED:
            return (None if plan.online else clerk), None, f"{case.get_channel_display()}{MARK}"
        if kind == EventKind.ACCEPTED:
            due = workdays.deadline(plan.accepted_on, route.statutory).due_on
            return clerk, None, notes.accepted(due) + MARK
        if kind == EventKind.FILED:
            return case.accepted_by, None, notes.filed(route.power.name, case.description) + MARK
        if kind == EventKind.GREEN_CHANNEL:
            return clerk, None, case.green_channel_reason
        if kind in (EventKind.STEP_DONE, EventKind.DECIDED, EventKind.PENALTY):
            user, post = route.handlers[event.step]
            step = route.steps[event.step]
            if kind == EventKind.PENALTY:
                return user, post, rows["penalty_note"]
            if kind == EventKind.DECIDED:
                return user, post, notes.decided(case.get_decision_display(), case.decision_reason)
            return user, post, notes.step_done(step.name, _opinion(step))
        if kind == EventKind.SUSPENDED:
            entry = rows["suspension"]
            note = notes.suspended(entry.get_kind_display(), entry.reason, entry.max_days, entry.ends_by)
            return rows["handler"], None, note
        if kind == EventKind.RESUMED:
            entry = rows["suspension"]
            return rows["handler"], None, notes.resumed(entry.working_days, case.due_on)
        if kind == EventKind.FEE:
            payment = rows["fee"]
            return clerk, None, notes.fee(payment.amount, payment.receipt_no)
        if kind == EventKind.COMPLETED:
            by = case.accepted_by if route.kind == CaseKind.ENFORCEMENT else clerk
            return by, None, notes.completed(case.on_time)
        if kind == EventKind.RATED:
            return None, None, str(dict(RATING_SCORES)[rows["rating"].score])
        raise ValueError(kind)

    # --- saving --------------------------------------------------------------------------------

    def _codes(self) -> None:
        """Codes in the verbs' format, numbered per day after what the day's series already gave out."""
        wanted: dict[tuple[str, date], list[Case]] = {}
        for case, rows in self.children:
            wanted.setdefault((CODE_PREFIX[case.kind], rows["code_day"]), []).append(case)
        for (prefix, day), cases in sorted(wanted.items()):
            numbers = next_case_numbers(prefix, day, len(cases))
            for case, n in zip(sorted(cases, key=lambda c: c.submitted_at), numbers, strict=True):
                case.code = numbering.format_code(prefix, day, n, 6)

    def save(self) -> dict[str, int]:
        self._codes()
        bulk.insert_objects(Case, self.cases)  # COPY on PostgreSQL; ids reserved and set on the instances
        if self.cases:  # who sees them (written without save())
            CaseAccess.fill(first_id=min(case.pk for case in self.cases))
        found = {
            name: [] for name in ("steps", "events", "materials", "suspension", "fee", "penalty", "rating")
        }
        for case, rows in self.children:
            found["materials"].extend(
                CaseMaterial(
                    case=case,
                    material=material,
                    name=material.name,
                    on_paper=True,
                    uploaded_at=case.submitted_at,
                    uploaded_by=self.demo.clerk,
                )  # fmt: skip
                for material in rows["route"].materials
            )
            for step in rows["steps"]:
                step.case = case
                found["steps"].append(step)
            for event, (actor, post, note) in rows["trail"]:
                found["events"].append(
                    CaseEvent(
                        case=case,
                        at=event.at,
                        kind=event.kind,
                        actor=actor,
                        post=post,
                        note=note,
                        actor_label=self.label(actor) if actor is not None else audit.actor_label(None),
                    )  # fmt: skip
                )
            for name in ("suspension", "fee", "penalty", "rating"):
                if rows[name] is not None:
                    rows[name].case = case
                    found[name].append(rows[name])
        models = {"steps": CaseStep, "events": CaseEvent, "materials": CaseMaterial, "suspension": Suspension, "fee": FeePayment,
                  "penalty": PenaltyDecision, "rating": Rating}  # fmt: skip
        for name, model in models.items():
            bulk.insert_objects(model, found[name])
        counts = {
            "cases": len(self.cases),
            "completed": sum(1 for case in self.cases if case.status == CaseStatus.COMPLETED),
            "late": sum(1 for case in self.cases if case.on_time is False),
            **{name: len(rows) for name, rows in found.items()},
        }
        counts.update(self._timers())
        return counts

    def _timers(self) -> dict[str, int]:
        """The statutory timer of each case and of each suspension, with the reminders and alarms
        the sweep raised on them, through monitoring's bulk import (``timers.import_past``)."""
        rows = []
        for case, facts in self.children:
            rows.append(self._case_timer(case, facts))
            if facts["suspension"] is not None:
                rows.append(self._suspension_timer(case, facts["suspension"]))
        return timers.import_past(rows, now=self.now, batch_size=BATCH)

    def _case_timer(self, case: Case, rows: dict) -> timers.PastTimer:
        started = rows["trail"][0][0].at if case.kind == CaseKind.ENFORCEMENT else None
        started = started or next(e.at for e, _ in rows["trail"] if e.kind == EventKind.ACCEPTED)
        warn_at, due_at = window(case.due_on, case.statutory_days, case.item, not_before=started)
        entry = rows["suspension"]
        stopped = case.completed_at
        state, closed = AlertState.OPEN, None  # what became of an overdue alarm
        if stopped is not None and stopped < self.now - timedelta(days=OPEN_ALARM_DAYS):
            state = AlertState.RESOLVED
            closed = min(stopped + timedelta(days=self.rng.randint(1, 5), hours=2), self.now)
        elif stopped is not None and self.rng.random() < 0.5:
            state = AlertState.ACKNOWLEDGED
        return timers.PastTimer(
            target=case, purpose=timers.CASE, department_id=case.department_id,
            label=timing.case_label(case), started_at=started, warn_at=warn_at, due_at=due_at,
            provisional=case.due_provisional, stopped_at=stopped,
            pause=(entry.started_at, entry.ended_at, timing.pause_reason(entry)) if entry else None,
            alarm_state=state, alarm_closed_at=closed,
        )  # fmt: skip

    def _suspension_timer(self, case: Case, entry: Suspension) -> timers.PastTimer:
        return timers.PastTimer(
            target=case, purpose=suspension_purpose(entry), department_id=case.department_id,
            started_at=entry.started_at, stopped_at=entry.ended_at, **timing.suspension_timing(case, entry),
        )  # fmt: skip


# --- entry point ---------------------------------------------------------------------------------


def seed_history(scale: str, stdout, *, now: datetime | None = None) -> dict[str, int] | None:
    """Import the demo history once (later runs see the import's audit event and do nothing)."""
    if AuditEvent.objects.filter(verb=VERB).exists():
        stdout.write("    history already imported")
        return None
    if not ServiceItem.objects.exists():
        return None
    from .live import Demo

    started = time_module.monotonic()
    now = now or timezone.now()
    with transaction.atomic():
        demo = Demo(stdout)
        rng = random.Random(SEED)
        builder = Builder(demo, now)
        for entry in plan(routes(demo, rng), rng, timezone.localdate(now), scale):
            builder.build(entry)
        counts = builder.save()
        first = min((case.accepted_on for case in builder.cases), default=None)
        note = (
            f"历史办件导入：{counts['cases']} 件（{first} 起），其中办结 {counts['completed']} 件、"
            f"超期办结 {counts['late']} 件；时限提示 {counts['reminders']} 条、超时报警 {counts['alarms']} 条。"
        )
        audit.record(None, VERB, None, after=counts, note=note, label="历史数据导入")
    stdout.write(
        f"    history: {counts['cases']} cases since {first} ({counts['completed']} completed, "
        f"{counts['late']} late, {counts['suspension']} suspended, {counts['fee']} fees, "
        f"{counts['penalty']} penalties), {counts['timers']} timers, {counts['reminders']} reminders, "
        f"{counts['alarms']} alarms ({counts['open_alerts']} open) in {time_module.monotonic() - started:.1f}s"
    )
    return counts
