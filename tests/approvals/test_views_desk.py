"""The staff desk pages: who may open them, the action forms, and what each POST does."""

import pytest
from django.urls import reverse

from approvals import services
from approvals.choices import CaseStatus
from approvals.models import Case, PenaltyDecision
from portal import roles
from tests.approvals.factories import at, penalty_power
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def act(client, user, case, action, data=None, **kwargs):
    client.force_login(user)
    return client.post(reverse("approvals:case_action", args=[case.code, action]), data or {}, **kwargs)


def test_desk_needs_login_and_a_desk_role(client, centre):
    assert client.get(reverse("approvals:desk")).status_code == 302
    client.force_login(UserFactory(roles=[roles.APPRAISER]))
    response = client.get(reverse("approvals:desk"))
    assert response.status_code == 403 and "没有权限" in response.text


def test_accept_at_the_window_and_refused_actions_are_403(client, centre):
    case, _secret = centre.apply()
    assert act(client, centre.inspector, case, "accept").status_code == 403  # read-only supervisor
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    response = act(client, centre.clerk, case, "accept", follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.due_on is not None
    assert f"已受理 {case.code}" in response.text


def test_correction_lists_every_missing_material_at_once(client, centre):
    case, _secret = centre.apply()
    empty = act(client, centre.clerk, case, "request_correction")
    assert empty.status_code == 400 and "请一次性列明" in empty.text
    data = {"missing": [str(centre.optional.pk)], "other": "申请书未签字\n照片不清晰"}
    assert act(client, centre.clerk, case, "request_correction", data).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUESTED
    page = client.get(reverse("approvals:case", args=[case.code]))
    for text in ("委托书", "申请书未签字", "照片不清晰"):
        assert text in page.text


def test_refusal_needs_reasons(client, centre):
    case, _secret = centre.apply()
    assert act(client, centre.clerk, case, "refuse", {"reason": ""}).status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert act(client, centre.clerk, case, "refuse", {"reason": "不属于本机关职权范围"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED


def test_a_step_is_done_only_by_its_post(client, centre):
    case, _secret = centre.accepted()
    assert act(client, centre.reviewer, case, "advance", {"opinion": "越权"}).status_code == 403
    case.refresh_from_db()
    assert case.current_step.name == "受理"
    assert act(client, centre.acceptor, case, "advance", {"opinion": "齐全"}).status_code == 302
    case.refresh_from_db()
    assert case.current_step.name == "审查"


def test_secret_reissued_after_completion_tracks_but_does_not_rate(client, centre):
    case, _secret = centre.decided()
    services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-1")
    case = services.complete_case(case, by=centre.clerk)
    client.force_login(centre.clerk)
    page = client.get(reverse("approvals:case", args=[case.code]))
    assert 'id="action-reissue_secret"' in page.text
    shown = act(client, centre.clerk, case, "reissue_secret", follow=True)
    secret = shown.context["secret"]
    assert secret and secret in shown.text
    client.logout()
    client.post(reverse("approvals:track"), {"code": case.code, "secret": secret})
    page = client.get(reverse("approvals:track"))
    # The reissued secret tracks the case; rating needs the secret on the intake receipt (issue 9).
    assert page.status_code == 200 and "rating_form" not in page.context
    assert page.context["rating_needs_receipt_secret"]


def test_december_acceptance_marks_the_2027_deadline_provisional_not_the_2026_one(client, centre):
    case, _secret = centre.apply(now=at(2026, 12, 14, 9))
    case = services.accept_case(case, by=centre.clerk, now=at(2026, 12, 14, 10))
    assert case.due_on.year == 2027 and case.promised_due_on.year == 2026 and case.due_provisional
    client.force_login(centre.clerk)
    page = client.get(reverse("approvals:case", args=[case.code])).text
    strip = page.split('class="limit-strip"', 1)[1]
    promised = strip.split("承诺办结日期", 1)[1].split("法定办结日期", 1)[0]
    statutory = strip.split("法定办结日期", 1)[1].split("暂停计时", 1)[0]
    assert "暂定" not in promised and case.promised_due_on.isoformat() in promised
    assert "暂定" in statutory and case.due_on.isoformat() in statutory
    desk = client.get(reverse("approvals:desk") + "?tab=all").text
    assert desk.count("暂定") == 1


def test_window_intake_accepts_on_the_spot_and_says_so(client, centre):
    client.force_login(centre.clerk)
    data = {
        "item": centre.item.code, "applicant_type": "person", "applicant_name": "王五",
        "applicant_phone": "13700000000", "applicant_id_number": "350203199001012222",
        "paper_materials": [str(centre.required.pk)], "accept_now": "on",
    }  # fmt: skip
    response = client.post(reverse("approvals:intake"), data, follow=True)
    case = Case.objects.get()
    assert case.status == CaseStatus.ACCEPTED
    assert f"已当场受理 {case.code}" in response.text and response.context["secret"]
    data.pop("accept_now")
    response = client.post(reverse("approvals:intake"), data, follow=True)
    assert "待受理" in response.text and Case.objects.filter(status=CaseStatus.SUBMITTED).count() == 1


def test_penalty_page_calculator_and_the_outside_band_refusal(client, centre):
    officer_post = PostFactory(department=centre.department, code="ZF", name="执法岗")
    head_post = PostFactory(department=centre.department, code="FZR", name="负责人岗")
    power, standard = penalty_power(centre.department, [officer_post, head_post])
    officer = UserFactory(roles=[roles.DEPT_HANDLER], department=centre.department, posts=[officer_post])
    chief = UserFactory(roles=[roles.DEPT_HEAD], department=centre.department, posts=[head_post])
    case = services.open_enforcement_case(power, by=officer, party_name="某某便利店", facts="占道经营")
    case = services.advance_step(case, by=officer, opinion="占用面积 3 平方米")

    client.force_login(chief)
    page = client.get(reverse("approvals:case", args=[case.code])).text
    assert '<details class="action-box" id="action-decide_penalty" open>' in page  # the calculator first
    assert "立案时间" in page
    calculated = act(
        client, chief, case, "decide_penalty", {"standard": standard.pk, "fact": "3", "calculate": "1"}
    )
    assert calculated.status_code == 200 and "200" in calculated.text and "500" in calculated.text
    assert not PenaltyDecision.objects.exists()
    outside = {"standard": standard.pk, "fact": "3", "amount": "800"}
    refused = act(client, chief, case, "decide_penalty", outside)
    assert refused.status_code == 400 and "必须说明理由" in refused.text and "集体讨论记录" in refused.text
    assert not PenaltyDecision.objects.exists()
    outside |= {"reasons": "多次违法", "collective_discussion_record": "2025-03-06 局务会讨论，一致同意"}
    assert act(client, chief, case, "decide_penalty", outside).status_code == 302
    assert PenaltyDecision.objects.get().outside_band
