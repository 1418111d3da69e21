"""The verbs of the risks app: declaration workflow, grading, matrix changes, the warning loop."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring import timers
from monitoring.choices import AlertKind
from monitoring.timers import run_sweep
from portal import roles
from portal.models import AuditEvent
from portal.services import TransitionError
from powers.choices import Category
from risks import grading, services
from risks.choices import (
    ORDER_TIMER,
    Grade,
    InformationSource,
    InformationStatus,
    OrderStatus,
    RiskPointStatus,
    WarningLevel,
    WarningStatus,
)
from risks.models import GradingMatrix, RiskPoint, RiskPointVersion
from tests.factories import UserFactory
from tests.monitoring.factories import AlertFactory
from tests.powers.factories import PowerFactory
from tests.risks.factories import RiskPointFactory


def verbs(obj):
    return list(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(obj),
            target_id=str(obj.pk),
            verb__startswith="risks.",
        )
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- declaration workflow -----------------------------------------------------------------------


def test_bulk_rows_are_graded_and_numbered_by_the_published_rules(handler, department, declare_values):
    """The demo's bulk history uses ``apply_grade`` and ``number_points``: one series with ``declare_point``."""
    first = services.declare_point(by=handler, department=department, **declare_values())
    values = declare_values(harm=5, likelihood=5)
    rows = [RiskPoint(department=department, **values) for _ in range(2)]
    matrix = services.current_matrix()
    for row in rows:
        services.apply_grade(row, matrix, matrix.as_matrix())
    services.number_points(rows)
    assert [row.code for row in rows] == ["FX-SCJG-0002", "FX-SCJG-0003"]
    assert {row.grade for row in rows} == {Grade.A} and rows[0].matrix == matrix
    RiskPoint.objects.bulk_create(rows)
    after = services.declare_point(by=handler, department=department, **declare_values())
    assert first.code == "FX-SCJG-0001" and after.code == "FX-SCJG-0004"


def test_declare_grades_numbers_and_audits(handler, department, declare_values):
    point = services.declare_point(by=handler, department=department, **declare_values(harm=5, likelihood=5))
    assert point.code == "FX-SCJG-0001"
    assert point.status == RiskPointStatus.DRAFT
    assert point.grade == Grade.A  # (3*5+3*5+2*3+2*3)/10 = 4.2 >= 3.8
    assert point.score == grading.weighted_score(point.scores, grading.DEFAULT_WEIGHTS)
    assert point.matrix.version == 1
    assert verbs(point) == ["risks.point.declare"]
    second = services.declare_point(by=handler, department=department, **declare_values())
    assert second.code == "FX-SCJG-0002" and second.grade == Grade.B


def test_other_departments_and_inspectors_cannot_declare(
    department, other_department, inspector, declare_values
):
    stranger = UserFactory(username="stranger", roles=[roles.DEPT_HANDLER], department=other_department)
    for who in (stranger, inspector):
        with pytest.raises(PermissionDenied):
            services.declare_point(by=who, department=department, **declare_values())
    assert not RiskPoint.objects.exists()


def test_declare_refuses_a_step_or_post_from_elsewhere(handler, department, other_department, declare_values):
    foreign = PowerFactory(department=other_department)
    with pytest.raises(ValidationError) as excinfo:
        services.declare_point(by=handler, department=department, **declare_values(power=foreign))
    assert "power" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.declare_point(by=handler, department=department, **declare_values(likelihood=9))
    with pytest.raises(ValidationError):
        services.declare_point(
            by=handler, department=department, **declare_values(title="<script>x</script>")
        )


def test_submit_confirm_keeps_versions(handler, inspector, department, declare_values):
    point = services.declare_point(by=handler, department=department, **declare_values())
    point = services.submit_point(point, by=handler)
    point = services.return_point(point, by=inspector, reason="防控措施不具体")
    assert point.status == RiskPointStatus.RETURNED and point.review_note == "防控措施不具体"
    point = services.update_point(point, by=handler, measures="受理、审核、审批三岗分离；每月抽查")
    point = services.submit_point(point, by=handler)
    point = services.confirm_point(point, by=inspector, note="同意")
    assert point.status == RiskPointStatus.CONFIRMED and point.confirmed_by == inspector
    versions = list(RiskPointVersion.objects.filter(point=point).order_by("id").values_list("status", "note"))
    assert versions == [(RiskPointStatus.RETURNED, "防控措施不具体"), (RiskPointStatus.CONFIRMED, "同意")]
    point = services.revise_point(point, by=handler, reason="流程再造后岗位调整")
    assert (point.status, point.version) == (RiskPointStatus.DRAFT, 2)
    assert verbs(point) == [
        "risks.point.declare", "risks.point.submit", "risks.point.return", "risks.point.update",
        "risks.point.submit", "risks.point.confirm", "risks.point.revise",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        (RiskPointStatus.DRAFT, "confirm"),
        (RiskPointStatus.DRAFT, "return"),
        (RiskPointStatus.CONFIRMED, "submit"),
        (RiskPointStatus.CONFIRMED, "confirm"),
        (RiskPointStatus.SUBMITTED, "submit"),
        (RiskPointStatus.SUBMITTED, "revise"),
        (RiskPointStatus.RETURNED, "confirm"),
    ],
)
def test_illegal_transitions_are_refused(handler, inspector, department, status, verb):
    point = RiskPointFactory(power=PowerFactory(department=department), status=status)
    call = {
        "confirm": lambda: services.confirm_point(point, by=inspector),
        "return": lambda: services.return_point(point, by=inspector, reason="不行"),
        "submit": lambda: services.submit_point(point, by=handler),
        "revise": lambda: services.revise_point(point, by=handler, reason="改"),
    }[verb]
    with pytest.raises(TransitionError):
        call()
    point.refresh_from_db()
    assert point.status == status


def test_only_the_office_confirms_or_returns(handler, head, department):
    point = RiskPointFactory(power=PowerFactory(department=department), status=RiskPointStatus.SUBMITTED)
    for who in (handler, head):
        with pytest.raises(PermissionDenied):
            services.confirm_point(point, by=who)
        with pytest.raises(PermissionDenied):
            services.return_point(point, by=who, reason="x")


def test_return_needs_a_reason(inspector, department):
    point = RiskPointFactory(power=PowerFactory(department=department), status=RiskPointStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.return_point(point, by=inspector, reason="  ")


def test_confirmed_points_cannot_be_edited_in_place(handler, department):
    point = RiskPointFactory(power=PowerFactory(department=department))
    with pytest.raises(ValidationError):
        services.update_point(point, by=handler, title="改个名字")


def test_the_office_adjusts_scores_with_a_reason(handler, inspector, department):
    point = RiskPointFactory(power=PowerFactory(department=department))
    with pytest.raises(PermissionDenied):
        services.adjust_scores(point, by=handler, reason="自评偏低", harm=5)
    with pytest.raises(ValidationError):
        services.adjust_scores(point, by=inspector, reason="", harm=5)
    with pytest.raises(ValidationError):
        services.adjust_scores(point, by=inspector, reason="偏低", harm=2**64)
    point = services.adjust_scores(point, by=inspector, reason="群众反映强烈", harm=5, likelihood=5)
    assert (point.harm, point.likelihood, point.grade, point.score_note) == (5, 5, Grade.A, "群众反映强烈")
    event = AuditEvent.objects.get(verb="risks.point.adjust_scores")
    assert event.before["harm"] == 3 and event.after["harm"] == 5 and event.note == "群众反映强烈"


def test_override_rules_decide_for_head_held_penalties(handler, department, declare_values):
    power = PowerFactory(department=department, category=Category.PENALTY)
    low = dict(likelihood=1, harm=1, frequency=1, discretion=1)
    point = services.declare_point(
        by=handler, department=department, **declare_values(power=power, step=None, holder="head", **low)
    )
    assert point.grade == Grade.A and "覆盖规则" in point.grade_reason


# --- matrix changes -----------------------------------------------------------------------------


def test_changing_the_matrix_regrades_every_point_with_reason_and_audit(admin_user, department):
    power = PowerFactory(department=department)
    points = [RiskPointFactory(power=power, harm=h, likelihood=h) for h in (1, 3, 5)]
    services.current_matrix()
    matrix, changed = services.change_matrix(
        by=admin_user,
        weights={"likelihood": 1, "harm": 1, "frequency": 0, "discretion": 0},
        a_threshold=5,
        b_threshold=2,
        overrides=[],
        reason="按市纪委2026年口径调整",
    )
    assert matrix.version == 2 and GradingMatrix.objects.get(is_current=True) == matrix
    grades = {p.pk: RiskPoint.objects.get(pk=p.pk) for p in points}
    assert [grades[p.pk].grade for p in points] == [Grade.C, Grade.B, Grade.A]
    assert changed == 2  # factory rows were stored as B; 1 → C and 5 → A changed
    assert "评级矩阵 v2" in grades[points[0].pk].grade_reason
    assert all(grades[p.pk].matrix == matrix for p in points)
    event = AuditEvent.objects.get(verb="risks.matrix.change")
    assert event.note == "按市纪委2026年口径调整" and event.after["grades"] == {"A": 1, "B": 1, "C": 1}
    assert GradingMatrix.objects.get(version=1).is_current is False


def test_only_administrators_change_the_matrix_and_bad_data_is_refused(inspector, admin_user):
    args = dict(weights=grading.DEFAULT_WEIGHTS, a_threshold=4, b_threshold=3, overrides=[], reason="调整")
    with pytest.raises(PermissionDenied):
        services.change_matrix(by=inspector, **args)
    with pytest.raises(ValidationError):
        services.change_matrix(by=admin_user, **{**args, "a_threshold": 2})
    with pytest.raises(ValidationError):
        services.change_matrix(by=admin_user, **{**args, "reason": ""})
    with pytest.raises(ValidationError):
        services.change_matrix(
            by=admin_user, **{**args, "overrides": [{"grade": "A", "categories": ["nope"]}]}
        )
    assert GradingMatrix.objects.count() <= 1


# --- the warning loop ---------------------------------------------------------------------------


@pytest.fixture
def staff_person(department):
    return UserFactory(username="staff_person", roles=[roles.DEPT_HANDLER], department=department)


def test_an_alert_becomes_information_once(inspector, department):
    alert = AlertFactory(department=department, kind=AlertKind.OVERDUE, title="超时报警：某办件")
    info, created = services.information_from_alert(alert.pk, by=inspector)
    again, created_again = services.information_from_alert(alert.pk, by=inspector)
    assert created and not created_again and info == again
    assert info.source == InformationSource.ALERT and info.department == department
    assert info.number.startswith(f"廉信〔{timezone.now().year}〕")
    assert "超时报警" in info.content


def test_only_the_office_records_information(handler, department):
    alert = AlertFactory(department=department)
    with pytest.raises(PermissionDenied):
        services.information_from_alert(alert.pk, by=handler)
    with pytest.raises(PermissionDenied):
        services.record_information(
            by=handler, source="manual", title="t", content="c", department=department
        )


def _assessed(inspector, department, grade="B", person=None):
    info, _ = services.record_information(
        by=inspector, source="manual", title="窗口人员收受礼品", content="群众来信反映", department=department,
        person=person,
    )  # fmt: skip
    return services.assess_information(info, by=inspector, grade=grade, assessment="情况属实，风险较高")


def test_warning_takes_its_colour_from_the_grade(inspector, department, head, staff_person):
    info = _assessed(inspector, department, "B")
    warning = services.issue_warning(
        info, by=inspector, content="发现苗头", requirements="立即整改", person=staff_person
    )
    assert warning.level == WarningLevel.YELLOW and warning.number.startswith("廉警〔")
    info.refresh_from_db()
    assert info.status == InformationStatus.WARNED
    with pytest.raises(PermissionDenied):
        services.acknowledge_warning(warning, by=head)  # addressed to the person, not the head
    warning = services.acknowledge_warning(warning, by=staff_person)
    assert warning.status == WarningStatus.ACKNOWLEDGED
    with pytest.raises(TransitionError):
        services.acknowledge_warning(warning, by=staff_person)


def test_no_warning_before_assessment(inspector, department):
    info, _ = services.record_information(
        by=inspector, source="manual", title="t", content="c", department=department
    )
    with pytest.raises(TransitionError):
        services.issue_warning(info, by=inspector, content="c", requirements="r")


def test_order_deadline_is_a_timer_that_reminds_and_alarms(inspector, department, head):
    info = _assessed(inspector, department, "A")
    issued = timezone.now() - timedelta(days=30)
    order = services.issue_order(info, by=inspector, plan="建立双人审核制度", deadline_days=3, now=issued)
    assert order.status == OrderStatus.ISSUED and order.number.startswith(f"廉督〔{issued.year}〕")
    timer = timers.for_target(order).get()
    assert timer.purpose == ORDER_TIMER and timer.department == department
    run_sweep(now=timer.warn_at + timedelta(minutes=1))
    assert set(timer.alerts.values_list("kind", flat=True)) == {AlertKind.REMINDER}
    run_sweep()
    run_sweep()  # twice: raised once
    assert sorted(timer.alerts.values_list("kind", flat=True)) == sorted(
        [AlertKind.REMINDER, AlertKind.OVERDUE]
    )
    order = services.answer_order(order, by=head, rectification="已建立双人审核制度并培训")
    timer.refresh_from_db()
    assert timer.stopped_at is not None
    order = services.close_order(order, by=inspector, note="核实属实")
    assert order.status == OrderStatus.CLOSED and order.closed_on_time is False


def test_order_returned_restarts_the_clock_and_closes_on_time(inspector, department, head):
    order = services.issue_order(_assessed(inspector, department), by=inspector, plan="整改", deadline_days=5)
    order = services.answer_order(order, by=head, rectification="已整改")
    order = services.return_order(order, by=inspector, reason="整改不到位", deadline_days=3)
    assert order.status == OrderStatus.RETURNED
    assert timers.for_target(order).filter(stopped_at__isnull=True).count() == 1
    order = services.answer_order(order, by=head, rectification="再次整改")
    order = services.close_order(order, by=inspector)
    assert order.closed_on_time is True
    assert verbs(order) == [
        "risks.order.issue", "risks.order.answer", "risks.order.return", "risks.order.answer", "risks.order.close",
    ]  # fmt: skip


def test_order_refusals(inspector, department, other_department, head):
    order = services.issue_order(_assessed(inspector, department), by=inspector, plan="整改", deadline_days=5)
    outsider = UserFactory(username="outsider", roles=[roles.DEPT_HEAD], department=other_department)
    with pytest.raises(PermissionDenied):
        services.answer_order(order, by=outsider, rectification="x")
    with pytest.raises(TransitionError):
        services.close_order(order, by=inspector)
    services.answer_order(order, by=head, rectification="已整改")
    with pytest.raises(PermissionDenied):
        services.close_order(order, by=head)
    with pytest.raises(ValidationError):
        services.issue_order(_assessed(inspector, department), by=inspector, plan="x", deadline_days=10**9)


def test_admin_adds_a_matrix_version_through_the_verb(client, admin_user, department):
    RiskPointFactory(power=PowerFactory(department=department), harm=5, likelihood=5)
    client.force_login(admin_user)
    data = {
        "weight_likelihood": "1", "weight_harm": "1", "weight_frequency": "1", "weight_discretion": "1",
        "a_threshold": "4.50", "b_threshold": "2.00", "overrides": "[]", "reason": "年度调整",
    }  # fmt: skip
    response = client.post("/admin/risks/gradingmatrix/add/", {**data, "a_threshold": "1.00"})
    assert response.status_code == 200 and not GradingMatrix.objects.filter(version=2).exists()
    response = client.post("/admin/risks/gradingmatrix/add/", data)
    assert response.status_code == 302
    assert GradingMatrix.objects.get(is_current=True).version == 2
    assert RiskPoint.objects.get().grade == Grade.B  # (5+5+3+3)/4 = 4.0 < 4.5
