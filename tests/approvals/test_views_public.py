"""Public pages of the service centre: applying online, the one-time receipt, tracking and its rate limit."""

import pytest
from django.urls import reverse

from approvals.choices import CaseStatus
from approvals.models import Case
from approvals.views.public import TRACK_LIMIT_PER_MINUTE
from tests.approvals.factories import pdf

pytestmark = pytest.mark.django_db


def apply_online(client, centre):
    data = {
        "applicant_type": "person",
        "applicant_name": "张三",
        "applicant_phone": "13800138000",
        "applicant_id_number": "350203199001011234",
        f"material_{centre.required.pk}": pdf(),
        "pledge": "on",
    }
    return client.post(reverse("approvals:apply", args=[centre.item.code]), data)


def test_online_application_shows_code_and_secret_once(client, centre):
    response = apply_online(client, centre)
    assert response.status_code == 302 and response.url == reverse("approvals:receipt")
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED and case.materials.count() == 1

    receipt = client.get(reverse("approvals:receipt"))
    secret = receipt.context["secret"]
    assert secret and secret in receipt.text and case.code in receipt.text
    assert "no-store" in receipt["Cache-Control"]

    again = client.get(reverse("approvals:receipt"))
    assert case.code in again.text and secret not in again.text and "已显示过" in again.text


def test_application_without_the_required_material_is_refused_with_a_message(client, centre):
    data = {"applicant_type": "person", "applicant_name": "张三", "applicant_phone": "1",
            "applicant_id_number": "1", "pledge": "on"}  # fmt: skip
    response = client.post(reverse("approvals:apply", args=[centre.item.code]), data)
    assert response.status_code == 400 and Case.objects.count() == 0
    assert "请更正" in response.text


def track(client, code, secret):
    return client.post(reverse("approvals:track"), {"code": code, "secret": secret})


def test_tracking_with_the_right_secret_shows_steps_limits_and_status(client, centre):
    case, secret = centre.accepted()
    response = track(client, case.code, secret)
    assert response.status_code == 302
    page = client.get(reverse("approvals:track"))
    assert page.status_code == 200 and case.code in page.text
    assert "已受理" in page.text and case.due_on.isoformat() in page.text
    for step in centre.steps:
        assert step.name in page.text


def test_a_wrong_secret_reveals_nothing(client, centre):
    case, _secret = centre.accepted()
    response = track(client, case.code, "WRONG999")
    assert response.status_code == 200
    assert "办件编号或查询密码不正确" in response.text
    assert case.title not in response.text and "张" not in response.text.split("办件查询", 1)[-1]
    # an unknown code answers exactly the same
    unknown = track(client, "SP20990101000001", "WRONG999")
    assert unknown.status_code == 200 and "办件编号或查询密码不正确" in unknown.text
    assert client.get(reverse("approvals:track")).context.get("case") is None


def test_tracking_is_rate_limited_per_address_with_a_clear_message(client, centre):
    case, secret = centre.accepted()
    for _ in range(TRACK_LIMIT_PER_MINUTE):
        assert track(client, case.code, "WRONG999").status_code == 200
    limited = track(client, case.code, secret)  # even the right secret waits
    assert limited.status_code == 429
    assert "查询过于频繁，请一分钟后再试" in limited.text and case.title not in limited.text


def test_rating_once_after_completion(client, centre):
    from approvals import services

    case, secret = centre.decided()
    services.record_fee(case, by=centre.clerk, amount="50", receipt_no="R-1")
    case = services.complete_case(case, by=centre.clerk)
    track(client, case.code, secret)
    assert "rating_form" in client.get(reverse("approvals:track")).context
    first = client.post(reverse("approvals:track_rate"), {"score": "5", "comment": "很好"})
    assert first.status_code == 302
    page = client.get(reverse("approvals:track"))
    assert "rating_form" not in page.context and "您已于" in page.text
    second = client.post(reverse("approvals:track_rate"), {"score": "1", "comment": "再评"}, follow=True)
    assert "只能评议一次" in second.text
    case.refresh_from_db()
    assert case.rating.score == 5
