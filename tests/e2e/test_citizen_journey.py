"""A citizen finds a power, applies online with an upload, tracks the case; the window accepts it."""

import re

import pytest

from approvals.models import Case
from tests.approvals.factories import centre as build_centre
from tests.approvals.factories import penalty_power


def search_powers(page, query):
    page.fill("input[name=q]", query)
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    return page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_citizen_finds_applies_tracks_and_sees_acceptance(live_server, page, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    centre = build_centre()
    penalty_power(centre.department, [centre.steps[0].post, centre.steps[2].post])

    # The power list: a one-character and a two-character query, then the five publics with the flowchart.
    page.goto(live_server.url + "/powers/")
    listed = search_powers(page, "罚")
    assert "店外摆卖处罚" in listed and "食品经营许可" not in listed
    listed = search_powers(page, "许可")
    assert "食品经营许可" in listed and "店外摆卖处罚" not in listed
    page.click("main a:has-text('食品经营许可')")
    assert page.locator("h1").inner_text().strip().endswith("食品经营许可")
    assert page.locator("figure svg").count() >= 1

    # Apply online with an upload; the receipt shows the code and the query secret once.
    upload = tmp_path / "营业执照.pdf"
    upload.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.goto(f"{live_server.url}/services/{centre.item.code}/apply/")
    page.fill("#id_applicant_name", "张三")
    page.fill("#id_applicant_phone", "13800138000")
    page.fill("#id_applicant_id_number", "350203199001011234")
    page.set_input_files(f"#id_material_{centre.required.pk}", str(upload))
    page.check("#id_pledge")
    page.click("form button[type=submit]:has-text('提交申请')")
    page.wait_for_url("**/services/receipt/")
    code = page.locator(".credential .code-big").first.inner_text().strip()
    secret = page.locator("[data-secret]").inner_text().strip()
    assert re.fullmatch(r"SP\d{14}", code) and len(secret) >= 6

    def track(with_secret):
        page.goto(live_server.url + "/track/")
        page.fill("input[name=code]", code)
        page.fill("input[name=secret]", with_secret)
        page.click("form button[type=submit]:has-text('查询')")
        page.wait_for_load_state()
        return page.locator("main").inner_text()

    # A wrong secret reveals nothing about the case.
    shown = track("WRONG999")
    assert "办件编号或查询密码不正确" in shown and "食品经营许可" not in shown and "张*" not in shown
    shown = track(secret)
    assert code in shown and "待受理" in shown

    # The window accepts it at the desk.
    clerk = login(centre.clerk.username)
    clerk.goto(f"{live_server.url}/desk/cases/{code}/")
    clerk.click("#action-accept button[type=submit]")
    clerk.wait_for_load_state()
    assert f"已受理 {code}" in clerk.locator(".msg").first.inner_text()

    case = Case.objects.get(code=code)
    page.goto(live_server.url + "/track/")  # the lookup stays open in this browser for a while
    shown = page.locator("main").inner_text()
    assert "已受理" in shown and "待受理" not in shown
    assert case.due_on.isoformat() in shown and case.promised_due_on.isoformat() in shown
