"""Start-up reconciliation of the segment index with the disk, both ways.

Files on disk but not in the index are cut back to their last complete fragment
and indexed, or moved to quarantine when unreadable; index rows whose files
vanished are marked missing. Run it before recorders start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import av
import av.error

from civicam.recording.mp4 import scan_boxes
from civicam.recording.paths import QUARANTINE_DIR, parse_relpath, quarantine_relpath
from civicam.recording.writer import sha256_file
from civicam.store.engine import Database
from civicam.store.index import SegmentInfo, add_segment, indexed_paths, mark_missing


@dataclass
class ReconcileReport:
    """What reconciliation did."""

    indexed: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Probe:
    """Duration and keyframes of a segment file."""

    duration: float
    keyframes: int
    packets: int


def probe_segment(path: Path) -> Probe | None:
    """Demux a segment; ``None`` when it holds no readable video."""
    try:
        with av.open(str(path), "r") as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            tb = float(stream.time_base or 0) or 1 / 90_000
            first: int | None = None
            last_end = 0
            keys = packets = 0
            for pkt in container.demux(stream):
                if pkt.size == 0 or pkt.pts is None:
                    continue
                packets += 1
                keys += bool(pkt.is_keyframe)
                first = pkt.pts if first is None else min(first, pkt.pts)
                last_end = max(last_end, pkt.pts + (pkt.duration or 0))
    except (av.error.FFmpegError, OSError):
        return None
    if packets == 0 or first is None:
        return None
    return Probe(duration=(last_end - first) * tb, keyframes=keys, packets=packets)


def _segment_files(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:1] == (QUARANTINE_DIR,):
            dirnames.clear()
            continue
        out.extend((rel_dir / name).as_posix() for name in filenames if name.endswith(".mp4"))
    return sorted(out)


def _quarantine(root: Path, rel: str) -> None:
    target = root / quarantine_relpath(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    (root / rel).replace(target)


def reconcile(root: Path, db: Database, known_cameras: set[str]) -> ReconcileReport:
    """Bring index and disk into agreement; returns what changed."""
    report = ReconcileReport()
    indexed = indexed_paths(db)
    on_disk = set(_segment_files(root)) if root.exists() else set()
    for rel in sorted(on_disk - indexed.keys()):
        parsed = parse_relpath(rel)
        if parsed is None or parsed[0] not in known_cameras:
            report.ignored.append(rel)  # not ours: leave it alone
            continue
        camera_id, start = parsed
        path = root / rel
        size = path.stat().st_size
        with path.open("rb") as f:
            scan = scan_boxes(f, size)
        if scan.fragments == 0:
            _quarantine(root, rel)
            report.quarantined.append(rel)
            continue
        if scan.valid_bytes < size:
            os.truncate(path, scan.valid_bytes)
            report.truncated.append(rel)
        probe = probe_segment(path)
        if probe is None:
            _quarantine(root, rel)
            report.quarantined.append(rel)
            continue
        add_segment(
            db,
            SegmentInfo(
                camera_id,
                start,
                start + probe.duration,
                rel,
                path.stat().st_size,
                sha256_file(path),
                probe.keyframes,
            ),
        )
        report.indexed.append(rel)
    vanished = [rel for rel, seg in indexed.items() if seg.status == "ok" and rel not in on_disk]
    mark_missing(db, vanished)
    report.missing.extend(vanished)
    return report
