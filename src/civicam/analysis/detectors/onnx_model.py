"""Plug-in object-class detectors: any ONNX model with a labels file.

Two output formats are understood (``detection.type``):

``ssd``
    Two outputs: boxes ``(1, N, 4)`` already decoded and normalised to [0, 1]
    (``xyxy`` or ``yxyx`` order, see ``detection.box_order``) and class scores
    ``(1, N, C)`` as probabilities, one column per line of the labels file. The
    image is stretched to the input size, so the boxes are fractions of it.
``yolo``
    One output of rows ``(cx, cy, w, h, [objectness,] C class scores)`` in input
    pixels, ``(1, N, 4 [+1] + C)`` or transposed ``(1, 4 [+1] + C, N)``. The image
    is letterboxed into the square input.

The input is one image tensor, NCHW or NHWC (whichever axis has 3 channels), RGB,
float (scaled per ``detection.input_range``) or uint8. Labels that are
placeholders (``background``, ``n/a``...) keep columns aligned and are never
reported; any other label must be an object class, or the model is refused.
Non-maximum suppression is done here, per class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import onnx

from civicam.analysis import yolo
from civicam.analysis.detectors.base import DetectorError, RawDetection
from civicam.analysis.detectors.preprocess import (
    InputRange,
    letterbox_rgb,
    stretch_rgb,
    to_tensor,
)
from civicam.analysis.detectors.runtime import Session, TensorInfo
from civicam.analysis.labels import PLACEHOLDERS, normalise, parse_labels
from civicam.analysis.ssd import classwise_nms

OutputKind = Literal["ssd", "yolo"]
BoxOrder = Literal["xyxy", "yxyx"]

SSD_IOU_THRESHOLD = 0.6
YOLO_IOU_THRESHOLD = 0.5
MAX_DETECTIONS = 100


def read_labels(path: Path) -> tuple[str, ...]:
    """A labels file's classes; refuses a missing file or classes outside the vocabulary."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DetectorError(f"cannot read the labels file {path}: {exc}") from exc
    try:
        return parse_labels(text)
    except ValueError as exc:
        raise DetectorError(f"labels file {path}: {exc}") from exc


def read_model(path: Path) -> bytes:
    """An ONNX file's bytes, after checking it is an ONNX model with a graph."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DetectorError(f"model file not found: {path}") from exc
    except OSError as exc:
        raise DetectorError(f"cannot read the model file {path}: {exc}") from exc
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError
        raise DetectorError(f"{path} is not an ONNX model: {exc}") from exc
    if not model.graph.node or not model.graph.output:
        raise DetectorError(f"{path} is not an ONNX model (no graph)")
    return data


@dataclass(frozen=True)
class InputSpec:
    """How images are fed: tensor name, layout, element type and square side."""

    name: str
    nchw: bool
    as_uint8: bool
    size: int


def input_spec(info: TensorInfo, fallback_size: int) -> InputSpec:
    """The image input's layout, type and size; ``fallback_size`` where left open."""
    if len(info.shape) != 4:
        raise DetectorError(f"the model input {info.name!r} has shape {info.shape}, not 4-D")
    if info.shape[1] == 3:
        nchw, spatial = True, info.shape[2:4]
    elif info.shape[3] == 3:
        nchw, spatial = False, info.shape[1:3]
    else:
        raise DetectorError(
            f"the model input {info.name!r} has shape {info.shape}: no 3-channel axis"
        )
    if info.type not in ("tensor(float)", "tensor(uint8)"):
        raise DetectorError(f"the model input is {info.type}; float32 or uint8 images only")
    h, w = spatial
    if h is not None and w is not None and h != w:
        raise DetectorError(f"the model input is {h}x{w}; square inputs only")
    size = h or w or fallback_size
    return InputSpec(info.name, nchw, info.type == "tensor(uint8)", size)


def _rows(array: npt.NDArray[np.float32], what: str) -> npt.NDArray[np.float32]:
    """Drop a leading batch of one: (1, N, K) or (N, K) -> (N, K)."""
    if array.ndim == 3 and array.shape[0] == 1:
        rows: npt.NDArray[np.float32] = array[0]
        return rows
    if array.ndim == 2:
        return array
    raise DetectorError(f"the {what} output has shape {array.shape}; expected (1, N, K)")


class OnnxDetector:
    """A plug-in ONNX detector of object classes (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        labels: Sequence[str],
        kind: OutputKind,
        input_size: int,
        input_range: InputRange = "0-1",
        box_order: BoxOrder = "xyxy",
        score_threshold: float = 0.3,
    ) -> None:
        if len(session.inputs) != 1:
            raise DetectorError(f"the model has {len(session.inputs)} inputs; expected one image")
        self._session = session
        self._spec = input_spec(session.inputs[0], input_size)
        self.labels = tuple(labels)
        self.kind = kind
        self._range = input_range
        self._box_order = box_order
        self._score_threshold = score_threshold
        # Placeholder columns only keep indices aligned; they never score.
        self._keep = np.array([normalise(lb) not in PLACEHOLDERS for lb in self.labels])
        if not self._keep.any():
            raise DetectorError("the labels file names only placeholders")
        # One run on a blank image checks the output shapes now rather than mid-stream.
        blank = np.zeros((self._spec.size, self._spec.size, 3), dtype=np.uint8)
        self._decode(self._run(blank), blank.shape[1], blank.shape[0])

    @property
    def input_size(self) -> int:
        """The model's square input side."""
        return self._spec.size

    def _run(self, image: npt.NDArray[np.uint8]) -> list[npt.NDArray[np.float32]]:
        if self.kind == "yolo":
            rgb, _ = letterbox_rgb(image, self._spec.size)
        else:
            rgb = stretch_rgb(image, self._spec.size)
        x = to_tensor(
            rgb, nchw=self._spec.nchw, as_uint8=self._spec.as_uint8, input_range=self._range
        )
        return self._session.run({self._spec.name: x})

    def detect(self, image: npt.NDArray[np.uint8]) -> list[RawDetection]:
        """Object-class detections in a BGR image of any size (boxes normalised to it)."""
        return self._decode(self._run(image), image.shape[1], image.shape[0])

    def _decode(
        self, outputs: list[npt.NDArray[np.float32]], width: int, height: int
    ) -> list[RawDetection]:
        if self.kind == "yolo":
            return self._decode_yolo(outputs, width, height)
        return self._decode_ssd(outputs)

    def _decode_ssd(self, outputs: list[npt.NDArray[np.float32]]) -> list[RawDetection]:
        if len(outputs) < 2:
            raise DetectorError(
                f"an SSD-style model has boxes and scores outputs; this one has {len(outputs)}"
            )
        box_at = next((i for i, o in enumerate(outputs[:2]) if o.shape[-1:] == (4,)), None)
        if box_at is None:
            raise DetectorError(
                f"no SSD-style boxes output (1, N, 4) among shapes {[o.shape for o in outputs[:2]]}"
            )
        boxes = _rows(outputs[box_at], "boxes").astype(np.float64)
        scores = _rows(outputs[1 - box_at], "scores").astype(np.float64)
        if scores.shape[1] != len(self.labels) or scores.shape[0] != boxes.shape[0]:
            raise DetectorError(
                f"scores output {scores.shape} does not fit {boxes.shape[0]} boxes and "
                f"{len(self.labels)} labels (one score column per label)"
            )
        if self._box_order == "yxyx":
            boxes = boxes[:, [1, 0, 3, 2]]
        return self._finish(boxes, scores, SSD_IOU_THRESHOLD)

    def _decode_yolo(
        self, outputs: list[npt.NDArray[np.float32]], width: int, height: int
    ) -> list[RawDetection]:
        out = outputs[0]
        if out.ndim == 3 and out.shape[0] == 1:
            out = out[0]
        n_labels = len(self.labels)
        widths = (4 + n_labels, 5 + n_labels)
        if out.ndim != 2:
            raise DetectorError(f"a YOLO-style output is (1, N, K); this one is {outputs[0].shape}")
        if out.shape[1] not in widths and out.shape[0] in widths:
            out = out.T
        if out.shape[1] not in widths:
            raise DetectorError(
                f"YOLO-style output {outputs[0].shape} does not fit {n_labels} labels "
                f"(rows of {widths[0]} or {widths[1]} values expected)"
            )
        objectness = out.shape[1] == widths[1]
        box = yolo.Letterbox(width=width, height=height, size=self._spec.size)
        rows = out.astype(np.float64)
        first = 5 if objectness else 4
        rows[:, first:] *= self._keep
        return yolo.postprocess(
            rows,
            self.labels,
            box,
            objectness,
            score_threshold=self._score_threshold,
            iou_threshold=YOLO_IOU_THRESHOLD,
            max_total=MAX_DETECTIONS,
        )

    def _finish(
        self, boxes: npt.NDArray[np.float64], scores: npt.NDArray[np.float64], iou: float
    ) -> list[RawDetection]:
        kept = classwise_nms(
            boxes, scores * self._keep, self._score_threshold, iou, MAX_DETECTIONS, MAX_DETECTIONS
        )
        clipped = np.clip(kept.boxes, 0.0, 1.0)
        return [
            RawDetection(self.labels[int(c)], float(s), (b[0], b[1], b[2], b[3]))
            for b, s, c in zip(clipped.tolist(), kept.scores, kept.classes, strict=True)
            if b[2] > b[0] and b[3] > b[1]
        ]


def load(
    model: Path,
    labels: Path,
    kind: OutputKind,
    input_size: int = 300,
    input_range: InputRange = "0-1",
    box_order: BoxOrder = "xyxy",
    threads: int = 2,
    score_threshold: float = 0.3,
) -> OnnxDetector:
    """A plug-in detector from an ONNX file and its labels file (checked on loading)."""
    names = read_labels(labels)
    session = Session(read_model(model), threads)
    return OnnxDetector(session, names, kind, input_size, input_range, box_order, score_threshold)
