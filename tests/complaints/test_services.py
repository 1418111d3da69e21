from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import notifications, services
from complaints.choices import TIMER_ACCEPTANCE, TIMER_HANDLING, Channel, ComplaintState, Verb
from complaints.models import Complaint
from monitoring import timers
from monitoring.models import SupervisionNotice
from portal.models import AuditEvent
from portal.services import TransitionError
from tests.factories import DepartmentFactory

from .conftest import at

S = ComplaintState


def test_submit_stores_code_hashed_secret_trail_audit_and_outbox(desk):
    complaint, secret = desk.submit()
    complaint.refresh_from_db()
    assert complaint.code.startswith("TS") and complaint.state == S.RECEIVED
    assert secret not in complaint.query_secret_hash and services.find(complaint.code, secret) == complaint
    assert services.find(complaint.code, "WRONG234") is None
    assert list(complaint.events.values_list("verb", flat=True)) == [Verb.SUBMITTED]
    assert AuditEvent.objects.filter(verb="complaints.submitted").count() == 1
    note = notifications.messages_of(complaint).get()
    assert note.status == "pending" and complaint.code in note.body and secret not in note.body


def test_codes_are_sequential_per_day(desk):
    first, _ = desk.submit(now=at(2026, 3, 2, 9))
    second, _ = desk.submit(now=at(2026, 3, 2, 10))
    assert (first.code, second.code) == ("TS2026030200001", "TS2026030200002")


def test_anonymous_web_complaint_needs_no_contact_and_sends_nothing(desk):
    complaint, _ = desk.submit(reporter_name="", reporter_contact="")
    assert complaint.is_anonymous and complaint.masked_reporter == "匿名"
    assert not notifications.messages_of(complaint).exists()


def test_staff_channels_need_intake_staff(desk, handler, operator):
    with pytest.raises(PermissionDenied):
        desk.submit(channel=Channel.HOTLINE, by=handler)
    with pytest.raises(PermissionDenied):
        desk.submit(channel=Channel.LETTER, by=None)
    complaint, _ = desk.submit(channel=Channel.HOTLINE, by=operator)
    assert complaint.created_by == operator


def test_submit_refuses_empty_text_and_bad_files(desk):
    with pytest.raises(ValidationError):
        desk.submit(matter="  ")
    bad = SimpleUploadedFile("x.pdf", b"MZ not a pdf")
    with pytest.raises(ValidationError):
        desk.submit(files=[bad])
    assert not Complaint.objects.exists()
    good = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 letter")
    complaint, _ = desk.submit(files=[good])
    assert complaint.attachments.get().name == "scan.pdf"


def test_full_path_to_closure_with_timers(desk, department):
    complaint, secret = desk.closed()
    assert complaint.state == S.CLOSED and complaint.closed_on_time is True
    assert complaint.accepted_on_time is True and complaint.handling_days == 0
    stopped = {t.purpose: t.stopped_at for t in timers.for_target(complaint)}
    assert set(stopped) == {TIMER_ACCEPTANCE, TIMER_HANDLING} and all(stopped.values())
    verbs = list(complaint.events.values_list("verb", flat=True))
    assert verbs == [
        Verb.SUBMITTED, Verb.CLASSIFIED, Verb.FORWARDED, Verb.ACCEPTED,
        Verb.REPLIED, Verb.CLOSURE_PROPOSED, Verb.CLOSURE_APPROVED,
    ]  # fmt: skip
    assert notifications.messages_of(complaint).count() == 3


def test_illegal_transitions_are_refused(desk, inspector, handler):
    complaint, _ = desk.submit()
    with pytest.raises(ValidationError):  # not classified: no limit to time it by
        services.forward(complaint, desk.department, by=inspector)
    forwarded, _ = desk.forwarded()
    with pytest.raises(PermissionDenied):  # the department does not forward
        services.forward(forwarded, desk.department, by=handler)
    with pytest.raises(PermissionDenied):  # nor reply before accepting
        services.reply(forwarded, by=handler, text="答复")
    closed, _ = desk.closed()
    with pytest.raises(PermissionDenied):
        services.accept(closed, by=handler)
    complaint = Complaint.objects.get(pk=closed.pk)
    complaint.state = S.ACCEPTED  # a stale object: the verb reads the locked row
    with pytest.raises(PermissionDenied):
        services.reply(closed, by=handler, text="x")


def test_transition_map_refuses_what_permission_allows(desk, inspector):
    closed, _ = desk.closed()
    with pytest.raises(TransitionError):
        services._move(closed, S.FORWARDED)


def test_other_departments_cannot_act(desk, other_department):
    from portal import roles
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger", roles=[roles.DEPT_HANDLER], department=other_department)
    forwarded, _ = desk.forwarded()
    with pytest.raises(PermissionDenied):
        services.accept(forwarded, by=stranger)


def test_return_and_reroute(desk, inspector, handler, other_department):
    forwarded, _ = desk.forwarded()
    with pytest.raises(ValidationError):
        services.return_complaint(forwarded, by=handler, reason=" ")
    returned = services.return_complaint(forwarded, by=handler, reason="不属于本局职责，应由住建局办理。")
    assert (
        returned.state == S.RETURNED and returned.handling_department is None and returned.returned_count == 1
    )
    assert not any(t.stopped_at is None for t in timers.for_target(returned))
    rerouted = services.forward(returned, other_department, by=inspector)
    assert rerouted.state == S.FORWARDED and rerouted.handling_department == other_department
    event = returned.events.get(verb=Verb.RETURNED)
    assert event.department == desk.department


def test_keep_and_route(desk, inspector, supervisory, corruption):
    complaint, _ = desk.submit(title="局长收受好处")
    services.classify(complaint, desk.category, by=inspector)
    kept = services.keep(complaint, by=inspector, note="涉及部门领导")
    assert kept.state == S.ACCEPTED and kept.handling_department == supervisory
    clue, _ = desk.submit(title="审批人员索要好处费")
    services.classify(clue, corruption, by=inspector)
    with pytest.raises(ValidationError):  # a corruption clue never goes to a department
        services.forward(clue, desk.department, by=inspector)
    routed = services.route(clue, by=inspector)
    assert routed.handling_department == supervisory and routed.state == S.FORWARDED
    plain, _ = desk.submit()
    services.classify(plain, desk.category, by=inspector)
    with pytest.raises(ValidationError):
        services.route(plain, by=inspector)


def test_duplicates_offered_and_merged(desk, inspector):
    first, _ = desk.submit(case_code="BJ2026000001")
    same_reporter, _ = desk.submit(title="别的事情", case_code="")
    same_case, _ = desk.submit(title="另一事项", reporter_contact="13900000000", case_code="bj2026000001")
    unrelated, _ = desk.submit(title="无关", reporter_contact="13700000000")
    offered = set(services.duplicates(first))
    assert offered == {same_reporter, same_case}
    merged = services.merge(same_case, first, by=inspector)
    assert merged.state == S.MERGED and merged.merged_into == first
    assert first.events.filter(verb=Verb.MERGED).exists()
    assert same_case not in set(services.duplicates(first))
    with pytest.raises(ValidationError):
        services.merge(unrelated, unrelated, by=inspector)


def test_closure_refused_restarts_the_clock(desk, inspector, handler):
    complaint, _ = desk.replied()
    complaint = services.propose_closure(complaint, by=handler)
    complaint = services.refuse_closure(complaint, by=inspector, reason="答复未说明处理结果。")
    assert complaint.state == S.ACCEPTED
    assert timers.for_target(complaint).filter(purpose=TIMER_HANDLING, stopped_at__isnull=True).exists()


def test_press_issues_a_supervision_notice(desk, inspector, handler):
    complaint, _ = desk.accepted()
    with pytest.raises(PermissionDenied):
        services.press(complaint, by=handler, requirement="加快")
    notice = services.press(complaint, by=inspector, requirement="三个工作日内办结并答复。")
    complaint.refresh_from_db()
    assert complaint.pressed_count == 1
    assert SupervisionNotice.objects.get(pk=notice.pk).department == desk.department
    assert notice.number in complaint.events.get(verb=Verb.PRESSED).note


def test_rating_once_and_only_with_the_secret(desk):
    complaint, secret = desk.closed()
    with pytest.raises(PermissionDenied):
        services.rate(complaint, secret="WRONG234", satisfaction="satisfied")
    services.rate(complaint, secret=secret, satisfaction="satisfied", comment="很好")
    with pytest.raises(PermissionDenied):
        services.rate(complaint, secret=secret, satisfaction="dissatisfied")
    with pytest.raises(ValueError):
        services.rate(complaint, secret=secret, satisfaction="bogus")


def test_reopen_once_within_the_window(desk, settings):
    settings.COMPLAINTS_REOPEN_DAYS = 10
    complaint, secret = desk.closed()
    with pytest.raises(PermissionDenied):
        services.reopen(complaint, secret="WRONG234", reason="没解决")
    with pytest.raises(PermissionDenied):
        services.reopen(
            complaint, secret=secret, reason="没解决", now=complaint.closed_at + timedelta(days=11)
        )
    reopened = services.reopen(complaint, secret=secret, reason="问题没有解决")
    assert reopened.state == S.REOPENED and reopened.reopen_count == 1
    # back at the supervisory organ: forwarded, handled and closed again, it cannot reopen twice
    again = services.forward(reopened, desk.department, by=desk.inspector)
    again = services.accept(again, by=desk.handler)
    again = services.reply(again, by=desk.handler, text="已重新处理。")
    again = services.propose_closure(again, by=desk.handler)
    again = services.approve_closure(again, by=desk.inspector)
    with pytest.raises(PermissionDenied):
        services.reopen(again, secret=secret, reason="还是不满意")


@pytest.mark.parametrize(
    ("forwarded_on", "limit", "due"),
    [
        (date(2025, 9, 26), 3, date(2025, 9, 30)),  # Sunday 28 September is a 调休 working day
        (date(2025, 9, 30), 2, date(2025, 10, 10)),  # the National Day holiday 1–8 October
        (date(2025, 9, 30), 3, date(2025, 10, 11)),  # Saturday 11 October is a 调休 working day
    ],
)
def test_handling_limit_in_working_days(desk, inspector, forwarded_on, limit, due):
    desk.category.limit_days = limit
    desk.category.save()
    now = at(forwarded_on.year, forwarded_on.month, forwarded_on.day, 10)
    complaint, _ = desk.submit(now=now)
    services.classify(complaint, desk.category, by=inspector, now=now)
    complaint = services.forward(complaint, desk.department, by=inspector, now=now)
    assert complaint.due_on == due
    timer = timers.for_target(complaint).get(purpose=TIMER_HANDLING)
    assert timer.due_at.date() == due and timer.department == desk.department


def test_overdue_handling_raises_the_alarm_once(desk, inspector, handler):
    from monitoring.models import Alert
    from monitoring.timers import run_sweep

    now = at(2025, 9, 30, 10)
    complaint, _ = desk.submit(now=now)
    services.classify(complaint, desk.category, by=inspector, now=now)
    complaint = services.forward(complaint, desk.department, by=inspector, now=now)
    services.accept(complaint, by=handler, now=now)
    with time_machine.travel(at(2025, 10, 20, 9), tick=False):
        run_sweep()
        run_sweep()
    alarms = Alert.objects.filter(target_id=str(complaint.pk), kind="overdue")
    assert alarms.count() == 1 and alarms.get().department == desk.department


def test_late_acceptance_and_closure_count_as_late(desk, inspector, handler):
    now = at(2025, 9, 30, 10)
    complaint, _ = desk.submit(now=now)
    services.classify(complaint, desk.category, by=inspector, now=now)
    complaint = services.forward(complaint, desk.department, by=inspector, now=now)
    complaint = services.accept(complaint, by=handler, now=at(2025, 10, 10, 9))
    complaint = services.reply(complaint, by=handler, text="已处理", now=at(2025, 10, 20, 9))
    complaint = services.propose_closure(complaint, by=handler, now=at(2025, 10, 20, 10))
    complaint = services.approve_closure(complaint, by=inspector, now=at(2025, 10, 21, 10))
    assert complaint.accepted_on_time is False and complaint.closed_on_time is False
    assert complaint.handling_days == 9  # 9, 10, 11 (调休), 13–17 and 20 October


def test_identity_view_is_audited_and_refused_to_departments(desk, inspector, handler, operator):
    complaint, _ = desk.forwarded()
    assert services.view_identity(complaint, by=operator)["reporter_name"] == "王小明"
    assert complaint.events.filter(verb=Verb.IDENTITY_VIEWED).count() == 1
    assert AuditEvent.objects.filter(verb="complaints.identity_viewed").count() == 1
    with pytest.raises(PermissionDenied):
        services.view_identity(complaint, by=handler)


def test_anonymise_after_retention(desk, settings, admin_user):
    settings.COMPLAINTS_RETENTION_DAYS = 30
    complaint, _ = desk.closed()
    open_one, _ = desk.forwarded()
    with pytest.raises(ValidationError):
        services.anonymise(open_one, by=admin_user)
    assert services.anonymise_expired(now=complaint.closed_at + timedelta(days=29)) == 0
    assert services.anonymise_expired(now=complaint.closed_at + timedelta(days=31)) == 1
    complaint.refresh_from_db()
    assert complaint.reporter_name == complaint.reporter_contact == "" and complaint.anonymised_at
    assert notifications.messages_of(complaint).exclude(recipient="").count() == 0
    open_one.refresh_from_db()
    assert open_one.reporter_name == "王小明"


def test_department_is_configurable(desk, inspector, settings):
    settings.COMPLAINTS_SUPERVISORY_DEPARTMENT = "NOPE"
    complaint, _ = desk.submit()
    services.classify(complaint, desk.category, by=inspector)
    with pytest.raises(ValidationError):
        services.keep(complaint, by=inspector)
    DepartmentFactory(code="NOPE", name="监察室")
    assert services.keep(complaint, by=inspector).handling_department.code == "NOPE"


def test_a_corruption_clue_becomes_risk_information(desk, inspector, handler, corruption):
    complaint, _ = desk.submit(department=desk.department, title="审批人员索要好处费")
    with pytest.raises(PermissionDenied):  # not yet classified as a clue
        services.report_clue(complaint, by=inspector)
    services.classify(complaint, corruption, by=inspector)
    with pytest.raises(PermissionDenied):
        services.report_clue(complaint, by=handler)
    info_id, number, created = services.report_clue(complaint, by=inspector)
    assert created and number
    assert services.report_clue(complaint, by=inspector)[0] == info_id  # once per complaint
    assert complaint.events.filter(verb=Verb.CLUE_REPORTED).exists()
