"""Axis-aligned boxes ``(x0, y0, x1, y1)`` in image pixels and their overlap."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Box = tuple[float, float, float, float]
FloatArray = npt.NDArray[np.float64]


def area(box: Box) -> float:
    """Area of ``box`` (0 for an empty or inverted box)."""
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when both are empty)."""
    inter = area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def iou_matrix(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """Pairwise IoU of boxes ``a`` (N, 4) and ``b`` (M, 4) as an (N, M) array."""
    aa = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    bb = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    x0 = np.maximum(aa[:, None, 0], bb[None, :, 0])
    y0 = np.maximum(aa[:, None, 1], bb[None, :, 1])
    x1 = np.minimum(aa[:, None, 2], bb[None, :, 2])
    y1 = np.minimum(aa[:, None, 3], bb[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = np.clip(aa[:, 2] - aa[:, 0], 0, None) * np.clip(aa[:, 3] - aa[:, 1], 0, None)
    area_b = np.clip(bb[:, 2] - bb[:, 0], 0, None) * np.clip(bb[:, 3] - bb[:, 1], 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    out: FloatArray = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return out
