"""The installation key: created once with mode 0600, refused when others can read it."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from civicam.audit.keys import (
    SigningKeyError,
    key_id,
    key_path,
    load_or_create_signing_key,
    load_public_key,
    load_signing_key,
    public_key_bytes,
)
from civicam.config.audit import AuditConfig


def test_key_is_created_private_and_reloaded(tmp_path: Path) -> None:
    cfg = AuditConfig(key_dir=tmp_path / "k")
    with pytest.raises(SigningKeyError, match="no signing key"):
        load_signing_key(cfg)
    key = load_or_create_signing_key(cfg)
    path = key_path(cfg)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_or_create_signing_key(cfg)
    assert public_key_bytes(again) == public_key_bytes(key)
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_group_readable_key_is_refused(tmp_path: Path) -> None:
    cfg = AuditConfig(key_dir=tmp_path)
    load_or_create_signing_key(cfg)
    key_path(cfg).chmod(0o640)
    with pytest.raises(SigningKeyError, match="readable by group or others"):
        load_or_create_signing_key(cfg)


def test_garbage_key_file_is_a_clear_error(tmp_path: Path) -> None:
    cfg = AuditConfig(key_dir=tmp_path)
    path = key_path(cfg)
    path.write_bytes(b"not a key")
    path.chmod(0o600)
    with pytest.raises(SigningKeyError, match="not a PEM Ed25519 private key"):
        load_signing_key(cfg)


def test_racing_creators_end_with_one_key(tmp_path: Path) -> None:
    cfg = AuditConfig(key_dir=tmp_path / "race")
    found: list[bytes] = []

    def make() -> None:
        found.append(public_key_bytes(load_or_create_signing_key(cfg)))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and len(set(found)) == 1
    assert public_key_bytes(load_signing_key(cfg)) == found[0]


def test_public_key_forms_and_key_id(tmp_path: Path) -> None:
    cfg = AuditConfig(key_dir=tmp_path)
    raw = public_key_bytes(load_or_create_signing_key(cfg))
    assert len(raw) == 32 and len(key_id(raw)) == 16
    pub_file = tmp_path / "civicam-ed25519.pub"
    assert public_key_bytes(load_public_key(pub_file)) == raw
    assert public_key_bytes(load_public_key(raw)) == raw
    assert public_key_bytes(load_public_key(raw.hex().encode())) == raw
    with pytest.raises(SigningKeyError):
        load_public_key(b"too short")
