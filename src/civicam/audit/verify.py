"""Checking the persistent log: recompute every leaf and root, check every signed head.

Finds entries edited (content no longer matches its leaf hash), removed (an index
missing), reordered (an entry at another index than it was hashed for) or inserted
(the tree no longer matches a signed head). Where a forger also rewrote the stored
hashes, the signed heads localise the change: the first bad entry lies after the last
head that still matches.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from civicam.audit.entry import Entry, canonical_json, entry_dict
from civicam.audit.heads import SignedHead, head_signature_ok
from civicam.audit.log import head_from_row
from civicam.audit.merkle import CompactRange, leaf_hash
from civicam.store.audit import STATE_ROW, AuditEntry, AuditHead, AuditState
from civicam.store.engine import Database

MAX_PROBLEMS = 100
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """One finding; ``index`` is the first entry it concerns (None: not an entry)."""

    index: int | None
    message: str


@dataclass
class VerifyReport:
    """What verification found."""

    entries: int = 0
    heads: int = 0
    signed_size: int = 0
    root: bytes = b""
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        """Whether the log is intact."""
        return not self.problems

    @property
    def first_bad(self) -> int | None:
        """The lowest entry index any problem names."""
        idx = [p.index for p in self.problems if p.index is not None]
        return min(idx) if idx else None

    def add(self, index: int | None, message: str) -> None:
        """Record a problem (the list is capped; the count is kept)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(index, message))
        else:
            self.more_problems += 1


ENTRY_COLUMNS = (
    AuditEntry.idx,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.camera,
    AuditEntry.start_ts,
    AuditEntry.end_ts,
    AuditEntry.reason,
    AuditEntry.details,
    AuditEntry.leaf_hash,
)


def entry_from_row(row: Any) -> Entry:
    """An entry as stored (for rehashing); :class:`ValueError` when unreadable."""
    details = json.loads(row.details)
    if not isinstance(details, dict):
        raise ValueError("details are not a JSON object")
    return Entry(
        index=int(row.idx),
        at=float(row.at),
        actor=row.actor,
        action=row.action,
        camera=row.camera,
        start=None if row.start_ts is None else float(row.start_ts),
        end=None if row.end_ts is None else float(row.end_ts),
        reason=row.reason,
        details=details,
    )


def _check_heads(
    heads: list[tuple[int, SignedHead]], public: Ed25519PublicKey | None, report: VerifyReport
) -> list[tuple[int, SignedHead]]:
    """Signature and order checks; returns the heads whose signature holds."""
    good: list[tuple[int, SignedHead]] = []
    prev: SignedHead | None = None
    for hid, head in heads:
        if public is None:
            report.add(None, f"signed head #{hid}: no public key to check it against")
            continue
        if not head_signature_ok(head, public):
            report.add(
                None,
                f"signed head #{hid} (size {head.tree_size}) has a bad signature "
                f"or names another key ({head.key_id})",
            )
            continue
        if prev is not None and (
            head.tree_size < prev.tree_size or head.timestamp_ms < prev.timestamp_ms
        ):
            report.add(
                min(head.tree_size, prev.tree_size),
                f"signed head #{hid} (size {head.tree_size}) goes back from the head before it "
                f"(size {prev.tree_size})",
            )
        prev = head
        good.append((hid, head))
    return good


def verify_log(
    db: Database,
    public: Ed25519PublicKey | None,
    *,
    progress: Progress | None = None,
    batch: int = 20_000,
) -> VerifyReport:
    """Recompute the log's tree and check it against every signed head."""
    report = VerifyReport()
    with db.read() as session:
        head_rows: list[tuple[int, SignedHead]] = []
        for r in session.scalars(select(AuditHead).order_by(AuditHead.id)):
            report.heads += 1
            try:
                head_rows.append((int(r.id), head_from_row(r)))
            except ValueError as exc:
                report.add(None, str(exc))
        state = session.execute(
            select(AuditState.size, AuditState.frontier).where(AuditState.id == STATE_ROW)
        ).one_or_none()
        total = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    good = _check_heads(head_rows, public, report)
    by_size: dict[int, list[tuple[int, SignedHead]]] = {}
    for hid, head in good:
        by_size.setdefault(head.tree_size, []).append((hid, head))

    rng = CompactRange()
    precise: list[int] = []  # entries found bad on their own, ascending
    matched = 0  # entries [0, matched) are attested by a signed head that matches

    def locate(lo: int, fallback: int) -> int:
        # Name the first entry already found bad at or after ``lo``; when a forger
        # rewrote the hashes too, only where the attested range ends is known.
        at = bisect.bisect_left(precise, lo)
        return precise[at] if at < len(precise) else min(lo, fallback)

    def check_heads_at(size: int) -> None:
        nonlocal matched
        for hid, head in by_size.get(size, []):
            if head.root == rng.root():
                matched = max(matched, size)
            else:
                report.add(
                    locate(matched, size - 1),
                    f"the first {size} entries do not match signed head #{hid}: "
                    f"an entry in {matched}..{size - 1} was changed, inserted or removed",
                )

    check_heads_at(0)
    expected = 0
    last = -1
    stmt = select(*ENTRY_COLUMNS).order_by(AuditEntry.idx).execution_options(yield_per=batch)
    with db.read() as session:
        # Positional tuples and no intermediate objects: this loop is the verify time.
        for idx, at, actor, action, camera, start, end, reason, details, stored in session.execute(
            stmt
        ):
            if idx != expected:
                report.add(expected, f"entries {expected}..{idx - 1} are missing")
                precise.append(expected)
            expected = idx + 1
            try:
                fields = json.loads(details)
                if not isinstance(fields, dict):
                    raise ValueError("details are not a JSON object")
                data = entry_dict(
                    int(idx),
                    float(at),
                    actor,
                    action,
                    camera,
                    None if start is None else float(start),
                    None if end is None else float(end),
                    reason,
                    fields,
                )
                leaf = leaf_hash(canonical_json(data).encode("utf-8"))
            except (TypeError, ValueError) as exc:
                report.add(idx, f"entry {idx} cannot be read ({exc})")
                precise.append(idx)
                leaf = bytes(32)
            else:
                if leaf.hex() != stored:
                    report.add(idx, f"entry {idx} was altered: its content does not match its hash")
                    precise.append(idx)
            rng.append(leaf)
            if rng.size in by_size:
                check_heads_at(rng.size)
            last = idx
            if progress is not None and rng.size % batch == 0:
                progress(rng.size, total)
    if progress is not None:
        progress(rng.size, total)
    report.entries = rng.size
    report.root = rng.root()
    report.signed_size = matched
    for hid, head in good:
        if head.tree_size > rng.size:
            report.add(
                rng.size,
                f"signed head #{hid} covers {head.tree_size} entries but the log has "
                f"{rng.size}: entries {rng.size}..{head.tree_size - 1} are missing",
            )
    if state is None:
        report.add(None, "the log's state row is missing")
    else:
        size = int(state.size)
        if size != last + 1:
            first = min(size, last + 1)
            report.add(first, f"the log records {size} entries but {last + 1} are present")
        elif state.frontier != rng.encode():
            report.add(
                locate(matched, size), "the log's stored right edge does not match its entries"
            )
    return report
