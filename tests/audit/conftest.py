"""Fixtures: a site config in a temporary directory with its own key directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicam.audit.keys import load_or_create_signing_key
from civicam.config.audit import AuditConfig
from civicam.store.engine import Database, open_database


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A config file whose database and key live under ``tmp_path``."""
    cfg = tmp_path / "site.yaml"
    cfg.write_text(
        f"storage: {{root: {tmp_path / 'store'}}}\n"
        f"database: {{url: 'sqlite:///{tmp_path / 'index.db'}'}}\n"
        f"audit: {{key_dir: {tmp_path / 'keys'}, sign_every_entries: 1}}\n"
    )
    return cfg


@pytest.fixture
def audit_cfg(tmp_path: Path) -> AuditConfig:
    """The audit section matching :func:`site`."""
    return AuditConfig(key_dir=tmp_path / "keys", sign_every_entries=1)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """The site's database, migrated."""
    database = open_database(f"sqlite:///{tmp_path / 'index.db'}")
    yield database
    database.close()


@pytest.fixture
def key(audit_cfg: AuditConfig) -> Ed25519PrivateKey:
    """The site's signing key."""
    return load_or_create_signing_key(audit_cfg)
