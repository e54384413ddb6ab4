"""Audit bundles for outside auditors: entries with proofs, checkable without the database.

A bundle is one JSON document (``format: civicam-audit-bundle-v1``) holding the
installation's public key, every signed head, consistency proofs between consecutive
heads, and a contiguous run of entries ``[first, latest.tree_size)`` each with an
inclusion proof against the latest head. :func:`verify_bundle` checks all of it with
nothing but this module; docs/audit.md describes the same steps for other languages.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from civicam.audit.entry import Entry, entry_leaf_hash, make_entry
from civicam.audit.heads import SignedHead, head_signature_ok
from civicam.audit.keys import SigningKeyError, key_id, load_public_key, public_key_bytes
from civicam.audit.log import head_from_row
from civicam.audit.merkle import MerkleTree, verify_consistency, verify_inclusion
from civicam.audit.verify import ENTRY_COLUMNS, entry_from_row
from civicam.store.audit import AuditEntry, AuditHead
from civicam.store.engine import Database
from civicam.store.files import write_atomically

FORMAT = "civicam-audit-bundle-v1"
MAX_BUNDLE_BYTES = 2_000_000_000


class BundleError(ValueError):
    """A bundle that cannot be made (the log fails verification) or read."""


def _heads_by_size(heads: list[SignedHead]) -> list[SignedHead]:
    # One head per size (the earliest signed), ordered by size, for the proof chain.
    seen: dict[int, SignedHead] = {}
    for head in heads:
        seen.setdefault(head.tree_size, head)
    return [seen[s] for s in sorted(seen)]


def build_bundle(db: Database, public: Ed25519PublicKey, since: float) -> dict[str, Any]:
    """The bundle of entries from the first at or after ``since`` up to the latest head.

    :class:`BundleError` when there is no signed head or the log does not match it.
    """
    with db.read() as session:
        try:
            heads = [
                head_from_row(r) for r in session.scalars(select(AuditHead).order_by(AuditHead.id))
            ]
        except ValueError as exc:
            raise BundleError(f"{exc}; run `civicam audit verify`") from exc
        if not heads:
            raise BundleError("the log has no signed head yet; run `civicam audit sign`")
        latest = max(heads, key=lambda h: (h.tree_size, h.timestamp_ms))
        size = latest.tree_size
        leaves = [
            bytes.fromhex(h)
            for h in session.scalars(
                select(AuditEntry.leaf_hash).where(AuditEntry.idx < size).order_by(AuditEntry.idx)
            )
        ]
        first = session.scalar(
            select(AuditEntry.idx)
            .where(AuditEntry.at >= since, AuditEntry.idx < size)
            .order_by(AuditEntry.idx)
            .limit(1)
        )
        rows = []
        if first is not None:
            rows = list(
                session.execute(
                    select(*ENTRY_COLUMNS)
                    .where(AuditEntry.idx >= first, AuditEntry.idx < size)
                    .order_by(AuditEntry.idx)
                )
            )
    if len(leaves) != size:
        raise BundleError(f"the log has {len(leaves)} entries below the latest head's {size}")
    tree = MerkleTree(leaves)
    if tree.root(size) != latest.root:
        raise BundleError(
            "the log does not match its latest signed head; run `civicam audit verify`"
        )
    good = [h for h in heads if head_signature_ok(h, public)]
    if len(good) != len(heads):
        raise BundleError("a signed head does not verify; run `civicam audit verify`")
    chain = _heads_by_size(heads)
    consistency = [
        {
            "old_size": a.tree_size,
            "new_size": b.tree_size,
            "proof": [p.hex() for p in tree.consistency_proof(a.tree_size, b.tree_size)],
        }
        for a, b in itertools.pairwise(chain)
    ]
    entries = []
    for row in rows:
        entry = entry_from_row(row)
        leaf = entry_leaf_hash(entry)
        if leaf != tree.levels[0][entry.index]:
            raise BundleError(
                f"entry {entry.index} does not match its hash; run `civicam audit verify`"
            )
        entries.append(
            {
                "entry": entry.as_dict(),
                "leaf_hash": leaf.hex(),
                "inclusion_proof": [p.hex() for p in tree.inclusion_proof(entry.index, size)],
            }
        )
    pub = public_key_bytes(public)
    return {
        "format": FORMAT,
        "created_at_ms": round(time.time() * 1000),
        "since": since,
        "public_key": pub.hex(),
        "key_id": key_id(pub),
        "latest_head": latest.to_json(),
        "heads": [h.to_json() for h in heads],
        "consistency": consistency,
        "first_index": None if first is None else int(first),
        "entries": entries,
    }


def write_bundle(bundle: dict[str, Any], out: Path) -> None:
    """Write a bundle atomically (a reader never sees half a file)."""
    text = json.dumps(bundle, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
    write_atomically(out, text + "\n")


@dataclass
class BundleReport:
    """What checking a bundle found."""

    entries: int = 0
    heads: int = 0
    tree_size: int = 0
    key_id: str = ""
    key_from_bundle: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether everything in the bundle checks."""
        return not self.problems


def _hashes(value: object, what: str) -> list[bytes]:
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list")
    out = [bytes.fromhex(str(v)) for v in value]
    if any(len(h) != 32 for h in out):
        raise ValueError(f"{what} holds a hash of the wrong length")
    return out


def _entry(data: object) -> Entry:
    if not isinstance(data, dict):
        raise ValueError("entry must be an object")
    index = data.get("index")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise ValueError("entry index must be a non-negative integer")
    made = make_entry(
        index,
        at=data["at"],
        actor=data["actor"],
        action=data["action"],
        camera=data.get("camera"),
        start=data.get("start"),
        end=data.get("end"),
        reason=data.get("reason"),
        details=data.get("details"),
    )
    if made.as_dict() != data:
        raise ValueError("entry is not in canonical form")
    return made


def check_bundle(bundle: object, expected_key: bytes | None = None) -> BundleReport:
    """Check a parsed bundle; ``expected_key`` pins the installation's public key."""
    report = BundleReport()
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        report.problems.append(f"not a {FORMAT} document")
        return report
    try:
        pub_bytes = bytes.fromhex(str(bundle["public_key"]))
        public = load_public_key(pub_bytes)
        heads = [SignedHead.from_json(h) for h in bundle["heads"]]
        latest = SignedHead.from_json(bundle["latest_head"])
    except (KeyError, TypeError, ValueError, SigningKeyError) as exc:
        report.problems.append(f"malformed bundle header ({exc})")
        return report
    report.key_id = key_id(pub_bytes)
    report.heads = len(heads)
    report.tree_size = latest.tree_size
    if expected_key is not None:
        report.key_from_bundle = False
        if expected_key != pub_bytes:
            report.problems.append(
                f"the bundle is signed by key {key_id(pub_bytes)}, not the expected "
                f"key {key_id(expected_key)}"
            )
            return report
    for i, head in enumerate(heads):
        if not head_signature_ok(head, public):
            report.problems.append(f"signed head {i} (size {head.tree_size}) has a bad signature")
    if latest not in heads:
        report.problems.append("the latest head is not among the signed heads")
    elif not head_signature_ok(latest, public):
        report.problems.append("the latest head has a bad signature")
    chain = _heads_by_size(heads)
    proofs = bundle.get("consistency")
    if not isinstance(proofs, list) or len(proofs) != max(len(chain) - 1, 0):
        report.problems.append("consistency proofs are missing")
    else:
        for a, b, proof in zip(chain, chain[1:], proofs, strict=False):
            try:
                ok = (
                    isinstance(proof, dict)
                    and proof.get("old_size") == a.tree_size
                    and proof.get("new_size") == b.tree_size
                    and verify_consistency(
                        a.tree_size, b.tree_size, a.root, b.root, _hashes(proof["proof"], "proof")
                    )
                )
            except (KeyError, ValueError) as exc:
                report.problems.append(f"consistency proof {a.tree_size}->{b.tree_size}: {exc}")
                continue
            if not ok:
                report.problems.append(
                    f"signed heads of size {a.tree_size} and {b.tree_size} are not consistent: "
                    "the log was rewritten between them"
                )
        for a, b in itertools.pairwise(chain):
            if b.timestamp_ms < a.timestamp_ms:
                report.problems.append(
                    f"signed head of size {b.tree_size} is older than a smaller one"
                )
    items = bundle.get("entries")
    if not isinstance(items, list):
        report.problems.append("entries are missing")
        return report
    expected_index = bundle.get("first_index")
    for pos, item in enumerate(items):
        label = f"entry #{pos}"
        try:
            if not isinstance(item, dict):
                raise ValueError("not an object")
            entry = _entry(item["entry"])
            label = f"entry {entry.index}"
            if entry.index != expected_index:
                report.problems.append(
                    f"{label}: expected index {expected_index} (entries missing or reordered)"
                )
            leaf = entry_leaf_hash(entry)
            if leaf.hex() != item.get("leaf_hash"):
                report.problems.append(f"{label}: content does not match its leaf hash")
            elif not verify_inclusion(
                leaf,
                entry.index,
                latest.tree_size,
                _hashes(item["inclusion_proof"], "proof"),
                latest.root,
            ):
                report.problems.append(f"{label}: not included in the latest signed head")
        except (KeyError, TypeError, ValueError) as exc:
            report.problems.append(f"{label}: malformed ({exc})")
        if isinstance(expected_index, int):
            expected_index += 1
        report.entries += 1
    if items and expected_index != latest.tree_size:
        report.problems.append(
            f"entries stop at {expected_index} but the latest head covers {latest.tree_size}"
        )
    return report


def verify_bundle(path: Path | str, expected_key: bytes | None = None) -> BundleReport:
    """Check a bundle file with no database (see :func:`check_bundle`)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BUNDLE_BYTES:
            return BundleReport(problems=[f"{p}: larger than {MAX_BUNDLE_BYTES} bytes"])
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        return BundleReport(problems=[f"{p}: cannot read ({exc.strerror})"])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return BundleReport(problems=[f"{p}: not JSON ({exc})"])
    return check_bundle(data, expected_key)
