"""The audit trail: every state change writes one append-only, keyed hash-chained event.

Call ``record(...)`` inside the service verb's transaction. The chain is
serialised with a PostgreSQL advisory lock (SQLite serialises writers anyway),
so two concurrent verbs never fork it. ``verify_chain()`` recomputes every link
and checks the anchors; ``manage.py verify_audit`` wraps it.

Threat model (issue 9):

- Each event's hash is an HMAC-SHA256 of its content and the previous hash, keyed with
  ``AUDIT_HMAC_KEY``, a secret that lives in the environment, never in the database. Someone who can
  write the database but does not hold the key cannot rewrite an event, insert one or recompute the
  chain after a change: ``verify_audit`` names the first event whose HMAC does not match.
- Deleting the newest events leaves a valid shorter chain. So the head is **anchored** outside the
  database: beat (``portal.tasks.anchor_audit``, every 10 minutes) appends ``{seq, hash, at}`` of the
  newest event to an append-only file (``AUDIT_ANCHOR_PATH``, one JSON line each) and logs the same line.
  ``verify_audit`` checks that every anchored event still exists with the anchored hash: a rewrite
  from any point before the last anchor, or a deletion of events up to the last anchor, is reported
  even by someone who holds the key.
- Not covered: events written after the last anchor can be deleted, undetected, by someone with
  database access (at most one anchoring interval); someone with the key *and* write access to the
  anchor file and the logs can rewrite everything. Ship the log lines to a separate log host (or
  make the anchor file append-only at the file-system level, ``chattr +a``) to close the second.
"""

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from portal.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 727_001  # arbitrary, constant: "the audit chain"
logger = logging.getLogger("portal.audit")


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
    return hmac.new(_key(), blob.encode(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return settings.AUDIT_HMAC_KEY.encode()


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
    anchors_checked: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None and not self.problems


# --- anchors: the head of the chain, outside the database ------------------------------------------


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def anchor_head(now=None) -> dict | None:
    """Append the newest event's ``{seq, hash, at}`` to the anchor file and the log. None: no events.

    Append-only: the file is opened for appending, written as one line and flushed to disk.
    """
    from django.utils import timezone

    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    line = {"seq": head["id"], "hash": head["hash"], "at": (now or timezone.now()).isoformat()}
    text = json.dumps(line, sort_keys=True) + "\n"
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit anchor %s", text.strip())
    return line


def read_anchors(path: Path | None = None) -> tuple[list[dict], list[str]]:
    """The anchors in the file (oldest first) and a problem for every unreadable line."""
    path = path or anchor_path()
    anchors, problems = [], []
    if not path.exists():
        return anchors, problems
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            anchors.append({"seq": int(item["seq"]), "hash": str(item["hash"]), "at": item.get("at", "")})
        except (ValueError, KeyError, TypeError):
            problems.append(f"锚点文件第 {number} 行无法解析")
    return anchors, problems


def verify_chain(batch_size: int = 5000, anchors_file: Path | None = None) -> ChainReport:
    """Recompute the chain; report the first event whose link or HMAC does not match, and every anchor
    whose event is missing or differs (a rewrite, or the newest events deleted)."""
    prev = GENESIS
    checked = 0
    report = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != prev:
            reason = "前一事件被删除或改动" if checked else "链首不是创世哈希"
            report = ChainReport(checked, event.id, reason)
            break
        if _digest(prev, event) != event.hash:
            report = ChainReport(checked, event.id, "事件内容与哈希不符(被改动，或审计密钥不符)")
            break
        prev = event.hash
        checked += 1
    report = report or ChainReport(checked)
    anchors, problems = read_anchors(anchors_file)
    report.problems.extend(problems)
    if anchors:
        stored = dict(AuditEvent.objects.filter(id__in={a["seq"] for a in anchors}).values_list("id", "hash"))
        for anchor in anchors:
            found = stored.get(anchor["seq"])
            if found is None:
                report.problems.append(
                    f"锚定的事件 #{anchor['seq']}（{anchor['at']}）已不存在：最新事件被删除"
                )
            elif found != anchor["hash"]:
                report.problems.append(f"事件 #{anchor['seq']} 的哈希与 {anchor['at']} 的锚点不符：链被改写")
            report.anchors_checked += 1
    return report
