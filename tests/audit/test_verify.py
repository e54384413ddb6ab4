"""`civicam audit verify` catches entries edited, removed, reordered or inserted, and
forged heads, each done with raw SQL to a copy of the database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from civicam.audit import actions
from civicam.audit.entry import entry_leaf_hash
from civicam.audit.keys import key_path
from civicam.audit.log import record, sign_head
from civicam.audit.merkle import CompactRange
from civicam.audit.verify import entry_from_row
from civicam.cli import app
from civicam.config.audit import AuditConfig
from civicam.store.engine import Database, open_database

runner = CliRunner()
N = 20


def _fill(db: Database, key: Ed25519PrivateKey, every: int) -> None:
    for i in range(N):
        record(
            db,
            actor=f"user{i % 3}",
            action=actions.PLAYBACK if i % 2 else actions.LIVE_VIEW,
            camera="c1",
            start=1000.0 + i,
            end=1010.0 + i,
            reason=f"check {i}",
            details={"role": "operator"},
            at=2000.0 + i,
        )
        if (i + 1) % every == 0:
            sign_head(db, key, now=3000.0 + i)


@pytest.fixture
def make_copy(
    tmp_path: Path, site: Path, key: Ed25519PrivateKey
) -> Callable[[int], tuple[Path, sqlite3.Connection]]:
    """Fill a log (a head every ``every`` entries) and return a copy to tamper with."""

    def make(every: int) -> tuple[Path, sqlite3.Connection]:
        original = tmp_path / "original.db"
        db = open_database(f"sqlite:///{original}")
        _fill(db, key, every)
        db.close()
        copy = tmp_path / "index.db"  # the database the site config names
        src = sqlite3.connect(original)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        return site, dst

    return make


def _verify(site: Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["audit", "verify", "-c", str(site), "--json"])
    return result.exit_code, json.loads(result.stdout)


def _rows(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    return list(conn.execute("SELECT * FROM audit_entries ORDER BY idx"))


def _rehash_everything(conn: sqlite3.Connection) -> None:
    """What a careful forger does: make every stored hash and the state agree again."""
    rng = CompactRange()
    for row in _rows(conn):
        leaf = entry_leaf_hash(entry_from_row(SimpleNamespace(**dict(row))))
        conn.execute(
            "UPDATE audit_entries SET leaf_hash = ? WHERE idx = ?", (leaf.hex(), row["idx"])
        )
        rng.append(leaf)
    conn.execute("UPDATE audit_state SET size = ?, frontier = ?", (rng.size, rng.encode()))
    conn.commit()


def test_intact_log_verifies(make_copy: Callable[[int], tuple[Path, sqlite3.Connection]]) -> None:
    site, _ = make_copy(1)
    code, out = _verify(site)
    assert code == 0 and out["ok"] is True and out["entries"] == N and out["heads"] == N
    text = runner.invoke(app, ["audit", "verify", "-c", str(site)]).stdout
    assert "intact: 20 entries, 20 signed heads" in text


def test_edited_entry_is_named(make_copy: Callable[[int], tuple[Path, sqlite3.Connection]]) -> None:
    site, conn = make_copy(5)
    conn.execute("UPDATE audit_entries SET reason = 'nothing to see' WHERE idx = 7")
    conn.commit()
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 7
    result = runner.invoke(app, ["audit", "verify", "-c", str(site)])
    assert result.exit_code == 1 and "first bad entry is 7" in result.stdout


def test_edit_with_rewritten_hashes_is_caught_by_the_signed_heads(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(1)
    conn.execute("UPDATE audit_entries SET camera = 'c2' WHERE idx = 7")
    _rehash_everything(conn)
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 7


def test_sparse_heads_bound_the_change(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(5)
    conn.execute("UPDATE audit_entries SET actor = 'someone else' WHERE idx = 7")
    _rehash_everything(conn)
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 5
    assert any("5..9" in str(p["message"]) for p in out["problems"])


def test_removed_entry_is_named(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(5)
    conn.execute("DELETE FROM audit_entries WHERE idx = 12")
    conn.commit()
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 12


def test_removed_last_entries_are_named_even_with_the_state_fixed(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(5)
    conn.execute("DELETE FROM audit_entries WHERE idx >= 17")
    _rehash_everything(conn)
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 17


def test_reordered_entries_are_named(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(5)
    conn.execute("UPDATE audit_entries SET idx = -1 WHERE idx = 3")
    conn.execute("UPDATE audit_entries SET idx = 3 WHERE idx = 4")
    conn.execute("UPDATE audit_entries SET idx = 4 WHERE idx = -1")
    conn.commit()
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 3, out["problems"]


def test_inserted_entry_is_named(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(1)
    # Make room at index 9 (from the top down so the primary key never collides).
    for idx in range(N - 1, 8, -1):
        conn.execute("UPDATE audit_entries SET idx = ? WHERE idx = ?", (idx + 1, idx))
    conn.execute(
        "INSERT INTO audit_entries (idx, at, actor, action, camera, start_ts, end_ts, reason, "
        "details, leaf_hash) VALUES (9, 2008.5, 'ghost', 'export', 'c1', 1.0, 2.0, 'backdated', "
        "'{}', '')"
    )
    _rehash_everything(conn)
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] == 9


def test_forged_head_is_caught(make_copy: Callable[[int], tuple[Path, sqlite3.Connection]]) -> None:
    site, conn = make_copy(5)
    conn.execute("UPDATE audit_heads SET root_hash = ? WHERE tree_size = 10", ("ab" * 32,))
    conn.commit()
    code, out = _verify(site)
    assert code == 1 and out["ok"] is False
    assert any("bad signature" in str(p["message"]) for p in out["problems"])


def test_heads_under_another_key_fail(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]], audit_cfg: AuditConfig
) -> None:
    site, _ = make_copy(5)
    other = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path(audit_cfg).write_bytes(other)
    code, out = _verify(site)
    assert code == 1
    assert sum("bad signature" in str(p["message"]) for p in out["problems"]) == 4


def test_unsigned_tail_is_reported_but_intact(tmp_path: Path, site: Path, db: Database) -> None:
    record(db, actor="ann", action=actions.LOGIN)
    result = runner.invoke(app, ["audit", "verify", "-c", str(site)])
    assert result.exit_code == 0 and "not yet covered by a signed head" in result.stdout
    signed = runner.invoke(app, ["audit", "sign", "-c", str(site)])
    assert signed.exit_code == 0 and "signed head: 1 entries" in signed.stdout
    again = runner.invoke(app, ["audit", "verify", "-c", str(site)])
    assert again.exit_code == 0 and "not yet covered" not in again.stdout


def test_missing_key_cannot_vouch_for_heads(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]], audit_cfg: AuditConfig
) -> None:
    site, _ = make_copy(10)
    shown = runner.invoke(app, ["audit", "key", "-c", str(site)])
    assert shown.exit_code == 0 and "key id: " in shown.stdout
    key_path(audit_cfg).unlink()
    code, out = _verify(site)
    assert code == 1 and out["first_bad_entry"] is None
    assert all("no public key" in p["message"] for p in out["problems"])


def test_malformed_head_is_a_finding_not_a_crash(
    make_copy: Callable[[int], tuple[Path, sqlite3.Connection]],
) -> None:
    site, conn = make_copy(5)
    conn.execute("UPDATE audit_heads SET signature = 'not hex' WHERE tree_size = 10")
    conn.commit()
    code, out = _verify(site)
    assert code == 1 and out["heads"] == 4
    assert any("is malformed" in p["message"] for p in out["problems"])
