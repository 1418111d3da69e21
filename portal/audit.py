"""The audit trail: every state change writes one append-only, hash-chained event.

Call ``record(...)`` inside the service verb's transaction. The chain is
serialised with a PostgreSQL advisory lock (SQLite serialises writers anyway),
so two concurrent verbs never fork it. ``verify_chain()`` recomputes every hash
and returns the first broken event; ``manage.py verify_audit`` wraps it.
"""

import hashlib
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from portal.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 727_001  # arbitrary, constant: "the audit chain"


def _canonical(value):
    """JSON-safe, deterministic form of before/after payloads."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True))


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = {
        "prev": prev_hash,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "target_type": event.target_type_id,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def actor_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "公众"
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


def record(
    actor, verb: str, target=None, *, before=None, after=None, note: str = "", label: str = ""
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        user = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            actor=user,
            actor_label=label or actor_label(actor),
            verb=verb,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:200] if target is not None else "",
            before=_canonical(before) if before is not None else None,
            after=_canonical(after) if after is not None else None,
            note=note,
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event.prev_hash, event)
        event.save()
        return event


@dataclass
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute the chain; report the first event whose link or content does not match."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != prev:
            reason = "前一事件被删除或改动" if checked else "链首不是创世哈希"
            return ChainReport(checked, event.id, reason)
        if _digest(prev, event) != event.hash:
            return ChainReport(checked, event.id, "事件内容与哈希不符(被改动)")
        prev = event.hash
        checked += 1
    return ChainReport(checked)
