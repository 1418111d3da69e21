"""The audit trail: every state change writes one append-only, keyed hash-chained event.

Call ``record(...)`` inside the service verb's transaction. Writing an event never waits for
another writer (issue 13, "intake off the hot rows"):

- **Chained inline when nobody else is chaining.** On PostgreSQL ``record`` *tries* the chain's
  advisory lock (``pg_try_advisory_xact_lock``, never waits). Got it: the event is linked to the
  head at once (``seq`` = head + 1, ``prev_hash``, ``hash``) and the lock is held to the commit, as
  before. On SQLite, whose writers are serialised by the database anyway, always this way.
- **Sealed and chained later when the lock is busy** — or always, when the caller says
  ``deferred=True`` (the public submissions: online applications and complaints, many a second from
  anybody; one INSERT, no lock, no read of the head). The event is stored *pending* (no ``seq``,
  no ``hash``) with a **seal**: an HMAC of its content under the same key. The single chainer,
  ``chain_pending()`` (beat every minute, and first thing in ``anchor_head`` and ``verify_chain``),
  takes the lock, checks each pending event's seal and appends it to the chain in commit order.
  A pending event whose seal does not match (changed before it was chained) is never chained and
  is reported by ``verify_audit``.

The chain's order is ``seq`` (not ``id``: an event committed later than a higher id is chained
after it). ``verify_chain()`` recomputes every link and checks the anchors; ``manage.py
verify_audit`` wraps it.

Threat model (issue 9, chaining changed by issue 13):

- Each event's hash is an HMAC-SHA256 of its content and the previous hash, keyed with
  ``AUDIT_HMAC_KEY``, a secret that lives in the environment, never in the database. Someone who can
  write the database but does not hold the key cannot rewrite an event, insert one or recompute the
  chain after a change: ``verify_audit`` names the first event whose HMAC does not match. A pending
  event is covered the same way by its seal (same key): changing or forging one is reported.
- Deleting the newest events leaves a valid shorter chain. So the head is **anchored** outside the
  database: beat (``portal.tasks.anchor_audit``, every 10 minutes) chains what is pending, then appends
  ``{seq, hash, at}`` of the newest event (``seq``: its id) to an append-only file
  (``AUDIT_ANCHOR_PATH``, one JSON line each) and logs the same line. ``verify_audit`` checks that
  every anchored event still exists with the anchored hash: a rewrite from any point before the last
  anchor, or a deletion of events up to the last anchor, is reported even by someone who holds the key.
- Not covered: events written after the last anchor — chained or still pending — can be deleted,
  undetected, by someone with database access (at most one anchoring interval); someone with the key
  *and* write access to the anchor file and the logs can rewrite everything. Ship the log lines to a
  separate log host (or make the anchor file append-only at the file-system level, ``chattr +a``)
  to close the second.
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

from portal import rows
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


def _seal(event: AuditEvent) -> str:
    """The keyed HMAC of a pending event's content alone (checked when it is chained)."""
    return _digest("seal", event)


def _try_lock(wait: bool = False) -> bool:
    """The chain's lock for the rest of the transaction (PostgreSQL); SQLite serialises writers itself."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _head() -> tuple[int, str]:
    """``(seq, hash)`` of the chain's newest event; ``(0, GENESIS)`` for an empty chain."""
    head = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    return head or (0, GENESIS)


def record(
    actor,
    verb: str,
    target=None,
    *,
    before=None,
    after=None,
    note: str = "",
    label: str = "",
    deferred: bool = False,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction; never waits for another writer.

    ``deferred=True``: sealed now and chained by ``chain_pending()`` (within a minute), never inline —
    for the public submissions, so that they neither read the chain's head nor hold its lock.
    """
    with transaction.atomic(savepoint=False):
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
        )
        if not deferred and _try_lock():
            event.seq, event.prev_hash = _head()
            event.seq += 1
            event.hash = _digest(event.prev_hash, event)
        else:  # another transaction holds the chain: sealed now, chained by chain_pending()
            event.seal = _seal(event)
        rows.insert(event)  # AuditEvent.save's insert (append-only), compiled once
        return event


def chain_pending(*, wait: bool = True, batch_size: int = 2000) -> int:
    """Append the pending events to the chain, oldest first; returns how many were chained.

    The single chainer: holds the chain's lock (``wait=False``: gives up at once when it is busy).
    A pending event whose seal does not match is left out (``verify_chain`` reports it).
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    chained = 0
    after_id = 0
    while True:
        with transaction.atomic():
            if not _try_lock(wait=wait):
                return chained
            seq, prev = _head()
            pending = list(
                AuditEvent.objects.filter(seq__isnull=True, id__gt=after_id).order_by("id")[:batch_size]
            )
            if not pending:
                return chained
            rows = []
            for event in pending:
                after_id = event.id
                if not hmac.compare_digest(event.seal or "", _seal(event)):
                    logger.error("audit: pending event #%s does not match its seal; not chained", event.id)
                    continue
                seq += 1
                digest = _digest(prev, event)
                rows.append([seq, prev, digest, event.id])
                prev = digest
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",
                    rows,
                )
            chained += len(rows)


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

    chain_pending()
    head = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("id", "hash").first()
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
    """Chain what is pending, then recompute the chain; report the first event whose link or HMAC does
    not match, every pending event whose seal does not match, and every anchor whose event is missing
    or differs (a rewrite, or the newest events deleted)."""
    chain_pending()
    prev = GENESIS
    checked = 0
    report = None
    events = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in events.iterator(chunk_size=batch_size):
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
    for event in AuditEvent.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=batch_size):
        if not hmac.compare_digest(event.seal or "", _seal(event)):
            report.problems.append(f"未入链的事件 #{event.id} 与其封印不符：被改动或伪造")
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
