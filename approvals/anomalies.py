"""Anomaly rules (异常) over the service centre's cases, registered with ``monitoring.rules``.

The verbs in ``approvals.services`` refuse most of these situations, so the rules mostly catch
data changed outside the verbs: in the database, by a script, by a legacy import. Two are
reachable through the verbs on purpose: a discretion decision outside its band with stated
reasons (the inspectors must see it anyway), and one person holding two separated posts.

Each rule receives case ids (``None`` = every case) and yields ``Finding``s; the runner raises
them as alerts of kind ``anomaly``, once per (rule, case, occurrence). Each rule is separately
tested in ``tests/approvals/test_anomalies.py``.
"""

from datetime import timedelta
from functools import partial
from itertools import groupby
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from monitoring.choices import AlertLevel
from monitoring.rules import Finding, register
from portal.models import AuditEvent
from powers.models import FlowStep

from .choices import CaseStatus, Decision, EventKind
from .models import Case, CaseEvent, CaseStep, FeePayment, PenaltyDecision

# A verb saves the case before it writes its audit event, so a completed case saved after its last
# audit event was edited outside the verbs. No grace needed (both stamps come from the same process);
# raise it if several servers with drifting clocks write to one database.
EDIT_GRACE = timedelta(0)


def cases_changed_since(since):
    """Ids of the cases saved, or acted on by a verb (audit trail), since ``since``."""
    saved = set(Case.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    acted = AuditEvent.objects.filter(
        at__gte=since, target_type=ContentType.objects.get_for_model(Case)
    ).values_list("target_id", flat=True)
    return saved | {int(pk) for pk in acted if pk.isdigit()}


rule = partial(register, changed=cases_changed_since)


def _scope(queryset, targets, field="pk"):
    return queryset if targets is None else queryset.filter(**{f"{field}__in": list(targets)})


def _finding(case, occurrence: str, title: str, detail: str = "") -> Finding:
    return Finding(case, occurrence, f"{title}：{case.code}", department=case.department, detail=detail)


# --- a. discretion outside its band --------------------------------------------------------------


@rule(
    "discretion_outside_band",
    "裁量超出基准",
    "执法决定金额超出裁量计算器给出的基准档次，即使已说明理由并经集体讨论，也提示监察人员关注。",
    level=AlertLevel.YELLOW,
)
def discretion_outside_band(targets):
    """A penalty marked outside its band, or whose amount lies outside the band it copied."""
    outside = Q(outside_band=True) | Q(amount__lt=F("band_amount_min")) | Q(amount__gt=F("band_amount_max"))
    decisions = _scope(PenaltyDecision.objects.filter(outside), targets, "case_id").select_related(
        "case__department", "case__item", "case__power", "standard"
    )
    for penalty in decisions.order_by("pk"):
        unit = penalty.standard.amount_unit
        band = f"{penalty.band_severity}档 {penalty.band_amount_min}–{penalty.band_amount_max}{unit}"
        justified = penalty.reasons and penalty.collective_discussion_record
        detail = (
            f"决定金额 {penalty.amount}{unit}，裁量基准「{penalty.standard.title}」{band}。"
            f"说明理由：{_clause(penalty.reasons)}；集体讨论记录：{_clause(penalty.collective_discussion_record)}。"
        )
        title = "裁量超出基准（已说明理由）" if justified else "裁量超出基准且理由不全"
        yield _finding(penalty.case, f"penalty:{penalty.pk}", title, detail)


def _clause(text: str) -> str:
    return text.strip().rstrip("。；") or "（无）"


# --- b. the same person on both sides of a separated duty ---------------------------------------


@rule(
    "separated_duty",
    "不相容岗位由同一人办理",
    "同一人既受理（立案）又作出决定；作出决定的人又办理了本案其他岗位的环节（审查与决定、决定与执行分离）；"
    "或同一人既在A岗又以B岗名义代办。",
)
def separated_duty(targets):
    cases = _scope(Case.objects.filter(parent__isnull=True), targets).select_related(
        "department", "item", "power"
    )
    # Accepted (or filed) and decided by the same person.
    same = cases.filter(accepted_by__isnull=False, accepted_by=F("decided_by")).select_related("decided_by")
    for case in same.order_by("pk"):
        yield _finding(
            case,
            "accepted-decided",
            "受理与决定由同一人办理",
            f"{_person(case.decided_by)}既受理（立案）又作出决定。",
        )
    # The decider also handled a step of another post of the same case.
    two_posts = (
        _scope(
            CaseStep.objects.filter(handled_by=F("case__decided_by"), post__isnull=False), targets, "case_id"
        )
        .values("case_id")
        .annotate(posts=Count("post", distinct=True))
        .filter(posts__gte=2)
        .values("case_id")
    )
    for case in cases.filter(pk__in=two_posts).select_related("decided_by").order_by("pk"):
        names = "、".join(
            case.steps.filter(handled_by=case.decided_by_id).order_by("order").values_list("name", flat=True)
        )
        yield _finding(
            case,
            f"decider:{case.decided_by_id}",
            "决定人同时办理了其他岗位的环节",
            f"{_person(case.decided_by)}办理了「{names}」，流程图把这些环节分给不同岗位。",
        )
    # Acted "as B post" while holding the A post itself.
    holds_a = Q(handled_by__staff_profile__posts=F("post"))
    backups = _scope(CaseStep.objects.filter(holds_a, acted_as_backup=True), targets, "case_id")
    for step in backups.select_related("case__department", "case__item", "case__power", "handled_by"):
        yield _finding(
            step.case,
            f"backup:{step.pk}",
            "A岗本人以B岗名义办理",
            f"「{step.name}」由{_person(step.handled_by)}以B岗代办，而其本人即在A岗。",
        )


def _person(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


# --- c. a step out of order or by a post that does not own it -------------------------------------


@rule(
    "step_irregular",
    "环节顺序或办理岗位异常",
    "环节由流程图指定岗位及其B岗以外的岗位办理；环节完成顺序与流程图不符；或跳过了流程图中的环节。",
)
def step_irregular(targets):
    steps = _scope(CaseStep.objects.all(), targets, "case_id")
    cases = {}

    def case_of(case_id):
        if case_id not in cases:
            cases[case_id] = Case.objects.select_related("department", "item", "power").get(pk=case_id)
        return cases[case_id]

    # Done by a post that is neither the step's post nor its B post (or by no recorded post).
    wrong = (
        steps.filter(finished_at__isnull=False, post__isnull=False)
        .exclude(handled_post=F("post"))
        .select_related("post", "handled_post")
    )
    for step in wrong.order_by("case_id", "order", "pk"):
        if step.handled_post_id is not None and step.handled_post_id == step.post.backup_id:
            continue
        by = step.handled_post or "未记录的岗位"
        yield _finding(
            case_of(step.case_id),
            f"post:{step.pk}",
            "环节由无权岗位办理",
            f"「{step.name}」应由{step.post}（或其B岗）办理，实际由{by}办理。",
        )
    # Out of order (finished before a step that comes earlier) and skipped steps, case by case.
    rows = steps.values_list(
        "case_id", "pk", "order", "name", "finished_at", "flow_step_id", "flow_step__flowchart_id"
    ).order_by("case_id", "pk")
    charts = {}
    for case_id, group in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        case_steps = list(group)
        yield from _out_of_order(case_of, case_id, case_steps)
        chart_id = case_steps[0][6]
        if chart_id not in charts:
            charts[chart_id] = list(
                FlowStep.objects.filter(flowchart_id=chart_id).values_list("pk", "order", "name")
            )
        entered = {row[5] for row in case_steps}
        furthest = max(row[2] for row in case_steps)
        for flow_id, order, name in charts[chart_id]:
            if order < furthest and flow_id not in entered:
                yield _finding(
                    case_of(case_id),
                    f"skipped:{flow_id}",
                    "跳过流程环节",
                    f"未经「{name}」环节即进入后续环节。",
                )


def _out_of_order(case_of, case_id, case_steps):
    finished = sorted((row for row in case_steps if row[4] is not None), key=lambda row: (row[4], row[1]))
    highest = None
    for _case, pk, order, name, _at, _flow, _chart in finished:
        if highest is not None and order < highest[0]:
            yield _finding(
                case_of(case_id),
                f"order:{pk}",
                "环节办理顺序颠倒",
                f"「{name}」（第{order}步）在「{highest[1]}」（第{highest[0]}步）之后才完成。",
            )
        elif highest is None or order > highest[0]:
            highest = (order, name)


# --- d. completed without the fee ---------------------------------------------------------------


@rule(
    "fee_missing",
    "收费事项办结未收费",
    "准予许可并已办结的办件，其服务事项设有收费项目，却没有统一收费窗口的收费记录。",
)
def fee_missing(targets):
    cases = (
        Case.objects.filter(status=CaseStatus.COMPLETED, parent__isnull=True, decision=Decision.APPROVE)
        .annotate(fee=Sum("item__fees__amount"))
        .filter(fee__gt=0)
        .exclude(Exists(FeePayment.objects.filter(case=OuterRef("pk"))))
    )
    for case in _scope(cases, targets).select_related("department", "item", "power").order_by("pk"):
        yield _finding(
            case, "fee", "收费事项办结未见收费记录", f"「{case.item}」应收 {case.fee} 元，未见收费记录。"
        )


# --- e. reopened or edited after completion ----------------------------------------------------


@rule(
    "changed_after_completion",
    "办结后被改动",
    "已办结的办件状态被改回；办结后办件记录被改动（办理程序以外的修改）；或办结后又出现评议以外的办理记录。",
)
def changed_after_completion(targets):
    base = _scope(Case.objects.filter(completed_at__isnull=False), targets).select_related(
        "department", "item", "power"
    )
    for case in base.exclude(status=CaseStatus.COMPLETED).order_by("pk"):
        stamp = timezone.localtime(case.completed_at)
        yield _finding(
            case,
            f"reopened:{stamp:%Y%m%d%H%M%S}",
            "办结后状态被改回",
            f"办件已于{stamp:%Y-%m-%d %H:%M}办结，现状态为「{case.get_status_display()}」。",
        )
    last_verb = (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Case), target_id=Cast(OuterRef("pk"), CharField())
        )
        .order_by()
        .values("target_id")
        .annotate(last=Max("at"))
        .values("last")
    )
    edited = base.annotate(last_verb=Subquery(last_verb)).filter(updated_at__gt=F("last_verb") + EDIT_GRACE)
    for case in edited.order_by("pk"):
        stamp = timezone.localtime(case.updated_at)
        yield _finding(
            case,
            f"edited:{stamp:%Y%m%d%H%M%S}",
            "办结后办件记录被改动",
            f"办件于{stamp:%Y-%m-%d %H:%M:%S}被修改，此前最后一次经办理程序的操作在"
            f"{timezone.localtime(case.last_verb):%Y-%m-%d %H:%M:%S}。",
        )
    late = _scope(
        CaseEvent.objects.filter(case__completed_at__isnull=False, at__gt=F("case__completed_at")).exclude(
            kind=EventKind.RATED
        ),
        targets,
        "case_id",
    )
    for event in late.select_related("case__department", "case__item", "case__power").order_by("pk"):
        yield _finding(
            event.case,
            f"event:{event.pk}",
            "办结后又有办理记录",
            f"办结后记录了「{event.get_kind_display()}」：{event.note}",
        )
