"""The detector interface: an image in, object-class boxes out.

A detector only ever reports object classes from its labels file (person, car,
bicycle...), all within civicam's object-class vocabulary; the configuration
accepts nothing else (see :mod:`civicam.config.analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt


class DetectorError(ValueError):
    """A detector cannot be loaded: missing or unreadable model, wrong outputs, refused labels."""


@dataclass(frozen=True)
class RawDetection:
    """One detection in the given image, box normalised to [0, 1] as ``(x0, y0, x1, y1)``."""

    label: str
    score: float
    box: tuple[float, float, float, float]


class Detector(Protocol):
    """Runs on one (H, W, 3) BGR uint8 image of any size; resizing is its own business."""

    @property
    def input_size(self) -> int:
        """The square input side the model was built for (crops are chosen to match)."""
        ...

    def detect(self, image: npt.NDArray[np.uint8]) -> list[RawDetection]:
        """Detections in ``image`` (normalised boxes), any score; the caller thresholds."""
        ...
