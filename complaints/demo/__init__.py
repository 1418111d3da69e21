"""The complaint platform's part of ``seed_demo``.

Small: the category tree; complaints through every channel and in every state, walked through the
verbs with back-dated times (one duplicate merged, one reopened, one returned and rerouted, one
pressed, a corruption clue routed, one overdue with its alarm raised by the sweep); and, for every
department, last month's complaints closed and rated, so that the monthly report shows all nine
indicators and a grade for each.

City (``--scale city``): adds ≥ 100,000 closed complaints over two years through bulk inserts
(numbers from the numbering service in blocks, trail rows for the indicators, no timers for this
imported history and one audit event for the whole import, no query secret: they cannot be tracked).
"""

import random
import time as time_module
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from portal import numbering, roles, workdays
from portal.choices import DepartmentKind
from portal.models import AuditEvent, Department, StaffProfile

from .. import services
from ..choices import Channel, ComplaintState, Satisfaction, Verb
from ..models import Category, Complaint, ComplaintEvent

CATEGORIES = [
    # code, name, parent, limit_days, accept_days, corruption_clue
    ("XN", "行政效能", None, 15, 1, False),
    ("XN-TY", "办事拖延", "XN", 10, 1, False),
    ("XN-TD", "服务态度", "XN", 5, 1, False),
    ("SF", "乱收费", None, 15, 2, False),
    ("WG", "违规办事", None, 15, 2, False),
    ("FB", "腐败问题线索", None, 30, 2, True),
    ("QT", "其他", None, 15, 2, False),
]
MATTERS = [
    ("办理营业执照超期未办结", "XN-TY", "三周前提交的营业执照申请至今没有结果，电话无人接听。"),
    ("窗口工作人员态度生硬", "XN-TD", "询问材料要求时工作人员不耐烦，让我自己看公告。"),
    ("要求购买指定培训材料", "SF", "办理许可时被要求购买指定的培训材料，价格三百元。"),
    ("施工许可多次要求补充材料", "WG", "每次去都说缺不同的材料，没有一次性告知。"),
    ("道路占用审批无人处理", "XN-TY", "申请临时占道已超过承诺时限。"),
    ("执法人员未出示证件", "WG", "检查时执法人员没有出示执法证件。"),
    ("噪音投诉长期未处理", "QT", "夜间施工噪音投诉多次，无人回复。"),
    ("广告审批收取额外费用", "SF", "户外广告审批收取了没有依据的“评审费”。"),
]
REPLIES = [
    "经核查，情况属实，已责令窗口当日办结，并对相关人员批评教育。",
    "经调查，收费无依据，已全额退还并通报批评。",
    "已约谈相关科室负责人，整改一次性告知制度。",
    "经核实，该事项已于近日办结，向您致歉。",
]
NAMES = ["王小明", "李华", "张秀英", "刘洋", "陈静怡", "杨帆", "赵磊", "黄敏", ""]
CITY_TOTAL = 100_800
CITY_VERB = "complaints.history.imported"
TZ_HOUR = 10


def _at(day: date, hour: int = TZ_HOUR, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_categories() -> dict[str, Category]:
    by_code = {}
    for order, (code, name, parent, limit, accept, clue) in enumerate(CATEGORIES):
        category, _ = Category.objects.update_or_create(
            code=code,
            defaults={"name": name, "parent": by_code.get(parent), "limit_days": limit, "accept_days": accept,
                      "corruption_clue": clue, "order": order},
        )  # fmt: skip
        by_code[code] = category
    return by_code


def _user(username: str, display: str, department: Department, role: str):
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.get_or_create(
        user=user, defaults={"department": department, "display_name": display}
    )
    return user


class Desk:
    """The people and the calendar the demo walks complaints with."""

    def __init__(self, categories):
        self.categories = categories
        self.inspector = get_user_model().objects.get(username="inspector")
        supervisory = Department.objects.get(code="JW")
        self.operator = _user(
            "operator", "周敏", supervisory, roles.HOTLINE_OPERATOR
        )  # a demo login (portal)
        self.departments = list(
            Department.objects.filter(kind=DepartmentKind.DEPARTMENT, is_active=True).order_by("code")
        )
        self.handlers = {}
        self.today = timezone.localdate()
        self.rng = random.Random(11)
        self.serial = 0

    def handler(self, department: Department):
        if department.pk not in self.handlers:
            user = (
                get_user_model()
                .objects.filter(groups__name=roles.DEPT_HANDLER, staff_profile__department=department)
                .order_by("pk")
                .first()
            )
            self.handlers[department.pk] = user or _user(
                f"cp-{department.code.lower()}", f"{department.short_name or department.name}投诉承办人", department,
                roles.DEPT_HANDLER,
            )  # fmt: skip
        return self.handlers[department.pk]

    def submit(self, day: date, *, channel=None, department=None, title=None, name=None, contact=None, **kw):
        self.serial += 1
        title_, category, matter = MATTERS[self.serial % len(MATTERS)]
        channel = (
            channel
            or [Channel.WEB, Channel.HOTLINE, Channel.WEB, Channel.LETTER, Channel.EMAIL][self.serial % 5]
        )
        name = NAMES[self.serial % len(NAMES)] if name is None else name
        contact = (f"139{self.serial:08d}" if name else "") if contact is None else contact
        by = None if channel == Channel.WEB else self.operator
        complaint, secret = services.submit(
            channel=channel, title=title or title_, matter=matter, reporter_name=name, reporter_contact=contact,
            department=department, by=by, now=_at(day, 9, self.serial % 60), **kw,
        )  # fmt: skip
        complaint.demo_category = self.categories[category]
        return complaint, secret

    def forward(self, complaint, day, department, category=None):
        services.classify(
            complaint, category or complaint.demo_category, by=self.inspector, now=_at(day, 9, 30)
        )
        return services.forward(complaint, department, by=self.inspector, now=_at(day, 10))

    def handle(self, complaint, day, *, days=3, accept_late=False):
        """Accept, reply and propose closure ``days`` working days after forwarding."""
        department = complaint.handling_department
        by = self.handler(department)
        accept_day = workdays.add_working_days(day, 3 if accept_late else 0)
        complaint = services.accept(complaint, by=by, now=_at(accept_day, 11))
        done = min(workdays.add_working_days(day, days), working_days_back(self.today, 2))
        complaint = services.reply(
            complaint, by=by, text=REPLIES[self.serial % len(REPLIES)], now=_at(done, 15)
        )
        return services.propose_closure(complaint, by=by, now=_at(done, 16))

    def close(self, complaint, day, *, secret=None, rating=Satisfaction.SATISFIED):
        closed_on = workdays.add_working_days(timezone.localdate(complaint.handled_at), 1)
        complaint = services.approve_closure(complaint, by=self.inspector, now=_at(closed_on, 10))
        if secret and rating:
            complaint = services.rate(complaint, secret=secret, satisfaction=rating, now=_at(closed_on, 20))
        return complaint


def working_days_back(today: date, n: int) -> date:
    return workdays.subtract_working_days(today, n)


# The monthly story goes through the verbs for the demo city's own departments (created first);
# at city scale the other few hundred departments' complaints are the bulk history's.
MONTH_DEPARTMENTS = 20


def seed_month(desk: Desk, first: date, last: date) -> int:
    """For every department of the demo city: complaints forwarded in [first, last], closed and
    rated (mostly)."""
    count = 0
    departments = sorted(desk.departments, key=lambda department: department.pk)[:MONTH_DEPARTMENTS]
    days = [
        d
        for d in (first + timedelta(n) for n in range((last - first).days + 1))
        if workdays.is_working_day(d)
    ]
    for index, department in enumerate(sorted(departments, key=lambda department: department.code)):
        for k in range(3):
            day = days[(index * 3 + k) % max(1, len(days) - 12)]
            complaint, secret = desk.submit(day, department=department)
            complaint = desk.forward(complaint, day, department)
            late = index % 4 == 3 and k == 1
            complaint = desk.handle(
                complaint, day, days=14 if late else 2 + k, accept_late=(index + k) % 5 == 0
            )
            rating = [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.SATISFIED][k]
            if index % 5 == 1 and k == 0:
                rating = Satisfaction.DISSATISFIED
            desk.close(complaint, day, secret=secret, rating=rating)
            count += 1
        if index % 4 == 0:  # pressed along the way
            day = days[(index * 3) % max(1, len(days) - 12)]
            complaint, secret = desk.submit(day, department=department)
            complaint = desk.forward(complaint, day, department)
            services.press(complaint, by=desk.inspector, requirement="请于三个工作日内办结并答复投诉人。",
                           now=_at(day, 14))  # fmt: skip
            complaint = desk.handle(complaint, day, days=4)
            desk.close(complaint, day, secret=secret, rating=Satisfaction.BASICALLY)
            count += 1
    # one kept by the supervisory organ itself, closed and rated (its row in the report)
    day = days[0]
    complaint, secret = desk.submit(day, title="局领导打招呼干预审批", official_name="某局副局长")
    services.classify(complaint, desk.categories["WG"], by=desk.inspector, now=_at(day, 9, 30))
    complaint = services.keep(
        complaint, by=desk.inspector, note="涉及部门领导，监察机关自办", now=_at(day, 10)
    )
    done = workdays.add_working_days(day, 5)
    complaint = services.reply(complaint, by=desk.inspector, text=REPLIES[2], now=_at(done, 15))
    complaint = services.propose_closure(complaint, by=desk.inspector, now=_at(done, 16))
    desk.close(complaint, day, secret=secret, rating=Satisfaction.SATISFIED)
    return count + 1


def seed_states(desk: Desk) -> int:
    """Every channel and every state, a merged duplicate, a reopened one, a returned one, a clue."""
    today = desk.today
    d = [desk.departments[i % len(desk.departments)] for i in range(13)]
    back = lambda n: working_days_back(today, n)  # noqa: E731
    made = 0
    # received: waiting for the supervisory organ (web anonymous, e-mail, letter)
    desk.submit(back(0), channel=Channel.WEB, name="", contact="")
    original, _ = desk.submit(back(1), channel=Channel.EMAIL, department=d[0], case_code="")
    desk.submit(back(1), channel=Channel.LETTER, department=d[1])
    # a duplicate of the e-mail one (same reporter, same matter): offered and merged
    duplicate, _ = desk.submit(back(0), channel=Channel.HOTLINE, title=original.title, name=original.reporter_name,
                               contact=original.reporter_contact, department=d[0])  # fmt: skip
    services.merge(
        duplicate, original, by=desk.inspector, note="同一投诉人就同一事项重复来电", now=_at(back(0), 11)
    )
    # forwarded, not yet accepted; about a real case (the drill-down shows its trail, power and alerts)
    from approvals.drilldown import case_summary, latest_case_code

    code = latest_case_code() or ""
    case = case_summary(code) if code else None
    about = Department.objects.get(pk=case["department_id"]) if case else d[2]
    c, _ = desk.submit(back(0), channel=Channel.HOTLINE, department=about, case_code=code,
                       title="办件超过承诺时限仍未办结")  # fmt: skip
    desk.forward(c, back(0), about)
    # returned by the wrong department, waiting to be rerouted
    c, _ = desk.submit(back(2), channel=Channel.WEB, department=d[3])
    c = desk.forward(c, back(2), d[3])
    services.return_complaint(c, by=desk.handler(d[3]), reason="该事项属住建部门职责，请转住建局办理。",
                              now=_at(back(1), 10))  # fmt: skip
    # returned and rerouted, now accepted by the right department
    c, _ = desk.submit(back(4), channel=Channel.LETTER, department=d[4])
    c = desk.forward(c, back(4), d[4])
    c = services.return_complaint(c, by=desk.handler(d[4]), reason="不属本单位职责。", now=_at(back(3), 10))
    c = services.forward(c, d[5], by=desk.inspector, note="改转承办", now=_at(back(3), 15))
    services.accept(c, by=desk.handler(d[5]), now=_at(back(2), 9))
    # replied; closing (proposed); pressed while in handling
    c, _ = desk.submit(back(5), channel=Channel.EMAIL, department=d[6])
    c = desk.forward(c, back(5), d[6])
    c = services.accept(c, by=desk.handler(d[6]), now=_at(back(5), 11))
    services.reply(c, by=desk.handler(d[6]), text=REPLIES[0], now=_at(back(2), 15))
    c, _ = desk.submit(back(6), channel=Channel.WEB, department=d[7])
    c = desk.forward(c, back(6), d[7])
    desk.handle(c, back(6), days=3)
    c, _ = desk.submit(back(3), channel=Channel.HOTLINE, department=d[8])
    c = desk.forward(c, back(3), d[8])
    services.accept(c, by=desk.handler(d[8]), now=_at(back(3), 11))
    services.press(c, by=desk.inspector, requirement="投诉人多次来电催办，请加快办理。", now=_at(back(1), 9))
    # overdue: forwarded long ago, accepted, never finished -> the sweep raises the alarm
    c, _ = desk.submit(back(20), channel=Channel.HOTLINE, department=d[9], title="低保审批长期无结果")
    c = desk.forward(c, back(20), d[9], category=desk.categories["XN-TD"])
    services.accept(c, by=desk.handler(d[9]), now=_at(back(19), 11))
    # kept by the supervisory organ (about a department's own leaders)
    c, _ = desk.submit(
        back(2), channel=Channel.LETTER, department=d[10], title="局领导干预审批", official_name="某副局长"
    )
    services.classify(c, desk.categories["WG"], by=desk.inspector, now=_at(back(2), 11))
    services.keep(c, by=desk.inspector, note="涉及部门领导，监察机关自办", now=_at(back(2), 12))
    # a corruption clue routed to the discipline inspection office only
    c, _ = desk.submit(back(1), channel=Channel.WEB, department=d[11], title="审批人员暗示“好处费”")
    services.classify(c, desk.categories["FB"], by=desk.inspector, now=_at(back(1), 11))
    services.route(c, by=desk.inspector, note="腐败问题线索，移送纪检监察", now=_at(back(1), 12))
    # closed and reopened by the citizen, back at the supervisory organ
    c, secret = desk.submit(back(12), channel=Channel.WEB, department=d[12])
    c = desk.forward(c, back(12), d[12])
    c = desk.handle(c, back(12), days=2)
    c = desk.close(c, back(12), secret=secret, rating=Satisfaction.DISSATISFIED)
    services.reopen(c, secret=secret, reason="问题没有真正解决，收费仍未退还。", now=_at(back(5), 20))
    made += 16
    return made


def _run_sweep() -> None:
    from monitoring.timers import run_sweep

    run_sweep()


def seed_city(desk: Desk, stdout, total: int = CITY_TOTAL) -> int:
    """≥ 100,000 closed complaints over two years, imported in bulk (``portal.bulk``: COPY on
    PostgreSQL): numbers in blocks per day, ids reserved up front, each row's flags by the verbs'
    rule functions (``record_acceptance``/``record_closure``), the trail rows the indicators read,
    one audit event for the import (``complaints.history.imported``)."""
    from portal import audit, bulk

    if AuditEvent.objects.filter(verb=CITY_VERB).exists():
        stdout.write("    complaints' history already imported")
        return 0
    started = time_module.monotonic()
    rng = random.Random(7)
    departments = desk.departments + [Department.objects.get(code="JW")]
    categories = [desk.categories[code] for code in ("XN-TY", "XN-TD", "SF", "WG", "QT")]
    end = desk.today - timedelta(days=40)
    start = end - timedelta(days=730)
    days = [start + timedelta(n) for n in range(731) if workdays.is_working_day(start + timedelta(n))]
    per_day = -(-total // len(days))
    satisfaction = (
        [Satisfaction.SATISFIED] * 7 + [Satisfaction.BASICALLY] * 2 + [Satisfaction.DISSATISFIED, ""]
    )
    channels = [Channel.HOTLINE] * 5 + [Channel.WEB] * 3 + [Channel.LETTER, Channel.EMAIL]
    cache = {}

    def add(day, n):  # working-day arithmetic, memoised: the same few offsets for every row of a day
        key = (day, n)
        if key not in cache:
            cache[key] = workdays.add_working_days(day, n)
        return cache[key]

    columns = [
        f.attname for f in Complaint._meta.concrete_fields if not f.primary_key and f.name != "updated_at"
    ]
    first_id = bulk.reserve_ids(Complaint, total)
    events = []

    def complaint_rows():
        made = 0
        for day in days:
            if made >= total:
                break
            n = min(per_day, total - made)
            numbers = numbering.next_numbers(f"complaint:{day:%Y%m%d}", n)
            day_rows = []
            for serial in numbers:
                department = rng.choice(departments)
                category = rng.choice(categories)
                received = _at(day, rng.randint(8, 17), rng.randint(0, 59))
                used = rng.choice((1, 2, 3, 4, 5, 6, 8, 12, 18))
                handled_on = add(day, used)
                due_on = add(day, category.limit_days)
                title, _code, matter = MATTERS[serial % len(MATTERS)]
                accept_due_on = add(day, category.accept_days)
                # about one in twenty-five accepted a working day after its acceptance limit
                accepted_at = (
                    _at(add(accept_due_on, 1), 10)
                    if rng.random() < 0.04
                    else received + timedelta(hours=rng.choice((2, 3)))
                )
                complaint = Complaint(
                    id=first_id + made, code=numbering.format_code("TS", day, serial, services.CODE_DIGITS),
                    channel=rng.choice(channels), state=ComplaintState.CLOSED, title=title, matter=matter,
                    category=category, department=department, handling_department=department, received_at=received,
                    forwarded_at=received + timedelta(hours=1), accept_due_on=accept_due_on, due_on=due_on,
                    replied_at=_at(handled_on, 15), reply=REPLIES[serial % len(REPLIES)], handled_at=_at(handled_on, 16),
                    pressed_count=int(rng.random() < 0.05), satisfaction=rng.choice(satisfaction),
                    rated_at=_at(handled_on, 20),
                )  # fmt: skip
                services.record_acceptance(complaint, accepted_at)  # the verbs' rules, not a copy of them
                services.record_closure(complaint, _at(handled_on, 17))
                made += 1
                day_rows.append(complaint)
                yield (complaint.id, *(getattr(complaint, name) for name in columns))
            for complaint in day_rows:  # the trail rows, in the order the old per-day load drew them
                events.append(
                    (complaint.id, complaint.received_at, Verb.SUBMITTED, ComplaintState.RECEIVED, None)
                )
                events.append((complaint.id, complaint.closed_at, Verb.CLOSURE_APPROVED, ComplaintState.CLOSED,
                               complaint.handling_department_id))  # fmt: skip
                if rng.random() < 0.02:
                    events.append(
                        (complaint.id, complaint.forwarded_at, Verb.RETURNED, "", rng.choice(departments).pk)
                    )

    with transaction.atomic():
        made = bulk.insert_rows(Complaint, ["id", *columns], complaint_rows())
        trail = bulk.insert_rows(
            ComplaintEvent, ["complaint_id", "at", "verb", "to_state", "department_id"], events
        )
        counts = {"complaints": made, "events": trail, "first_id": first_id,
                  "seconds": round(time_module.monotonic() - started, 1)}  # fmt: skip
        audit.record(
            None, CITY_VERB, None, after=counts, label="历史数据导入",
            note=f"投诉历史导入：{made} 件（{days[0]} 至 {days[-1]}），办理记录 {trail} 条。",
        )  # fmt: skip
    stdout.write(
        f"    {made} complaints of two years' history (bulk), {trail} trail rows "
        f"in {time_module.monotonic() - started:.1f}s"
    )
    return made


def seed(scale: str, stdout) -> None:
    categories = seed_categories()
    desk = Desk(categories)
    if not desk.departments:
        stdout.write("    no departments: run the portal's demo first")
        return
    made = seed_states(desk)
    today = desk.today
    last_month_end = today.replace(day=1) - timedelta(days=1)
    month_before_end = last_month_end.replace(day=1) - timedelta(days=1)
    for end in (month_before_end, last_month_end):
        made += seed_month(desk, end.replace(day=1), end)
    _run_sweep()
    stdout.write(f"    {len(categories)} categories, {made} complaints through every channel and state")
    if scale == "city":
        seed_city(desk, stdout)
