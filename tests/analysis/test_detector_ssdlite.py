"""The bundled SSDLite person detector: parity with TensorFlow, the conversion cache, loading.

The reference detections in tests/data/detector/ come from the original TensorFlow
graph (benchmarks/make_detector_reference.py, run by hand); TensorFlow is not needed here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import onnx
import pytest

from civicam.analysis.boxes import iou
from civicam.analysis.detectors import DetectorError, load_detector, ssdlite
from civicam.analysis.ssd import generate_anchors
from civicam.config.analysis import DetectionConfig
from civicam.recording.footage import bikes_mp4

REFERENCE = Path(__file__).parent.parent / "data/detector/ssdlite_bikes_reference.json"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion for the module: later loads read it from this cache."""
    path = tmp_path_factory.mktemp("detector-cache")
    ssdlite.prepare(cache_dir=path)
    return path


@pytest.fixture(scope="module")
def detector(cache_dir: Path) -> ssdlite.SsdLiteDetector:
    return ssdlite.load(cache_dir, threads=2, score_threshold=0.3)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def frames(reference: dict[str, Any]) -> dict[int, npt.NDArray[np.uint8]]:
    wanted = {f["frame"] for f in reference["frames"]}
    out: dict[int, npt.NDArray[np.uint8]] = {}
    with av.open(str(bikes_mp4())) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                out[index] = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
            if len(out) == len(wanted):
                break
    return out


def test_reference_is_for_the_installed_graph(reference: dict[str, Any]) -> None:
    assert reference["graph_sha256"] == ssdlite._sha256(ssdlite.bundled_graph())


def test_anchors_match_the_graphs(reference: dict[str, Any]) -> None:
    anchors = generate_anchors()
    assert len(anchors) == reference["anchors"]["count"]
    assert anchors.sum() == pytest.approx(reference["anchors"]["sum"], abs=1e-3)
    for index, box in reference["anchors"]["sample"].items():
        np.testing.assert_allclose(anchors[int(index)], box, atol=1e-6)


def test_parity_with_the_tensorflow_graph(
    detector: ssdlite.SsdLiteDetector,
    reference: dict[str, Any],
    frames: dict[int, npt.NDArray[np.uint8]],
) -> None:
    margin = 0.02  # scores this close to the 0.3 cut may fall either side
    seen_people = 0
    for record in reference["frames"]:
        ours = detector.detect(frames[record["frame"]])
        theirs = record["detections"]
        for ref in theirs:
            if ref["score"] < record.get("min_score", 0.3) + margin:
                continue
            best = max(ours, key=lambda d: iou(d.box, tuple(ref["box"])), default=None)
            assert best is not None, f"frame {record['frame']}: nothing near {ref}"
            assert iou(best.box, tuple(ref["box"])) >= 0.9
            assert abs(best.score - ref["score"]) <= 0.02
            seen_people += 1
        for det in ours:
            if det.score >= 0.3 + margin:
                assert any(iou(det.box, tuple(r["box"])) >= 0.9 for r in theirs), det
        assert sum(d.score > 0.5 for d in ours) == sum(r["score"] > 0.5 for r in theirs)
        assert all(d.label == "person" for d in ours)
    assert seen_people >= 8


def test_frame_125_cyclist(
    detector: ssdlite.SsdLiteDetector, frames: dict[int, npt.NDArray[np.uint8]]
) -> None:
    best = max(detector.detect(frames[125]), key=lambda d: d.score)
    assert best.score == pytest.approx(0.91, abs=0.01)
    x0, y0, x1, y1 = best.box
    # The cyclist is in the right half of the frame and spans most of its height.
    assert 0.5 < x0 < x1 < 0.8 and y1 - y0 > 0.9


def test_raw_outputs_cover_every_anchor(detector: ssdlite.SsdLiteDetector) -> None:
    blank = np.zeros((120, 90, 3), dtype=np.uint8)
    encodings, logits = detector.raw_outputs(blank)
    assert encodings.shape == (len(generate_anchors()), 4) and logits.shape == (1917, 2)
    assert detector.detect(blank) == []


def test_second_load_reads_the_cache(cache_dir: Path) -> None:
    first = ssdlite.prepare(cache_dir=cache_dir)
    stamp = first.path.stat().st_mtime_ns
    second = ssdlite.prepare(cache_dir=cache_dir)
    assert not first.converted and not second.converted
    assert second.path.stat().st_mtime_ns == stamp
    assert second.feature_maps == ((19, 19), (10, 10), (5, 5), (3, 3), (2, 2), (1, 1))
    assert [p.name for p in cache_dir.iterdir()] == [first.path.name]  # no temporary left


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other-source"])
def test_a_damaged_cache_is_rebuilt(tmp_path: Path, cache_dir: Path, damage: str) -> None:
    good = ssdlite.prepare(cache_dir=cache_dir)
    path = tmp_path / good.path.name
    if damage == "garbage":
        path.write_bytes(b"\x00\x01 not a model" * 100)
    elif damage == "truncated":
        path.write_bytes(good.data[: len(good.data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        # A whole model, but made from another graph (its metadata records the source).
        model = onnx.ModelProto()
        model.ParseFromString(good.data)
        for prop in model.metadata_props:
            if prop.key == "civicam.source_sha256":
                prop.value = "0" * 64
        path.write_bytes(model.SerializeToString())
    rebuilt = ssdlite.prepare(cache_dir=tmp_path)
    assert rebuilt.converted
    assert path.read_bytes() == good.data
    assert ssdlite.prepare(cache_dir=tmp_path).converted is False


def test_an_unwritable_cache_still_gives_a_detector(tmp_path: Path, cache_dir: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    prepared = ssdlite.prepare(cache_dir=blocked / "sub")
    assert prepared.converted and prepared.data == ssdlite.prepare(cache_dir=cache_dir).data


def test_load_detector_defaults_to_the_bundled_person_model(cache_dir: Path) -> None:
    det = load_detector(DetectionConfig(cache_dir=cache_dir))
    assert isinstance(det, ssdlite.SsdLiteDetector)
    assert det.input_size == 300 and det.labels == ("person",)


def test_load_detector_refuses_what_the_bundled_model_cannot_do(cache_dir: Path) -> None:
    with pytest.raises(DetectorError, match=r"\['car'\] are not among the model's labels"):
        load_detector(DetectionConfig(cache_dir=cache_dir, classes=["person", "car"]))
    with pytest.raises(DetectorError, match="SSD-style"):
        load_detector(DetectionConfig(cache_dir=cache_dir, type="yolo"))


def test_a_missing_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DetectorError, match="cannot read the model graph"):
        ssdlite.prepare(graph=tmp_path / "absent.pb", cache_dir=tmp_path)
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\xff" * 64)
    with pytest.raises(DetectorError, match="cannot convert"):
        ssdlite.prepare(graph=bad, cache_dir=tmp_path)


def test_other_input_sizes_convert_with_matching_anchors(tmp_path: Path) -> None:
    prepared = ssdlite.prepare(cache_dir=tmp_path, input_size=320)
    assert prepared.feature_maps[0] == (20, 20)
    assert "-320-" in prepared.path.name
    assert prepared.path.stat().st_size > 1_000_000


def test_the_default_cache_is_the_user_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    # platformdirs follows XDG_CACHE_HOME on Linux (how tests keep off the real cache).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if not str(ssdlite.default_cache_dir()).startswith(str(tmp_path)):
        pytest.skip("this platform's cache directory ignores XDG_CACHE_HOME")
    seeded = ssdlite.prepare(cache_dir=cache_dir)
    target = ssdlite.default_cache_dir() / seeded.path.name
    target.parent.mkdir(parents=True)
    target.write_bytes(seeded.data)  # as if converted before: no conversion now
    load_detector()
    assert ssdlite.prepare().converted is False
    assert [p.name for p in target.parent.iterdir()] == [seeded.path.name]
