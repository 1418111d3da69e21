"""The inspectors' alert list (/monitoring/alerts/)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.choices import AlertLevel, AlertState
from portal.models import Department
from tests.monitoring.factories import AlertFactory

URL = "/monitoring/alerts/"


@pytest.fixture
def linked_departments(monkeypatch):
    """Give the stand-in targets a page, as cases will have."""
    monkeypatch.setattr(
        Department, "get_absolute_url", lambda self: f"/test-targets/{self.code}/", raising=False
    )


@pytest.mark.django_db
def test_urls():
    assert reverse("monitoring:alerts") == URL
    assert reverse("monitoring:dashboard") == "/monitoring/"


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_other_staff_are_refused(client, handler):
    client.force_login(handler)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("monitoring:dashboard")).status_code == 403


@pytest.mark.django_db
def test_inspector_sees_open_alerts_with_badges_and_links(client, inspector, department, linked_departments):
    red = AlertFactory(department=department, level=AlertLevel.RED, title="超时报警：甲")
    AlertFactory(
        department=department, level=AlertLevel.YELLOW, title="时限提示：乙", state=AlertState.ACKNOWLEDGED
    )
    AlertFactory(department=department, title="已解除的丙", state=AlertState.RESOLVED)
    client.force_login(inspector)
    html = client.get(URL).content.decode()
    assert "超时报警：甲" in html and "时限提示：乙" in html
    assert "已解除的丙" not in html
    assert 'class="badge red"' in html and 'class="badge yellow"' in html
    target = Department.objects.get(pk=red.target_id)
    assert f'href="/test-targets/{target.code}/"' in html


@pytest.mark.django_db
def test_filters_use_the_filterset(client, inspector, department, other_department):
    AlertFactory(department=department, level=AlertLevel.RED, title="本局红色")
    AlertFactory(department=other_department, title="他局黄色")
    AlertFactory(department=other_department, title="已排除", state=AlertState.DISMISSED)
    client.force_login(inspector)
    html = client.get(URL, {"level": "red"}).content.decode()
    assert "本局红色" in html and "他局黄色" not in html
    html = client.get(URL, {"department": other_department.code}).content.decode()
    assert "他局黄色" in html and "本局红色" not in html
    html = client.get(URL, {"state": "dismissed"}).content.decode()
    assert "已排除" in html and "他局黄色" not in html


@pytest.mark.django_db
def test_page_query_count_does_not_grow(client, inspector, department, linked_departments):
    client.force_login(inspector)
    AlertFactory.create_batch(2, department=department)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    AlertFactory.create_batch(40, department=department)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.content.decode().count("/test-targets/") == 42
    assert len(many) == len(few)


@pytest.mark.django_db
def test_timer_alerts_show_the_limit_and_the_provisional_mark(client, inspector, target, start_timer, now):
    from datetime import timedelta

    from monitoring.timers import run_sweep

    start_timer(target, warn_in=None, due_in=1, label="跨年办件", provisional=True)
    run_sweep(now + timedelta(hours=2))
    client.force_login(inspector)
    html = client.get(URL).content.decode()
    assert "超时报警：跨年办件" in html
    assert 'class="badge provisional"' in html


@pytest.mark.django_db
def test_a_stalled_sweep_is_shown_as_an_alarm(client, inspector, settings, now):
    from datetime import timedelta

    from monitoring.timers import run_sweep

    client.force_login(inspector)
    html = client.get(URL).content.decode()
    assert 'id="sweep-stale"' in html and "监察扫描从未运行" in html
    settings.SWEEP_STALE_AFTER_SECONDS = 300
    run_sweep(now - timedelta(minutes=20))
    html = client.get(URL).content.decode()
    assert 'id="sweep-stale"' in html and "秒前" in html
    run_sweep()
    assert 'id="sweep-stale"' not in client.get(URL).content.decode()
