"""Audit bundles: exported with proofs, checked without the database, tampering caught."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from civicam.audit import actions
from civicam.audit.bundle import check_bundle, verify_bundle
from civicam.audit.entry import entry_leaf_hash, make_entry
from civicam.audit.keys import public_key_bytes
from civicam.audit.log import record, sign_head
from civicam.cli import app
from civicam.store.engine import Database

runner = CliRunner()
T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


@pytest.fixture
def bundle(tmp_path: Path, site: Path, db: Database, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A log of 12 entries (heads after 3, 7 and 12) exported from entry 4 on."""
    for i in range(12):
        record(
            db,
            actor="ann",
            action=actions.EXPORT if i % 3 == 0 else actions.PLAYBACK,
            camera="c1",
            reason=f"investigation: case {i}",
            details={"role": "investigator", "recipient": "Police"},
            at=T0 + 60 * i,
        )
        if i + 1 in (3, 7):
            sign_head(db, key, now=T0 + 60 * i + 1)
    out = tmp_path / "bundle.json"
    result = runner.invoke(
        app,
        ["audit", "export", "-c", str(site), "--since", "2023-11-14T22:17:20Z", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 8 entries and 3 signed heads" in result.stdout
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _check(data: dict[str, Any], key: bytes | None = None) -> list[str]:
    return check_bundle(json.loads(json.dumps(data)), key).problems


def test_exported_bundle_checks_offline(tmp_path: Path, bundle: dict[str, Any]) -> None:
    assert bundle["first_index"] == 4 and [e["entry"]["index"] for e in bundle["entries"]] == list(
        range(4, 12)
    )
    assert [h["tree_size"] for h in bundle["heads"]] == [3, 7, 12]
    path = tmp_path / "bundle.json"
    report = verify_bundle(path)
    assert report.ok and report.entries == 8 and report.tree_size == 12
    result = runner.invoke(app, ["audit", "check", str(path)])
    assert result.exit_code == 0 and "verified: 8 entries" in result.stdout
    assert "compare its id" in result.stdout


def test_pinned_key_is_checked(
    tmp_path: Path, bundle: dict[str, Any], key: Ed25519PrivateKey
) -> None:
    path = tmp_path / "bundle.json"
    pub = tmp_path / "pub.hex"
    pub.write_text(public_key_bytes(key).hex())
    ok = runner.invoke(app, ["audit", "check", str(path), "--key", str(pub)])
    assert ok.exit_code == 0 and "compare its id" not in ok.stdout
    pub.write_text(public_key_bytes(Ed25519PrivateKey.generate()).hex())
    bad = runner.invoke(app, ["audit", "check", str(path), "--key", str(pub)])
    assert bad.exit_code == 1 and "not the expected key" in bad.stdout


def test_edited_entry_is_caught(bundle: dict[str, Any]) -> None:
    bundle["entries"][2]["entry"]["reason"] = "routine"
    assert any("entry 6: content does not match" in p for p in _check(bundle))


def test_edited_entry_with_new_leaf_hash_is_not_included(bundle: dict[str, Any]) -> None:
    item = bundle["entries"][2]
    item["entry"]["actor"] = "someone else"
    fields = {k: v for k, v in item["entry"].items() if k != "index"}
    item["leaf_hash"] = entry_leaf_hash(make_entry(6, **fields)).hex()
    assert any("entry 6: not included" in p for p in _check(bundle))


def test_removed_entries_are_caught(bundle: dict[str, Any]) -> None:
    middle = json.loads(json.dumps(bundle))
    del middle["entries"][3]
    assert any("expected index 7" in p for p in _check(middle))
    del bundle["entries"][-1]
    assert any("entries stop at 11" in p for p in _check(bundle))


def test_forged_head_and_rewritten_history_are_caught(bundle: dict[str, Any]) -> None:
    forged = json.loads(json.dumps(bundle))
    forged["heads"][1]["root_hash"] = "00" * 32
    assert any("bad signature" in p for p in _check(forged))
    proof = bundle["consistency"][0]["proof"]
    proof[0] = ("0" if proof[0][0] != "0" else "1") + proof[0][1:]
    assert any("not consistent" in p for p in _check(bundle))


def test_not_a_bundle(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1, 2")
    assert "not JSON" in verify_bundle(path).problems[0]
    path.write_text('{"format": "something else"}')
    assert "not a civicam-audit-bundle-v1" in verify_bundle(path).problems[0]
    result = runner.invoke(app, ["audit", "check", str(tmp_path / "missing.json")])
    assert result.exit_code == 1 and "cannot read" in result.stdout


def test_export_refuses_a_tampered_log(tmp_path: Path, site: Path, bundle: dict[str, Any]) -> None:
    conn = sqlite3.connect(tmp_path / "index.db")
    conn.execute("UPDATE audit_entries SET reason = 'x' WHERE idx = 5")
    conn.commit()
    conn.close()
    out = tmp_path / "again.json"
    result = runner.invoke(
        app, ["audit", "export", "-c", str(site), "--since", "2023-01-01", "--out", str(out)]
    )
    assert result.exit_code == 1 and "audit verify" in result.output and not out.exists()
