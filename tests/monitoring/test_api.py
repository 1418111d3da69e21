"""/api/v1/alerts/ and /api/v1/timers/: staff only, by department, one filterset."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.alerts import raise_alert
from monitoring.choices import AlertKind, AlertLevel, AlertState
from monitoring.models import Alert
from portal.models import AuditEvent
from tests.monitoring.factories import AlertFactory

ALERTS = "/api/v1/alerts/"
TIMERS = "/api/v1/timers/"


@pytest.fixture
def alerts(department, other_department):
    return {
        "own_red": AlertFactory(department=department, level=AlertLevel.RED, kind=AlertKind.OVERDUE),
        "own_yellow": AlertFactory(department=department, kind=AlertKind.REMINDER),
        "other": AlertFactory(department=other_department, state=AlertState.RESOLVED),
        "old": AlertFactory(department=other_department, raised_at=timezone.now() - timedelta(days=40)),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [ALERTS, TIMERS])
def test_anonymous_clients_are_refused(client, url):
    assert client.get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_inspector_sees_all_department_staff_their_own(client, alerts, inspector, handler, integrator):
    client.force_login(inspector)
    assert ids(client.get(ALERTS)) == {a.pk for a in alerts.values()}
    client.force_login(handler)
    assert ids(client.get(ALERTS)) == {alerts["own_red"].pk, alerts["own_yellow"].pk}
    assert client.get(f"{ALERTS}{alerts['other'].pk}/").status_code == 404
    client.force_login(integrator)  # no department, no oversight role
    assert ids(client.get(ALERTS)) == set()


@pytest.mark.django_db
def test_anomalies_in_a_departments_own_work_are_for_the_inspectors_only(
    client, department, handler, head, inspector
):
    anomaly = AlertFactory(
        department=department, kind=AlertKind.ANOMALY, rule="separated_duty", occurrence="1"
    )
    overdue = AlertFactory(department=department, kind=AlertKind.OVERDUE)
    for user in (handler, head):
        client.force_login(user)
        assert ids(client.get(ALERTS)) == {overdue.pk}
        assert client.get(f"{ALERTS}{anomaly.pk}/").status_code == 404
    client.force_login(inspector)
    assert ids(client.get(ALERTS)) == {anomaly.pk, overdue.pk}


@pytest.mark.django_db
def test_filters(client, alerts, inspector, department):
    client.force_login(inspector)
    assert ids(client.get(ALERTS, {"level": "red"})) == {alerts["own_red"].pk}
    assert ids(client.get(ALERTS, {"kind": "reminder"})) == {alerts["own_yellow"].pk}
    assert ids(client.get(ALERTS, {"state": "resolved"})) == {alerts["other"].pk}
    assert ids(client.get(ALERTS, {"department": department.code})) == {
        alerts["own_red"].pk,
        alerts["own_yellow"].pk,
    }
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()
    assert alerts["old"].pk not in ids(client.get(ALERTS, {"raised_after": week_ago}))
    assert ids(client.get(ALERTS, {"raised_before": week_ago})) == {alerts["old"].pk}
    assert client.get(ALERTS, {"level": "purple"}).status_code == 400


@pytest.mark.django_db
def test_alert_fields(client, alerts, inspector, department):
    client.force_login(inspector)
    row = client.get(f"{ALERTS}{alerts['own_red'].pk}/").json()
    assert row["department"] == department.code
    assert row["target_type"] == "portal.department"
    assert row["level_display"] == "红色" and row["kind_display"] == "超时报警"


@pytest.mark.django_db
def test_alerts_are_read_only(client, alerts, inspector):
    client.force_login(inspector)
    assert client.post(ALERTS, {"title": "x"}).status_code == 405
    assert client.delete(f"{ALERTS}{alerts['own_red'].pk}/").status_code == 405


@pytest.mark.django_db
def test_alert_list_query_count_is_constant(client, inspector, department, django_assert_max_num_queries):
    client.force_login(inspector)
    AlertFactory.create_batch(2, department=department)
    client.get(ALERTS)  # warm the content-type cache
    with django_assert_max_num_queries(6) as few:
        client.get(ALERTS)
    AlertFactory.create_batch(30, department=department)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(ALERTS).json()["results"]) == 32


@pytest.mark.django_db
def test_timers_api(client, inspector, handler, other_department, target, start_timer):
    timer = start_timer(target, provisional=True)
    start_timer(target, "other", department=other_department)
    client.force_login(inspector)
    rows = client.get(TIMERS).json()["results"]
    assert len(rows) == 2
    client.force_login(handler)
    rows = client.get(TIMERS, {"active": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [timer.pk]
    assert rows[0]["provisional"] is True and rows[0]["state"] == "running"


# --- raise_alert ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_raise_alert_is_idempotent_per_rule_target_occurrence(target, department):
    args = {
        "kind": "anomaly",
        "level": "red",
        "title": "同一人受理并审批",
        "rule": "same_person",
        "department": department,
    }
    alert, created = raise_alert(target, occurrence="event:1", **args)
    assert created and alert.state == AlertState.OPEN
    again, created = raise_alert(target, occurrence="event:1", **args)
    assert (again.pk, created) == (alert.pk, False)
    _other, created = raise_alert(target, occurrence="event:2", **args)
    assert created
    assert Alert.objects.count() == 2
    assert AuditEvent.objects.filter(verb="monitoring.alert.raised").count() == 2


@pytest.mark.django_db
def test_raise_alert_per_timer_and_kind(target, start_timer):
    timer = start_timer(target)
    first, created = raise_alert(target, kind="overdue", level="red", title="超时", timer=timer)
    assert created
    assert raise_alert(target, kind="overdue", level="red", title="超时", timer=timer) == (first, False)


@pytest.mark.django_db
def test_raise_alert_refuses_unknown_kinds(target):
    with pytest.raises(ValueError):
        raise_alert(target, kind="whatever", level="red", title="x")


@pytest.mark.django_db
def test_timer_alerts_carry_the_limit(client, inspector, target, start_timer, now):
    from monitoring.timers import run_sweep

    timer = start_timer(target, warn_in=None, due_in=1, provisional=True)
    run_sweep(now + timedelta(hours=2))
    client.force_login(inspector)
    row = client.get(ALERTS, {"kind": "overdue"}).json()["results"][0]
    assert row["timer"] == timer.pk and row["provisional"] is True
    assert row["due_at"].startswith(timezone.localtime(timer.due_at).strftime("%Y-%m-%dT%H:%M"))
