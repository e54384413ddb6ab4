"""YOLO-style decoding through a letterbox."""

from __future__ import annotations

import numpy as np
import pytest

from civicam.analysis.yolo import Letterbox, postprocess


def test_letterbox_geometry() -> None:
    lb = Letterbox(width=640, height=320, size=320)
    assert lb.scale == 0.5 and lb.pad == (0.0, 80.0)
    tall = Letterbox(width=100, height=200, size=400)
    assert tall.scale == 2.0 and tall.pad == (100.0, 0.0)


def test_boxes_map_back_through_the_letterbox() -> None:
    lb = Letterbox(width=640, height=320, size=320)
    # A box covering image pixels x 64..192, y 32..160 sits at input x 32..96,
    # y 80+16..80+80, i.e. centre (64, 128), size (64, 64).
    rows = np.array([[64.0, 128.0, 64.0, 64.0, 0.9, 0.1], [10.0, 10.0, 4.0, 4.0, 0.1, 0.2]])
    (det,) = postprocess(rows, ["person", "car"], lb, objectness=False)
    assert det.label == "person" and det.score == pytest.approx(0.9)
    np.testing.assert_allclose(det.box, [64 / 640, 32 / 320, 192 / 640, 160 / 320])


def test_objectness_multiplies_and_nms_applies() -> None:
    lb = Letterbox(width=320, height=320, size=320)
    rows = np.array(
        [
            [100.0, 100.0, 50.0, 50.0, 0.9, 0.0, 0.8],
            [102.0, 101.0, 50.0, 50.0, 0.5, 0.0, 0.9],  # overlaps the first, lower product
            [250.0, 250.0, 30.0, 30.0, 0.2, 0.9, 0.0],  # product 0.18, under threshold
        ]
    )
    dets = postprocess(rows, ["person", "car"], lb, objectness=True, score_threshold=0.3)
    assert [(d.label, round(d.score, 3)) for d in dets] == [("car", 0.72)]
    with pytest.raises(ValueError, match="columns"):
        postprocess(rows, ["person"], lb, objectness=True)
