import pytest
from django.core.management import call_command
from django.db import connection

from portal import audit
from portal.models import AuditEvent
from tests.factories import DepartmentFactory


def _events(n, actor=None):
    dept = DepartmentFactory()
    return [audit.record(actor, "test.change", dept, before={"i": i}, after={"i": i + 1}) for i in range(n)]


@pytest.mark.django_db
def test_chain_links_each_event_to_the_previous():
    first, second, third = _events(3)
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.verify_chain().ok
    assert audit.verify_chain().checked == 3


@pytest.mark.django_db
def test_events_are_append_only_through_the_orm():
    event = _events(1)[0]
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_altered_event_is_named_by_verify(capsys):
    events = _events(4)
    _raw("UPDATE portal_auditevent SET after = %s WHERE id = %s", ['{"i": 999}', events[1].id])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_event_id == events[1].id
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert f"#{events[1].id}" in capsys.readouterr().err


@pytest.mark.django_db
def test_removed_event_breaks_the_link_of_the_next():
    events = _events(4)
    _raw("DELETE FROM portal_auditevent WHERE id = %s", [events[2].id])
    report = audit.verify_chain()
    assert report.broken_event_id == events[3].id
    assert "删除" in report.reason


@pytest.mark.django_db
def test_verify_command_passes_on_an_intact_chain(capsys):
    _events(2)
    call_command("verify_audit")
    assert "2 events verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_actor_label_uses_staff_name(handler):
    event = audit.record(handler, "test.change", handler)
    assert event.actor == handler
    assert event.actor_label == "handler"
    anonymous = audit.record(None, "test.change", handler)
    assert anonymous.actor is None and anonymous.actor_label == "公众"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    """Eight threads append at once on PostgreSQL; the advisory lock keeps one straight chain."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections, transaction

    dept = DepartmentFactory()

    def write(i):
        try:
            with transaction.atomic():
                audit.record(None, "test.concurrent", dept, after={"i": i})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(40)))
    report = audit.verify_chain()
    assert report.ok and report.checked == 40
