"""Alert lifecycle verbs, supervision notices (督办), accountability (问责): services and pages."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring import timers
from monitoring.choices import RULE_NOTICE, AccountabilityMeasure, AlertKind, AlertState, NoticeStatus
from monitoring.models import AccountabilityRecord, Alert, AnomalyRule, SupervisionNotice
from monitoring.services import alerts as services
from monitoring.services import supervision
from monitoring.timers import run_sweep
from portal import roles, workdays
from portal.models import AuditEvent, NumberSeries
from portal.services import TransitionError
from tests.factories import UserFactory
from tests.monitoring.factories import AlertFactory


@pytest.fixture
def alert(department):
    return AlertFactory(department=department, kind=AlertKind.OVERDUE, title="超时报警：某办件")


@pytest.fixture
def other_head(other_department):
    return UserFactory(username="other_head", roles=[roles.DEPT_HEAD], department=other_department)


def issue(inspector, department, alert=None, **kwargs):
    kwargs.setdefault("deadline_days", 5)
    kwargs.setdefault("title", "督办：超时未办结")
    kwargs.setdefault("requirement", "三个工作日内说明原因并整改。")
    return supervision.issue_notice(alert, department=department, by=inspector, **kwargs)


def verbs_of(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("id").values_list("verb", flat=True))


def notice_timer(notice):
    return timers.for_target(notice).filter(purpose=RULE_NOTICE).order_by("-id").first()


# --- alert verbs ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_acknowledge_then_resolve_is_audited(alert, inspector):
    services.acknowledge(alert, by=inspector)
    alert = services.resolve(alert, by=inspector, note="已督促办结")
    assert alert.state == AlertState.RESOLVED and alert.closed_at is not None
    assert verbs_of(alert) == ["monitoring.alert.acknowledged", "monitoring.alert.resolved"]
    last = AuditEvent.objects.for_object(alert).order_by("-id").first()
    assert last.actor == inspector and last.note == "已督促办结"


@pytest.mark.django_db
def test_dismiss_needs_a_reason_and_stores_nothing_without_one(alert, inspector):
    with pytest.raises(ValidationError) as info:
        services.dismiss(alert, by=inspector, reason="   ")
    assert "reason" in info.value.message_dict
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and verbs_of(alert) == []
    services.dismiss(alert, by=inspector, reason="系统时间错误导致误报")
    alert.refresh_from_db()
    assert alert.state == AlertState.DISMISSED
    assert AuditEvent.objects.for_object(alert).get().note == "系统时间错误导致误报"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, verb",
    [
        (AlertState.DISMISSED, "resolve"),
        (AlertState.RESOLVED, "acknowledge"),
        (AlertState.ACKNOWLEDGED, "acknowledge"),
        (AlertState.RESOLVED, "dismiss"),
    ],
)
def test_refused_alert_transitions(department, inspector, start, verb):
    alert = AlertFactory(department=department, state=start)
    kwargs = {"reason": "理由"} if verb == "dismiss" else {}
    with pytest.raises(TransitionError, match="不能变更为"):
        getattr(services, verb)(alert, by=inspector, **kwargs)
    alert.refresh_from_db()
    assert alert.state == start


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "head", "handler"])
def test_only_inspectors_handle_alerts(request, alert, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.acknowledge(alert, by=user)
    with pytest.raises(PermissionDenied):
        issue(user, alert.department, alert)
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN
    assert not SupervisionNotice.objects.exists()


# --- notices -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_numbers_acknowledges_and_starts_the_timer(alert, inspector, department):
    notice = issue(inspector, department, alert)
    year = timezone.localdate().year
    assert notice.number == f"督〔{year}〕0001"
    assert issue(inspector, department).number == f"督〔{year}〕0002"
    assert notice.deadline_on == workdays.add_working_days(timezone.localdate(), 5)
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED
    timer = notice_timer(notice)
    assert timer.state == "running" and timer.department == department
    assert timer.due_at == workdays.end_of_working_day(notice.deadline_on)
    assert timer.warn_at < timer.due_at
    assert verbs_of(notice) == ["monitoring.notice.issued"]


@pytest.mark.django_db
def test_numbers_continue_after_the_highest(inspector, department):
    """A year counted for the first time continues after the greatest number already stored."""
    year = timezone.localdate().year
    first = issue(inspector, department)
    SupervisionNotice.objects.filter(pk=first.pk).update(number=f"督〔{year}〕0041")
    NumberSeries.objects.filter(series=f"notice:{year}").delete()
    assert issue(inspector, department).number == f"督〔{year}〕0042"


@pytest.mark.django_db
def test_a_notice_not_stored_gives_its_number_back(inspector, department):
    """Gap-free: a failed issue rolls its number back with it."""
    year = timezone.localdate().year
    assert issue(inspector, department).number.endswith("0001")
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(inspector, department)
        raise RuntimeError("the issuing transaction fails after numbering")
    assert issue(inspector, department).number == f"督〔{year}〕0002"
    assert SupervisionNotice.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"deadline_days": 0}, "deadline_days"),
        ({"deadline_days": None}, "deadline_days"),
        ({"deadline_days": 3, "deadline_on": timezone.localdate()}, "deadline_days"),
        ({"deadline_days": None, "deadline_on": timezone.localdate() - timedelta(days=1)}, "deadline_on"),
        ({"title": " "}, "title"),
    ],
)
def test_issue_refuses_bad_input(inspector, department, kwargs, field):
    with pytest.raises(ValidationError) as info:
        issue(inspector, department, **kwargs)
    assert field in info.value.message_dict
    assert not SupervisionNotice.objects.exists()


@pytest.mark.django_db
def test_no_notice_on_a_dismissed_alert(department, inspector):
    alert = AlertFactory(department=department, state=AlertState.DISMISSED)
    with pytest.raises(ValidationError):
        issue(inspector, department, alert)


@pytest.mark.django_db
def test_overdue_notice_raises_reminder_and_alarm_through_the_sweep(inspector, department):
    past = timezone.now() - timedelta(days=20)
    notice = issue(inspector, department, deadline_days=3, now=past)
    run_sweep()
    alerts = Alert.objects.filter(timer=notice_timer(notice))
    assert set(alerts.values_list("kind", flat=True)) == {AlertKind.OVERDUE}
    assert alerts.get().department == department and notice.is_overdue


@pytest.mark.django_db
def test_head_answers_and_the_timer_stops(inspector, department, head):
    notice = issue(inspector, department)
    notice = supervision.answer_notice(notice, by=head, answer="已整改，相关人员已批评教育。")
    assert notice.status == NoticeStatus.ANSWERED and notice.answered_by == head
    assert notice_timer(notice).state == "stopped"
    assert verbs_of(notice)[-1] == "monitoring.notice.answered"


@pytest.mark.django_db
def test_handler_of_the_department_may_answer(inspector, department, handler):
    notice = supervision.answer_notice(issue(inspector, department), by=handler, answer="已整改")
    assert notice.status == NoticeStatus.ANSWERED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_head", "clerk", "inspector"])
def test_others_cannot_answer(request, inspector, department, who):
    notice = issue(inspector, department)
    with pytest.raises(PermissionDenied):
        supervision.answer_notice(notice, by=request.getfixturevalue(who), answer="答复")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED and notice_timer(notice).state == "running"


@pytest.mark.django_db
def test_empty_answer_is_refused(inspector, department, head):
    with pytest.raises(ValidationError):
        supervision.answer_notice(issue(inspector, department), by=head, answer="")


@pytest.mark.django_db
def test_return_gives_a_new_deadline_and_a_new_timer_then_close(inspector, department, head):
    notice = issue(inspector, department, deadline_days=2)
    supervision.answer_notice(notice, by=head, answer="已整改")
    first_timer = notice_timer(notice)
    with pytest.raises(ValidationError):
        supervision.return_notice(notice, by=inspector, review_note="")
    notice = supervision.return_notice(notice, by=inspector, review_note="未说明责任人", deadline_days=8)
    assert notice.status == NoticeStatus.RETURNED
    assert notice.deadline_on == workdays.add_working_days(timezone.localdate(), 8)
    second_timer = notice_timer(notice)
    assert second_timer.pk != first_timer.pk and second_timer.state == "running"
    assert second_timer.due_at == workdays.end_of_working_day(notice.deadline_on)
    supervision.answer_notice(notice, by=head, answer="责任人张某已作检讨")
    notice = supervision.close_notice(notice, by=inspector, review_note="同意办结")
    assert notice.status == NoticeStatus.CLOSED and notice.closed_at is not None
    assert verbs_of(notice) == [
        "monitoring.notice.issued",
        "monitoring.notice.answered",
        "monitoring.notice.returned",
        "monitoring.notice.answered",
        "monitoring.notice.closed",
    ]


@pytest.mark.django_db
def test_refused_notice_transitions(inspector, department, head):
    notice = issue(inspector, department)
    with pytest.raises(TransitionError):
        supervision.close_notice(notice, by=inspector)  # not answered yet
    with pytest.raises(TransitionError):
        supervision.return_notice(notice, by=inspector, review_note="不行")
    supervision.answer_notice(notice, by=head, answer="已整改")
    with pytest.raises(TransitionError):
        supervision.answer_notice(notice, by=head, answer="再答一次")
    with pytest.raises(TransitionError):
        supervision.withdraw_notice(notice, by=inspector, reason="撤回")
    supervision.close_notice(notice, by=inspector)
    with pytest.raises(TransitionError):
        supervision.return_notice(notice, by=inspector, review_note="重开")


@pytest.mark.django_db
def test_withdraw_stops_the_timer_and_needs_a_reason(inspector, department, head):
    notice = issue(inspector, department)
    with pytest.raises(ValidationError):
        supervision.withdraw_notice(notice, by=inspector, reason="")
    with pytest.raises(PermissionDenied):
        supervision.withdraw_notice(notice, by=head, reason="不想答")
    notice = supervision.withdraw_notice(notice, by=inspector, reason="督办对象有误")
    assert notice.status == NoticeStatus.WITHDRAWN and notice_timer(notice).state == "stopped"


@pytest.mark.django_db
def test_notice_visibility(inspector, department, head, other_head, clerk):
    notice = issue(inspector, department)
    assert list(SupervisionNotice.objects.visible_to(inspector)) == [notice]
    assert list(SupervisionNotice.objects.visible_to(head)) == [notice]
    assert not SupervisionNotice.objects.visible_to(other_head).exists()
    assert not SupervisionNotice.objects.visible_to(clerk).exists()  # same department, no role


# --- accountability ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_record_accountability(inspector, department, head, alert):
    notice = issue(inspector, department, alert)
    record = supervision.record_accountability(
        department=department, person=head, person_title="科长", measure=AccountabilityMeasure.TALK,
        facts="办件超期未办结", decided_on=timezone.localdate(), notice=notice, by=inspector,
    )  # fmt: skip
    assert record.person_name == head.staff_profile.display_name or record.person_name == head.username
    assert record.alert == alert  # taken from the notice
    assert verbs_of(record) == ["monitoring.accountability.recorded"]


@pytest.mark.django_db
def test_accountability_refuses_bad_input_and_non_inspectors(inspector, department, head):
    fields = {
        "department": department, "person_name": "", "measure": "flogging", "facts": "",
        "decided_on": timezone.localdate() + timedelta(days=3),
    }  # fmt: skip
    with pytest.raises(ValidationError) as info:
        supervision.record_accountability(by=inspector, **fields)
    assert set(info.value.message_dict) == {"person_name", "measure", "facts", "decided_on"}
    good = {
        **fields,
        "person_name": "王某",
        "measure": "talk",
        "facts": "超期",
        "decided_on": timezone.localdate(),
    }
    with pytest.raises(PermissionDenied):
        supervision.record_accountability(by=head, **good)
    assert not AccountabilityRecord.objects.exists()
    assert AccountabilityRecord.objects.visible_to(head).model is AccountabilityRecord
    supervision.record_accountability(by=inspector, **good)
    assert AccountabilityRecord.objects.visible_to(inspector).count() == 1
    assert not AccountabilityRecord.objects.visible_to(head).exists()


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/monitoring/notices/",
        "/monitoring/accountability/",
        "/monitoring/accountability/new/",
        "/monitoring/notices/new/",
    ],
)
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_clerks_get_403(client, clerk, alert):
    client.force_login(clerk)
    for url in [f"/monitoring/alerts/{alert.pk}/", "/monitoring/notices/", "/monitoring/accountability/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/monitoring/alerts/{alert.pk}/acknowledge/").status_code == 403


@pytest.mark.django_db
def test_alert_page_shows_actions_and_acts(client, inspector, alert):
    client.force_login(inspector)
    url = f"/monitoring/alerts/{alert.pk}/"
    html = client.get(url).content.decode()
    for name in ["acknowledge", "resolve", "dismiss", "notify", "accountability"]:
        assert f'id="action-{name}"' in html
    assert f'action="{url}dismiss/"' in html  # each form posts to <page>/<verb>/
    response = client.post(url + "dismiss/", {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="action-dismiss" open' in html and "errorlist" in html
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN
    response = client.post(url + "acknowledge/", {"note": ""})
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert 'id="action-acknowledge"' not in html and "monitoring.alert.acknowledged" in html
    assert "已签收。" in html
    response = client.post(
        url + "notify/",
        {
            "department": alert.department.code,
            "title": "请整改",
            "requirement": "说明原因",
            "deadline_days": "3",
        },
    )
    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    assert notice.alert == alert and notice.number in client.get(url).content.decode()


@pytest.mark.django_db
def test_alert_list_links_rows_to_the_detail_page(client, inspector, alert):
    client.force_login(inspector)
    assert f'href="/monitoring/alerts/{alert.pk}/"' in client.get("/monitoring/alerts/").content.decode()


@pytest.mark.django_db
def test_head_sees_and_answers_own_notice_only(client, inspector, department, other_department, head):
    own = issue(inspector, department)
    other = issue(inspector, other_department)
    client.force_login(head)
    html = client.get("/monitoring/notices/").content.decode()
    assert own.number in html and other.number not in html
    assert client.get(f"/monitoring/notices/{other.pk}/").status_code == 404
    page = client.get(f"/monitoring/notices/{own.pk}/").content.decode()
    assert 'id="action-answer"' in page and 'id="action-close"' not in page
    assert client.post(f"/monitoring/notices/{own.pk}/close/").status_code == 403  # the verb refuses
    response = client.post(f"/monitoring/notices/{own.pk}/answer/", {"answer": "已整改完毕"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == NoticeStatus.ANSWERED
    assert "督办件" in client.get("/workbench/").content.decode()


@pytest.mark.django_db
def test_inspector_returns_on_the_page_and_a_refused_move_shows_its_reason(
    client, inspector, department, head
):
    notice = issue(inspector, department)
    supervision.answer_notice(notice, by=head, answer="已整改")
    client.force_login(inspector)
    url = f"/monitoring/notices/{notice.pk}/"
    response = client.post(url + "return/", {"review_note": "责任未落实", "deadline_days": "4"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RETURNED
    assert notice.deadline_on == workdays.add_working_days(timezone.localdate(), 4)
    # A form left open (close is no longer offered): the verb refuses the move, the page says why.
    refused = client.post(url + "close/", follow=True)
    assert refused.redirect_chain == [(url, 302)] and 'id="action-close"' not in refused.text
    assert "msg-error" in refused.text and "办结" in refused.text
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RETURNED


@pytest.mark.django_db
def test_overdue_notices_are_highlighted_and_filterable(client, inspector, department):
    late = issue(inspector, department, now=timezone.now() - timedelta(days=30))
    fresh = issue(inspector, department)
    client.force_login(inspector)
    html = client.get("/monitoring/notices/", {"overdue": "true"}).content.decode()
    assert late.number in html and fresh.number not in html and 'class="overdue"' in html


@pytest.mark.django_db
def test_notice_list_queries_do_not_grow_with_rows(client, inspector, department, other_department, alert):
    client.force_login(inspector)
    issue(inspector, department, alert)
    client.get("/monitoring/notices/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/monitoring/notices/").status_code == 200
    for index in range(6):
        issue(inspector, other_department if index % 2 else department)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/monitoring/notices/").content.decode()
    assert html.count("督〔") == 7
    assert len(many) == len(few)


@pytest.mark.django_db
def test_accountability_pages(client, inspector, department, alert):
    client.force_login(inspector)
    url = f"/monitoring/accountability/new/?alert={alert.pk}"
    assert department.code in client.get(url).content.decode()
    data = {"department": department.code, "person_name": "王某", "person_title": "科员", "measure": "talk",
            "facts": "超期未办结", "decided_on": timezone.localdate().isoformat()}  # fmt: skip
    response = client.post(url, {**data, "facts": ""})
    assert response.status_code == 400 and not AccountabilityRecord.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/monitoring/alerts/{alert.pk}/"
    record = AccountabilityRecord.objects.get()
    assert record.alert == alert and record.recorded_by == inspector
    html = client.get("/monitoring/accountability/", {"measure": "talk"}).content.decode()
    assert "王某" in html and "约谈提醒" in html
    assert (
        "王某" not in client.get("/monitoring/accountability/", {"measure": "disciplinary"}).content.decode()
    )


@pytest.mark.django_db
def test_notice_without_alert_from_its_own_page(client, inspector, department):
    client.force_login(inspector)
    data = {
        "department": department.code,
        "title": "投诉督办",
        "requirement": "核查投诉",
        "deadline_days": "5",
    }
    response = client.post("/monitoring/notices/new/", data)
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert notice.alert is None


# --- admin and demo ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_is_read_only(client, admin_user, inspector, department):
    notice = issue(inspector, department)
    client.force_login(admin_user)
    assert client.get("/admin/monitoring/supervisionnotice/").status_code == 200
    assert client.get("/admin/monitoring/accountabilityrecord/").status_code == 200
    assert client.get("/admin/monitoring/supervisionnotice/add/").status_code == 403
    page = client.get(f"/admin/monitoring/supervisionnotice/{notice.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.django_db
def test_demo_works_alerts_through_the_verbs_once():
    import io

    from approvals import demo as approvals_demo
    from monitoring import demo
    from portal import demo as portal_demo
    from powers import demo as powers_demo

    out = io.StringIO()
    for module in (portal_demo, powers_demo, approvals_demo, demo):
        module.seed("small", out)
    head = roles.department_of(get_user_model().objects.get(username="head"))
    answered = SupervisionNotice.objects.get(status=NoticeStatus.ANSWERED)
    assert answered.department == head and answered.answered_by.username == "head"
    late = SupervisionNotice.objects.get(status=NoticeStatus.ISSUED)
    assert late.is_overdue and Alert.objects.filter(timer=notice_timer(late), kind=AlertKind.OVERDUE).exists()
    states = set(Alert.objects.values_list("state", flat=True))
    assert set(AlertState.values) <= states
    assert AccountabilityRecord.objects.get().notice == answered
    events = AuditEvent.objects.filter(verb__startswith="monitoring.notice").count()
    demo.seed("small", out)  # a second run changes nothing
    assert "already seeded" in out.getvalue()
    assert AuditEvent.objects.filter(verb__startswith="monitoring.notice").count() == events


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_numbers(inspector, department):
    import threading

    from django.db import connections

    numbers, errors = [], []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            numbers.append(issue(inspector, department).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(numbers)) == 4
    assert sorted(n[-4:] for n in numbers) == ["0001", "0002", "0003", "0004"]


@pytest.mark.django_db
def test_anomaly_alert_page_names_its_rule(client, inspector, department):
    AnomalyRule.objects.update_or_create(
        code="separated_duty", defaults={"name": "同一人员办理不相容岗位", "description": "受理与审批分离"}
    )
    anomaly = AlertFactory(
        department=department, kind=AlertKind.ANOMALY, rule="separated_duty", occurrence="9"
    )
    client.force_login(inspector)
    html = client.get(f"/monitoring/alerts/{anomaly.pk}/").content.decode()
    assert "同一人员办理不相容岗位" in html and "受理与审批分离" in html
