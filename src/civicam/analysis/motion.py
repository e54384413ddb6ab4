"""Motion detection: a running-average background on small, grey, mean-normalised frames.

Why a running average rather than MOG2: it is a few NumPy lines with one tunable
rate, deterministic and cheap (one multiply-add per pixel on a ~320-pixel-wide
frame), needs no OpenCV, and its only job is to say *where* to run the detector,
which then decides what moved. MOG2's per-pixel mixtures buy robustness to
swaying trees that the detector's class filter already gives us.

Robustness to lighting: every small frame is scaled so its mean is 128, which
cancels a global gain change (clouds, auto-exposure); a change that still touches
more than ``relight_fraction`` of the unmasked picture (an offset, lights switched
on) re-seeds the background and reports nothing for that frame.

Known trade-off: a running average leaves a faint trail where a slow object
overlapped itself for a few frames; such boxes are small and the detector, which
only looks, sorts them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy import ndimage

from civicam.analysis.boxes import Box

Polygon = Sequence[tuple[float, float]]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

_NORMALISED_MEAN = 128.0


@dataclass(frozen=True)
class MotionParams:
    """Motion settings (validated by :class:`civicam.config.analysis.MotionConfig`)."""

    threshold: float = 25.0
    """Grey-level difference (0-255 scale, after mean normalisation) that counts as change."""
    min_area: float = 400.0
    """Smallest motion box area in full-frame pixels."""
    downscale_width: int = 320
    """Approximate width of the analysed frame (an integer divisor of the frame width)."""
    learning_rate: float = 0.05
    """Weight of each new frame in the background average."""
    relight_fraction: float = 0.5
    """Share of changed pixels above which the change is taken as lighting and re-seeded."""


def to_grey(frame: npt.NDArray[np.generic]) -> FloatArray:
    """A grey float image from an (H, W) grey or (H, W, 3) BGR frame."""
    arr = np.asarray(frame)
    if arr.ndim == 2:
        return arr.astype(np.float64)
    if arr.ndim == 3 and arr.shape[2] == 3:
        # ITU-R BT.601 luma weights, in BGR order (OpenCV's and PyAV's bgr24).
        weights = np.array([0.114, 0.587, 0.299])
        grey: FloatArray = arr.astype(np.float64) @ weights
        return grey
    raise ValueError(f"expected an (H, W) or (H, W, 3) frame, got shape {arr.shape}")


def block_mean(image: FloatArray, factor: int) -> FloatArray:
    """Downscale by an integer ``factor`` with area averaging (drops ragged edges)."""
    if factor <= 1:
        return image
    h, w = image.shape[0] // factor, image.shape[1] // factor
    if h == 0 or w == 0:
        raise ValueError(f"frame {image.shape} is smaller than the downscale factor {factor}")
    cropped = image[: h * factor, : w * factor]
    small: FloatArray = cropped.reshape(h, factor, w, factor).mean(axis=(1, 3))
    return small


def rasterise(polygons: Sequence[Polygon], shape: tuple[int, int], factor: int) -> BoolArray:
    """Mask of small-frame pixels whose centre lies in any polygon (full-frame coordinates)."""
    mask = np.zeros(shape, dtype=bool)
    if not polygons:
        return mask
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    px = (xs.ravel() + 0.5) * factor
    py = (ys.ravel() + 0.5) * factor
    for points in polygons:
        if len(points) < 3:
            raise ValueError("an ignore polygon needs at least three points")
        inside = shapely.intersects_xy(shapely.Polygon(points), px, py)
        mask |= np.asarray(inside, dtype=bool).reshape(shape)
    return mask


class MotionDetector:
    """Per-camera motion detector: feed frames in order, get motion boxes back."""

    def __init__(self, params: MotionParams, ignore: Sequence[Polygon] = ()) -> None:
        self.params = params
        self._ignore_polygons = [list(p) for p in ignore]
        self._background: FloatArray | None = None
        self._ignore: BoolArray | None = None
        self._factor = 1
        self._frame_shape: tuple[int, int] | None = None
        self.reseeds = 0
        """How many times a global change re-seeded the background."""
        self.global_change = False
        """Whether the last frame was a global change (lighting, camera moved)."""

    def reset(self) -> None:
        """Forget the background (e.g. after a reconnect); the next frame seeds it."""
        self._background = None

    def _prepare(self, grey: FloatArray) -> FloatArray:
        shape = (int(grey.shape[0]), int(grey.shape[1]))
        if shape != self._frame_shape:
            # A new resolution (first frame, or the stream changed): rebuild everything.
            self._frame_shape = shape
            self._factor = max(1, round(shape[1] / self.params.downscale_width))
            small_shape = (shape[0] // self._factor, shape[1] // self._factor)
            self._ignore = rasterise(self._ignore_polygons, small_shape, self._factor)
            self._background = None
        small = block_mean(grey, self._factor)
        mean = float(small.mean())
        # Normalise to a fixed mean so a global gain change cancels out.
        normalised: FloatArray = small * (_NORMALISED_MEAN / max(mean, 1.0))
        return normalised

    def update(self, frame: npt.NDArray[np.generic]) -> list[Box]:
        """Motion boxes ``(x0, y0, x1, y1)`` in full-frame pixels for the next frame."""
        small = self._prepare(to_grey(frame))
        assert self._ignore is not None
        self.global_change = False
        if self._background is None:
            self._background = small.copy()
            return []
        changed = np.abs(small - self._background) > self.params.threshold
        changed &= ~self._ignore
        watched = max(1, int((~self._ignore).sum()))
        if changed.sum() > self.params.relight_fraction * watched:
            self._background = small.copy()
            self.reseeds += 1
            self.global_change = True
            return []
        self._background += self.params.learning_rate * (small - self._background)
        return self._boxes(changed)

    def _boxes(self, changed: BoolArray) -> list[Box]:
        if not changed.any():
            return []
        # Close small gaps so one moving object gives one box, not a speckle of them.
        joined = ndimage.binary_dilation(changed, iterations=1)
        labels, count = ndimage.label(joined)
        # Bound each group by its changed pixels only, not the dilation's extra rim.
        labels[~changed] = 0
        f = float(self._factor)
        boxes: list[Box] = []
        for found in ndimage.find_objects(labels, max_label=count):
            if found is None:
                continue
            ys, xs = found
            y0, y1, x0, x1 = ys.start, ys.stop, xs.start, xs.stop
            box = (x0 * f, y0 * f, x1 * f, y1 * f)
            if (box[2] - box[0]) * (box[3] - box[1]) >= self.params.min_area:
                boxes.append(box)
        return sorted(boxes)
