"""Writing console acts to the audit log (``civicam.audit.log``)."""

from __future__ import annotations

from typing import Any

from civicam.audit import log as audit_log
from civicam.store.engine import Database


def record_audit(
    db: Database,
    *,
    actor: str,
    action: str,
    role: str | None,
    at: float,
    camera: str | None = None,
    start: float | None = None,
    end: float | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry; the acting user's role always goes into ``details``."""
    merged: dict[str, Any] = {"role": role}
    if details:
        merged.update(details)
    audit_log.record(
        db,
        actor=actor[:200],
        action=action,
        camera=camera,
        start=start,
        end=end,
        reason=reason,
        details=merged,
        at=at,
    )
