"""Privacy masks: polygons (private windows, doorways) burned in as solid fill.

Polygons are in normalised image coordinates (see :mod:`civicam.config.privacy`),
so the same mask fits every resolution of a camera. Rasterising is separated from
applying: a video path rasterises once per frame size and fills every frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

Polygon = Sequence[tuple[float, float]]

#: The fill colour (BGR): plain black, unmistakably a mask rather than footage.
MASK_FILL = (0, 0, 0)


def polygon_pixels(polygon: Polygon, width: int, height: int) -> npt.NDArray[np.int32]:
    """Integer pixel vertices, shape (N, 2), of a normalised polygon in a WxH frame."""
    pts = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if pts.shape[0] < 3:
        raise ValueError("a mask polygon needs at least 3 points")
    if not np.all(np.isfinite(pts)) or pts.min() < 0 or pts.max() > 1:
        raise ValueError("mask polygon points must lie in [0, 1] (normalised coordinates)")
    # The rasteriser fills boundary pixels too, so a mask errs towards hiding one
    # pixel more rather than leaving a sliver of a window visible.
    px = np.empty_like(pts)
    px[:, 0] = pts[:, 0] * width
    px[:, 1] = pts[:, 1] * height
    out: npt.NDArray[np.int32] = np.rint(px).astype(np.int32)
    return out


def rasterize(polygons: Sequence[Polygon], width: int, height: int) -> npt.NDArray[np.bool_]:
    """A (height, width) boolean image, True inside any polygon."""
    if width <= 0 or height <= 0:
        raise ValueError("frame size must be positive")
    canvas = np.zeros((height, width), np.uint8)
    if polygons:
        cv2.fillPoly(canvas, [polygon_pixels(p, width, height) for p in polygons], 255)
    return canvas > 0


def apply_mask(
    image: npt.NDArray[np.uint8], raster: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with every pixel of ``raster`` set to :data:`MASK_FILL`."""
    if image.shape[:2] != raster.shape:
        raise ValueError(f"mask is {raster.shape}, image is {image.shape[:2]}")
    out = image.copy()
    if image.ndim == 3:
        out[raster] = np.asarray(MASK_FILL[: image.shape[2]], np.uint8)
    else:
        out[raster] = 0
    return out


def burn_masks(image: npt.NDArray[np.uint8], polygons: Sequence[Polygon]) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` (H, W[, C] uint8) with every polygon filled solid."""
    if not polygons:
        return image.copy()
    height, width = image.shape[:2]
    return apply_mask(image, rasterize(polygons, width, height))


class MaskCache:
    """Rasters of one camera's polygons, built once per frame size."""

    def __init__(self, polygons: Sequence[Polygon]) -> None:
        self.polygons = [list(p) for p in polygons]
        self._rasters: dict[tuple[int, int], npt.NDArray[np.bool_]] = {}

    def __bool__(self) -> bool:
        return bool(self.polygons)

    def apply(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """``image`` with the polygons burned in (a copy; the input is unchanged)."""
        if not self.polygons:
            return image.copy()
        height, width = image.shape[:2]
        raster = self._rasters.get((width, height))
        if raster is None:
            raster = self._rasters[(width, height)] = rasterize(self.polygons, width, height)
        return apply_mask(image, raster)
