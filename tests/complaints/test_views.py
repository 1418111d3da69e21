import time

import pytest
from django.core import signing
from django.urls import reverse

from complaints.choices import ComplaintState, Verb
from complaints.forms import FORM_SALT
from complaints.models import Complaint
from tests.factories import PASSWORD


def started(seconds_ago=10):
    return signing.dumps(time.time() - seconds_ago, salt=FORM_SALT)


def public_post(client, **extra):
    data = {"title": "办证拖延", "matter": "窗口让我跑了三次。", "reporter_name": "李四",
            "reporter_contact": "13912345678", "started": started(), "website": ""}  # fmt: skip
    data.update(extra)
    return client.post(reverse("complaints:submit"), data)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_public_form_receipt_shows_the_secret_once(client, db):
    page = client.get(reverse("complaints:submit"))
    assert page.status_code == 200 and 'name="website"' in page.text
    response = public_post(client)
    assert response.status_code == 302 and response.url == reverse("complaints:receipt")
    complaint = Complaint.objects.get()
    receipt = client.get(reverse("complaints:receipt"))
    assert complaint.code in receipt.text and "data-secret" in receipt.text
    assert "李四" not in receipt.text and "13912345678" not in receipt.text
    assert "no-store" in receipt["Cache-Control"]
    again = client.get(reverse("complaints:receipt"))
    assert "data-secret" not in again.text


def test_anonymous_complaint(client, db):
    assert public_post(client, anonymous="on").status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.reporter_name == complaint.reporter_contact == ""


@pytest.mark.parametrize(
    "extra",
    [{"website": "http://spam.example"}, {"started": ""}, {"started": "forged"}, {"started": "now"}],
)
def test_robots_are_refused_and_nothing_stored(client, db, extra):
    if extra.get("started") == "now":
        extra = {"started": started(0)}  # faster than a person can fill the form
    response = public_post(client, **extra)
    assert response.status_code == 400 and not Complaint.objects.exists()


def test_public_form_is_rate_limited(client, db, settings):
    settings.COMPLAINTS_SUBMIT_PER_MINUTE = 2
    assert public_post(client).status_code == 302
    assert public_post(client).status_code == 302
    limited = public_post(client)
    assert limited.status_code == 429 and "过于频繁" in limited.text
    assert Complaint.objects.count() == 2


def test_public_form_bad_input_is_a_form_error(client, db):
    response = public_post(client, department="不存在的单位", reporter_contact="<script>")
    assert response.status_code == 400 and not Complaint.objects.exists()


def test_tracking_rating_and_reopen(client, desk):
    complaint, secret = desk.closed()
    wrong = client.post(reverse("complaints:track"), {"code": complaint.code, "secret": "WRONG234"})
    assert "投诉编号或查询密码不正确" in wrong.text
    assert (
        client.post(reverse("complaints:track"), {"code": complaint.code, "secret": secret}).status_code
        == 302
    )
    page = client.get(reverse("complaints:track"))
    assert page.status_code == 200 and "已督促窗口办结" in page.text
    assert "王小明" not in page.text and "13800000000" not in page.text and "inspector" not in page.text
    assert client.post(reverse("complaints:track_rate"), {"satisfaction": "satisfied"}).status_code == 302
    assert client.post(reverse("complaints:track_reopen"), {"reason": "仍未解决"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REOPENED and complaint.satisfaction == "satisfied"


def test_tracking_is_rate_limited(client, desk):
    complaint, secret = desk.submit()
    for _ in range(10):
        client.post(reverse("complaints:track"), {"code": complaint.code, "secret": "WRONG234"})
    limited = client.post(reverse("complaints:track"), {"code": complaint.code, "secret": secret})
    assert limited.status_code == 429


def test_hotline_intake_picks_department_by_typing(client, operator, department, efficiency):
    login(client, operator)
    page = client.get(reverse("complaints:intake"))
    assert (
        page.status_code == 200 and 'list="complaint-departments"' in page.text and "autofocus" in page.text
    )
    response = client.post(
        reverse("complaints:intake"),
        {"channel": "hotline", "reporter_contact": "13700001111", "title": "收费不合理", "matter": "多收了材料费",
         "category": efficiency.pk, "department": f"{department.code} {department.name}"},
    )  # fmt: skip
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (
        complaint.department == department
        and complaint.channel == "hotline"
        and complaint.created_by == operator
    )
    receipt = client.get(response.url)
    assert complaint.code in receipt.text and "data-secret" in receipt.text


def test_verbs_through_the_pages(client, desk, inspector, handler, department):
    complaint, _ = desk.submit()
    login(client, inspector)
    url = lambda action: reverse("complaints:action", args=[complaint.code, action])  # noqa: E731
    assert client.post(url("classify"), {"category": desk.category.pk}).status_code == 302
    bad = client.post(url("forward"), {"department": "nowhere"})
    assert bad.status_code == 400
    ok = client.post(url("forward"), {"department": department.code, "note": ""})
    assert ok.status_code == 302
    client.logout()
    login(client, handler)
    page = client.get(complaint.get_absolute_url())
    assert page.status_code == 200 and "签收受理" in page.text
    assert client.post(url("accept"), {}).status_code == 302
    assert client.post(url("reply"), {"text": "已处理"}).status_code == 302
    assert client.post(url("approve"), {}).status_code == 403  # the department cannot close it
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REPLIED


def test_department_never_sees_the_reporter(client, desk, handler, inspector):
    complaint, _ = desk.forwarded()
    login(client, handler)
    page = client.get(complaint.get_absolute_url())
    assert page.status_code == 200
    assert "王小明" not in page.text and "13800000000" not in page.text and "王**" in page.text
    assert client.post(reverse("complaints:identity", args=[complaint.code])).status_code == 403
    client.logout()
    login(client, inspector)
    opened = client.post(reverse("complaints:identity", args=[complaint.code]))
    assert "王小明" in opened.text and "13800000000" in opened.text
    assert complaint.events.filter(verb=Verb.IDENTITY_VIEWED).count() == 1
    shown = client.get(complaint.get_absolute_url())
    assert "王小明" not in shown.text  # a GET never shows it


def test_queue_tabs_and_other_departments(client, desk, handler, inspector, other_department):
    from portal import roles
    from tests.factories import UserFactory

    complaint, _ = desk.forwarded()
    stranger = UserFactory(username="stranger", roles=[roles.DEPT_HANDLER], department=other_department)
    login(client, stranger)
    assert complaint.code not in client.get(reverse("complaints:list") + "?tab=all").text
    assert client.get(complaint.get_absolute_url()).status_code == 404
    client.logout()
    login(client, inspector)
    page = client.get(reverse("complaints:list") + "?tab=all")
    assert complaint.code in page.text
    assert client.get(reverse("complaints:list") + "?received_after=garbage").status_code == 400


def test_report_page_and_export(client, desk, inspector):
    from io import BytesIO

    from openpyxl import load_workbook

    desk.closed(title='=HYPERLINK("http://x")')
    login(client, inspector)
    from django.utils import timezone

    month = f"?month={timezone.localdate():%Y-%m}"
    page = client.get(reverse("complaints:report") + month)
    assert page.status_code == 200 and "complaint-chart-data" in page.text and "echarts.min.js" in page.text
    assert desk.department.name in page.text
    export = client.get(reverse("complaints:report_export") + month)
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet["B2"].value == desk.department.name and "王小明" not in str(list(sheet.values))
    assert client.get(reverse("complaints:report") + "?month=2026-13").status_code == 200


def test_detail_drill_down_to_the_power(client, desk, inspector):
    from tests.powers.factories import PowerFactory

    power = PowerFactory()
    complaint, _ = desk.submit(power=power, case_code="SP2026NOPE")
    login(client, inspector)
    page = client.get(complaint.get_absolute_url())
    assert page.status_code == 200 and power.name in page.text and "未找到投诉所述的办件编号" in page.text
