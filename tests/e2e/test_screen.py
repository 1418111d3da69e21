"""The hall's display screen at 1920×1080: real figures, no request leaves the portal, refresh works."""

import os
from pathlib import Path

import pytest

from approvals.models import Window
from approvals.services import disclosure
from tests.approvals.factories import centre as build_centre

ARTIFACTS = Path(os.environ.get("PORTAL_VAR_DIR") or "/tmp") / "e2e-artifacts"


@pytest.mark.django_db(transaction=True)
def test_screen_full_hd(live_server, browser):
    centre = build_centre()
    Window.objects.create(number="2", name="市场监管窗口", department=centre.department)
    case, _secret = centre.decided()
    disclosure.publish(case.disclosure, by=centre.acceptor)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/screen/")
    assert "行政服务中心" in page.inner_text("h1")
    assert page.inner_text("#windows").startswith("2")
    assert "张**" in page.inner_text("#results") and "张三" not in page.content()
    # The refresh fetches screen.json and redraws without a reload.
    page.evaluate("document.getElementById('waiting').textContent = '?'")
    with page.expect_response(lambda r: "/screen/data.json" in r.url):
        page.evaluate("window.dispatchEvent(new Event('screen-refresh'))")
    page.wait_for_function("document.getElementById('waiting').textContent !== '?'")
    # Nothing overflows the screen: the page is exactly one screen high.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen-1920x1080.png"))
    assert external == [], f"page loaded from the internet: {external}"
    context.close()
