"""The verbs of the service centre: each verb, each refused transition, deadlines, timers, the trail."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals import services
from approvals.choices import CaseStatus, EventKind, SuspensionKind
from approvals.models import Case, CaseStep
from approvals.services import timing
from monitoring import timers
from portal.models import AuditEvent
from portal.services import TransitionError
from powers.choices import Category, PowerStatus
from powers.models import FlowStep
from tests.approvals.factories import ServiceItemFactory, at, flowchart, pdf
from tests.factories import PostFactory, UserFactory
from tests.powers.factories import PowerFactory

pytestmark = pytest.mark.django_db


def active_timers(case):
    return {t.purpose: t for t in timers.for_target(case) if t.stopped_at is None}


# --- service items -----------------------------------------------------------------------


def test_create_service_item_from_published_power(centre, admin_user):
    item = services.create_service_item(
        centre.power,
        by=centre.approver,
        code="FW-NEW",
        materials=[{"name": "申请书"}, {"name": "身份证明", "required": False}],
        fees=[{"name": "登记费", "amount": Decimal("20"), "basis": "收费文件"}],
        warn_ratio="0.8",
    )
    assert item.statutory_days == centre.power.time_limit_days
    assert item.promised_days == centre.power.promised_days
    assert item.warn_ratio == Decimal("0.80") and item.warn_days_before is None
    assert [m.name for m in item.materials.all()] == ["申请书", "身份证明"]
    assert item.fee_total == Decimal("20")
    assert AuditEvent.objects.filter(verb="service_item.create").count() == 1


@pytest.mark.parametrize(
    "status", [PowerStatus.DRAFT, PowerStatus.SUBMITTED, PowerStatus.APPROVED, PowerStatus.ABOLISHED]
)
def test_service_item_refused_for_unpublished_power(centre, status):
    power = PowerFactory(department=centre.department, status=status)
    flowchart(power, [("受理", None, 1)])
    with pytest.raises(ValidationError, match="已确认公布"):
        services.create_service_item(power, by=centre.approver)


def test_service_item_refused_for_penalty_power_and_power_without_flowchart(centre):
    penalty = PowerFactory(department=centre.department, category=Category.PENALTY)
    flowchart(penalty, [("调查", None, 1)])
    with pytest.raises(ValidationError, match="立案"):
        services.create_service_item(penalty, by=centre.approver)
    bare = PowerFactory(department=centre.department)
    with pytest.raises(ValidationError, match="流程图"):
        services.create_service_item(bare, by=centre.approver)


def test_service_item_refused_to_other_department_and_bad_limits(centre):
    with pytest.raises(PermissionDenied):
        services.create_service_item(centre.power, by=centre.other_staff)
    with pytest.raises(ValidationError):
        services.create_service_item(centre.power, by=centre.approver, statutory_days=5, promised_days=8)
    with pytest.raises(ValidationError):
        services.create_service_item(centre.power, by=centre.approver, warn_days_before=1, warn_ratio="0.5")


def test_import_service_items_writes_the_verbs_rows_and_one_audit_event(centre):
    from approvals.models import ServiceItem, Window
    from portal import search

    window = Window.objects.create(number="91", name="综合窗口")
    twin = PowerFactory(department=centre.department, name=centre.power.name + "（区级）")
    flowchart(twin, [("受理", None, 1), ("决定", None, 2)])

    def spec(power):
        return {
            "power": power, "materials": [{"name": "申请书"}, {"name": "身份证明", "required": False, "copies": 2}],
            "fees": [{"name": "登记费", "amount": Decimal("20"), "basis": "收费文件"}], "windows": [window],
            "warn_ratio": "0.8", "conditions": "符合条件", "is_online": False,
        }  # fmt: skip

    made = services.create_service_item(by=centre.approver, **spec(centre.power))
    events = AuditEvent.objects.count()
    [pk] = services.import_service_items([spec(twin)], by=centre.approver)
    imported = ServiceItem.objects.get(pk=pk)
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").verb == "service_item.import"
    assert imported.code.startswith(f"FW-{twin.code}") and imported.name == twin.name
    fields = ["statutory_days", "promised_days", "warn_days_before", "warn_ratio", "conditions", "result_form",
              "is_online", "is_active", "department_id"]  # fmt: skip
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(made, f) for f in fields} | {
        "statutory_days": twin.time_limit_days, "promised_days": twin.promised_days,
        "result_form": twin.result_form,
    }  # fmt: skip
    rows = lambda item: (  # noqa: E731
        list(item.materials.values_list("order", "name", "required", "copies", "note")),
        list(item.fees.values_list("name", "amount", "basis")),
        list(item.windows.values_list("pk", flat=True)),
    )
    assert rows(imported) == rows(made)
    assert imported.fee_total == Decimal("20")
    # the list's name search and the public search find it, as they find the verb's item
    assert list(search.search(ServiceItem.objects.all(), "区级")) == [imported]
    assert set(search.find(ServiceItem, twin.code).values_list("object_id", flat=True)) == {pk}
    # a power the verb refuses is refused, nothing stored
    with pytest.raises(ValidationError, match="流程图"):
        services.import_service_items(
            [{"power": PowerFactory(department=centre.department)}], by=centre.approver
        )
    assert ServiceItem.objects.count() == 3


def test_update_service_item_keeps_power(centre):
    item = services.update_service_item(centre.item, by=centre.approver, promised_days=5, warn_ratio="0.5")
    assert item.promised_days == 5 and item.warn_ratio == Decimal("0.5") and item.warn_days_before is None
    with pytest.raises(ValidationError):
        services.update_service_item(centre.item, by=centre.approver, power=centre.power)


# --- intake ---------------------------------------------------------------------------------


def test_submit_online_assigns_code_and_secret_once(centre):
    case, secret = centre.apply()
    assert case.status == CaseStatus.SUBMITTED
    assert case.code == "SP20250303000001"
    assert len(secret) == 8 and secret not in case.query_secret_hash
    assert case.materials.get().file.name.startswith("cases/")
    second, _ = centre.apply()
    assert second.code == "SP20250303000002"
    assert services.track(case.code, secret) == case


def test_online_refused_when_item_is_window_only(centre):
    centre.item.is_online = False
    centre.item.save()
    with pytest.raises(ValidationError, match="不支持网上申请"):
        centre.apply()


def test_window_application_needs_staff(centre):
    with pytest.raises(PermissionDenied):
        services.submit_application(centre.item, applicant_name="李四", channel="window")
    case, _ = services.submit_application(
        centre.item, applicant_name="李四", by=centre.clerk, paper_materials=[centre.required.pk]
    )
    assert case.channel == "window" and case.materials.get().on_paper


def test_material_of_another_item_refused(centre):
    other = ServiceItemFactory(power=centre.power, code="FW-OTHER")
    foreign = other.materials.create(name="别的材料")
    with pytest.raises(ValidationError):
        services.submit_application(centre.item, applicant_name="王五", files={foreign.pk: pdf()})
    assert not Case.objects.exists()


def test_script_upload_refused(centre):
    with pytest.raises(ValidationError):
        services.submit_application(
            centre.item, applicant_name="王五", files={centre.required.pk: pdf("x.html", b"<script>")}
        )
    assert not Case.objects.exists()


def test_accept_computes_working_day_deadlines_and_starts_timers(centre):
    case, _ = centre.accepted()
    # Accepted Monday 2025-03-03; the acceptance day is not counted.
    assert case.status == CaseStatus.ACCEPTED
    assert case.accepted_on == date(2025, 3, 3)
    assert case.due_on == date(2025, 3, 31)  # 20 working days
    assert case.promised_due_on == date(2025, 3, 17)  # 10 working days
    assert not case.due_provisional
    assert case.current_step == centre.steps[0] and case.current_post == centre.steps[0].post
    running = active_timers(case)
    assert set(running) == {"case", "case_promised", f"case_step:{centre.steps[0].pk}"}
    statutory = running["case"]
    assert statutory.due_at.date() == date(2025, 3, 31)
    # Warned one working day before the limit (the item's rule): end of Friday 2025-03-28.
    assert statutory.warn_at.astimezone(statutory.due_at.tzinfo).date() == date(2025, 3, 28)
    assert case.events.filter(kind=EventKind.ACCEPTED).exists()
    assert AuditEvent.objects.filter(verb="case.accepted").exists()


def test_warning_by_share_of_limit(db):
    from tests.approvals.factories import centre as build

    c = build(warn_ratio=Decimal("0.80"))
    case, _ = c.accepted()
    warn = active_timers(case)["case"].warn_at
    # 80% of 20 working days = 16 working days after 2025-03-03: Tuesday 2025-03-25.
    assert warn.astimezone(at(2025, 1, 1).tzinfo).date() == date(2025, 3, 25)


def test_deadline_over_holidays_and_unknown_year(centre):
    # Accepted 2025-09-29: National Day / Mid-Autumn 1–8 October off, Saturday 11 October worked.
    # 10 working days: 30 Sep, 9, 10, 11 (Sat), 13, 14, 15, 16, 17, 20 October.
    case, _ = centre.accepted(now=at(2025, 9, 29))
    assert case.promised_due_on == date(2025, 10, 20)
    assert not case.due_provisional
    late, _ = centre.accepted(now=at(2026, 12, 20))
    assert late.due_provisional  # the limit runs into 2027, unknown to the calendar


def test_accept_refused_with_missing_materials_then_correction_cycle(centre):
    case, secret = centre.apply(files=False)
    with pytest.raises(ValidationError, match="营业执照"):
        services.accept_case(case, by=centre.clerk)
    notice = services.request_correction(
        case, by=centre.clerk, missing=[centre.required.pk, "法定代表人身份证复印件"]
    )
    assert [m["name"] for m in notice.missing] == ["营业执照", "法定代表人身份证复印件"]
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUESTED
    with pytest.raises(TransitionError):
        services.accept_case(case, by=centre.clerk)
    with pytest.raises(PermissionDenied):
        services.submit_correction(case, files={centre.required.pk: pdf()}, secret="WRONG234")
    services.submit_correction(case, files={centre.required.pk: pdf()}, secret=secret.lower())
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.corrections.get().resolved_at is not None
    case = services.accept_case(case, by=centre.clerk, now=at(2025, 3, 10))
    # The correction before acceptance did not count: the clock starts at acceptance.
    assert case.accepted_on == date(2025, 3, 10)


def test_request_correction_needs_a_list_and_intake_staff(centre):
    case, _ = centre.apply()
    with pytest.raises(ValidationError):
        services.request_correction(case, by=centre.clerk, missing=[])
    with pytest.raises(PermissionDenied):
        services.request_correction(case, by=centre.outsider, missing=["x"])


def test_refuse_intake(centre):
    case, _ = centre.apply()
    with pytest.raises(ValidationError):
        services.refuse_intake(case, by=centre.clerk, reason="  ")
    case = services.refuse_intake(case, by=centre.clerk, reason="不属于本机关职权范围")
    assert case.status == CaseStatus.REJECTED and case.closed_at is not None
    with pytest.raises(TransitionError):
        services.accept_case(case, by=centre.clerk)


def test_accept_twice_and_refuse_after_acceptance_refused(centre):
    case, _ = centre.accepted()
    with pytest.raises(TransitionError):
        services.accept_case(case, by=centre.clerk)
    with pytest.raises(TransitionError):
        services.refuse_intake(case, by=centre.clerk, reason="x")
    with pytest.raises(TransitionError):
        services.request_correction(case, by=centre.clerk, missing=["x"])


def test_accept_by_outsider_refused(centre):
    case, _ = centre.apply()
    with pytest.raises(PermissionDenied):
        services.accept_case(case, by=centre.outsider)


def test_accept_uses_the_version_in_force(centre):
    case, _ = centre.apply()
    centre.power.status = PowerStatus.ABOLISHED
    centre.power.save()
    with pytest.raises(ValidationError, match="停止行使"):
        services.accept_case(case, by=centre.clerk)


# --- steps ------------------------------------------------------------------------------------


def test_advance_moves_exactly_one_step_and_leaves_a_trail(centre):
    case, _ = centre.accepted()
    case = services.advance_step(case, by=centre.acceptor, opinion="材料齐全", now=at(2025, 3, 4))
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.current_step == centre.steps[1]
    done = CaseStep.objects.get(case=case, order=1)
    assert done.handled_by == centre.acceptor and done.handled_post == centre.steps[0].post
    assert done.opinion == "材料齐全" and not done.acted_as_backup
    running = active_timers(case)
    assert f"case_step:{centre.steps[0].pk}" not in running
    assert running[f"case_step:{centre.steps[1].pk}"].due_at.date() == date(2025, 3, 7)
    event = case.events.get(kind=EventKind.STEP_DONE)
    assert event.post == centre.steps[0].post and event.actor == centre.acceptor


def test_wrong_post_refused(centre):
    case, _ = centre.accepted()
    for user in (centre.reviewer, centre.approver, centre.clerk, centre.inspector):
        with pytest.raises(PermissionDenied):
            services.advance_step(case, by=user)
    assert Case.objects.get(pk=case.pk).current_step == centre.steps[0]


def test_backup_post_may_act(centre):
    case, _ = centre.accepted()
    services.advance_step(case, by=centre.backup, opinion="A岗休假，B岗代办")
    step = CaseStep.objects.get(case=case, order=1)
    assert step.acted_as_backup and step.handled_post == centre.steps[0].post.backup


def test_skipping_a_step_refused(centre):
    case, _ = centre.accepted()
    with pytest.raises(TransitionError, match="不能跳过"):
        services.advance_step(case, by=centre.acceptor, step=centre.steps[2])
    with pytest.raises((TransitionError, PermissionDenied)):
        services.decide_case(case, by=centre.approver, decision="approve")
    # Even the holder of both posts cannot decide before the last step.
    centre.acceptor.staff_profile.posts.add(centre.steps[2].post)
    with pytest.raises(TransitionError, match="不能跳过"):
        services.decide_case(case, by=centre.acceptor, decision="approve")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_advance_at_decision_step_refused(centre):
    case, _ = centre.accepted()
    services.advance_step(case, by=centre.acceptor)
    services.advance_step(case, by=centre.reviewer)
    with pytest.raises(TransitionError, match="须作出办理决定"):
        services.advance_step(case, by=centre.approver)


def test_steps_after_the_decision(centre):
    """A flowchart that goes on after its decision step (送达): decided first, delivered, then completed."""
    deliver_post = PostFactory(department=centre.department, code="SD", name="送达岗")
    courier = UserFactory(
        username="courier", roles=["dept_handler"], department=centre.department, posts=[deliver_post]
    )
    FlowStep.objects.create(
        flowchart=centre.steps[0].flowchart, order=4, name="送达公开", post=deliver_post, time_limit_days=2
    )
    assert services.decision_step(centre.steps[0].flowchart_id) == centre.steps[2]
    case, _ = centre.decided(decision="refuse")
    assert case.status == CaseStatus.DECIDED and case.current_step.name == "送达公开"
    assert services.allowed_actions(courier, case) - {"reissue_secret"} == {"advance"}
    assert "complete" not in services.allowed_actions(centre.clerk, case)
    with pytest.raises(TransitionError, match="送达公开"):
        services.complete_case(case, by=centre.clerk)
    with pytest.raises(TransitionError, match="重复决定"):
        services.decide_case(case, by=centre.approver, decision="approve")
    case = services.advance_step(case, by=courier, opinion="已邮寄送达", now=at(2025, 3, 7))
    assert case.status == CaseStatus.DECIDED and case.current_step is None
    assert {"complete", "green_channel"} <= services.allowed_actions(centre.clerk, case)
    assert services.complete_case(case, by=centre.clerk).status == CaseStatus.COMPLETED


def test_decide_refuse_needs_reasons_and_legal_basis(centre):
    case, _ = centre.accepted()
    services.advance_step(case, by=centre.acceptor)
    services.advance_step(case, by=centre.reviewer)
    with pytest.raises(ValidationError):
        services.decide_case(case, by=centre.approver, decision="refuse", reason="不符合")
    with pytest.raises(ValidationError):
        services.decide_case(case, by=centre.approver, decision="impose")
    case = services.decide_case(
        case,
        by=centre.approver,
        decision="refuse",
        reason="场所不符合要求",
        legal_basis="《食品安全法》第三十五条",
    )
    assert case.status == CaseStatus.DECIDED and case.current_step is None
    assert f"case_step:{centre.steps[2].pk}" not in active_timers(case)


def test_decided_case_cannot_advance_or_decide_again(centre):
    case, _ = centre.decided()
    with pytest.raises(TransitionError):
        services.advance_step(case, by=centre.approver)
    with pytest.raises(TransitionError):
        services.decide_case(case, by=centre.approver, decision="approve")


def test_allowed_actions_mirror_the_verbs(centre):
    case, _ = centre.apply()
    assert {"accept", "request_correction", "refuse"} <= services.allowed_actions(centre.clerk, case)
    assert services.allowed_actions(centre.outsider, case) == set()
    case = services.accept_case(case, by=centre.clerk, now=at(2025, 3, 3))
    assert {"advance", "open_parallel", "suspend"} <= services.allowed_actions(centre.acceptor, case)
    assert {"advance", "open_parallel"} <= services.allowed_actions(centre.backup, case)
    assert "advance" not in services.allowed_actions(centre.reviewer, case)
    case = services.advance_step(case, by=centre.acceptor)
    case = services.advance_step(case, by=centre.reviewer)
    assert "decide" in services.allowed_actions(centre.approver, case)
    assert "advance" not in services.allowed_actions(centre.approver, case)
    case = services.decide_case(case, by=centre.approver, decision="approve")
    assert "record_fee" in services.allowed_actions(centre.clerk, case)
    assert "complete" not in services.allowed_actions(centre.clerk, case)


# --- fee, completion, rating ---------------------------------------------------------------------


def test_fee_required_before_completion(centre):
    case, _ = centre.decided()
    with pytest.raises(TransitionError, match="收费"):
        services.complete_case(case, by=centre.clerk)
    with pytest.raises(PermissionDenied):
        services.record_fee(case, by=centre.approver, amount="50", receipt_no="R-1")
    with pytest.raises(ValidationError, match="说明"):
        services.record_fee(case, by=centre.clerk, amount="40", receipt_no="R-1")
    payment = services.record_fee(
        case, by=centre.clerk, amount="40", receipt_no="R-1", justification="小微企业减免"
    )
    assert payment.expected_amount == Decimal("50.00")
    with pytest.raises(TransitionError, match="重复"):
        services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-2")
    case = services.complete_case(case, by=centre.clerk, now=at(2025, 3, 7))
    assert case.status == CaseStatus.COMPLETED and case.on_time and case.promised_on_time
    assert active_timers(case) == {}


def test_fee_refused_before_decision_and_for_refusals(centre):
    case, _ = centre.accepted()
    with pytest.raises(TransitionError):
        services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-1")
    refused, _ = centre.decided(decision="refuse")
    with pytest.raises(TransitionError):
        services.record_fee(refused, by=centre.clerk, amount="50", receipt_no="R-3")
    assert services.complete_case(refused, by=centre.clerk).status == CaseStatus.COMPLETED


def test_late_completion_recorded(centre):
    case, _ = centre.decided()
    services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-9")
    case = services.complete_case(case, by=centre.clerk, now=at(2025, 4, 1))
    assert case.on_time is False and case.promised_on_time is False


def test_complete_refused_before_decision(centre):
    case, _ = centre.accepted()
    with pytest.raises(TransitionError):
        services.complete_case(case, by=centre.clerk)


def test_rating_once_with_secret(centre):
    case, secret = centre.decided()
    with pytest.raises(TransitionError):
        services.rate_case(case, secret=secret, score=5)
    services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-1")
    services.complete_case(case, by=centre.clerk)
    with pytest.raises(PermissionDenied):
        services.rate_case(case, secret="AAAA2222", score=5)
    with pytest.raises(ValidationError):
        services.rate_case(case, secret=secret, score=6)
    rating = services.rate_case(case, secret=secret, score=4, comment="窗口服务热情")
    assert rating.score == 4
    with pytest.raises(TransitionError, match="一次"):
        services.rate_case(case, secret=secret, score=1)


# --- tracking -------------------------------------------------------------------------------------


def test_track_wrong_secret_or_code_reveals_nothing(centre):
    case, secret = centre.apply()
    assert services.track(case.code, secret) == case
    assert services.track(case.code.lower(), f" {secret.lower()} ") == case
    assert services.track(case.code, "ABCDEFGH") is None
    assert services.track("SP20990101000001", secret) is None
    assert services.track("", "") is None


def test_reissue_secret(centre):
    case, old = centre.apply()
    new = services.reissue_secret(case, by=centre.clerk)
    assert services.track(case.code, old) is None
    assert services.track(case.code, new) == case


# --- green channel ---------------------------------------------------------------------------


def test_green_channel_sorted_first(centre):
    first, _ = centre.accepted()
    second, _ = centre.accepted()
    with pytest.raises(PermissionDenied):
        services.mark_green_channel(second, by=centre.acceptor, reason="重点项目")
    with pytest.raises(ValidationError):
        services.mark_green_channel(second, by=centre.clerk, reason="")
    services.mark_green_channel(second, by=centre.approver, reason="市重点招商项目")
    assert list(Case.objects.desk_order()) == [second, first]
    with pytest.raises(TransitionError):
        services.mark_green_channel(second, by=centre.clerk, reason="again")


# --- suspension ledger -----------------------------------------------------------------------


def test_suspension_extends_deadlines_by_suspended_working_days(centre):
    case, _ = centre.accepted()
    case = services.advance_step(case, by=centre.acceptor, now=at(2025, 3, 4))  # 审查 due 2025-03-07
    entry = services.suspend_case(
        case,
        by=centre.reviewer,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="组织专家现场核查",
        now=at(2025, 3, 5),
    )
    assert entry.max_days == 30 and entry.ends_by == date(2025, 4, 17)
    running = active_timers(case)
    assert running["case"].paused_at is not None and running["case_promised"].paused_at is not None
    assert running[f"case_step:{centre.steps[1].pk}"].paused_at is not None
    assert running[f"suspension:{entry.pk}"].due_at.date() == date(2025, 4, 17)
    with pytest.raises(TransitionError, match="暂停计时"):
        services.advance_step(case, by=centre.reviewer)
    with pytest.raises(TransitionError, match="同一时间"):
        services.suspend_case(case, by=centre.reviewer, kind=SuspensionKind.HEARING, reason="听证")

    entry = services.resume_case(case, by=centre.reviewer, note="专家意见已出具", now=at(2025, 3, 12))
    case.refresh_from_db()
    # Suspended Wed 5 → Wed 12 March: 6, 7, 10, 11, 12 = 5 working days do not count.
    assert entry.working_days == 5 and case.suspended_days == 5
    # 31 March + 5 working days, over Qingming (4 April off): 1, 2, 3, 7, 8 April.
    assert case.due_on == date(2025, 4, 8)
    assert case.promised_due_on == date(2025, 3, 24)
    assert CaseStep.objects.get(case=case, finished_at__isnull=True).due_on == date(2025, 3, 14)
    running = active_timers(case)
    assert running["case"].paused_at is None
    assert running["case"].due_at == timing.window(date(2025, 4, 8), 20, centre.item)[1]
    assert f"suspension:{entry.pk}" not in running
    with pytest.raises(TransitionError):
        services.resume_case(case, by=centre.reviewer)


def test_suspension_refused_before_acceptance_and_after_decision(centre):
    case, _ = centre.apply()
    with pytest.raises(TransitionError):
        services.suspend_case(case, by=centre.acceptor, kind=SuspensionKind.CORRECTION, reason="补正")
    decided, _ = centre.decided()
    with pytest.raises(TransitionError):
        services.suspend_case(decided, by=centre.approver, kind=SuspensionKind.HEARING, reason="听证")


def test_suspension_needs_kind_reason_and_handler(centre):
    case, _ = centre.accepted()
    with pytest.raises(ValidationError):
        services.suspend_case(case, by=centre.acceptor, kind="holiday", reason="x")
    with pytest.raises(ValidationError):
        services.suspend_case(case, by=centre.acceptor, kind=SuspensionKind.OTHER, reason="")
    with pytest.raises(PermissionDenied):
        services.suspend_case(case, by=centre.outsider, kind=SuspensionKind.OTHER, reason="x")


# --- parallel approval -----------------------------------------------------------------------


def test_parallel_subcases_block_the_parent(centre):
    case, _ = centre.accepted()
    case = services.advance_step(case, by=centre.acceptor)
    with pytest.raises(ValidationError):
        services.open_parallel(case, by=centre.reviewer, departments=[centre.department])
    with pytest.raises(PermissionDenied):
        services.open_parallel(case, by=centre.acceptor, departments=[centre.other])
    subs = services.open_parallel(
        case, by=centre.reviewer, departments=[centre.other, centre.third], note="涉及消防与环评", days=3,
        now=at(2025, 3, 4),
    )  # fmt: skip
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_PARALLEL
    assert [s.code for s in subs] == [f"{case.code}-01", f"{case.code}-02"]
    assert subs[0].due_on == date(2025, 3, 7)
    assert active_timers(subs[0])["case"].due_at.date() == date(2025, 3, 7)
    with pytest.raises(TransitionError, match="并联"):
        services.advance_step(case, by=centre.reviewer)
    with pytest.raises(PermissionDenied):
        services.complete_subcase(subs[0], by=centre.third_staff, opinion="同意", agree=True)
    services.complete_subcase(subs[0], by=centre.other_staff, opinion="消防符合要求", agree=True)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WAITING_PARALLEL
    with pytest.raises(TransitionError):
        services.complete_subcase(subs[0], by=centre.other_staff, opinion="again", agree=True)
    services.complete_subcase(subs[1], by=centre.third_staff, opinion="需补充环评", agree=False)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.events.filter(kind=EventKind.PARALLEL_DONE).exists()
    assert active_timers(subs[1]) == {}
    services.advance_step(case, by=centre.reviewer)
    assert Case.objects.get(pk=case.pk).current_step == centre.steps[2]


def test_subcase_visibility(centre):
    case, _ = centre.accepted()
    services.advance_step(case, by=centre.acceptor)
    sub = services.open_parallel(case, by=centre.reviewer, departments=[centre.other])[0]
    assert set(Case.objects.visible_to(centre.other_staff)) == {case, sub}
    assert set(Case.objects.visible_to(centre.third_staff)) == set()
    assert sub in Case.objects.visible_to(centre.reviewer)
