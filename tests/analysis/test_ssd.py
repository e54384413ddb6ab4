"""SSD anchors, box coding and NMS."""

from __future__ import annotations

import numpy as np
import pytest

from civicam.analysis.ssd import (
    AnchorSpec,
    classwise_nms,
    decode,
    encode,
    generate_anchors,
    layer_box_specs,
    nms,
    postprocess,
    to_xyxy,
)


def test_ssdlite_300_has_1917_anchors() -> None:
    anchors = generate_anchors()
    assert anchors.shape == (1917, 4)
    assert [len(layer) for layer in layer_box_specs(AnchorSpec())] == [3, 6, 6, 6, 6, 6]
    # Without the reduced lowest layer the first layer would carry 6 anchors per cell.
    full = generate_anchors(spec=AnchorSpec(reduce_boxes_in_lowest_layer=False))
    assert full.shape == (19 * 19 * 6 + (100 + 25 + 9 + 4 + 1) * 6, 4)


def test_anchor_layout_and_sizes() -> None:
    anchors = generate_anchors()
    # First cell of the 19x19 grid: centre at half a stride, anchors 0.1 square then
    # scale 0.2 at aspect 2 (wider) and 0.5 (taller).
    centre = 0.5 / 19
    first = anchors[:3]
    np.testing.assert_allclose((first[:, 0] + first[:, 2]) / 2, centre)
    np.testing.assert_allclose((first[:, 1] + first[:, 3]) / 2, centre)
    h = first[:, 2] - first[:, 0]
    w = first[:, 3] - first[:, 1]
    np.testing.assert_allclose(h, [0.1, 0.2 / np.sqrt(2), 0.2 * np.sqrt(2)])
    np.testing.assert_allclose(w, [0.1, 0.2 * np.sqrt(2), 0.2 / np.sqrt(2)])
    # Next anchor triple is the next column (x moves, y stays).
    np.testing.assert_allclose((anchors[3, 1] + anchors[3, 3]) / 2, 1.5 / 19)
    np.testing.assert_allclose((anchors[3, 0] + anchors[3, 2]) / 2, centre)
    # The last layer is a single cell at the centre; its last anchor is the
    # interpolated one between scale 0.95 and 1.0.
    last = anchors[-6:]
    np.testing.assert_allclose((last[:, 0] + last[:, 2]) / 2, 0.5)
    np.testing.assert_allclose(last[-1, 2] - last[-1, 0], np.sqrt(0.95))
    # Layer scales are evenly spaced from 0.2 to 0.95.
    scales = [layer[0][0] for layer in layer_box_specs(AnchorSpec())[1:]]
    np.testing.assert_allclose(scales, [0.35, 0.5, 0.65, 0.8, 0.95])


def test_non_square_input_keeps_anchors_square_in_pixels() -> None:
    anchors = generate_anchors([(2, 4)], AnchorSpec(num_layers=1), image_size=(300, 600))
    y0, x0, y1, x1 = anchors[0]
    assert (y1 - y0) * 300 == pytest.approx((x1 - x0) * 600)
    with pytest.raises(ValueError, match="feature maps"):
        generate_anchors([19, 10])


def test_decode_inverts_encode() -> None:
    rng = np.random.default_rng(0)
    anchors = generate_anchors()
    centres = rng.uniform(0.1, 0.9, size=(len(anchors), 2))
    sizes = rng.uniform(0.02, 0.5, size=(len(anchors), 2))
    boxes = np.column_stack([centres - sizes / 2, centres + sizes / 2])
    codes = encode(boxes, anchors)
    np.testing.assert_allclose(decode(codes, anchors), boxes, atol=1e-12)
    # Zero codes decode to the anchors themselves.
    np.testing.assert_allclose(decode(np.zeros_like(anchors), anchors), anchors, atol=1e-15)


def test_decode_applies_scale_factors() -> None:
    anchor = np.array([[0.4, 0.4, 0.6, 0.6]])  # centre 0.5, size 0.2
    # ty = 10 means one anchor height down; th = 5 * ln 2 doubles the height.
    box = decode([[10.0, 0.0, 5 * np.log(2.0), 0.0]], anchor)
    np.testing.assert_allclose(box, [[0.5, 0.4, 0.9, 0.6]])
    np.testing.assert_allclose(to_xyxy(box, 300, 100), [[120.0, 50.0, 180.0, 90.0]])


def test_nms_keeps_the_higher_scoring_of_two_overlapping_boxes() -> None:
    boxes = [[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [50.0, 50.0, 60.0, 60.0]]
    assert nms(boxes, [0.6, 0.9, 0.3], iou_threshold=0.5).tolist() == [1, 2]
    # Below the IoU threshold both survive.
    assert sorted(nms(boxes, [0.6, 0.9, 0.3], iou_threshold=0.9).tolist()) == [0, 1, 2]


def test_classwise_nms_never_suppresses_across_classes() -> None:
    boxes = [[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [0.0, 0.0, 10.0, 10.0]]
    scores = np.array([[0.9, 0.0], [0.8, 0.0], [0.0, 0.7]])
    out = classwise_nms(boxes, scores, score_threshold=0.5, iou_threshold=0.5)
    assert out.classes.tolist() == [0, 1]
    np.testing.assert_allclose(out.scores, [0.9, 0.7])
    np.testing.assert_allclose(out.boxes[0], boxes[0])


def test_classwise_nms_thresholds_and_caps() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1000, size=(200, 2))
    boxes = np.column_stack([xy, xy + 5])
    scores = rng.uniform(0, 1, size=200)
    out = classwise_nms(boxes, scores, score_threshold=0.3, max_per_class=50, max_total=20)
    assert len(out.scores) == 20 and out.scores.min() >= 0.3
    assert np.all(np.diff(out.scores) <= 0)
    empty = classwise_nms(boxes, scores, score_threshold=2.0)
    assert empty.boxes.shape == (0, 4) and empty.classes.shape == (0,)
    with pytest.raises(ValueError, match="score rows"):
        classwise_nms(boxes, scores[:10])


def test_postprocess_decodes_scores_and_boxes_for_one_class_model() -> None:
    anchors = generate_anchors()
    target = np.array([[0.2, 0.3, 0.8, 0.5]])  # ymin, xmin, ymax, xmax
    codes = np.zeros((len(anchors), 4))
    logits = np.full((len(anchors), 2), -10.0)
    best = 1000
    codes[best] = encode(target, anchors[best : best + 1])[0]
    logits[best, 1] = 2.0  # sigmoid(2) = 0.881
    dets = postprocess(codes, logits, anchors, ["person"], score_threshold=0.5)
    assert len(dets) == 1
    assert dets[0].label == "person" and dets[0].score == pytest.approx(0.8808, abs=1e-4)
    np.testing.assert_allclose(dets[0].box, [0.3, 0.2, 0.5, 0.8])  # x0, y0, x1, y1
    with pytest.raises(ValueError, match="score columns"):
        postprocess(codes, logits, anchors, ["person", "car"])


def test_postprocess_clips_boxes_to_the_image() -> None:
    anchors = np.array([[0.9, 0.9, 1.1, 1.1]])
    dets = postprocess(np.zeros((1, 4)), [[0.0, 0.99]], anchors, ["person"], logits=False)
    np.testing.assert_allclose(dets[0].box, [0.9, 0.9, 1.0, 1.0])


def test_postprocess_suppresses_before_clipping_and_drops_boxes_outside() -> None:
    # Two boxes mostly outside the image: unclipped they overlap little (IoU 0.2), so
    # both survive NMS as in the TF graph, although clipped they would coincide.
    # A third lies wholly outside the image and is dropped after clipping.
    anchors = np.array(
        [[0.8, 0.8, 1.4, 1.0], [0.8, 0.8, 1.0, 1.4], [1.1, 1.1, 1.3, 1.3]]
    )  # ymin, xmin, ymax, xmax
    scores = [[0.0, 0.9], [0.0, 0.8], [0.0, 0.95]]
    dets = postprocess(np.zeros((3, 4)), scores, anchors, ["person"], logits=False)
    assert [d.score for d in dets] == [0.9, 0.8]
    for d in dets:
        np.testing.assert_allclose(d.box, [0.8, 0.8, 1.0, 1.0])
