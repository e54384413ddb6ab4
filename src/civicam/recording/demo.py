"""The recording part of ``civicam demo``: a few cameras looping bundled footage."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from civicam.config.recording import (
    CameraConfig,
    DatabaseConfig,
    RecorderFileConfig,
    RecordingConfig,
    StorageConfig,
)
from civicam.recording.footage import bikes_mp4
from civicam.recording.reconcile import probe_segment
from civicam.recording.service import open_store, run_recording
from civicam.store.index import gaps, segments

DEMO_CAMERAS = (
    ("market-square", "Market square", "Safety of the weekly market"),
    ("harbour-gate", "Harbour gate", "Traffic flow at the harbour gate"),
    ("library-steps", "Library steps", "Vandalism prevention at the library"),
)


@dataclass(frozen=True)
class DemoResult:
    """What the demo recorded."""

    cameras: int
    segments: int
    seconds_recorded: float
    bytes: int
    gaps: int


def run_recording_demo(
    out_dir: Path, console: Console, seconds: float = 8.0, segment_seconds: float = 2.0
) -> DemoResult:
    """Record the demo cameras for ``seconds`` into ``out_dir`` and print their segments."""
    clip = bikes_mp4()
    cfg = RecorderFileConfig(
        storage=StorageConfig(root=out_dir / "recordings", min_free_bytes=0),
        database=DatabaseConfig(),
        recording=RecordingConfig(segment_seconds=segment_seconds),
        cameras=[
            CameraConfig(
                id=cam_id,
                name=name,
                url=f"file://{clip}",
                purpose=purpose,
                owner="civicam demo",
                retention_days=1,
            )
            for cam_id, name, purpose in DEMO_CAMERAS
        ],
    )
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.daemon = True
    timer.start()
    console.print(
        f"Recording {len(DEMO_CAMERAS)} demo cameras (looping bikes.mp4, remuxed without "
        f"re-encoding) for {seconds:.0f} s into {cfg.storage.root} ...",
        markup=False,
    )
    run_recording(cfg, stop, status_interval=0.5)
    db = open_store(cfg, register=False)
    try:
        table = Table(title="Recorded segments (fMP4, start on keyframes, SHA-256 indexed)")
        for col in ("camera", "start (UTC)", "seconds", "kB", "frames", "sha256"):
            table.add_column(col)
        total_segments = total_bytes = total_gaps = 0
        total_seconds = 0.0
        for cam_id, _, _ in DEMO_CAMERAS:
            for seg in segments(db, cam_id):
                probe = probe_segment(cfg.storage.root / seg.path)
                table.add_row(
                    cam_id,
                    seg.path.rsplit("/", 1)[-1].removesuffix(".mp4"),
                    f"{seg.end - seg.start:.2f}",
                    f"{seg.bytes / 1000:.0f}",
                    str(probe.packets if probe else "unreadable"),
                    seg.sha256[:12],
                )
                total_segments += 1
                total_bytes += seg.bytes
                total_seconds += seg.end - seg.start
            total_gaps += len(gaps(db, cam_id))
        console.print(table)
    finally:
        db.close()
    return DemoResult(len(DEMO_CAMERAS), total_segments, total_seconds, total_bytes, total_gaps)
