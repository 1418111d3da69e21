"""The inspectors' dashboard: figures, drill-down lists, permissions, JSON and API, query counts."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from monitoring import dashboard
from monitoring.choices import AlertKind, AlertLevel, AlertState
from monitoring.models import DashboardMonth, Timer
from monitoring.tasks import refresh_dashboard
from portal.choices import Level
from portal.models import Department
from portal.tokens import issue_token
from tests.factories import DepartmentFactory
from tests.monitoring.factories import AlertFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 6, 15, 10, 0, tzinfo=TZ)
PAGE, FIGURES, CASES, API = (
    "/monitoring/",
    "/monitoring/figures.json",
    "/monitoring/cases/",
    "/api/v1/dashboard/",
)


def at(month, day, hour=9, year=2025):
    return datetime(year, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def settings_tz(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def frozen(time_machine, settings_tz):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case():
    """case(name, department, started, due, stopped=None, alarmed=None, paused=None, purpose="case")"""
    target_type = ContentType.objects.get_for_model(Department)
    counter = iter(range(1, 10_000))

    def make(name, department, started, due, *, stopped=None, alarmed=None, paused=None, purpose="case"):
        return Timer.objects.create(
            target_type=target_type,
            target_id=str(next(counter)),
            purpose=purpose,
            label=name,
            department=department,
            started_at=started,
            due_at=due,
            stopped_at=stopped,
            alarmed_at=alarmed,
            paused_at=paused,
        )

    return make


@pytest.fixture
def district(other_department):
    other_department.level = Level.DISTRICT
    other_department.save()
    return other_department


@pytest.fixture
def cases(case, department, district):
    """Known cases around NOW (Sunday 2025-06-15 10:00 Shanghai); see the expected figures below."""
    return {
        "A": case("A 今日受理在办", department, at(6, 15, 8), at(6, 20)),
        "B": case("B 超期在办", department, at(6, 2), at(6, 10), alarmed=at(6, 10, 18)),
        "C": case("C 今日按时办结", department, at(6, 1), at(6, 20), stopped=at(6, 15, 9)),
        "D": case("D 本月超期办结", department, at(5, 1), at(5, 10), stopped=at(6, 5), alarmed=at(5, 10, 18)),
        "E": case("E 二月按时办结", department, at(2, 1), at(2, 10), stopped=at(2, 8)),
        "F": case("F 去年受理", department, at(12, 20, year=2024), at(1, 5), stopped=at(1, 3)),
        "G": case("G 期限前暂停", department, at(6, 3), at(6, 8), paused=at(6, 5)),
        "H": case("H 区级超期未报警", district, at(3, 1), at(3, 10)),
        "J": case("J 今日超期办结", department, at(6, 1), at(6, 14, 18), stopped=at(6, 15, 9)),
        "step": case("环节计时不算办件", department, at(6, 15, 8), at(6, 16), purpose="case_step:1"),
    }


@pytest.fixture
def alerts(department, district, frozen):
    red = {"level": AlertLevel.RED, "kind": AlertKind.OVERDUE}
    AlertFactory.create_batch(2, department=department, **red)
    AlertFactory(department=department, level=AlertLevel.YELLOW, kind=AlertKind.REMINDER)
    AlertFactory(department=district, **red)
    AlertFactory(department=department, state=AlertState.RESOLVED, **red)
    AlertFactory(department=None, level=AlertLevel.YELLOW, kind=AlertKind.STALE_SWEEP)


def labels(timers):
    return sorted(timer.label.split()[0] for timer in timers)


@pytest.mark.django_db
def test_period_figures(cases, alerts, frozen):
    figures = dashboard.figures(NOW)
    today, month, year = (figures["periods"][p] for p in ("today", "month", "year"))
    assert figures["now"] == {"in_progress": 4, "overdue": 2, "reminders_open": 2, "alarms_open": 3}
    assert (today["accepted"], today["completed"], today["completed_late"], today["overdue"]) == (1, 2, 1, 3)
    assert today["on_time_rate"] == 0.5 and today["in_progress"] == 4
    assert (month["accepted"], month["completed"], month["completed_late"], month["overdue"]) == (5, 3, 2, 4)
    assert month["on_time_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert (year["accepted"], year["completed"], year["completed_late"], year["overdue"]) == (8, 5, 2, 4)
    assert year["on_time_rate"] == 0.6
    assert year["start"] == "2025-01-01T00:00:00+08:00"


@pytest.mark.django_db
def test_no_completion_means_no_rate(case, department, settings_tz):
    case("在办", department, at(6, 15, 8), at(6, 20))
    assert dashboard.figures(NOW)["periods"]["today"]["on_time_rate"] is None


@pytest.mark.django_db
def test_departments_levels_and_top(cases, alerts, department, district):
    figures = dashboard.figures(NOW)
    rows = {row["code"]: row for row in figures["departments"]}
    assert {k: rows[department.code][k] for k in ("in_progress", "overdue", "yellow", "red", "level")} == {
        "in_progress": 3, "overdue": 1, "yellow": 1, "red": 2, "level": "city",
    }  # fmt: skip
    assert {k: rows[district.code][k] for k in ("in_progress", "overdue", "yellow", "red")} == {
        "in_progress": 1, "overdue": 1, "yellow": 0, "red": 1,
    }  # fmt: skip
    assert rows[""]["yellow"] == 1 and rows[""]["name"] == "未指定单位"  # the stale-sweep alarm
    assert [row["code"] for row in figures["top_departments"]] == [department.code, district.code]
    levels = {row["level"]: row for row in figures["levels"]}
    assert list(levels) == ["city", "district", "town", "village"]
    assert (levels["city"]["departments"], levels["city"]["red"], levels["city"]["in_progress"]) == (1, 2, 3)
    assert (levels["district"]["overdue"], levels["district"]["red"]) == (1, 1)
    assert levels["village"] == {
        "level": "village", "label": "村(居)级", "departments": 0, "in_progress": 0, "overdue": 0, "yellow": 0, "red": 0,
    }  # fmt: skip


@pytest.mark.django_db
def test_trends(cases, alerts):
    trends = dashboard.figures(NOW)["trends"]
    daily, monthly = trends["daily"], trends["monthly"]
    assert (
        len(daily["labels"]) == 30
        and daily["labels"][-1] == "2025-06-15"
        and daily["labels"][0] == "2025-05-17"
    )
    day = daily["labels"].index
    assert daily["accepted"][-1] == 1 and daily["completed"][-1] == 2
    assert daily["overdue"][day("2025-06-10")] == 1 and daily["overdue"][day("2025-06-14")] == 1
    assert daily["overdue"][day("2025-06-08")] == 0  # G was suspended before its limit
    assert (daily["reminders"][-1], daily["alarms"][-1]) == (2, 4)  # raised today, resolved or not
    assert monthly["labels"] == [f"2024-{m:02d}" for m in range(7, 13)] + [
        f"2025-{m:02d}" for m in range(1, 7)
    ]
    month = monthly["labels"].index
    assert monthly["accepted"][month("2025-06")] == 5 and monthly["accepted"][month("2024-12")] == 1
    assert monthly["completed"][month("2025-01")] == 1 and monthly["completed"][month("2025-06")] == 3
    assert [monthly["overdue"][month(m)] for m in ("2025-03", "2025-05", "2025-06")] == [1, 1, 2]
    assert sum(monthly["accepted"]) == 9  # A B C D E F G H J


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected",
    [
        ({"metric": "accepted", "period": "today"}, ["A"]),
        ({"metric": "accepted", "period": "month"}, ["A", "B", "C", "G", "J"]),
        ({"metric": "completed", "period": "today"}, ["C", "J"]),
        ({"metric": "completed", "period": "year"}, ["C", "D", "E", "F", "J"]),
        ({"metric": "in_progress"}, ["A", "B", "G", "H"]),
        ({"metric": "overdue"}, ["B", "H"]),
        ({"metric": "overdue", "period": "today"}, ["B", "H", "J"]),
        ({"metric": "overdue", "period": "month"}, ["B", "D", "H", "J"]),
        ({"metric": "in_progress", "department": "ZJJ"}, ["H"]),
        ({"metric": "overdue", "level": "city"}, ["B"]),
    ],
)
def test_drilldown_lists_the_cases_behind_each_number(client, inspector, cases, frozen, params, expected):
    client.force_login(inspector)
    response = client.get(CASES, params)
    assert response.status_code == 200
    assert labels(response.context["timers"]) == expected


@pytest.mark.django_db
def test_drilldown_rejects_unknown_metrics(client, inspector):
    client.force_login(inspector)
    assert client.get(CASES, {"metric": "everything"}).status_code == 400
    assert client.get(CASES).status_code == 400


@pytest.mark.django_db
def test_overdue_case_trail_in_two_clicks(client, inspector, cases, alerts, frozen, monkeypatch):
    """Dashboard → overdue number → the case's own page."""
    monkeypatch.setattr(Department, "get_absolute_url", lambda self: f"/trail/{self.pk}/", raising=False)
    target = Department.objects.create(code="CASE-B", name="办件B")
    cases["B"].target_id = str(target.pk)
    cases["B"].save()
    client.force_login(inspector)
    page = client.get(PAGE).content.decode()
    assert f'href="{CASES}?metric=overdue"' in page
    html = client.get(CASES, {"metric": "overdue"}).content.decode()
    assert f'<a href="/trail/{target.pk}/">B 超期在办</a>' in html
    assert "5 天1 小时" in html  # due 06-10 09:00, now 06-15 10:00


@pytest.mark.django_db
def test_page_shows_figures_links_and_no_inline_script(client, inspector, cases, alerts, frozen, department):
    client.force_login(inspector)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "电子监察驾驶舱" in html and "运行状态" in html
    assert f'href="{CASES}?metric=accepted&amp;period=month"' in html
    assert f'href="/monitoring/alerts/?level=red&amp;department={department.code}"' in html
    assert 'href="/monitoring/alerts/?level=yellow&amp;department_level=city"' in html
    assert 'data-figure="periods.year.accepted">8<' in html and "33.3%" in html
    assert "js/dashboard.js" in html and "vendor/echarts/echarts.min.js" in html
    scripts = html.split("<script")[1:]
    assert all(' src="' in s.split(">")[0] or 'type="application/json"' in s.split(">")[0] for s in scripts)


@pytest.mark.django_db
def test_alert_list_filters_by_department_level(client, inspector, alerts, district):
    client.force_login(inspector)
    response = client.get("/monitoring/alerts/", {"department_level": "district"})
    assert [alert.department_id for alert in response.context["alerts"]] == [district.pk]


@pytest.mark.django_db
def test_figures_json_and_api_serve_the_same_figures(client, inspector, integrator, cases, alerts, frozen):
    client.force_login(inspector)
    body = client.get(FIGURES).json()
    assert body["periods"]["year"]["accepted"] == 8 and body["now"]["alarms_open"] == 3
    assert {check["name"] for check in body["health"]["checks"]} == {
        "database",
        "sweep",
        "broker",
        "cache",
        "worker",
    }
    api = APIClient()
    _, raw = issue_token(integrator)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.get(API)
    assert response.status_code == 200
    assert response.json()["periods"] == body["periods"] and response.json()["trends"] == body["trends"]


@pytest.mark.django_db
def test_permissions(client, clerk, handler, inspector, admin_user):
    for url in (PAGE, FIGURES, f"{CASES}?metric=accepted"):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for user in (clerk, handler):
        client.force_login(user)
        assert [client.get(url).status_code for url in (PAGE, FIGURES, f"{CASES}?metric=accepted")] == [
            403
        ] * 3
    for user in (inspector, admin_user):
        client.force_login(user)
        assert [client.get(url).status_code for url in (PAGE, FIGURES, f"{CASES}?metric=accepted")] == [
            200
        ] * 3


@pytest.mark.django_db
def test_api_permissions(clerk, inspector):
    assert APIClient().get(API).status_code in (401, 403)
    api = APIClient()
    _, raw = issue_token(clerk)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get(API).status_code == 403
    api = APIClient()
    api.force_authenticate(inspector)
    assert api.get(API).status_code == 200


def _count_queries(client, url):
    cache.clear()  # the worst case: the history of earlier months is counted and stored too
    DashboardMonth.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The health probes' transactions are savepoints only because the test itself runs in a transaction
    # (in production they are BEGIN/COMMIT, which are not statements): they are not the page's queries.
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


def _add_cases(case, n, start):
    """n cases, each in a department of its own, a third overdue, a third completed late, with alerts."""
    for i in range(start, start + n):
        dept = DepartmentFactory(level=[Level.CITY, Level.DISTRICT, Level.TOWN][i % 3])
        stopped = at(6, 14) if i % 3 == 1 else None
        timer = case(f"N{i}", dept, at(5, 20), at(6, 12 if i % 3 else 20), stopped=stopped)
        AlertFactory(department=dept, level=AlertLevel.RED, kind=AlertKind.OVERDUE, timer=timer)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_cases(client, inspector, case, frozen):
    client.force_login(inspector)
    urls = [PAGE, FIGURES, f"{CASES}?metric=accepted&period=year", f"{CASES}?metric=overdue&period=year"]
    _add_cases(case, 3, 0)
    small = [_count_queries(client, url) for url in urls]
    _add_cases(case, 27, 3)
    large = [_count_queries(client, url) for url in urls]
    assert large == small
    assert small[0] <= 15
    cache.clear()
    DashboardMonth.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.figures(NOW)["periods"]["year"]["accepted"] == 30
    assert len(queries) == 8  # the roll-up read, four counts (twelve months), the roll-up stored, two
    cache.clear()  # a restart, a cache flush: the earlier months come from the roll-up
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.figures(NOW)["periods"]["year"]["accepted"] == 30
    assert len(queries) == 7


@pytest.mark.django_db
def test_earlier_months_come_from_the_cache_this_month_is_live(case, cases, department, frozen):
    first = dashboard.figures(NOW)
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.figures(NOW) == first
    assert len(queries) == 6
    case("K 今日受理", department, at(6, 15, 9), at(6, 25))
    case("L 补录的五月件", department, at(5, 3), at(5, 20), stopped=at(5, 9))
    again = dashboard.figures(NOW)
    assert again["periods"]["today"]["accepted"] == first["periods"]["today"]["accepted"] + 1
    assert again["periods"]["year"]["accepted"] == first["periods"]["year"]["accepted"] + 1  # not L yet
    refresh_dashboard.apply()  # beat, every 5 minutes
    with CaptureQueriesContext(connection) as queries:
        refreshed = dashboard.figures(NOW)
        assert refreshed["periods"]["year"]["accepted"] == first["periods"]["year"]["accepted"] + 2
    assert len(queries) == 6
    cache.clear()  # a restart, a cache flush: the earlier months come from the worker's stored roll-up
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.figures(NOW) == refreshed
    assert len(queries) == 7


@pytest.mark.django_db
def test_drilldown_next_page_is_the_next_page(client, inspector, cases, frozen, monkeypatch):
    from tests.links import click

    monkeypatch.setattr("monitoring.dashboard_views.CaseDrilldownView.paginate_by", 2)
    client.force_login(inspector)
    first = client.get(CASES, {"metric": "in_progress"})
    second = click(client, first, rel="next")
    assert second.status_code == 200
    assert second.context["page_obj"].number == 2
    assert sorted(labels(first.context["timers"]) + labels(second.context["timers"])) == ["A", "B", "G", "H"]


@pytest.mark.django_db
def test_drilldown_bad_parameters_are_utf8_text(client, inspector):
    client.force_login(inspector)
    response = client.get(CASES, {"metric": "everything"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "下钻参数有误" in response.content.decode("utf-8")


# --- never cold: the closed months stored outside any request -------------------------------------


@pytest.mark.django_db
def test_migrate_stores_the_months_never_stored_so_the_first_view_counts_only_this_month(
    cases, alerts, frozen, monkeypatch
):
    from django.core.management import call_command

    expected = dashboard.figures(NOW)  # counted by the page view (today's fallback), for comparison
    cache.clear()
    DashboardMonth.objects.all().delete()  # upgraded with existing data, before any recount
    call_command("migrate", verbosity=0)  # post_migrate: monitoring stores the missing months
    window = dashboard.Window.ending(NOW)
    assert set(DashboardMonth.objects.values_list("month", flat=True)) == set(
        dashboard._months(window.first_day, window.today.replace(day=1))
    )
    starts = []
    real = dashboard._count_days
    monkeypatch.setattr(dashboard, "_count_days", lambda now, s, e: starts.append(s) or real(now, s, e))
    assert dashboard.figures(NOW) == expected
    assert starts == [dashboard.local_midnight(window.today.replace(day=1))]  # this month only


@pytest.mark.django_db
def test_storing_missing_months_is_cheap_when_stored_or_empty(frozen):
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.store_missing_months() == 0  # nothing to count: nothing written
    assert len(queries) == 3 and not DashboardMonth.objects.exists()
    Timer.objects.create(
        target_type=ContentType.objects.get_for_model(Department),
        target_id="1",
        purpose="case",
        label="E",
        started_at=at(2, 1),
        due_at=at(2, 10),
        stopped_at=at(2, 8),
    )
    stored = {name: {} for name in dashboard.SERIES}
    DashboardMonth.objects.create(month=at(5, 1).date(), days=stored, counted_at=NOW)
    DashboardMonth.objects.create(month=at(4, 1).date(), days={}, counted_at=NOW)  # another version's
    with CaptureQueriesContext(connection) as queries:
        # from the first missing month (2024-07) to the last closed one, May stored again too
        assert dashboard.store_missing_months() == 11
    assert len(queries) == 7  # the stored months, an existence check, four counts, one upsert
    assert DashboardMonth.objects.get(month=at(2, 1).date()).days["completed"] == {"2025-02-08": 1}
    with CaptureQueriesContext(connection) as queries:
        assert dashboard.store_missing_months() == 0
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_starting_worker_queues_the_recount(monkeypatch):
    from celery.signals import worker_ready

    sent = []
    monkeypatch.setattr(refresh_dashboard, "apply_async", lambda *a, **k: sent.append(1))
    worker_ready.send(sender=None)
    assert sent == [1]


@pytest.mark.django_db
def test_seed_demo_leaves_the_earlier_months_stored(case, department, frozen):
    from io import StringIO

    from monitoring import demo

    case("E 二月按时办结", department, at(2, 1), at(2, 10), stopped=at(2, 8))
    out = StringIO()
    demo.seed(scale="small", stdout=out)  # monitoring's part of seed_demo, after the apps with cases
    assert "dashboard" in out.getvalue()
    assert DashboardMonth.objects.count() == 11  # 2024-07 … 2025-05
    assert DashboardMonth.objects.get(month=at(2, 1).date()).days["completed"] == {"2025-02-08": 1}


@pytest.mark.django_db
def test_a_failing_count_never_fails_migrate(monkeypatch, caplog):
    from django.db import DatabaseError

    def fail(now=None):
        raise DatabaseError("statement timeout")

    monkeypatch.setattr(dashboard, "store_missing_months", fail)
    dashboard.store_after_migrate(sender=None, using="default", verbosity=0)
    assert "could not store" in caplog.text
