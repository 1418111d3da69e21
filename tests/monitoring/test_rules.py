"""The anomaly-rule registry: rows and the administrator's switch, idempotent runs, full vs incremental.

A test rule over departments stands in for an app's rule (monitoring imports none of the apps):
it flags every department whose name starts with 异常. The registry is emptied for each test.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring import rules, tasks
from monitoring.choices import AlertKind, AlertLevel
from monitoring.models import Alert, AnomalyRule
from portal.models import AuditEvent, Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


class Probe:
    """A registered test rule that records the targets it was given."""

    def __init__(self):
        self.calls = []
        self.changed_ids = []

    def check(self, targets):
        self.calls.append(None if targets is None else sorted(targets))
        departments = Department.objects.filter(name__startswith="异常")
        if targets is not None:
            departments = departments.filter(pk__in=targets)
        for department in departments.order_by("pk"):
            yield rules.Finding(department, "name", f"异常单位 {department.code}", department=department)

    def changed(self, since):
        return list(self.changed_ids)


@pytest.fixture
def probe(monkeypatch):
    monkeypatch.setattr(rules, "_registry", {})
    probe = Probe()
    rules.register(
        "test_odd", "测试规则", "名称以“异常”开头的单位", level=AlertLevel.YELLOW, changed=probe.changed
    )(probe.check)
    return probe


@pytest.fixture
def odd():
    return DepartmentFactory(code="ODD1", name="异常单位一")


def test_register_and_sync_keep_the_administrators_choices(probe):
    assert [rule.code for rule in rules.registered()] == ["test_odd"]
    assert rules.sync() == 1
    row = AnomalyRule.objects.get(code="test_odd")
    assert (row.name, row.level, row.enabled) == ("测试规则", AlertLevel.YELLOW, True)
    AnomalyRule.objects.filter(pk=row.pk).update(enabled=False, level=AlertLevel.RED, name="旧名称")
    assert rules.sync() == 0
    row.refresh_from_db()
    assert (row.name, row.level, row.enabled) == ("测试规则", AlertLevel.RED, False)


def test_rows_are_made_after_migrate_and_lazily(probe, odd):
    rules.sync_after_migrate(sender=None, using="default")
    assert AnomalyRule.objects.filter(code="test_odd").exists()
    AnomalyRule.objects.filter(code="test_odd").delete()
    assert [rule.code for rule, _row in rules.enabled_rules()] == ["test_odd"]  # recreated on demand
    assert AnomalyRule.objects.filter(code="test_odd").exists()


def test_the_apps_register_their_rules_at_startup():
    codes = {rule.code for rule in rules.registered()}
    assert {"discretion_outside_band", "separated_duty", "step_irregular", "fee_missing"} <= codes
    assert "changed_after_completion" in codes


def test_a_finding_becomes_one_anomaly_alert_and_reruns_add_nothing(probe, odd):
    DepartmentFactory(code="FINE", name="正常单位")
    assert rules.run() == {"test_odd": 1}
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.rule, alert.occurrence) == (
        AlertKind.ANOMALY,
        AlertLevel.YELLOW,
        "test_odd",
        "name",
    )
    assert alert.target_id == str(odd.pk) and alert.department == odd and alert.title == "异常单位 ODD1"
    assert rules.run() == {"test_odd": 0}
    assert rules.run(targets=[odd.pk]) == {"test_odd": 0}
    assert Alert.objects.count() == 1


def test_a_switched_off_rule_raises_nothing_until_switched_on(probe, odd):
    rules.sync()
    AnomalyRule.objects.filter(code="test_odd").update(enabled=False)
    assert rules.run() == {} and not Alert.objects.exists() and probe.calls == []
    AnomalyRule.objects.filter(code="test_odd").update(enabled=True)
    assert rules.run() == {"test_odd": 1}


def test_the_level_comes_from_the_administrators_row(probe, odd):
    rules.sync()
    AnomalyRule.objects.filter(code="test_odd").update(level=AlertLevel.RED)
    rules.run()
    assert Alert.objects.get().level == AlertLevel.RED


def test_targets_since_and_full_scan(probe, odd):
    other = DepartmentFactory(code="ODD2", name="异常单位二")
    rules.sync()
    AnomalyRule.objects.filter(code="test_odd").update(updated_at=timezone.now() - timedelta(days=2))
    probe.changed_ids = [other.pk]
    assert rules.run(since=timezone.now() - timedelta(minutes=5)) == {"test_odd": 1}  # only what changed
    assert probe.calls == [[other.pk]]
    assert Alert.objects.get().target_id == str(other.pk)
    probe.changed_ids = []
    assert rules.run(since=timezone.now()) == {"test_odd": 0} and len(probe.calls) == 1  # nothing to check
    assert rules.run() == {"test_odd": 1} and probe.calls[-1] is None  # the full scan finds the other
    assert rules.run(targets=[]) == {"test_odd": 0}


def test_a_rule_switched_on_since_the_last_run_gets_a_full_scan(probe, odd):
    rules.sync()
    AnomalyRule.objects.filter(code="test_odd").update(updated_at=timezone.now())
    assert rules.run(since=timezone.now() - timedelta(minutes=5)) == {"test_odd": 1}
    assert probe.calls == [None]


def test_run_incremental_remembers_the_last_run(probe, odd):
    rules.sync()
    AnomalyRule.objects.filter(code="test_odd").update(updated_at=timezone.now() - timedelta(days=3))
    seen = []
    probe.changed = lambda since: seen.append(since) or [odd.pk]
    rules.register("test_odd", "测试规则", changed=probe.changed)(probe.check)
    first = timezone.now()
    assert rules.run_incremental(now=first) == {"test_odd": 1}
    assert seen[0] == first - rules.FIRST_LOOK_BACK and cache.get(rules.LAST_RUN_KEY) == first
    second = first + timedelta(minutes=5)
    assert rules.run_incremental(now=second) == {"test_odd": 0}
    assert seen[1] == first - rules.OVERLAP


def test_a_failing_rule_does_not_stop_the_others(probe, odd):
    def broken(targets):
        raise RuntimeError("boom")
        yield

    rules.register("test_broken", "坏规则")(broken)
    assert rules.run() == {"test_odd": 1}


def test_task_checks_the_given_targets(probe, odd):
    assert tasks.run_anomaly_rules([odd.pk]) == {"test_odd": 1}
    assert probe.calls == [[odd.pk]]
    assert tasks.run_anomaly_rules() == {"test_odd": 0}  # incremental: the first run looks back a day


def test_task_full_scan_checks_everything(probe, odd):
    assert tasks.run_anomaly_rules(full=True) == {"test_odd": 1}
    assert probe.calls[-1] is None


def test_beat_runs_the_rules_every_minute_and_a_full_scan_nightly():
    """Every minute: the verbs publish nothing, the incremental run finds what they changed."""
    from portal.celery import app

    entries = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "monitoring.tasks.run_anomaly_rules"
    ]
    incremental = [e for e in entries if not e.get("kwargs", {}).get("full")]
    nightly = [e for e in entries if e.get("kwargs", {}).get("full")]
    assert [e["schedule"] for e in incremental] == [60.0]
    assert len(nightly) == 1 and nightly[0]["schedule"].hour == {2}


def test_command(probe, odd, capsys):
    call_command("run_anomaly_rules", "--all")
    out = capsys.readouterr().out
    assert "test_odd: 1" in out and "新增异常预警 1 条" in out
    call_command("run_anomaly_rules")
    assert "test_odd: 0" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("run_anomaly_rules", "--rule", "nope")


def test_admin_switches_a_rule_and_the_switch_is_audited(probe, odd, client, admin_user):
    rules.sync()
    row = AnomalyRule.objects.get(code="test_odd")
    client.force_login(admin_user)
    assert client.get("/admin/monitoring/anomalyrule/").status_code == 200
    assert client.get("/admin/monitoring/anomalyrule/add/").status_code == 403
    response = client.post(
        f"/admin/monitoring/anomalyrule/{row.pk}/change/",
        {"level": AlertLevel.YELLOW, "enabled": "", "reason": "规则误报，待修订"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.enabled is False
    event = AuditEvent.objects.for_object(row).get()
    assert event.verb == "monitoring.rule.changed" and event.actor == admin_user
    assert event.before["enabled"] is True and event.after["enabled"] is False
    assert event.note == "规则误报，待修订"
    assert rules.run() == {} and not Alert.objects.exists()


def test_switching_a_rule_off_without_a_reason_is_refused_in_the_admin(probe, client, admin_user):
    from django.contrib.messages import get_messages

    rules.sync()
    row = AnomalyRule.objects.get(code="test_odd")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/monitoring/anomalyrule/{row.pk}/change/",
        {
            "level": AlertLevel.YELLOW if row.level == AlertLevel.RED else AlertLevel.RED,
            "enabled": "",
            "reason": "",
        },
        follow=True,
    )
    assert any("停用异常规则须说明理由" in str(m) for m in get_messages(response.wsgi_request))
    level = row.level
    row.refresh_from_db()
    assert row.enabled is True and row.level == level  # nothing stored, the level neither
    assert not AuditEvent.objects.for_object(row).exists()
    assert b"delete_selected" not in client.get("/admin/monitoring/anomalyrule/").content


def test_configure_rule_checks_who_and_what(probe, handler, admin_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    from monitoring.services.rules import configure_rule

    rules.sync()
    row = AnomalyRule.objects.get(code="test_odd")
    with pytest.raises(PermissionDenied):
        configure_rule(row, by=handler, enabled=False, reason="x")
    with pytest.raises(ValidationError):
        configure_rule(row, by=admin_user, level="purple")
    assert configure_rule(row, by=admin_user, enabled=True).enabled is True  # no change: nothing written
    assert not AuditEvent.objects.for_object(row).exists()
    other = AlertLevel.YELLOW if row.level == AlertLevel.RED else AlertLevel.RED
    configure_rule(row, by=admin_user, level=other)
    assert AuditEvent.objects.for_object(row).get().after == {"level": other}
