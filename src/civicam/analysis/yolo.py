"""YOLO-style output decoding and letterbox geometry (pure NumPy).

Covers the common ONNX exports: rows of ``(cx, cy, w, h, [objectness,] class
scores...)`` in input pixels, for an image letterboxed into a square input
(scaled to fit, centred, padded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from civicam.analysis.detectors.base import RawDetection
from civicam.analysis.ssd import classwise_nms


@dataclass(frozen=True)
class Letterbox:
    """How an image of ``width`` x ``height`` sits in a square input of ``size``."""

    width: int
    height: int
    size: int

    @property
    def scale(self) -> float:
        """Input pixels per image pixel."""
        return min(self.size / self.width, self.size / self.height)

    @property
    def pad(self) -> tuple[float, float]:
        """Left and top padding in input pixels."""
        return (
            (self.size - self.width * self.scale) / 2.0,
            (self.size - self.height * self.scale) / 2.0,
        )


def postprocess(
    output: npt.ArrayLike,
    labels: Sequence[str],
    letterbox: Letterbox,
    objectness: bool,
    score_threshold: float = 0.3,
    iou_threshold: float = 0.5,
    max_total: int = 100,
) -> list[RawDetection]:
    """Detections with boxes normalised to the original image.

    ``output`` is (N, 4 + [1] + C); pass ``(C or 4 + [1], N)`` transposed exports
    through ``.T`` first. With ``objectness`` the score is objectness x class score.
    """
    rows = np.asarray(output, dtype=np.float64)
    rows = rows.reshape(-1, rows.shape[-1])
    first = 5 if objectness else 4
    if rows.shape[1] != first + len(labels):
        raise ValueError(f"{rows.shape[1]} columns for {len(labels)} labels (expected {first} + C)")
    scores = rows[:, first:]
    if objectness:
        scores = scores * rows[:, 4:5]
    cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    pad_x, pad_y = letterbox.pad
    s = letterbox.scale
    # Undo the letterbox, then normalise to the image, then clip to it.
    x0 = ((cx - w / 2 - pad_x) / s) / letterbox.width
    x1 = ((cx + w / 2 - pad_x) / s) / letterbox.width
    y0 = ((cy - h / 2 - pad_y) / s) / letterbox.height
    y1 = ((cy + h / 2 - pad_y) / s) / letterbox.height
    boxes = np.clip(np.column_stack([x0, y0, x1, y1]), 0.0, 1.0)
    kept = classwise_nms(boxes, scores, score_threshold, iou_threshold, max_total, max_total)
    return [
        RawDetection(
            labels[int(c)], float(sc), (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        )
        for b, sc, c in zip(kept.boxes, kept.scores, kept.classes, strict=True)
    ]
