import pytest


@pytest.mark.django_db(transaction=True)
def test_home_page_renders_offline_with_chinese_title(live_server, page):
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/")
    assert "晒权力" in page.inner_text("h1")
    assert external == [], f"page loaded from the internet: {external}"
