"""Blur image regions beyond recognition (people in snapshots and exports).

A plain Gaussian blur of modest size can leave a person recognisable, so each region
is reduced to a coarse grid (which throws away all detail finer than one cell) and
smoothly scaled back up (which leaves no cell edges). Boxes are padded so the edge
of a loose detection box does not leave part of a head visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

Box = tuple[float, float, float, float]
Strength = Literal["strong", "maximum"]

# Cells across the shorter side of a region: few enough that a head spans at most
# a handful of flat blocks.
_CELLS: dict[Strength, int] = {"strong": 6, "maximum": 3}


def padded_box(box: Box, width: int, height: int, pad: float) -> tuple[int, int, int, int] | None:
    """``box`` (pixel xyxy) grown by ``pad`` of its size on each side, clipped to the image.

    Returns integer ``(x0, y0, x1, y1)`` with ``x1 > x0`` and ``y1 > y0``, or None when the
    box lies outside the image or is empty.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    if not all(np.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ValueError(f"box has non-finite coordinates: {box}")
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    dx = (x1 - x0) * pad
    dy = (y1 - y0) * pad
    ix0 = max(0, int(np.floor(x0 - dx)))
    iy0 = max(0, int(np.floor(y0 - dy)))
    ix1 = min(width, int(np.ceil(x1 + dx)))
    iy1 = min(height, int(np.ceil(y1 + dy)))
    if ix1 <= ix0 or iy1 <= iy0:
        return None
    return ix0, iy0, ix1, iy1


def _obscure(region: npt.NDArray[np.uint8], cells: int) -> npt.NDArray[np.uint8]:
    h, w = region.shape[:2]
    cell = max(1, min(h, w) // cells)
    small = cv2.resize(region, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA)
    if min(small.shape[:2]) >= 3:
        # Mixing neighbouring cells leaves even less of the coarse layout.
        small = cv2.GaussianBlur(small, (3, 3), 0)
    # Smooth upscaling of the coarse grid: the detail finer than a cell is gone for
    # good, and no block edges are left to hint at the outline of features. Working
    # on the small grid keeps the cost independent of the region's size.
    out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(out, dtype=np.uint8).reshape(region.shape)


def blur_regions(
    image: npt.NDArray[np.uint8],
    boxes: Sequence[Box],
    *,
    pad: float = 0.15,
    strength: Strength = "strong",
) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` (H, W[, C] uint8) with every pixel-xyxy box pixelated and blurred.

    Each box is grown by ``pad`` of its width/height on every side and clipped to the
    image. ``strength`` sets the coarseness: "strong" leaves about 6 cells across the
    box's shorter side, "maximum" about 3. The input is never modified.
    """
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError("image must be a uint8 array of shape (H, W) or (H, W, C)")
    if not 0.0 <= pad <= 2.0:
        raise ValueError(f"pad must be within [0, 2], got {pad}")
    if strength not in _CELLS:
        raise ValueError(f"strength must be one of {', '.join(_CELLS)}, got {strength!r}")
    out = image.copy()
    height, width = image.shape[:2]
    for box in boxes:
        px = padded_box(box, width, height, pad)
        if px is None:
            continue
        x0, y0, x1, y1 = px
        region = np.ascontiguousarray(out[y0:y1, x0:x1])
        out[y0:y1, x0:x1] = _obscure(region, _CELLS[strength])
    return out
