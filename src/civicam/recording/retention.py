"""Retention: which segments to delete (pure), and deleting them (I/O).

Age first (per-camera days), then the disk budget (bytes and minimum free space),
oldest unheld footage first. Held footage is never chosen; every deletion is logged.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from civicam.audit.actions import RETENTION_DELETE, SYSTEM_RETENTION
from civicam.audit.log import record
from civicam.store.engine import Database
from civicam.store.events import delete_events, expired_events
from civicam.store.index import HoldInfo, SegmentInfo, delete_segment_row, holds, segments

DAY = 86_400.0


@dataclass(frozen=True)
class Budget:
    """The disk budget: at most ``max_bytes`` of segments, at least ``min_free`` free."""

    max_bytes: int | None
    min_free: int
    free_bytes: int


def is_held(seg: SegmentInfo, all_holds: Iterable[HoldInfo]) -> bool:
    """Whether any hold overlaps the segment."""
    return any(
        h.camera_id == seg.camera_id and h.start < seg.end and seg.start < h.end for h in all_holds
    )


def plan_deletions(
    segs: list[SegmentInfo],
    all_holds: list[HoldInfo],
    retention_days: dict[str, float],
    budget: Budget,
    now: float,
) -> list[tuple[SegmentInfo, str]]:
    """Segments to delete with the reason, in deletion order (pure)."""
    unheld = sorted(
        (s for s in segs if not is_held(s, all_holds)), key=lambda s: (s.end, s.camera_id)
    )
    chosen: list[tuple[SegmentInfo, str]] = []
    taken: set[tuple[str, str]] = set()
    for seg in unheld:
        days = retention_days.get(seg.camera_id)
        if days is not None and seg.end < now - days * DAY:
            chosen.append((seg, "retention period"))
            taken.add((seg.camera_id, seg.path))
    freed = sum(s.bytes for s, _ in chosen)
    total = sum(s.bytes for s in segs) - freed
    need = 0
    if budget.max_bytes is not None:
        need = max(need, total - budget.max_bytes)
    need = max(need, budget.min_free - (budget.free_bytes + freed))
    for seg in unheld:
        if need <= 0:
            break
        if (seg.camera_id, seg.path) in taken:
            continue
        chosen.append((seg, "disk budget"))
        need -= seg.bytes
    return chosen


def run_retention(
    root: Path,
    db: Database,
    retention_days: dict[str, float],
    max_bytes: int | None,
    min_free: int,
    now: float | None = None,
) -> list[tuple[SegmentInfo, str]]:
    """Delete what :func:`plan_deletions` chooses; file first, then index row and log."""
    root.mkdir(parents=True, exist_ok=True)
    budget = Budget(max_bytes, min_free, shutil.disk_usage(root).free)
    plan = plan_deletions(
        segments(db), holds(db), retention_days, budget, time.time() if now is None else now
    )
    for seg, reason in plan:
        # A crash between these two steps leaves a row whose file is gone; the next
        # reconciliation marks it missing, so nothing is silently lost from the record.
        (root / seg.path).unlink(missing_ok=True)
        delete_segment_row(db, seg, reason)
        record(
            db,
            actor=SYSTEM_RETENTION,
            action=RETENTION_DELETE,
            camera=seg.camera_id,
            start=seg.start,
            end=seg.end,
            reason=reason,
            details={
                "path": seg.path,
                "sha256": seg.sha256,
                "bytes": seg.bytes,
                "policy": reason,
                "retention_days": retention_days.get(seg.camera_id),
                "max_bytes": max_bytes,
                "min_free_bytes": min_free,
            },
        )
    return plan


#: Events deleted per transaction by event retention.
EVENT_BATCH = 10_000


def run_event_retention(
    root: Path,
    db: Database,
    retention_days: dict[str, float],
    now: float | None = None,
) -> dict[str, int]:
    """Delete events (and their snapshots) older than their camera's retention.

    Events inside a held range are kept, as their footage is. One audit entry per
    camera and run states how many went, over which span, under which policy.
    Returns the number deleted per camera.
    """
    now = time.time() if now is None else now
    all_holds = holds(db)
    deleted: dict[str, int] = {}
    for camera_id, days in sorted(retention_days.items()):
        cutoff = now - days * DAY
        camera_holds = [h for h in all_holds if h.camera_id == camera_id]
        gone: list[tuple[int, float, float, str | None]] = []
        cursor: tuple[float, int] | None = None
        while True:
            found = expired_events(db, camera_id, cutoff, after=cursor, limit=EVENT_BATCH)
            if not found:
                break
            cursor = (found[-1][1], found[-1][0])
            batch = [
                ev
                for ev in found
                if not any(h.start < ev[2] and ev[1] < h.end for h in camera_holds)
            ]
            for _, _, _, snapshot in batch:
                if snapshot is not None:
                    # Snapshot paths come from the index, built by recording.paths.
                    (root / snapshot).unlink(missing_ok=True)
            delete_events(db, [ev[0] for ev in batch])
            gone += batch
            if len(found) < EVENT_BATCH:
                break
        if not gone:
            continue
        deleted[camera_id] = len(gone)
        record(
            db,
            actor=SYSTEM_RETENTION,
            action=RETENTION_DELETE,
            camera=camera_id,
            start=min(ev[1] for ev in gone),
            end=max(ev[2] for ev in gone),
            reason="age",
            details={
                "kind": "events",
                "events": len(gone),
                "snapshots": sum(1 for ev in gone if ev[3] is not None),
                "policy": "age",
                "retention_days": days,
            },
        )
    return deleted
