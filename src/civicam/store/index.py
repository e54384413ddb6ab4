"""The segment index: segments, gaps, holds and the deletion log."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select

from civicam.store.engine import Database
from civicam.store.models import Deletion, Gap, Hold, Segment


@dataclass(frozen=True)
class SegmentInfo:
    """A closed segment (path relative to the storage root)."""

    camera_id: str
    start: float
    end: float
    path: str
    bytes: int
    sha256: str
    keyframes: int
    status: str = "ok"


@dataclass(frozen=True)
class GapInfo:
    """An interruption of a camera's record."""

    camera_id: str
    start: float
    end: float
    reason: str


@dataclass(frozen=True)
class HoldInfo:
    """A hold: footage in [start, end] of a camera is never deleted."""

    id: int
    camera_id: str
    start: float
    end: float
    reason: str
    created_by: str


def _seg(row: Segment) -> SegmentInfo:
    return SegmentInfo(
        row.camera_id,
        row.start_ts,
        row.end_ts,
        row.path,
        row.bytes,
        row.sha256,
        row.keyframes,
        row.status,
    )


def add_segment(db: Database, seg: SegmentInfo) -> None:
    """Index a closed segment (idempotent on camera and path)."""
    with db.write() as session:
        existing = session.scalars(
            select(Segment).where(Segment.camera_id == seg.camera_id, Segment.path == seg.path)
        ).first()
        row = existing or Segment(camera_id=seg.camera_id, path=seg.path)
        row.start_ts, row.end_ts, row.bytes = seg.start, seg.end, seg.bytes
        row.sha256, row.keyframes, row.status = seg.sha256, seg.keyframes, seg.status
        session.add(row)


def add_gap(db: Database, gap: GapInfo) -> None:
    """Record an interruption."""
    with db.write() as session:
        session.add(
            Gap(
                camera_id=gap.camera_id, start_ts=gap.start, end_ts=gap.end, reason=gap.reason[:300]
            )
        )


def segments(
    db: Database,
    camera_id: str | None = None,
    start: float | None = None,
    end: float | None = None,
    *,
    include_missing: bool = False,
) -> list[SegmentInfo]:
    """Segments overlapping [start, end], oldest first."""
    stmt = select(Segment).order_by(Segment.start_ts, Segment.camera_id)
    if camera_id is not None:
        stmt = stmt.where(Segment.camera_id == camera_id)
    if start is not None:
        stmt = stmt.where(Segment.end_ts > start)
    if end is not None:
        stmt = stmt.where(Segment.start_ts < end)
    if not include_missing:
        stmt = stmt.where(Segment.status == "ok")
    with db.read() as session:
        return [_seg(r) for r in session.scalars(stmt)]


def gaps(
    db: Database, camera_id: str, start: float | None = None, end: float | None = None
) -> list[GapInfo]:
    """Gaps of a camera overlapping [start, end], oldest first."""
    stmt = select(Gap).where(Gap.camera_id == camera_id).order_by(Gap.start_ts)
    if start is not None:
        stmt = stmt.where(Gap.end_ts > start)
    if end is not None:
        stmt = stmt.where(Gap.start_ts < end)
    with db.read() as session:
        return [GapInfo(r.camera_id, r.start_ts, r.end_ts, r.reason) for r in session.scalars(stmt)]


def last_segment_end(db: Database, camera_id: str) -> float | None:
    """End of the camera's newest indexed segment."""
    with db.read() as session:
        value = session.scalar(
            select(func.max(Segment.end_ts)).where(Segment.camera_id == camera_id)
        )
        return None if value is None else float(value)


def indexed_paths(db: Database) -> dict[str, SegmentInfo]:
    """Every indexed segment (any status) by relative path."""
    with db.read() as session:
        return {r.path: _seg(r) for r in session.scalars(select(Segment))}


def mark_missing(db: Database, paths: list[str]) -> None:
    """Mark index rows whose files vanished."""
    if not paths:
        return
    with db.write() as session:
        for row in session.scalars(select(Segment).where(Segment.path.in_(paths))):
            row.status = "missing"


def add_hold(
    db: Database, camera_id: str, start: float, end: float, reason: str, created_by: str
) -> int:
    """Create a hold; the caller must have checked that ``created_by`` may."""
    if end <= start:
        raise ValueError("hold must end after it starts")
    if not reason.strip() or not created_by.strip():
        raise ValueError("hold needs a reason and who created it")
    with db.write() as session:
        row = Hold(
            camera_id=camera_id,
            start_ts=start,
            end_ts=end,
            reason=reason,
            created_by=created_by,
            created_at=time.time(),
        )
        session.add(row)
        session.flush()
        return int(row.id)


def holds(db: Database) -> list[HoldInfo]:
    """All holds."""
    with db.read() as session:
        return [
            HoldInfo(r.id, r.camera_id, r.start_ts, r.end_ts, r.reason, r.created_by)
            for r in session.scalars(select(Hold).order_by(Hold.id))
        ]


def delete_segment_row(db: Database, seg: SegmentInfo, reason: str) -> None:
    """Remove a segment from the index and log the deletion, in one transaction."""
    with db.write() as session:
        for row in session.scalars(
            select(Segment).where(Segment.camera_id == seg.camera_id, Segment.path == seg.path)
        ):
            session.delete(row)
        session.add(
            Deletion(
                camera_id=seg.camera_id,
                path=seg.path,
                start_ts=seg.start,
                end_ts=seg.end,
                bytes=seg.bytes,
                sha256=seg.sha256,
                reason=reason,
                deleted_at=time.time(),
            )
        )


def deletion_count(db: Database) -> int:
    """How many deletions are logged."""
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Deletion)) or 0)
