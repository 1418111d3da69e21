"""An inspector sees the sweep's reminders and alarms and follows one to the case's trail."""

import pytest

from approvals import services
from monitoring.timers import run_sweep
from tests.approvals.factories import at
from tests.approvals.factories import centre as build_centre


@pytest.mark.django_db(transaction=True)
def test_inspector_follows_an_alarm_to_the_case_trail(live_server, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    centre = build_centre()
    case, _secret = centre.accepted()  # accepted in March 2025: long overdue now
    services.advance_step(case, by=centre.acceptor, opinion="材料齐全", now=at(2025, 3, 4))
    result = run_sweep()
    assert result.alarms >= 1

    page = login(centre.inspector.username)
    page.goto(live_server.url + "/monitoring/")
    assert page.locator("h1").count() == 1 and "/accounts/login/" not in page.url

    page.goto(live_server.url + "/monitoring/alerts/")
    listed = page.locator("main").inner_text()
    assert "超时报警" in listed and case.code in listed

    page.locator(f"main a[href*='/desk/cases/{case.code}/']").first.click()
    page.wait_for_url(f"**/desk/cases/{case.code}/")
    trail = page.locator("main").inner_text()
    assert "办理留痕" in trail and "受理" in trail and "材料齐全" in trail
    assert page.locator("details.action-box").count() == 0  # the inspector reads, never acts
