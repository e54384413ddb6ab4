"""``civicam export``, ``civicam verify`` and ``civicam holds`` end to end."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from civicam.audit.keys import load_or_create_signing_key, public_key_bytes
from civicam.cli import app
from civicam.store.privacy import hold_details
from tests.export.conftest import FakeDetector
from tests.export.site import T0, Site

runner = CliRunner()
START, END = "2026-01-01T00:00:01", "2026-01-01T00:00:04Z"


def _config(site: Site, tmp_path: Path) -> Path:
    cfg = {
        "storage": {"root": str(site.root), "min_free_bytes": 0},
        "database": {"url": site.cfg.database_url()},
        "audit": {"key_dir": str(site.cfg.audit.key_dir)},
        "privacy": {"redaction_tiles": 1},
        "cameras": [c.model_dump(mode="json", exclude_none=True) for c in site.cfg.cameras],
    }
    path = tmp_path / "site.yaml"
    path.write_text(json.dumps(cfg), encoding="utf-8")
    return path


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _export(config: Path, out: Path, *extra: str) -> Result:
    return _run(
        "export",
        "-c",
        str(config),
        "--camera",
        "cam-a",
        "--start",
        START,
        "--end",
        END,
        "--reason",
        "Case 31: damage to the fountain",
        "--recipient",
        "Insurance office",
        "--operator",
        "alice",
        "--out",
        str(out),
        *extra,
    )


def test_export_then_verify(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "civicam.export.package.load_redaction_detector", lambda _cfg: FakeDetector()
    )
    config = _config(site, tmp_path)
    out = tmp_path / "case31.zip"
    result = _export(config, out)
    assert result.exit_code == 0, result.output
    assert "people blurred" in result.output
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["redaction"]["persons"] is True
    assert manifest["range"]["start"] == T0 + 1 and manifest["range"]["end"] == T0 + 4
    key = public_key_bytes(load_or_create_signing_key(site.cfg.audit)).hex()
    ok = _run("verify", str(out), "--key", key)
    assert ok.exit_code == 0 and ok.output.startswith("verified")
    key_file = tmp_path / "site.pub"
    key_file.write_text(key + "\n")
    assert _run("verify", str(out), "--key", str(key_file)).exit_code == 0
    # A second export to the same file is refused, the first kept.
    again = _export(config, out)
    assert again.exit_code == 2 and "already exists" in again.output
    assert _run("verify", str(out)).exit_code == 0


def test_verify_failures_exit_1(site: Site, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    out = tmp_path / "e.zip"
    assert _export(config, out, "--no-redact", "--role", "admin").exit_code == 0
    other = "11" * 32
    bad = _run("verify", str(out), "--key", other)
    assert bad.exit_code == 1 and "wrong key" in bad.output
    assert _run("verify", str(out), "--key", "zz").exit_code == 2
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    broken = _run("verify", str(out))
    assert broken.exit_code == 1 and broken.output.startswith("FAILED")


def test_no_redact_needs_a_privileged_role(site: Site, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    out = tmp_path / "e.zip"
    missing = _export(config, out, "--no-redact")
    assert missing.exit_code == 2 and "--role" in missing.output
    denied = _export(config, out, "--no-redact", "--role", "operator")
    assert denied.exit_code == 2 and "may not export without redaction" in denied.output
    assert not out.exists()
    done = _export(config, out, "--no-redact", "--role", "supervisor")
    assert done.exit_code == 0 and "NOT redacted" in done.output


def test_export_errors_are_clear(site: Site, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    res = _run(
        "export", "-c", str(config), "--camera", "cam-b", "--start", START, "--end", END,
        "--reason", "Case 1", "--operator", "a", "--out", str(tmp_path / "x.zip"),
        "--no-redact", "--role", "admin",
    )  # fmt: skip
    assert res.exit_code == 2 and "no footage" in res.output
    res = _run(
        "export", "-c", str(config), "--camera", "cam-a", "--start", "yesterday", "--end", END,
        "--reason", "Case 1", "--out", str(tmp_path / "x.zip"),
    )  # fmt: skip
    assert res.exit_code == 2 and "ISO 8601" in res.output


def test_holds_add_list_release(site: Site, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    added = _run(
        "holds", "add", "-c", str(config), "--camera", "cam-a", "--start", START, "--end", END,
        "--reason", "Evidence", "--case", "C-9", "--operator", "sam",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    hold_id = hold_details(site.db)[0].id
    listed = _run("holds", "list", "-c", str(config), "--json")
    rows = json.loads(listed.output)
    assert rows[0]["case"] == "C-9" and rows[0]["released_at"] is None
    denied = _run(
        "holds", "release", "-c", str(config), str(hold_id), "--reason", "done",
        "--operator", "op", "--role", "viewer",
    )  # fmt: skip
    assert denied.exit_code == 1
    released = _run(
        "holds", "release", "-c", str(config), str(hold_id), "--reason", "Case closed",
        "--operator", "sam",
    )  # fmt: skip
    assert released.exit_code == 0, released.output
    assert json.loads(_run("holds", "list", "-c", str(config), "--json").output) == []
    assert "Case closed" not in _run("holds", "list", "-c", str(config)).output
    table = _run("holds", "list", "-c", str(config), "--all")
    assert "C-9" in table.output
    missing = _run(
        "holds", "release", "-c", str(config), "999", "--reason", "x y z", "--operator", "s"
    )
    assert missing.exit_code == 2 and "no hold 999" in missing.output
