"""Audit settings: the tamper-evident log and its signing key."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from civicam.config.base import Section


class AuditConfig(Section):
    """The audit log and the per-installation signing key kept outside the database."""

    key_dir: Path | None = Field(
        None,
        description="Directory of the installation's Ed25519 signing key (created at first "
        "use, mode 0600); default: the user's config directory, never the database.",
    )
    sign_every_entries: int = Field(
        1000,
        ge=1,
        le=10_000_000,
        description="Sign a tree head once this many entries are not yet covered by one.",
    )
    sign_every_seconds: float = Field(
        300.0,
        gt=0,
        le=86_400,
        description="Sign a tree head at least this often while unsigned entries exist.",
    )
