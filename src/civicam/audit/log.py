"""Appending to the persistent audit log and signing its tree heads.

``record`` writes one entry in its own transaction; ``record_in`` writes within a
caller's transaction so the act and its trace commit together. Callers that know the
acting user's role pass it as ``details={"role": ...}``. Heads are signed by
:class:`AuditSigner` (started by long-running services) every
``sign_every_entries`` entries or ``sign_every_seconds``, and on demand by
:func:`sign_head`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from civicam.audit.entry import Entry, canonical_json, entry_leaf_hash, make_entry
from civicam.audit.heads import SignedHead, sign_tree_head
from civicam.audit.merkle import HASH_SIZE, CompactRange
from civicam.config.audit import AuditConfig
from civicam.store.audit import STATE_ROW, AuditEntry, AuditHead, AuditState
from civicam.store.engine import Database


@dataclass(frozen=True)
class NewEntry:
    """The fields of an entry to append (the log assigns index and hash)."""

    actor: str
    action: str
    camera: str | None = None
    start: float | None = None
    end: float | None = None
    reason: str | None = None
    details: Mapping[str, object] | None = None
    at: float | None = None


def _lock_state(session: Session, grow: int) -> tuple[int, CompactRange]:
    # The UPDATE comes first so the transaction takes the write lock (SQLite) or the
    # row lock (PostgreSQL) before it reads the state: concurrent appenders queue here.
    session.execute(
        update(AuditState).where(AuditState.id == STATE_ROW).values(size=AuditState.size + grow)
    )
    row = session.execute(
        select(AuditState.size, AuditState.frontier).where(AuditState.id == STATE_ROW)
    ).one()
    old = int(row.size) - grow
    return old, CompactRange.decode(old, str(row.frontier))


def _row(entry: Entry, leaf: bytes) -> dict[str, Any]:
    return {
        "idx": entry.index,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "camera": entry.camera,
        "start_ts": entry.start,
        "end_ts": entry.end,
        "reason": entry.reason,
        "details": canonical_json(entry.details),
        "leaf_hash": leaf.hex(),
    }


def _append(session: Session, items: Sequence[NewEntry]) -> range:
    if not items:
        raise ValueError("nothing to append")
    now = time.time()
    # Validate everything before touching the database so bad input loses nothing.
    drafts = [
        make_entry(
            0,
            at=now if it.at is None else it.at,
            actor=it.actor,
            action=it.action,
            camera=it.camera,
            start=it.start,
            end=it.end,
            reason=it.reason,
            details=it.details,
        )
        for it in items
    ]
    first, frontier = _lock_state(session, len(drafts))
    rows = []
    for offset, draft in enumerate(drafts):
        entry = dataclasses.replace(draft, index=first + offset)
        leaf = entry_leaf_hash(entry)
        frontier.append(leaf)
        rows.append(_row(entry, leaf))
    session.execute(insert(AuditEntry.metadata.tables[AuditEntry.__tablename__]), rows)
    session.execute(
        update(AuditState).where(AuditState.id == STATE_ROW).values(frontier=frontier.encode())
    )
    bind = session.get_bind()
    if isinstance(bind, Engine):
        _notify(bind, frontier.size)
    return range(first, first + len(drafts))


def record_in(
    session: Session,
    *,
    actor: str,
    action: str,
    camera: str | None = None,
    start: float | None = None,
    end: float | None = None,
    reason: str | None = None,
    details: Mapping[str, object] | None = None,
    at: float | None = None,
) -> int:
    """Append an entry within the caller's write transaction; returns its leaf index.

    Unknown actions and malformed fields raise :class:`ValueError` before anything is
    written. Pass the acting user's role as ``details={"role": ...}``.
    """
    item = NewEntry(actor, action, camera, start, end, reason, details, at)
    return _append(session, [item])[0]


def record(
    db: Database,
    *,
    actor: str,
    action: str,
    camera: str | None = None,
    start: float | None = None,
    end: float | None = None,
    reason: str | None = None,
    details: Mapping[str, object] | None = None,
    at: float | None = None,
) -> int:
    """Append an entry in its own transaction; returns its leaf index."""
    item = NewEntry(actor, action, camera, start, end, reason, details, at)
    with db.write() as session:
        return _append(session, [item])[0]


def record_many(db: Database, items: Sequence[NewEntry]) -> range:
    """Append several entries in one transaction; returns their indexes."""
    with db.write() as session:
        return _append(session, items)


def log_size(db: Database) -> int:
    """Number of entries in the log."""
    with db.read() as session:
        return int(session.scalar(select(AuditState.size).where(AuditState.id == STATE_ROW)) or 0)


def head_from_row(row: AuditHead) -> SignedHead:
    """A stored head as a :class:`SignedHead`; :class:`ValueError` when it is malformed."""
    try:
        head = SignedHead(
            tree_size=int(row.tree_size),
            root=bytes.fromhex(row.root_hash),
            timestamp_ms=round(float(row.signed_at) * 1000),
            signature=bytes.fromhex(row.signature),
            key_id=str(row.key_id),
        )
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"signed head #{row.id} is malformed ({exc})") from exc
    if len(head.root) != HASH_SIZE or len(head.signature) != 64 or head.tree_size < 0:
        raise ValueError(f"signed head #{row.id} is malformed (wrong lengths)")
    return head


def signed_heads(db: Database) -> list[SignedHead]:
    """All signed heads in signing order."""
    with db.read() as session:
        return [head_from_row(r) for r in session.scalars(select(AuditHead).order_by(AuditHead.id))]


def latest_head(db: Database) -> SignedHead | None:
    """The most recent signed head."""
    with db.read() as session:
        row = session.scalars(select(AuditHead).order_by(AuditHead.id.desc()).limit(1)).first()
        return None if row is None else head_from_row(row)


def sign_head(
    db: Database, key: Ed25519PrivateKey, *, force: bool = False, now: float | None = None
) -> SignedHead | None:
    """Sign the current tree head; ``None`` when the latest head already covers it.

    ``force`` signs even then (a fresh timestamp proves the log was unchanged until now).
    """
    with db.write() as session:
        size, frontier = _lock_state(session, 0)
        last = session.scalars(select(AuditHead).order_by(AuditHead.id.desc()).limit(1)).first()
        if last is not None and last.tree_size == size and not force:
            return None
        stamp = round((time.time() if now is None else now) * 1000)
        if last is not None:
            # Keep head times monotonic even if the clock steps back.
            stamp = max(stamp, round(last.signed_at * 1000))
        head = sign_tree_head(key, size, frontier.root(), stamp)
        session.add(
            AuditHead(
                tree_size=size,
                root_hash=head.root.hex(),
                signed_at=stamp / 1000,
                signature=head.signature.hex(),
                key_id=head.key_id,
            )
        )
    return head


_signers: weakref.WeakKeyDictionary[Engine, AuditSigner] = weakref.WeakKeyDictionary()
_signers_lock = threading.Lock()


def _notify(engine: Engine, size: int) -> None:
    with _signers_lock:
        signer = _signers.get(engine)
    if signer is not None:
        signer.appended(size)


class AuditSigner:
    """A background thread that signs heads every N entries or T seconds.

    Long-running services (recorder, console) start one per database; ``stop`` signs
    a final head so nothing they appended is left uncovered.
    """

    def __init__(self, db: Database, key: Ed25519PrivateKey, cfg: AuditConfig) -> None:
        self.db = db
        self.key = key
        self.every_entries = cfg.sign_every_entries
        self.every_seconds = cfg.sign_every_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with db.read() as session:
            self._signed_size = int(session.scalar(select(func.max(AuditHead.tree_size))) or 0)
        self.errors = 0

    def appended(self, size: int) -> None:
        """Called by appenders with the new size (wakes the thread when a head is due)."""
        if size - self._signed_size >= self.every_entries:
            self._wake.set()

    def sign_now(self) -> SignedHead | None:
        """Sign the current head if it is not signed yet."""
        head = sign_head(self.db, self.key)
        if head is not None:
            self._signed_size = head.tree_size
        return head

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.every_seconds)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.sign_now()
            except Exception:  # a failed signing is retried next round
                self.errors += 1

    def start(self) -> AuditSigner:
        """Start the thread and register for append notifications."""
        with _signers_lock:
            _signers[self.db.engine] = self
        self._thread = threading.Thread(target=self._run, name="audit-signer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> SignedHead | None:
        """Stop the thread and sign a last head."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        with _signers_lock:
            if _signers.get(self.db.engine) is self:
                del _signers[self.db.engine]
        return self.sign_now()

    def __enter__(self) -> AuditSigner:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_signer(db: Database, cfg: AuditConfig) -> AuditSigner:
    """Load (or create) the installation key and start signing heads for ``db``."""
    from civicam.audit.keys import load_or_create_signing_key

    return AuditSigner(db, load_or_create_signing_key(cfg), cfg).start()
