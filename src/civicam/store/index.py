"""The segment index: segments, gaps, holds and the deletion log."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicam.audit.actions import SEGMENT_RECORDED, SYSTEM_RECORDER
from civicam.audit.log import record_in
from civicam.store.engine import Database
from civicam.store.models import Deletion, Gap, Hold, Segment
from civicam.store.privacy import HoldStatus


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
        changed = existing is None or existing.sha256 != seg.sha256
        row.start_ts, row.end_ts, row.bytes = seg.start, seg.end, seg.bytes
        row.sha256, row.keyframes, row.status = seg.sha256, seg.keyframes, seg.status
        session.add(row)
        if changed:
            # The segment's hash enters the audit log in the same transaction, so its
            # existence at this time can later be proven (and its deletion checked).
            record_in(
                session,
                actor=SYSTEM_RECORDER,
                action=SEGMENT_RECORDED,
                camera=seg.camera_id,
                start=seg.start,
                end=seg.end,
                details={"path": seg.path, "sha256": seg.sha256, "bytes": seg.bytes},
            )


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


def segment_spans(
    db: Database, camera_id: str, start: float | None = None, end: float | None = None
) -> list[tuple[float, float, str]]:
    """``(start, end, path)`` of a camera's ok segments overlapping [start, end], oldest first.

    Columns only, no ORM objects: a camera-day is thousands of rows (timelines, playlists).
    """
    stmt = (
        select(Segment.start_ts, Segment.end_ts, Segment.path)
        .where(Segment.camera_id == camera_id, Segment.status == "ok")
        .order_by(Segment.start_ts)
    )
    if start is not None:
        stmt = stmt.where(Segment.end_ts > start)
    if end is not None:
        stmt = stmt.where(Segment.start_ts < end)
    with db.read() as session:
        return [(float(a), float(b), str(p)) for a, b, p in session.execute(stmt)]


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
    db: Database,
    camera_id: str,
    start: float,
    end: float,
    reason: str,
    created_by: str,
    *,
    case: str | None = None,
) -> int:
    """Create a hold (with an optional case reference); the caller must have checked
    that ``created_by`` may."""
    with db.write() as session:
        return add_hold_in(session, camera_id, start, end, reason, created_by, case=case)


def add_hold_in(
    session: Session,
    camera_id: str,
    start: float,
    end: float,
    reason: str,
    created_by: str,
    *,
    case: str | None = None,
) -> int:
    """:func:`add_hold` within the caller's transaction (so its audit entry commits with it)."""
    if end <= start:
        raise ValueError("hold must end after it starts")
    if not reason.strip() or not created_by.strip():
        raise ValueError("hold needs a reason and who created it")
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
    if case is not None and case.strip():
        session.add(HoldStatus(hold_id=row.id, case_ref=case.strip()[:200]))
    return int(row.id)


def holds(db: Database, *, include_released: bool = False) -> list[HoldInfo]:
    """Holds in force (and released ones too when ``include_released``)."""
    stmt = select(Hold).order_by(Hold.id)
    if not include_released:
        released = select(HoldStatus.hold_id).where(HoldStatus.released_at.is_not(None))
        stmt = stmt.where(Hold.id.not_in(released))
    with db.read() as session:
        return [
            HoldInfo(r.id, r.camera_id, r.start_ts, r.end_ts, r.reason, r.created_by)
            for r in session.scalars(stmt)
        ]


def release_hold(
    db: Database, hold_id: int, released_by: str, reason: str, *, at: float | None = None
) -> HoldInfo:
    """Release a hold: retention may delete its footage again. The row is kept.

    Raises ``KeyError`` for an unknown hold and ``ValueError`` for one already released
    or a missing reason; the caller must have checked that ``released_by`` may.
    """
    with db.write() as session:
        return release_hold_in(session, hold_id, released_by, reason, at=at)


def release_hold_in(
    session: Session, hold_id: int, released_by: str, reason: str, *, at: float | None = None
) -> HoldInfo:
    """:func:`release_hold` within the caller's transaction."""
    if not reason.strip() or not released_by.strip():
        raise ValueError("releasing a hold needs a reason and who released it")
    row = session.get(Hold, hold_id)
    if row is None:
        raise KeyError(f"no hold {hold_id}")
    status = session.get(HoldStatus, hold_id) or HoldStatus(hold_id=hold_id)
    if status.released_at is not None:
        raise ValueError(f"hold {hold_id} was already released")
    status.released_at = time.time() if at is None else at
    status.released_by = released_by[:200]
    status.release_reason = reason[:500]
    session.add(status)
    session.flush()
    return HoldInfo(row.id, row.camera_id, row.start_ts, row.end_ts, row.reason, row.created_by)


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
