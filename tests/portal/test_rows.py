"""portal.rows.insert: one row written as save() would, the new key read back; ``also`` writes a row
referring to it (one statement on PostgreSQL)."""

from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent
from portal import rows
from portal.models import OutboxMessage


def test_insert_writes_the_row_and_reads_back_its_key(db):
    message = rows.insert(OutboxMessage(kind="test.kind", recipient="13800000000", payload={"a": [1, "二"]}))
    assert message.pk is not None and not message._state.adding
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.kind, stored.recipient, stored.payload) == ("test.kind", "13800000000", {"a": [1, "二"]})
    assert stored.next_attempt_at is not None  # the field's default, as save() writes it
    assert rows.insert(OutboxMessage(kind="test.kind")).pk > message.pk


def test_insert_also_writes_the_row_that_refers_to_it(db):
    now = timezone.now()
    complaint = Complaint(code="TS20261201T0001", title="t", matter="m", channel="web", received_at=now,
                          query_secret_hash="x")  # fmt: skip
    event = ComplaintEvent(complaint=complaint, at=now, verb="submitted", to_state=complaint.state)
    rows.insert(complaint, also=(event, "complaint"))
    assert complaint.pk is not None and event.pk is not None and event.complaint_id == complaint.pk
    stored = ComplaintEvent.objects.get(pk=event.pk)
    assert stored.complaint_id == complaint.pk and stored.verb == "submitted"
    assert Complaint.objects.get(pk=complaint.pk).code == "TS20261201T0001"
