"""One camera's analysis step: frame -> motion -> crops -> detector -> tracker.

Pure apart from the injected detector and clock. The detector runs only on crops
around motion and at most ``max_per_second`` times a second per camera; a frame
whose crops the cap refuses is not shown to the tracker at all, since "not
looked" is not "not there". A frame without motion counts as a miss for open
tracks: a person who stands still long enough ends their event, and moving again
starts a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from civicam.analysis.boxes import Box
from civicam.analysis.crops import TokenBucket, choose_crops, to_frame
from civicam.analysis.detectors.base import Detector
from civicam.analysis.motion import MotionDetector, Polygon
from civicam.analysis.ssd import nms
from civicam.analysis.tracker import Detection, Event, IouTracker
from civicam.analysis.zones import ZoneSet
from civicam.config.analysis import (
    CameraAnalysisConfig,
    DetectionConfig,
    MotionConfig,
    TrackerConfig,
)

#: Boxes of one label from overlapping crops that overlap more than this are one object.
CROSS_CROP_IOU = 0.5


@dataclass
class FrameResult:
    """What one frame produced."""

    motion: list[Box]
    detections: list[Detection]
    ended: list[Event]
    detector_runs: int = 0
    capped: bool = False
    improved: list[tuple[int, int]] = field(default_factory=list)
    """``(track id, index into detections)`` of tracks whose best score rose here."""


@dataclass
class Counters:
    """Running totals for health reporting."""

    frames: int = 0
    motion_frames: int = 0
    detector_runs: int = 0
    capped_frames: int = 0
    events: int = 0
    labels: dict[str, int] = field(default_factory=dict)


class CameraAnalyzer:
    """Analysis state of one camera; feed frames in time order with :meth:`update`."""

    def __init__(
        self,
        camera: CameraAnalysisConfig,
        detector: Detector,
        clock: Callable[[], float],
        motion: MotionConfig | None = None,
        tracker: TrackerConfig | None = None,
        detection: DetectionConfig | None = None,
    ) -> None:
        self.camera = camera.camera
        self.detection = detection or DetectionConfig()
        ignore: list[Polygon] = [list(p) for p in camera.ignore]
        zones: Mapping[str, Polygon] = {k: list(v) for k, v in camera.zones.items()}
        self._motion = MotionDetector((motion or MotionConfig()).params(), ignore)
        self._tracker = IouTracker(
            self.camera, (tracker or TrackerConfig()).params(), ZoneSet(zones) if zones else None
        )
        self._detector = detector
        self._bucket = TokenBucket(
            self.detection.max_per_second, float(self.detection.burst), clock
        )
        self._classes = frozenset(self.detection.classes)
        self.counters = Counters()

    def update(self, t: float, frame: npt.NDArray[np.uint8]) -> FrameResult:
        """Analyse one (H, W, 3) BGR frame taken at ``t`` seconds."""
        self.counters.frames += 1
        motion = self._motion.update(frame)
        h, w = frame.shape[:2]
        # A global change re-seeds the background and so hides any motion in it; when
        # configured, look at the whole frame rather than go blind (e.g. a panning camera).
        looked_at = motion
        if not motion and self._motion.global_change and self.detection.detect_on_global_change:
            looked_at = [(0.0, 0.0, float(w), float(h))]
        if not looked_at:
            return self._finish(FrameResult(motion, [], self._tracker.update(t, [])))
        self.counters.motion_frames += 1
        gap = self.detection.crop_merge_gap
        crops = choose_crops(looked_at, w, h, self._detector.input_size, gap)
        # Largest motion first; never more crops than the bucket could ever grant.
        crops = crops[: int(self._bucket.burst)]
        # All crops of a frame or none: a half-looked frame would make tracks miss.
        if not self._bucket.try_take(len(crops)):
            self.counters.capped_frames += 1
            return self._finish(FrameResult(motion, [], [], capped=True))
        found: list[Detection] = []
        for crop in crops:
            image = frame[crop.y0 : crop.y0 + crop.side, crop.x0 : crop.x0 + crop.side]
            raw = [
                d
                for d in self._detector.detect(image)
                if d.score >= self.detection.min_score and d.label in self._classes
            ]
            if not raw:
                continue
            boxes = to_frame(crop, [d.box for d in raw], normalised=True)
            found += [
                Detection(d.label, d.score, (b[0], b[1], b[2], b[3]))
                for d, b in zip(raw, boxes.tolist(), strict=True)
            ]
        self.counters.detector_runs += len(crops)
        detections = merge_across_crops(found)
        ended = self._tracker.update(t, detections)
        return self._finish(
            FrameResult(
                motion,
                detections,
                ended,
                detector_runs=len(crops),
                improved=list(self._tracker.improved),
            )
        )

    def flush(self) -> list[Event]:
        """End all open events (end of stream)."""
        ended = self._tracker.flush()
        self._count(ended)
        return ended

    def _finish(self, result: FrameResult) -> FrameResult:
        self._count(result.ended)
        return result

    def _count(self, events: Sequence[Event]) -> None:
        self.counters.events += len(events)
        for ev in events:
            self.counters.labels[ev.label] = self.counters.labels.get(ev.label, 0) + 1


def merge_across_crops(detections: Sequence[Detection]) -> list[Detection]:
    """Drop duplicates of one object seen in two overlapping crops (per-label NMS)."""
    out: list[Detection] = []
    for label in sorted({d.label for d in detections}):
        same = [d for d in detections if d.label == label]
        keep = nms([d.box for d in same], [d.score for d in same], CROSS_CROP_IOU)
        out += [same[int(i)] for i in keep]
    return out
