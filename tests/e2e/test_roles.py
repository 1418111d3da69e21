"""Each demo role logs in, opens its main page from the menu or its workbench, and a screenshot is kept.

Screenshots go to ``$PORTAL_VAR_DIR/e2e-artifacts/`` when PORTAL_VAR_DIR is set, else to
``tests/e2e/artifacts/`` (git-ignored): one PNG per role, for a person to look at.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# (username, the link to click, where it sits, the heading its page shows); None = the anonymous visitor.
WALKS = [
    (None, "权力清单", "nav", "权力清单"),
    ("admin", "电子监察", "nav", "电子监察"),
    ("clerk", "办件工作台", ".cards", "办件工作台"),
    ("handler", "办件工作台", ".cards", "办件工作台"),
    ("head", "效能分析", "nav", "效能分析"),
    ("legal", "权力事项管理", ".cards", "权力事项管理"),
    ("inspector", "电子监察", "nav", "电子监察"),
    ("appraiser", "效能分析", "nav", "效能分析"),
    ("integrator", "开放接口", ".cards", None),
]


def artifacts() -> Path:
    base = os.environ.get("PORTAL_VAR_DIR")
    folder = Path(base) / "e2e-artifacts" if base else Path(__file__).parent / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.django_db(transaction=True)
def test_each_role_walks_to_its_main_page(live_server, browser):
    call_command("seed_demo", stdout=StringIO())
    folder = artifacts()
    for username, link_text, where, heading in WALKS:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            if username is None:
                page.goto(live_server.url + "/")
            else:
                page.goto(live_server.url + "/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", settings.DEMO_PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
                page.goto(live_server.url + "/workbench/")
                assert "无权访问" not in page.content()
            link = page.locator(f"{where} a", has_text=link_text).first
            with page.expect_navigation() as navigation:
                link.click()
            response = navigation.value
            assert response is not None and response.status == 200, (username, page.url)
            page.wait_for_load_state("networkidle")
            if heading:
                assert heading in page.locator("h1").first.inner_text(), (username, page.url)
            assert "无权访问" not in page.content()
            page.screenshot(path=str(folder / f"{username or 'anonymous'}.png"), full_page=False)
        finally:
            context.close()
