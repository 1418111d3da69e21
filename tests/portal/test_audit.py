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


# --- keyed chain and anchors (issue 9, hole 3) ---------------------------------------------------


def _rechain_without_the_key(sql_after, event_id):
    """What someone with database access but no key can do: change an event and recompute plain hashes."""
    import hashlib
    import json

    _raw("UPDATE portal_auditevent SET after = %s WHERE id = %s", [sql_after, event_id])
    prev = audit.GENESIS
    for event in AuditEvent.objects.order_by("id"):
        payload = {
            "prev": prev, "at": event.at.isoformat(), "actor": event.actor_id, "actor_label": event.actor_label,
            "verb": event.verb, "target_type": event.target_type_id, "target_id": event.target_id,
            "target_repr": event.target_repr, "before": event.before, "after": event.after, "note": event.note,
        }  # fmt: skip
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(blob.encode()).hexdigest()
        _raw("UPDATE portal_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.id])
        prev = digest


@pytest.mark.django_db
def test_a_chain_recomputed_without_the_key_is_refused():
    events = _events(3)
    _rechain_without_the_key('{"i": 999}', events[1].id)
    report = audit.verify_chain()
    assert not report.ok and report.broken_event_id == events[0].id


@pytest.mark.django_db
def test_the_chain_is_keyed(settings):
    _events(2)
    assert audit.verify_chain().ok
    settings.AUDIT_HMAC_KEY = "another-key-another-key-another-key"
    assert not audit.verify_chain().ok


@pytest.mark.django_db
def test_deleting_the_newest_events_is_caught_by_the_anchor(capsys):
    events = _events(4)
    anchor = audit.anchor_head()
    assert anchor["seq"] == events[-1].id and anchor["hash"] == events[-1].hash
    assert audit.verify_chain().ok
    _raw("DELETE FROM portal_auditevent WHERE id >= %s", [events[2].id])
    report = audit.verify_chain()
    assert report.broken_event_id is None  # what is left is a valid, shorter chain...
    assert not report.ok  # ...but the anchor knows it was longer
    assert any(f"#{events[-1].id}" in problem for problem in report.problems)
    with pytest.raises(SystemExit):
        call_command("verify_audit")
    assert "anchor" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_rewrite_with_the_key_is_caught_by_an_earlier_anchor():
    events = _events(3)
    audit.anchor_head()
    # Someone who holds the key rewrites history from the first event and re-chains it correctly.
    _raw("UPDATE portal_auditevent SET after = %s WHERE id = %s", ['{"i": 999}', events[0].id])
    prev = audit.GENESIS
    for event in AuditEvent.objects.order_by("id"):
        digest = audit._digest(prev, event)
        _raw("UPDATE portal_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, event.id])
        prev = digest
    report = audit.verify_chain()
    assert report.broken_event_id is None
    assert not report.ok and "改写" in report.problems[0]


@pytest.mark.django_db
def test_anchors_are_appended_never_rewritten(settings, capsys):
    from pathlib import Path

    _events(1)
    first = audit.anchor_head()
    _events(2)
    call_command("verify_audit", "--anchor")
    lines = Path(settings.AUDIT_ANCHOR_PATH).read_text().splitlines()
    assert len(lines) == 2 and str(first["seq"]) in lines[0]
    assert "2 anchors matched" in capsys.readouterr().out


@pytest.mark.django_db
def test_beat_anchors_the_head(settings):
    from pathlib import Path

    from portal.celery import app
    from portal.tasks import anchor_audit

    assert any(entry["task"] == "portal.tasks.anchor_audit" for entry in app.conf.beat_schedule.values())
    assert anchor_audit() is None  # no events yet: nothing to anchor
    event = _events(1)[0]
    anchor_audit()
    assert f'"seq": {event.id}' in Path(settings.AUDIT_ANCHOR_PATH).read_text()


@pytest.mark.django_db
def test_an_unreadable_anchor_line_is_reported(settings):
    from pathlib import Path

    _events(1)
    Path(settings.AUDIT_ANCHOR_PATH).write_text("not json\n")
    report = audit.verify_chain()
    assert not report.ok and "无法解析" in report.problems[0]


# --- never waiting for the chain (issue 13): sealed while busy, chained by the single chainer ------


@pytest.fixture
def chain_busy(monkeypatch):
    """As if another transaction held the chain's lock: record() must not wait for it."""
    real = audit._try_lock
    monkeypatch.setattr(audit, "_try_lock", lambda wait=False: real(wait=True) if wait else False)


@pytest.mark.django_db
def test_a_busy_chain_seals_the_event_and_the_chainer_links_it_in_order(chain_busy):
    events = _events(4)
    assert all(e.seq is None and e.hash is None and len(e.seal) == 64 for e in events)
    assert audit.chain_pending() == 4
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == [1, 2, 3, 4] and rows[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False))
    report = audit.verify_chain()
    assert report.ok and report.checked == 4
    assert audit.chain_pending() == 0  # nothing left: running it again changes nothing


@pytest.mark.django_db
def test_inline_and_pending_events_make_one_chain(monkeypatch):
    first = _events(1)[0]
    assert first.seq == 1 and first.prev_hash == audit.GENESIS
    real = audit._try_lock
    monkeypatch.setattr(audit, "_try_lock", lambda wait=False: real(wait=True) if wait else False)
    pending = _events(2)
    monkeypatch.setattr(audit, "_try_lock", real)
    inline = _events(1)[0]  # linked at once, after the head: the pending ones follow it
    assert inline.seq == 2 and inline.prev_hash == first.hash
    assert audit.chain_pending() == 2
    assert list(AuditEvent.objects.order_by("seq").values_list("id", flat=True)) == [
        first.id, inline.id, pending[0].id, pending[1].id,
    ]  # fmt: skip
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_a_pending_event_changed_before_it_is_chained_is_never_chained_and_is_reported(chain_busy, capsys):
    events = _events(3)
    _raw("UPDATE portal_auditevent SET after = %s WHERE id = %s", ['{"i": 999}', events[1].id])
    assert audit.chain_pending() == 2
    report = audit.verify_chain()
    assert report.broken_event_id is None and report.checked == 2
    assert not report.ok and any(f"#{events[1].id}" in p and "封印" in p for p in report.problems)
    with pytest.raises(SystemExit):
        call_command("verify_audit")


@pytest.mark.django_db
def test_a_forged_pending_event_is_reported(chain_busy):
    _events(1)
    event = AuditEvent.objects.get()
    _raw(
        "INSERT INTO portal_auditevent (at, actor_label, verb, target_id, target_repr, note, prev_hash, seal)"
        " VALUES (%s, '公众', 'test.forged', '', '', '', '', %s)",
        [event.at, "f" * 64],
    )
    report = audit.verify_chain()
    assert not report.ok and any("封印" in p for p in report.problems)


@pytest.mark.django_db
def test_a_deferred_event_is_sealed_without_the_chain_and_chained_later(monkeypatch):
    """The public submissions (deferred=True) neither try the chain's lock nor read its head."""
    first = _events(1)[0]

    def no_chain(*args, **kwargs):
        raise AssertionError("a deferred event touched the chain")

    monkeypatch.setattr(audit, "_try_lock", no_chain)
    monkeypatch.setattr(audit, "_head", no_chain)
    deferred = [audit.record(None, "test.deferred", after={"i": i}, deferred=True) for i in range(2)]
    assert all(e.seq is None and e.hash is None and len(e.seal) == 64 for e in deferred)
    monkeypatch.undo()
    inline = _events(1)[0]  # a verb that chains at once still links to the head
    assert inline.seq == 2 and inline.prev_hash == first.hash
    assert audit.chain_pending() == 2
    assert list(AuditEvent.objects.order_by("seq").values_list("id", flat=True)) == [
        first.id, inline.id, deferred[0].id, deferred[1].id,
    ]  # fmt: skip
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_the_anchor_chains_pending_events_first(chain_busy):
    events = _events(2)
    anchor = audit.anchor_head()
    assert anchor["seq"] == events[-1].id
    assert anchor["hash"] == AuditEvent.objects.get(pk=events[-1].id).hash


@pytest.mark.django_db
def test_beat_chains_the_pending_events(chain_busy):
    from portal.celery import app

    assert any(entry["task"] == "portal.tasks.chain_audit" for entry in app.conf.beat_schedule.values())
    _events(2)
    assert (
        audit.chain_pending(wait=False) == 0
    )  # what the task runs: gives up at once while the chain is busy…
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 2
    audit.chain_pending()  # …the chainer waiting for the lock links them
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_never_waits_for_the_chains_lock():
    """Another transaction holds the chain for 3 s: record() returns at once with a sealed event."""
    import threading
    import time

    from django.db import connections, transaction

    dept = DepartmentFactory()
    held, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                audit.record(None, "test.holder", dept)  # takes the chain's lock to its commit
                held.set()
                release.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    started = time.monotonic()
    with transaction.atomic():
        event = audit.record(None, "test.writer", dept)
    elapsed = time.monotonic() - started
    release.set()
    thread.join()
    assert elapsed < 1 and event.seq is None and event.seal
    report = audit.verify_chain()
    assert report.ok and report.checked == 2
