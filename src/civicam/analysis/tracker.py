"""Per-camera IoU tracker that turns detections into one event per object.

Deliberately simple: detections are matched to tracks of the same label by the
overlap of boxes (each track's box moved on by its last velocity), greedily from
the highest IoU. There are no appearance features and nothing is shared between
cameras: each camera's tracks live and end within that camera. A track
that goes unmatched for more than ``max_missed`` frames ends, so a long occlusion
splits a walk-through into two events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from civicam.analysis.boxes import Box, iou_matrix
from civicam.analysis.zones import ZoneSet


@dataclass(frozen=True)
class Detection:
    """One detector output in frame pixels."""

    label: str
    score: float
    box: Box


@dataclass(frozen=True)
class TrackPoint:
    """Where an object was at time ``t`` (box rounded to whole pixels)."""

    t: float
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class Event:
    """One object's pass through one camera's view."""

    camera: str
    label: str
    zones: tuple[str, ...]
    start: float
    end: float
    peak_score: float
    track: tuple[TrackPoint, ...]
    track_id: int = 0
    """The camera-local track number (only to pair the event with its snapshot)."""


@dataclass(frozen=True)
class TrackerParams:
    """Tracker settings (validated by :class:`civicam.config.analysis.TrackerConfig`)."""

    iou_threshold: float = 0.3
    """Smallest IoU between a track's predicted box and a detection to match them."""
    max_missed: int = 10
    """Frames a track may go unmatched before its event ends."""
    max_track_points: int = 64
    """Most points kept in an event's box track (thinned evenly beyond that)."""


@dataclass
class _Track:
    id: int
    label: str
    start: float
    last_t: float
    box: Box
    velocity: tuple[float, float] = (0.0, 0.0)  # pixels per second
    peak: float = 0.0
    missed: int = 0
    zones: list[str] = field(default_factory=list)
    points: list[TrackPoint] = field(default_factory=list)
    stride: int = 1
    seen: int = 0

    def predicted(self, t: float) -> Box:
        # Coast at the last velocity through missed (or unlooked) frames, so an object
        # that walks on behind a pillar is still met where it reappears.
        dt = max(0.0, t - self.last_t)
        dx, dy = self.velocity[0] * dt, self.velocity[1] * dt
        x0, y0, x1, y1 = self.box
        return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)

    def add(self, t: float, det: Detection, zones: Sequence[str], max_points: int) -> bool:
        """Take a sighting; True when it is the track's best score so far."""
        improved = det.score > self.peak
        if self.seen and t > self.last_t:
            # Velocity in pixels per second, so gaps of any length extrapolate alike.
            dt = t - self.last_t
            self.velocity = ((det.box[0] - self.box[0]) / dt, (det.box[1] - self.box[1]) / dt)
        self.box = det.box
        self.last_t = t
        self.missed = 0
        self.peak = max(self.peak, det.score)
        self.zones.extend(z for z in zones if z not in self.zones)
        # Keep every stride-th observation; when full, halve the points and double
        # the stride, so long tracks stay compact and evenly sampled.
        if self.seen % self.stride == 0:
            rounded = tuple(round(v) for v in det.box)
            self.points.append(TrackPoint(t, (rounded[0], rounded[1], rounded[2], rounded[3])))
            if len(self.points) > max_points:
                self.points = self.points[::2]
                self.stride *= 2
        self.seen += 1
        return improved

    def event(self, camera: str) -> Event:
        points = self.points
        final = tuple(round(v) for v in self.box)
        last = TrackPoint(self.last_t, (final[0], final[1], final[2], final[3]))
        if points[-1] != last:
            # The last sighting always closes the track, so the end box is exact.
            points = [*points, last]
        return Event(
            camera=camera,
            label=self.label,
            zones=tuple(self.zones),
            start=self.start,
            end=self.last_t,
            peak_score=self.peak,
            track=tuple(points),
            track_id=self.id,
        )


class IouTracker:
    """Tracks of one camera; call :meth:`update` once per analysed frame, in time order."""

    def __init__(self, camera: str, params: TrackerParams, zones: ZoneSet | None = None) -> None:
        self.camera = camera
        self.params = params
        self.zones = zones
        self._tracks: list[_Track] = []
        self._next_id = 1
        self.improved: list[tuple[int, int]] = []
        """After :meth:`update`: ``(track id, detection index)`` of each track whose
        peak score rose in that frame (where its snapshot should be taken)."""

    @property
    def active(self) -> int:
        """Number of open tracks."""
        return len(self._tracks)

    def update(self, t: float, detections: Sequence[Detection]) -> list[Event]:
        """Match ``detections`` at time ``t``; return the events that ended."""
        matched_tracks, matched_dets = self._match(t, detections)
        zone_names = self._zones(detections)
        self.improved = []
        for ti, di in zip(matched_tracks, matched_dets, strict=True):
            track = self._tracks[ti]
            if track.add(t, detections[di], zone_names[di], self.params.max_track_points):
                self.improved.append((track.id, di))
        ended: list[Event] = []
        kept: list[_Track] = []
        hit = set(matched_tracks)
        for i, track in enumerate(self._tracks):
            if i not in hit:
                track.missed += 1
                if track.missed > self.params.max_missed:
                    ended.append(track.event(self.camera))
                    continue
            kept.append(track)
        taken = set(matched_dets)
        for di, det in enumerate(detections):
            if di not in taken:
                track = _Track(id=self._next_id, label=det.label, start=t, last_t=t, box=det.box)
                self._next_id += 1
                track.add(t, det, zone_names[di], self.params.max_track_points)
                self.improved.append((track.id, di))
                kept.append(track)
        self._tracks = kept
        return ended

    def flush(self) -> list[Event]:
        """End every open track (end of stream or shutdown) and return their events."""
        ended = [track.event(self.camera) for track in self._tracks]
        self._tracks = []
        return ended

    def _zones(self, detections: Sequence[Detection]) -> list[tuple[str, ...]]:
        if self.zones is None or not detections:
            return [() for _ in detections]
        member = self.zones.membership([d.box for d in detections])
        names = self.zones.names
        return [tuple(n for n, inside in zip(names, row, strict=True) if inside) for row in member]

    def _match(self, t: float, detections: Sequence[Detection]) -> tuple[list[int], list[int]]:
        if not self._tracks or not detections:
            return [], []
        scores = iou_matrix(
            [track.predicted(t) for track in self._tracks], [d.box for d in detections]
        )
        young = np.array([track.seen == 1 for track in self._tracks])
        if young.any():
            # A track seen once has no velocity yet, so a quick mover may already have
            # left its box: accept a detection whose centre is within one box size of
            # the track's, at the lowest valid score so real overlaps are served first.
            near = _centre_near([track.box for track in self._tracks], [d.box for d in detections])
            rescue = young[:, None] & near & (scores < self.params.iou_threshold)
            scores[rescue] = self.params.iou_threshold
        labels_t = np.array([track.label for track in self._tracks])
        labels_d = np.array([d.label for d in detections])
        scores[labels_t[:, None] != labels_d[None, :]] = 0.0
        tracks: list[int] = []
        dets: list[int] = []
        # Greedy by descending IoU: optimal enough for the few objects per camera.
        order = np.argsort(-scores, axis=None, kind="stable")
        used_t: set[int] = set()
        used_d: set[int] = set()
        for flat in order:
            ti, di = divmod(int(flat), scores.shape[1])
            if scores[ti, di] < self.params.iou_threshold:
                break
            if ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            tracks.append(ti)
            dets.append(di)
        return tracks, dets


def _centre_near(tracks: Sequence[Box], dets: Sequence[Box]) -> npt.NDArray[np.bool_]:
    """(T, D): detection centre within one track width and half a track height of its centre."""
    a = np.asarray(tracks, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(dets, dtype=np.float64).reshape(-1, 4)
    ca = (a[:, :2] + a[:, 2:]) / 2.0
    cb = (b[:, :2] + b[:, 2:]) / 2.0
    size = a[:, 2:] - a[:, :2]
    dx = np.abs(cb[None, :, 0] - ca[:, None, 0])
    dy = np.abs(cb[None, :, 1] - ca[:, None, 1])
    near: npt.NDArray[np.bool_] = (dx <= size[:, None, 0]) & (dy <= size[:, None, 1] / 2.0)
    return near
