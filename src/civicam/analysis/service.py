"""Running analysis for cameras: frames in, stored events and redacted snapshots out.

An :class:`AnalysisWorker` owns one camera's :class:`CameraAnalyzer` and stores the
events it ends, each with a snapshot redacted before it is written. Live cameras
feed workers through :mod:`civicam.analysis.live`; files through ``civicam detect``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from civicam.analysis.boxes import Box
from civicam.analysis.detectors.base import Detector
from civicam.analysis.pipeline import CameraAnalyzer, FrameResult
from civicam.analysis.snapshots import render_snapshot
from civicam.analysis.tracker import Detection, Event
from civicam.config.analysis import AnalysisConfig, CameraAnalysisConfig
from civicam.privacy.persons import REDACTED_LABELS, find_people, square_tiles
from civicam.recording.paths import snapshot_path, snapshot_relpath
from civicam.store.engine import Database
from civicam.store.events import EventRow, NewEvent, add_events_in
from civicam.store.files import write_atomically

log = logging.getLogger(__name__)
Frame = npt.NDArray[np.uint8]
#: Score at which a person found by the snapshot's full-frame pass is blurred: well
#: below the detection threshold, since blurring a shadow costs nothing.
REDACT_THRESHOLD = 0.2


class EventSink(Protocol):
    """Where ended events go."""

    def store(self, event: Event, snapshot: bytes | None) -> int | None:
        """Keep ``event`` (and its redacted JPEG); returns its id when it has one."""
        ...


@dataclass
class MemoryEventSink:
    """Keeps events in a list (offline runs and tests)."""

    events: list[Event] = field(default_factory=list)
    snapshots: list[bytes | None] = field(default_factory=list)

    def store(self, event: Event, snapshot: bytes | None) -> int | None:
        """Append the event; ids are 1-based positions."""
        self.events.append(event)
        self.snapshots.append(snapshot)
        return len(self.events)


class DatabaseEventSink:
    """Stores events in the index and their snapshots under the storage root."""

    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.root = root

    def store(self, event: Event, snapshot: bytes | None) -> int | None:
        """Insert the event, write its snapshot atomically, then point the row at it."""
        new = NewEvent(
            camera_id=event.camera,
            label=event.label,
            start=event.start,
            end=event.end,
            peak_score=event.peak_score,
            zones=event.zones,
            track=tuple((p.t, *p.box) for p in event.track),
        )
        with self.db.write() as session:
            (event_id,) = add_events_in(session, [new])
            if snapshot is not None:
                try:
                    write_atomically(snapshot_path(self.root, event.camera, event_id), snapshot)
                except OSError as exc:
                    # A full disk loses the picture, never the event.
                    log.warning("camera %s: snapshot not written: %s", event.camera, exc)
                else:
                    row = session.get(EventRow, event_id)
                    assert row is not None
                    row.snapshot = snapshot_relpath(event.camera, event_id)
        return event_id


@dataclass
class _Peak:
    frame: Frame
    detections: list[Detection]
    index: int


@dataclass
class WorkerStats:
    """Counters of one camera's analysis."""

    analysed: int = 0
    events: int = 0
    busy_seconds: float = 0.0


class AnalysisWorker:
    """One camera's analysis: feed frames in time order to :meth:`process`."""

    def __init__(
        self,
        camera: CameraAnalysisConfig,
        cfg: AnalysisConfig,
        detector: Detector,
        sink: EventSink,
        *,
        mask: Callable[[Frame], Frame] | None = None,
    ) -> None:
        self.camera_id = camera.camera
        self.cfg = cfg
        self._now = 0.0
        self.analyzer = CameraAnalyzer(
            camera,
            detector,
            lambda: self._now,  # the detector cap counts stream seconds, not CPU seconds
            motion=cfg.motion,
            tracker=cfg.tracker,
            detection=cfg.detection,
        )
        self.detector = detector
        self.sink = sink
        self.mask = mask
        self.stats = WorkerStats()
        self._peaks: dict[int, _Peak] = {}

    def process(self, t: float, frame: Frame) -> FrameResult:
        """Analyse one frame now; ended events are stored before this returns."""
        began = time.perf_counter()
        self._now = t
        result = self.analyzer.update(t, frame)
        self.stats.analysed += 1
        for track_id, index in result.improved:
            self._peaks[track_id] = _Peak(frame, result.detections, index)
        for event in result.ended:
            self._store(event)
        self.stats.busy_seconds += time.perf_counter() - began
        return result

    def flush(self) -> None:
        """End and store every open event (end of stream, shutdown)."""
        for event in self.analyzer.flush():
            self._store(event)

    def _store(self, event: Event) -> None:
        peak = self._peaks.pop(event.track_id, None)
        snapshot: bytes | None = None
        if peak is not None:
            try:
                snapshot = self._snapshot(peak)
            except Exception:  # a snapshot failure must not lose the event
                log.exception("camera %s: snapshot failed", self.camera_id)
        try:
            self.sink.store(event, snapshot)
            self.stats.events += 1
        except Exception:
            log.exception("camera %s: event not stored", self.camera_id)

    def _snapshot(self, peak: _Peak) -> bytes:
        frame = peak.frame
        redact: list[Box] = [d.box for d in peak.detections if d.label in REDACTED_LABELS]
        # The whole frame and overlapping square tiles at a low threshold: this also
        # finds people the motion crops never looked at, and small ones far away.
        h, w = frame.shape[:2]
        redact += find_people(
            self.detector, frame, min_score=REDACT_THRESHOLD, windows=square_tiles(w, h)
        )
        subject = peak.detections[peak.index].box
        return render_snapshot(
            frame, redact, subject=subject, mask=self.mask, quality=self.cfg.snapshot_quality
        )


def camera_settings(cfg: AnalysisConfig, camera_id: str) -> CameraAnalysisConfig:
    """The camera's zones and masks from the config, or none configured."""
    for cam in cfg.cameras:
        if cam.camera == camera_id:
            return cam
    return CameraAnalysisConfig(camera=camera_id)


def analyse_frames(
    frames: Iterable[tuple[float, Frame]], worker: AnalysisWorker
) -> list[tuple[float, FrameResult]]:
    """Run ``worker`` over ``(t, frame)`` pairs in order, then flush; the per-frame results."""
    out: list[tuple[float, FrameResult]] = []
    for t, frame in frames:
        out.append((t, worker.process(t, frame)))
    worker.flush()
    return out
