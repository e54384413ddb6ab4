"""Plug-in ONNX detectors (SSD-style and YOLO-style) on tiny models built in the test.

Outputs are fixed arrays, so the expected boxes are exact; an SSD model's class
scores are also multiplied by the input's mean brightness, so a white image lights
up the classes and a black one finds nothing (the input really is read).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from civicam.analysis.detectors import SCORE_FLOOR, DetectorError, load_detector
from civicam.analysis.detectors.onnx_model import OnnxDetector
from civicam.config.analysis import DetectionConfig

WHITE = np.full((32, 64, 3), 255, dtype=np.uint8)  # 64 wide, 32 high
BLACK = np.zeros((32, 64, 3), dtype=np.uint8)


def _model(
    input_shape: list[int | str],
    input_type: int,
    outputs: dict[str, npt.NDArray[np.float32]],
    scored: set[str],
) -> onnx.ModelProto:
    """Outputs are constants; those in ``scored`` are multiplied by the input's mean (0-1)."""
    nodes = []
    inits = []
    src = "image"
    if input_type == TensorProto.UINT8:
        nodes.append(helper.make_node("Cast", ["image"], ["image_f"], to=TensorProto.FLOAT))
        nodes.append(helper.make_node("Div", ["image_f", "k255"], ["image_unit"]))
        inits.append(numpy_helper.from_array(np.array(255.0, np.float32), "k255"))
        src = "image_unit"
    nodes.append(helper.make_node("ReduceMean", [src], ["mean"], keepdims=0))
    graph_outputs = []
    for name, value in outputs.items():
        inits.append(numpy_helper.from_array(value.astype(np.float32), name + "_w"))
        if name in scored:
            nodes.append(helper.make_node("Mul", [name + "_w", "mean"], [name]))
        else:
            nodes.append(helper.make_node("Identity", [name + "_w"], [name]))
        graph_outputs.append(
            helper.make_tensor_value_info(name, TensorProto.FLOAT, list(value.shape))
        )
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("image", input_type, input_shape)],
        graph_outputs,
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _save(tmp_path: Path, model: onnx.ModelProto, labels: str) -> tuple[Path, Path]:
    model_path = tmp_path / "model.onnx"
    labels_path = tmp_path / "labels.txt"
    model_path.write_bytes(model.SerializeToString())
    labels_path.write_text(labels, encoding="utf-8")
    return model_path, labels_path


def _ssd_outputs(box_order: str = "xyxy") -> dict[str, npt.NDArray[np.float32]]:
    boxes = np.array([[[0.1, 0.2, 0.5, 0.6], [0.12, 0.22, 0.5, 0.6], [0.6, 0.1, 0.9, 1.2]]])
    if box_order == "yxyx":
        boxes = boxes[:, :, [1, 0, 3, 2]]
    # Columns: background placeholder, person, car.
    scores = np.array([[[0.9, 0.8, 0.0], [0.9, 0.7, 0.0], [0.9, 0.05, 0.6]]])
    return {"boxes": boxes.astype(np.float32), "scores": scores.astype(np.float32)}


@pytest.mark.parametrize("box_order", ["xyxy", "yxyx"])
def test_ssd_style_model(tmp_path: Path, box_order: str) -> None:
    model = _model([1, 3, 16, 16], TensorProto.FLOAT, _ssd_outputs(box_order), {"scores"})
    model_path, labels = _save(tmp_path, model, "background\nperson\ncar\n")
    cfg = DetectionConfig(
        type="ssd",
        model=model_path,
        labels=labels,
        classes=["person", "car"],
        box_order=box_order,
        min_score=0.5,
    )
    det = load_detector(cfg)
    assert isinstance(det, OnnxDetector) and det.input_size == 16
    found = det.detect(WHITE)
    # The second person box overlaps the first (IoU > 0.6) and is suppressed; the
    # background column never reports; the car box is clipped to the image.
    assert [(d.label, round(d.score, 3)) for d in found] == [("person", 0.8), ("car", 0.6)]
    np.testing.assert_allclose(found[0].box, (0.1, 0.2, 0.5, 0.6), atol=1e-6)
    np.testing.assert_allclose(found[1].box, (0.6, 0.1, 0.9, 1.0), atol=1e-6)
    assert det.detect(BLACK) == []


def test_yolo_style_model_transposed_with_objectness(tmp_path: Path) -> None:
    # Rows (cx, cy, w, h, objectness, person, car) in input pixels, exported as (1, 7, N).
    rows = np.array(
        [
            [16.0, 16.0, 16.0, 8.0, 1.0, 0.9, 0.1],
            [16.0, 16.0, 16.0, 8.0, 0.8, 0.2, 0.6],  # same place, another class
            [4.0, 4.0, 2.0, 2.0, 0.1, 0.9, 0.0],  # too weak once objectness applies
        ]
    )
    outputs = {"rows": rows.T[None].astype(np.float32)}
    model = _model([1, 32, 32, 3], TensorProto.UINT8, outputs, set())
    model_path, labels = _save(tmp_path, model, "person\ncar\n")
    det = load_detector(
        DetectionConfig(type="yolo", model=model_path, labels=labels, classes=["person", "car"])
    )
    found = det.detect(WHITE)
    assert [d.label for d in found] == ["person", "car"]
    assert found[0].score == pytest.approx(0.9) and found[1].score == pytest.approx(0.48)
    # A 64x32 image letterboxed into 32x32: scale 0.5, 8 px of padding above and below.
    for d in found:
        np.testing.assert_allclose(d.box, (0.25, 0.25, 0.75, 0.75), atol=1e-6)


def test_yolo_style_rows_without_objectness_and_dynamic_input(tmp_path: Path) -> None:
    rows = np.array([[[20.0, 20.0, 10.0, 10.0, 0.05, 0.7]]])
    model = _model([1, 3, "h", "w"], TensorProto.FLOAT, {"rows": rows}, set())
    model_path, labels = _save(tmp_path, model, "bicycle\ncar\n")
    cfg = DetectionConfig(
        type="yolo", model=model_path, labels=labels, classes=["car"], input_size=64
    )
    det = load_detector(cfg)
    assert det.input_size == 64
    (found,) = det.detect(np.zeros((64, 64, 3), dtype=np.uint8))
    assert found.label == "car" and found.score == pytest.approx(0.7)
    np.testing.assert_allclose(found.box, (15 / 64, 15 / 64, 25 / 64, 25 / 64))


def test_labels_outside_the_object_classes_are_refused(tmp_path: Path) -> None:
    model = _model([1, 3, 16, 16], TensorProto.FLOAT, _ssd_outputs(), {"scores"})
    model_path, labels = _save(tmp_path, model, "background\nperson\nwizard\n")
    cfg = DetectionConfig(model=model_path, labels=labels)
    with pytest.raises(DetectorError, match=r"refused classes \['wizard'\].*object classes only"):
        load_detector(cfg)


def test_configured_classes_must_be_among_the_labels(tmp_path: Path) -> None:
    model = _model([1, 3, 16, 16], TensorProto.FLOAT, _ssd_outputs(), {"scores"})
    model_path, labels = _save(tmp_path, model, "background\nperson\ncar\n")
    with pytest.raises(DetectorError, match=r"\['bus'\] are not among"):
        load_detector(DetectionConfig(model=model_path, labels=labels, classes=["bus"]))


def test_bad_model_files_give_clear_errors(tmp_path: Path) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("person\n", encoding="utf-8")
    with pytest.raises(DetectorError, match="model file not found"):
        load_detector(DetectionConfig(model=tmp_path / "absent.onnx", labels=labels))
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\xff\xfe this is not protobuf \x00" * 10)
    with pytest.raises(DetectorError, match="not an ONNX model"):
        load_detector(DetectionConfig(model=junk, labels=labels))
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(DetectorError, match="not an ONNX model"):
        load_detector(DetectionConfig(model=empty, labels=labels))
    model = _model([1, 3, 16, 16], TensorProto.FLOAT, _ssd_outputs(), set())
    path, _ = _save(tmp_path, model, "person\n")
    with pytest.raises(DetectorError, match="cannot read the labels file"):
        load_detector(DetectionConfig(model=path, labels=tmp_path / "nope.txt"))


@pytest.mark.parametrize(
    ("kind", "outputs", "labels", "message"),
    [
        # Three score columns for two labels.
        ("ssd", _ssd_outputs(), "person\ncar\n", "one score column per label"),
        # No output with four box coordinates.
        ("ssd", {"a": np.zeros((1, 5, 3)), "b": np.zeros((1, 5, 3))}, "person\n", "boxes output"),
        ("ssd", {"only": np.zeros((1, 5, 4))}, "person\n", "boxes and scores outputs"),
        # Rows of 9 values fit neither 4 + 2 nor 5 + 2 columns.
        ("yolo", {"rows": np.zeros((1, 10, 9))}, "person\ncar\n", "does not fit 2 labels"),
        ("yolo", {"rows": np.zeros((2, 10, 6))}, "person\ncar\n", "a YOLO-style output"),
    ],
)
def test_wrong_output_shapes_are_refused_on_loading(
    tmp_path: Path,
    kind: str,
    outputs: dict[str, npt.NDArray[np.float32]],
    labels: str,
    message: str,
) -> None:
    model = _model([1, 3, 16, 16], TensorProto.FLOAT, outputs, set())
    model_path, labels_path = _save(tmp_path, model, labels)
    cfg = DetectionConfig(type=kind, model=model_path, labels=labels_path)
    with pytest.raises(DetectorError, match=message):
        load_detector(cfg)


@pytest.mark.parametrize(
    ("shape", "message"),
    [([1, 16, 16], "not 4-D"), ([1, 4, 16, 16], "no 3-channel axis"), ([1, 3, 16, 8], "square")],
)
def test_unusable_inputs_are_refused(tmp_path: Path, shape: list[int | str], message: str) -> None:
    model = _model(shape, TensorProto.FLOAT, _ssd_outputs(), set())
    model_path, labels = _save(tmp_path, model, "background\nperson\ncar\n")
    with pytest.raises(DetectorError, match=message):
        load_detector(DetectionConfig(model=model_path, labels=labels))


def test_model_and_labels_go_together(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="go together"):
        DetectionConfig(model=tmp_path / "m.onnx")


def test_scores_below_min_score_are_reported_down_to_the_floor(tmp_path: Path) -> None:
    boxes = np.array([[[0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.7, 0.7], [0.1, 0.6, 0.3, 0.9]]])
    scores = np.array([[[0.2], [0.07], [0.04]]])
    outputs = {"boxes": boxes.astype(np.float32), "scores": scores.astype(np.float32)}
    model = _model([1, 3, 16, 16], TensorProto.FLOAT, outputs, set())
    model_path, labels = _save(tmp_path, model, "person\n")
    # Callers threshold (redaction blurs below the event threshold), so the detector
    # reports down to min(min_score, SCORE_FLOOR).
    det = load_detector(DetectionConfig(model=model_path, labels=labels, min_score=0.5))
    assert [round(d.score, 2) for d in det.detect(BLACK)] == [0.2]
    assert SCORE_FLOOR == 0.1
    det = load_detector(DetectionConfig(model=model_path, labels=labels, min_score=0.05))
    assert [round(d.score, 2) for d in det.detect(BLACK)] == [0.2, 0.07]
