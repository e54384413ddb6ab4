"""Detector crops around motion, mapping detections back, and a per-camera rate cap.

The detector sees square crops of its input size around motion rather than the
whole frame shrunk to that size: a distant person stays large enough to detect,
and a still scene costs nothing. Nearby motion boxes share one crop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from civicam.analysis.boxes import Box


@dataclass(frozen=True)
class Crop:
    """A square region ``side`` pixels wide at ``(x0, y0)`` in the frame.

    The detector sees it resized to ``input_size``; ``scale`` maps back.
    """

    x0: int
    y0: int
    side: int
    input_size: int

    @property
    def box(self) -> Box:
        """The crop as a frame box."""
        return (
            float(self.x0),
            float(self.y0),
            float(self.x0 + self.side),
            float(self.y0 + self.side),
        )

    @property
    def scale(self) -> float:
        """Frame pixels per detector-input pixel."""
        return self.side / self.input_size


def _near(a: Box, b: Box, gap: float) -> bool:
    return not (a[2] + gap < b[0] or b[2] + gap < a[0] or a[3] + gap < b[1] or b[3] + gap < a[1])


def merge_boxes(boxes: Sequence[Box], gap: float) -> list[Box]:
    """Union boxes closer than ``gap`` pixels (transitively) into their bounding boxes."""
    merged: list[Box] = [(float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in boxes]
    changed = True
    while changed:
        # Repeat until stable: a union can grow to reach a box it did not reach before.
        changed = False
        out: list[Box] = []
        for box in merged:
            for i, other in enumerate(out):
                if _near(box, other, gap):
                    out[i] = (
                        min(box[0], other[0]),
                        min(box[1], other[1]),
                        max(box[2], other[2]),
                        max(box[3], other[3]),
                    )
                    changed = True
                    break
            else:
                out.append((box[0], box[1], box[2], box[3]))
        merged = out
    return sorted((b[0], b[1], b[2], b[3]) for b in merged)


def crop_around(box: Box, frame_w: int, frame_h: int, input_size: int) -> Crop:
    """The square crop centred on ``box``: at least ``input_size``, clamped into the frame.

    A box larger than the input size gets a larger crop (the detector input is then a
    downscale); a crop never exceeds the frame's shorter side.
    """
    w, h = box[2] - box[0], box[3] - box[1]
    side = int(np.ceil(max(input_size, w, h)))
    side = min(side, frame_w, frame_h)
    cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
    x0 = round(cx - side / 2.0)
    y0 = round(cy - side / 2.0)
    # Shift, never shrink, to stay inside the frame.
    x0 = min(max(x0, 0), frame_w - side)
    y0 = min(max(y0, 0), frame_h - side)
    return Crop(x0, y0, side, input_size)


def crops_for_box(box: Box, frame_w: int, frame_h: int, input_size: int) -> list[Crop]:
    """Square crops covering ``box``: one when it fits the frame's shorter side, else a row
    or column of evenly spaced, overlapping crops of that side (e.g. full-width motion).
    """
    box = (max(box[0], 0.0), max(box[1], 0.0), min(box[2], frame_w), min(box[3], frame_h))
    one = crop_around(box, frame_w, frame_h, input_size)
    w, h = box[2] - box[0], box[3] - box[1]
    side = one.side
    nx = max(1, int(np.ceil(w / side - 1e-9)))
    ny = max(1, int(np.ceil(h / side - 1e-9)))
    if nx == 1 and ny == 1:
        return [one]
    # Evenly spaced starts from the box's first edge to its last edge minus a side.
    xs = np.linspace(box[0], box[2] - side, nx) if nx > 1 else [one.x0]
    ys = np.linspace(box[1], box[3] - side, ny) if ny > 1 else [one.y0]
    tiles = [
        Crop(
            min(max(round(float(x)), 0), frame_w - side),
            min(max(round(float(y)), 0), frame_h - side),
            side,
            input_size,
        )
        for y in ys
        for x in xs
    ]
    return list(dict.fromkeys(tiles))  # clamping can make two tiles the same


def choose_crops(
    motion: Sequence[Box], frame_w: int, frame_h: int, input_size: int, merge_gap: float
) -> list[Crop]:
    """Crops for one frame's motion boxes; boxes already inside a chosen crop add none."""
    crops: list[Crop] = []
    # Largest first, so small boxes near a large one fall inside its crop.
    merged = sorted(
        merge_boxes(motion, merge_gap), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True
    )
    for box in merged:
        if any(_inside(box, c.box) for c in crops):
            continue
        crops += crops_for_box(box, frame_w, frame_h, input_size)
    return crops


def _inside(box: Box, outer: Box) -> bool:
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


def to_frame(crop: Crop, boxes: npt.ArrayLike, normalised: bool = False) -> npt.NDArray[np.float64]:
    """Map (N, 4) detector boxes in crop-input pixels (or [0, 1] if ``normalised``) to the frame."""
    arr = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    factor = float(crop.side) if normalised else crop.scale
    offset = np.array([crop.x0, crop.y0, crop.x0, crop.y0], dtype=np.float64)
    out: npt.NDArray[np.float64] = arr * factor + offset
    return out


class TokenBucket:
    """Rate cap: ``rate`` tokens per second, at most ``burst`` saved up.

    Pure apart from the injected ``clock`` (seconds, monotonic), so tests drive time.
    """

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._last = clock()
        self.refused = 0
        """How many requests were refused (for health: frames analysed without detection)."""

    def _refill(self) -> None:
        now = self._clock()
        # A clock that steps backwards adds nothing rather than draining the bucket.
        elapsed = max(0.0, now - self._last)
        self._last = max(self._last, now)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)

    def available(self) -> float:
        """Tokens available now."""
        self._refill()
        return self._tokens

    def try_take(self, n: float = 1.0) -> bool:
        """Take ``n`` tokens if available now; otherwise take none and return False."""
        self._refill()
        if self._tokens >= n:
            self._tokens -= n
            return True
        self.refused += 1
        return False
