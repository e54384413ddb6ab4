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
