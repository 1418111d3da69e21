"""Demo data of electronic supervision, through the verbs (``seed_demo`` calls ``seed`` after approvals).

The sweep runs once so the demo cases' reminders and overdue alarms exist, then the anomaly rules
once; then an inspector works some of them: acknowledges a few, resolves one, dismisses one with a
reason, sends two supervision notices (one answered by the demo department head, one left open past
its deadline, so the next sweep raises its overdue alarm) and records one accountability decision.
Runs once: with notices already present it does nothing. Last, the dashboard's earlier months are
counted and stored (every time), so that the first view of the dashboard or the home page reads them.
"""

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from monitoring import dashboard
from monitoring.choices import AccountabilityMeasure, AlertKind, AlertState
from monitoring.models import AccountabilityRecord, Alert
from monitoring.services import alerts as services
from monitoring.services import supervision
from monitoring.services.sweep import run_sweep
from portal.models import Department
from portal.roles import DEPT_HANDLER, INSPECTOR, department_of


def _user(username, role):
    User = get_user_model()
    return User.objects.filter(username=username).first() or User.objects.filter(groups__name=role).first()


def _run_rules(stdout) -> None:
    try:
        from monitoring import rules
    except ImportError:  # the anomaly rules are optional for this demo
        return
    counts = rules.run()
    stdout.write(f"    anomaly rules: {sum(counts.values())} new alerts")


def seed(scale: str, stdout) -> None:
    _seed(scale, stdout)
    # The cases and alerts of the apps before this one are in: the dashboard's earlier months counted
    # and stored now, not by the first page view (performance's demo adds no case timers).
    started = time.monotonic()
    dashboard.refresh_history()
    stdout.write(f"    dashboard: earlier months counted and stored in {time.monotonic() - started:.1f}s")


def _seed(scale: str, stdout) -> None:
    # Its own records only: complaints press departments with supervision notices of their own.
    if AccountabilityRecord.objects.exists():
        stdout.write("    supervision already seeded")
        return
    result = run_sweep()
    stdout.write(f"    sweep: {result.reminders} reminders, {result.alarms} alarms")
    _run_rules(stdout)
    inspector = _user("inspector", INSPECTOR)
    head = get_user_model().objects.filter(username="head").first()
    if inspector is None or head is None or department_of(head) is None:
        stdout.write("    no demo inspector or department head; no supervision records")
        return
    home = department_of(head)
    # The head's department first, red before yellow, oldest first: what an inspector would pick.
    open_alerts = list(
        Alert.objects.filter(state=AlertState.OPEN, department__isnull=False)
        .annotate(
            home=Case(When(department=home, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("home", "level", "raised_at", "id")  # "red" < "yellow"[:200]
    )
    if not open_alerts:
        stdout.write("    no alerts to work on")
        return
    used = set()

    def pick(*, kind=None, department=None, exclude_department=None):
        for alert in open_alerts:
            if alert.pk in used or (kind and alert.kind != kind):
                continue
            if department is not None and alert.department_id != department.pk:
                continue
            if exclude_department is not None and alert.department_id == exclude_department.pk:
                continue
            used.add(alert.pk)
            return alert
        return None

    # 1. a notice on an overdue alarm of the head's department, answered by the head
    alarm = pick(kind=AlertKind.OVERDUE, department=home) or pick(department=home)
    answered = supervision.issue_notice(
        alarm, department=home, by=inspector, deadline_days=5,
        title=f"关于{alarm.target_label if alarm else '办件'}超时未办结的督办",
        requirement="请于期限内查明超时原因，落实整改措施，并书面答复整改结果和责任人处理情况。",
        now=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    supervision.answer_notice(
        answered, by=head,
        answer="经查，承办人因外出执法未及时流转，已当面批评教育；本局已调整A、B岗安排，确保承办人不在岗时由B岗及时接办。",
    )  # fmt: skip

    # 2. a notice to another department, issued earlier and still unanswered after its deadline
    late_alarm = pick(kind=AlertKind.OVERDUE, exclude_department=home) or pick(exclude_department=home)
    late_department = late_alarm.department if late_alarm else Department.objects.exclude(pk=home.pk).first()
    late = supervision.issue_notice(
        late_alarm, department=late_department, by=inspector, deadline_days=3,
        title=f"关于{late_alarm.target_label if late_alarm else '办件'}超时的督办",
        requirement="请说明超时原因和目前办理进度，限期办结。",
        now=timezone.now() - timedelta(days=10),
    )  # fmt: skip

    # 3. the inspector's daily work on the rest
    acknowledged = [a for a in (pick(), pick(), pick()) if a is not None]
    for alert in acknowledged:
        services.acknowledge(alert, by=inspector, note="已签收，跟踪办理。")
    reminder = pick(kind=AlertKind.REMINDER)
    if reminder is not None:
        services.resolve(reminder, by=inspector, note="经电话督促，承办单位已在期限内办结。")
    doubtful = pick(kind=AlertKind.ANOMALY) or pick()
    if doubtful is not None:
        services.dismiss(
            doubtful, by=inspector, reason="经核实，系窗口补录历史数据所致，并非违规办理，予以排除。"
        )

    # 4. accountability for the answered notice: the handler of the head's department
    handler = (
        get_user_model().objects.filter(groups__name=DEPT_HANDLER, staff_profile__department=home).first()
    )
    supervision.record_accountability(
        department=home, person=handler, person_name="" if handler else "承办人", person_title="承办人",
        measure=AccountabilityMeasure.TALK, facts="办件超过法定时限未办结，经督办后整改。",
        decided_on=timezone.localdate(), notice=answered, by=inspector,
    )  # fmt: skip

    result = run_sweep()  # the late notice's own overdue alarm
    stdout.write(
        f"    {len(acknowledged)} alerts acknowledged, {1 if reminder else 0} resolved, "
        f"{1 if doubtful else 0} dismissed; notices {answered.number} (answered) and {late.number} "
        f"(overdue, +{result.alarms} alarms); 1 accountability record"
    )
