"""Result disclosure (双公示): records opened by the decision, the 7-working-day timer, the verbs, masking."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals import disclosure as rules
from approvals import services
from approvals.choices import ApplicantType, DisclosureKind, DisclosureState, ExemptionReason
from approvals.models import ResultDisclosure
from approvals.services import disclosure
from monitoring import timers
from monitoring.models import Alert
from monitoring.timers import run_sweep
from portal.models import AuditEvent
from portal.services import TransitionError
from tests.approvals.factories import at
from tests.approvals.test_enforcement import enforcement, filed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

PRIVATE = ["张三", "350203199001011234", "13800138000"]


def decided(centre, **kwargs):
    case, _secret = centre.decided(**kwargs)
    return case, ResultDisclosure.objects.get(case=case)


# --- pure rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["王", "王五", "欧阳娜娜", "Wang Wu"])
def test_person_name_is_masked_to_one_character_and_two_stars(name):
    assert rules.party(name=name, is_person=True, id_number="350203199001011234") == (name[0] + "**", "")


def test_only_a_well_formed_credit_code_is_kept():
    assert rules.credit_code("91350200MA2Y00000K") == "91350200MA2Y00000K"
    assert rules.credit_code("350203199001011234") == ""  # an ID card number is never taken for a code
    assert rules.credit_code("91350200MA2Y00000J") == ""  # wrong check character
    assert rules.party(name="张三", is_person=True, id_number="91350200MA2Y00000K") == ("张**", "")


def test_result_text_of_a_fine():
    assert (
        rules.result_text("处罚", amount=Decimal("300.00"), unit="元", band="一般") == "罚款 300 元（一般）"
    )


# --- opened by the decision -----------------------------------------------------------------------


def test_a_licensing_decision_opens_a_masked_record_with_a_timer(centre):
    case, record = decided(centre)
    assert record.state == DisclosureState.DUE and record.kind == DisclosureKind.LICENSE
    assert record.party_name == "张**" and record.party_is_person and record.party_credit_code == ""
    assert record.result == "准予" and record.decided_on == date(2025, 3, 6)
    stored = " ".join(str(v) for v in ResultDisclosure.objects.filter(pk=record.pk).values().first().values())
    assert not any(secret in stored for secret in PRIVATE)
    timer = timers.for_target(record).get(purpose=disclosure.TIMER)
    assert timer.stopped_at is None and timezone.localdate(timer.due_at) == record.due_on == date(2025, 3, 17)
    assert AuditEvent.objects.filter(verb="disclosure.opened", target_id=str(record.pk)).exists()


def test_an_organisation_is_named_with_its_credit_code(centre):
    submitted = centre.apply(
        applicant_name="厦门某某食品有限公司", applicant_type=ApplicantType.ORGANISATION,
        applicant_id_number="91350200MA2Y00000K",
    )  # fmt: skip
    case = services.accept_case(submitted.case, by=centre.clerk, now=at(2025, 3, 3, 10))
    case = services.advance_step(case, by=centre.acceptor, now=at(2025, 3, 4))
    case = services.advance_step(case, by=centre.reviewer, now=at(2025, 3, 5))
    case = services.decide_case(case, by=centre.approver, decision="approve", now=at(2025, 3, 6))
    record = case.disclosure
    assert (record.party_name, record.party_credit_code) == ("厦门某某食品有限公司", "91350200MA2Y00000K")


def test_the_limit_is_seven_working_days_across_the_national_day_holiday(centre):
    # Decided on 2025-09-30: 1–8 October are holidays and Saturday 11 October is a working day (调休).
    _case, record = decided(centre, now=at(2025, 9, 30, 15))
    assert record.due_on == date(2025, 10, 16)
    assert date(2025, 9, 30) + timedelta(days=9) < record.due_on  # a weekday count would say 9 October


def test_the_sweep_raises_a_reminder_then_an_overdue_alarm(centre):
    _case, record = decided(centre)
    run_sweep(now=at(2025, 3, 14, 9))
    assert Alert.objects.filter(timer__purpose=disclosure.TIMER, level="yellow").count() == 1
    run_sweep(now=at(2025, 3, 18, 9))
    run_sweep(now=at(2025, 3, 18, 10))
    assert Alert.objects.filter(timer__purpose=disclosure.TIMER, level="red").count() == 1


def test_a_penalty_decision_discloses_the_fine_and_its_band(centre, enforcement):  # noqa: F811
    power, standard, _officer, chief = enforcement
    case = filed(enforcement)
    services.decide_penalty(case, by=chief, standard=standard, fact="3", amount="300", now=at(2025, 3, 6))
    record = ResultDisclosure.objects.get(case=case)
    assert record.kind == DisclosureKind.PENALTY and record.amount == Decimal("300")
    assert record.band == "一般" and "300" in record.result and record.party_name == "某某便利店"
    assert "罚" in record.decision_number and "2025" in record.decision_number


# --- verbs ----------------------------------------------------------------------------------------


def test_publish_by_the_department_stops_the_timer(centre):
    _case, record = decided(centre)
    record = disclosure.publish(record, by=centre.acceptor, now=at(2025, 3, 10))
    assert record.state == DisclosureState.PUBLISHED and record.published_by == centre.acceptor
    assert timers.for_target(record).get(purpose=disclosure.TIMER).stopped_at is not None
    assert AuditEvent.objects.filter(verb="disclosure.published").count() == 1
    with pytest.raises(TransitionError):
        disclosure.publish(record, by=centre.acceptor)


def test_other_departments_and_the_window_cannot_publish(centre):
    _case, record = decided(centre)
    for user in (centre.other_staff, centre.clerk, centre.inspector):
        with pytest.raises(PermissionDenied):
            disclosure.publish(record, by=user)
    record.refresh_from_db()
    assert record.state == DisclosureState.DUE


def test_withdraw_needs_the_head_and_a_reason_and_stays_public(centre):
    _case, record = decided(centre)
    disclosure.publish(record, by=centre.acceptor)
    with pytest.raises(ValidationError):
        disclosure.withdraw(record, by=centre.approver, reason=" ")
    with pytest.raises(PermissionDenied):
        disclosure.withdraw(record, by=centre.acceptor, reason="复议撤销")
    record = disclosure.withdraw(record, by=centre.approver, reason="经行政复议撤销原决定")
    assert record.state == DisclosureState.WITHDRAWN
    assert ResultDisclosure.objects.public().filter(pk=record.pk).exists()
    with pytest.raises(TransitionError):
        disclosure.publish(record, by=centre.acceptor)


def test_a_due_record_cannot_be_withdrawn(centre):
    _case, record = decided(centre)
    with pytest.raises(TransitionError):
        disclosure.withdraw(record, by=centre.approver, reason="x")


def test_exempt_needs_a_legal_reason_and_an_inspector_may_challenge_it(centre):
    _case, record = decided(centre)
    with pytest.raises(ValidationError):
        disclosure.exempt(record, by=centre.approver, reason="dislike", note="不想公开")
    with pytest.raises(ValidationError):
        disclosure.exempt(record, by=centre.approver, reason=ExemptionReason.PERSONAL_PRIVACY, note="")
    record = disclosure.exempt(
        record,
        by=centre.approver,
        reason=ExemptionReason.PERSONAL_PRIVACY,
        note="申请人书面不同意",
        now=at(2025, 3, 7),
    )
    assert record.state == DisclosureState.EXEMPTED
    assert timers.for_target(record).get(purpose=disclosure.TIMER).stopped_at is not None
    assert not ResultDisclosure.objects.public().filter(pk=record.pk).exists()
    assert ResultDisclosure.objects.visible_to(centre.inspector).filter(pk=record.pk).exists()
    with pytest.raises(PermissionDenied):
        disclosure.challenge(record, by=centre.approver, note="自己质疑")
    record = disclosure.challenge(
        record, by=centre.inspector, note="许可结果不属于个人隐私", now=at(2025, 3, 20, 9)
    )
    assert record.state == DisclosureState.DUE and record.due_on == date(2025, 3, 31)
    running = timers.for_target(record).filter(purpose=disclosure.TIMER, stopped_at__isnull=True)
    assert running.count() == 1
    with pytest.raises(TransitionError):
        disclosure.challenge(record, by=centre.inspector, note="again")


def test_visibility_of_unpublished_records(centre):
    _case, record = decided(centre)
    assert not ResultDisclosure.objects.public().exists()
    assert ResultDisclosure.objects.visible_to(centre.acceptor).filter(pk=record.pk).exists()
    assert not ResultDisclosure.objects.visible_to(centre.other_staff).exists()
    assert not ResultDisclosure.objects.visible_to(centre.clerk).exists()


# --- public pages, feed, exports and API never show private data ----------------------------------


@pytest.fixture
def published(centre):
    _case, record = decided(centre)
    return disclosure.publish(record, by=centre.acceptor)


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_private_data_never_appears_on_public_outputs(client, published):
    urls = [
        reverse("approvals:results"),
        reverse("approvals:results") + "?q=张",
        reverse("approvals:result", args=[published.pk]),
        reverse("approvals:results_feed"),
        reverse("approvals:results_export"),
        reverse("portal:open_data_download", args=["results", "csv"]),
        reverse("portal:open_data_download", args=["results", "json"]),
        "/api/v1/results/",
        f"/api/v1/results/{published.pk}/",
        reverse("approvals:screen"),
        reverse("approvals:screen_data"),
        reverse("portal:home"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        for secret in PRIVATE:
            assert secret not in body, (url, secret)
        if "results" in url or "result" in url:
            assert published.decision_number in body or "screen" in url, url


def test_public_list_shows_published_and_hides_the_rest(client, centre, published):
    _other_case, due = decided(centre)
    html = client.get(reverse("approvals:results")).content.decode()
    assert published.decision_number in html and due.decision_number not in html
    assert client.get(reverse("approvals:result", args=[due.pk])).status_code == 404
    assert client.get(f"/api/v1/results/{due.pk}/").status_code == 404


def test_public_list_filters_and_refuses_bad_input(client, published):
    url = reverse("approvals:results")
    assert published.decision_number in client.get(url, {"kind": "license"}).content.decode()
    assert published.decision_number not in client.get(url, {"kind": "penalty"}).content.decode()
    assert client.get(url, {"decided_from": "not-a-date"}).status_code == 400
    assert client.get(url, {"kind": "x" * 500}).status_code == 400
    assert client.get("/api/v1/results/", {"decided_to": "2025-13-40"}).status_code == 400


def test_csv_cells_are_formula_safe(client, centre, published):
    ResultDisclosure.objects.filter(pk=published.pk).update(matter='=HYPERLINK("http://x")')
    body = _body(client.get(reverse("approvals:results_export")))
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_api_verbs_follow_the_rules(client, centre):
    _case, record = decided(centre)
    client.force_login(centre.other_staff)
    assert client.post(f"/api/v1/results/{record.pk}/publish/").status_code == 404  # not theirs to see
    client.force_login(centre.acceptor)
    assert client.post(f"/api/v1/results/{record.pk}/publish/").json()["state"] == "published"
    assert client.post(f"/api/v1/results/{record.pk}/publish/").status_code == 409
    assert client.post(f"/api/v1/results/{record.pk}/withdraw/", {"reason": "x"}).status_code == 403
    client.force_login(centre.approver)
    assert client.post(f"/api/v1/results/{record.pk}/withdraw/", {}).status_code == 400
    assert client.post(f"/api/v1/results/{record.pk}/withdraw/", {"reason": "复议撤销"}).status_code == 200


def test_feed_is_atom_with_the_withdrawal(client, centre, published):
    disclosure.withdraw(published, by=centre.approver, reason="经复议撤销")
    body = client.get(reverse("approvals:results_feed")).content.decode()
    assert "http://www.w3.org/2005/Atom" in body and "【已撤销】" in body and "经复议撤销" in body


def test_open_data_dictionary_lists_every_dataset(client, published):
    html = client.get(reverse("portal:open_data")).content.decode()
    for slug in ("powers", "service-items", "results"):
        assert reverse("portal:open_data_download", args=[slug, "csv"]) in html
    data = client.get(reverse("portal:open_data_download", args=["results", "json"]))
    parsed = __import__("json").loads(_body(data))
    assert parsed["rows"][0]["decision_number"] == published.decision_number
    assert [f["name"] for f in parsed["fields"]][:2] == ["decision_number", "kind"]
    assert client.get("/open-data/nothing.csv").status_code == 404
    assert client.get("/open-data/results.xml").status_code == 404


# --- home page and the hall's screen -------------------------------------------------------------


def test_home_shows_figures(client, published):
    html = client.get(reverse("portal:home")).content.decode()
    assert "本周公示办理结果" in html and "公布的权力事项" in html and "今日受理办件" in html


def test_screen_shows_windows_and_recent_results(client, centre, published):
    from approvals.models import Window

    Window.objects.create(number="3", name="市场监管窗口", department=centre.department)
    data = client.get(reverse("approvals:screen_data")).json()
    assert data["windows"][0]["windows"] == "3" and data["results"][0]["number"] == published.decision_number
    assert "张**" in client.get(reverse("approvals:screen")).content.decode()


def _queries(client, django_assert_max_num_queries, url, n):
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(n):
        assert client.get(url).status_code == 200


def test_query_counts_do_not_grow_with_records(client, centre, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = [reverse("portal:home"), reverse("approvals:results"), reverse("approvals:screen")]
    decided_one = decided(centre)[1]
    disclosure.publish(decided_one, by=centre.acceptor)
    # The first view of the home page stores the dashboard's closed months (one roll-up row a
    # month, written once): count from the second view on.
    for url in urls:
        count(url)
    before = [count(url) for url in urls]
    for _ in range(4):
        disclosure.publish(decided(centre)[1], by=centre.acceptor)
    assert [count(url) for url in urls] == before
    assert max(before) <= 20


# --- the staff page -----------------------------------------------------------------------------


def test_desk_lists_due_records_with_what_each_user_may_do(client, centre):
    _case, record = decided(centre)
    client.force_login(centre.acceptor)
    html = client.get(reverse("approvals:results_desk")).content.decode()
    assert record.decision_number in html
    assert reverse("approvals:results_action", args=[record.pk, "publish"]) in html
    assert reverse("approvals:results_action", args=[record.pk, "exempt"]) not in html  # the head's
    client.force_login(centre.approver)
    html = client.get(reverse("approvals:results_desk")).content.decode()
    assert reverse("approvals:results_action", args=[record.pk, "exempt"]) in html
    client.force_login(centre.other_staff)
    assert record.decision_number not in client.get(reverse("approvals:results_desk")).content.decode()
    assert client.post(reverse("approvals:results_action", args=[record.pk, "publish"])).status_code == 404
    client.force_login(centre.clerk)
    assert client.get(reverse("approvals:results_desk")).status_code == 403


def test_desk_actions_run_the_verbs(client, centre):
    _case, record = decided(centre)
    client.force_login(centre.acceptor)
    response = client.post(reverse("approvals:results_action", args=[record.pk, "publish"]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == DisclosureState.PUBLISHED
    again = client.post(reverse("approvals:results_action", args=[record.pk, "publish"]), follow=True)
    assert "当前状态为「已公示」" in again.content.decode()
    client.force_login(centre.approver)
    url = reverse("approvals:results_action", args=[record.pk, "withdraw"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "复议撤销"}).status_code == 302
    record.refresh_from_db()
    assert record.state == DisclosureState.WITHDRAWN
    assert client.get(reverse("approvals:results_action", args=[record.pk, "nothing"])).status_code == 404


def test_inspector_challenges_from_the_desk(client, centre):
    _case, record = decided(centre)
    disclosure.exempt(record, by=centre.approver, reason=ExemptionReason.STATE_SECRET, note="涉密")
    client.force_login(centre.inspector)
    html = client.get(reverse("approvals:results_desk"), {"state": "exempted"}).content.decode()
    assert (
        "涉及国家秘密" in html and reverse("approvals:results_action", args=[record.pk, "challenge"]) in html
    )
    response = client.post(
        reverse("approvals:results_action", args=[record.pk, "challenge"]), {"note": "不涉密"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == DisclosureState.DUE and record.challenged_by == centre.inspector


def test_two_departments_printing_the_same_short_name_never_share_a_number(centre):
    from django.db import transaction

    from tests.factories import DepartmentFactory

    twin = DepartmentFactory(code="SCJG-HL", name="湖里区市场监督管理局", short_name="市场监管局")
    with transaction.atomic():
        numbers = {
            disclosure.decision_number(department, DisclosureKind.LICENSE, 2026)
            for department in (centre.department, twin, centre.department, twin)
        }
    assert numbers == {f"市场监管局许〔2026〕{n}号" for n in (1, 2, 3, 4)}


def test_an_unpublished_record_links_to_the_staff_page_that_lists_it(client, centre):
    _case, record = decided(centre)
    url = record.get_absolute_url()
    assert url.startswith(reverse("approvals:results_desk"))
    client.force_login(centre.inspector)
    response = client.get(url)
    assert response.status_code == 200 and record.decision_number in response.content.decode()
    disclosure.publish(record, by=centre.acceptor)
    record.refresh_from_db()
    assert record.get_absolute_url() == reverse("approvals:result", args=[record.pk])
