"""Unmask grants, hold status (case, release) and export jobs.

Rows here are the working state; the audit log is the record of who did what.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from civicam.store.engine import Database
from civicam.store.models import Base, Hold

#: Export job states, in order.
EXPORT_STATUSES = ("queued", "running", "ready", "failed")


class UnmaskGrant(Base):
    """A time-limited permission for one user to see one camera unmasked."""

    __tablename__ = "unmask_grants"
    __table_args__ = (Index("ix_unmask_user_camera", "user_name", "camera_id", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id"))
    reason: Mapped[str] = mapped_column(String(500))
    granted_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class HoldStatus(Base):
    """What a hold row lacks: its case reference and, once released, who and why."""

    __tablename__ = "hold_status"

    hold_id: Mapped[int] = mapped_column(ForeignKey("holds.id"), primary_key=True)
    case_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    released_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ExportJob(Base):
    """An export package being built or built (the console's export list)."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cameras: Mapped[str] = mapped_column(Text)  # JSON list of camera ids
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(500))
    recipient: Mapped[str | None] = mapped_column(String(200), nullable=True)
    operator: Mapped[str] = mapped_column(String(200))
    redacted: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)


@dataclass(frozen=True)
class GrantInfo:
    """An unmask grant."""

    id: int
    user: str
    role: str
    camera_id: str
    reason: str
    granted_at: float
    expires_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class ExportInfo:
    """An export job."""

    id: int
    cameras: list[str]
    start: float
    end: float
    reason: str
    recipient: str | None
    operator: str
    redacted: bool
    status: str
    path: str | None
    sha256: str | None
    error: str | None
    created_at: float
    finished_at: float | None


@dataclass(frozen=True)
class HoldDetail:
    """A hold with its case reference and release, for listings."""

    id: int
    camera_id: str
    start: float
    end: float
    reason: str
    created_by: str
    created_at: float
    case: str | None
    released_at: float | None
    released_by: str | None
    release_reason: str | None


def hold_details(db: Database, *, include_released: bool = True) -> list[HoldDetail]:
    """Every hold, oldest first, with case and release (released ones only if asked)."""
    stmt = (
        select(Hold, HoldStatus)
        .outerjoin(HoldStatus, HoldStatus.hold_id == Hold.id)
        .order_by(Hold.id)
    )
    if not include_released:
        stmt = stmt.where(HoldStatus.released_at.is_(None))
    with db.read() as session:
        out = []
        for hold, status in session.execute(stmt).all():
            out.append(
                HoldDetail(
                    hold.id,
                    hold.camera_id,
                    hold.start_ts,
                    hold.end_ts,
                    hold.reason,
                    hold.created_by,
                    hold.created_at,
                    status.case_ref if status else None,
                    status.released_at if status else None,
                    status.released_by if status else None,
                    status.release_reason if status else None,
                )
            )
        return out


def _grant(row: UnmaskGrant) -> GrantInfo:
    return GrantInfo(
        row.id,
        row.user_name,
        row.role,
        row.camera_id,
        row.reason,
        row.granted_at,
        row.expires_at,
        row.revoked_at,
    )


def add_grant_in(
    session: Session,
    *,
    user: str,
    role: str,
    camera_id: str,
    reason: str,
    granted_at: float,
    expires_at: float,
) -> GrantInfo:
    """Store a grant within the caller's transaction (the caller checked privilege and limits)."""
    row = UnmaskGrant(
        user_name=user,
        role=role,
        camera_id=camera_id,
        reason=reason,
        granted_at=granted_at,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return _grant(row)


def revoke_grants_in(session: Session, user: str, camera_id: str, at: float) -> int:
    """End every grant of ``user`` on ``camera_id`` at ``at``; returns how many were in force."""
    rows = session.scalars(
        select(UnmaskGrant).where(
            UnmaskGrant.user_name == user,
            UnmaskGrant.camera_id == camera_id,
            UnmaskGrant.expires_at > at,
            UnmaskGrant.revoked_at.is_(None),
        )
    ).all()
    for row in rows:
        row.revoked_at = at
    return len(rows)


def active_grants(db: Database, user: str, camera_id: str | None, at: float) -> list[GrantInfo]:
    """Grants of ``user`` (for ``camera_id`` when given) in force at ``at``."""
    stmt = select(UnmaskGrant).where(
        UnmaskGrant.user_name == user,
        UnmaskGrant.granted_at <= at,
        UnmaskGrant.expires_at > at,
        UnmaskGrant.revoked_at.is_(None),
    )
    if camera_id is not None:
        stmt = stmt.where(UnmaskGrant.camera_id == camera_id)
    with db.read() as session:
        return [_grant(r) for r in session.scalars(stmt.order_by(UnmaskGrant.id))]


def grants(db: Database, since: float | None = None) -> list[GrantInfo]:
    """Every grant (granted at or after ``since``), oldest first."""
    stmt = select(UnmaskGrant).order_by(UnmaskGrant.id)
    if since is not None:
        stmt = stmt.where(UnmaskGrant.granted_at >= since)
    with db.read() as session:
        return [_grant(r) for r in session.scalars(stmt)]


# -- export jobs --------------------------------------------------------------------------


def _export(row: ExportJob) -> ExportInfo:
    return ExportInfo(
        row.id,
        list(json.loads(row.cameras)),
        row.start_ts,
        row.end_ts,
        row.reason,
        row.recipient,
        row.operator,
        row.redacted,
        row.status,
        row.path,
        row.sha256,
        row.error,
        row.created_at,
        row.finished_at,
    )


def create_export(
    db: Database,
    *,
    cameras: list[str],
    start: float,
    end: float,
    reason: str,
    recipient: str | None,
    operator: str,
    redacted: bool,
    path: str | None = None,
) -> ExportInfo:
    """A queued export job."""
    with db.write() as session:
        row = ExportJob(
            cameras=json.dumps(list(cameras)),
            start_ts=start,
            end_ts=end,
            reason=reason,
            recipient=recipient,
            operator=operator,
            redacted=redacted,
            status="queued",
            path=path,
            created_at=time.time(),
        )
        session.add(row)
        session.flush()
        return _export(row)


def update_export(
    db: Database,
    export_id: int,
    *,
    status: str,
    path: str | None = None,
    sha256: str | None = None,
    error: str | None = None,
) -> ExportInfo:
    """Move a job to ``status`` (finished states stamp the finish time)."""
    if status not in EXPORT_STATUSES:
        raise ValueError(f"export status must be one of {', '.join(EXPORT_STATUSES)}")
    with db.write() as session:
        row = session.get(ExportJob, export_id)
        if row is None:
            raise KeyError(f"no export {export_id}")
        row.status = status
        if path is not None:
            row.path = path
        if sha256 is not None:
            row.sha256 = sha256
        if error is not None:
            row.error = error[:500]
        if status in ("ready", "failed"):
            row.finished_at = time.time()
        session.flush()
        return _export(row)


def get_export(db: Database, export_id: int) -> ExportInfo | None:
    """One export job."""
    with db.read() as session:
        row = session.get(ExportJob, export_id)
        return None if row is None else _export(row)


def list_exports(db: Database, *, limit: int = 100) -> list[ExportInfo]:
    """The newest export jobs first (at most ``limit``, capped at 1000)."""
    stmt = select(ExportJob).order_by(ExportJob.id.desc()).limit(max(1, min(limit, 1000)))
    with db.read() as session:
        return [_export(r) for r in session.scalars(stmt)]
