"""Detector crops, mapping back to the frame, and the detection rate cap."""

from __future__ import annotations

import numpy as np
import pytest

from civicam.analysis.crops import (
    Crop,
    TokenBucket,
    choose_crops,
    crop_around,
    crops_for_box,
    merge_boxes,
    to_frame,
)

W, H, S = 1280, 720, 300


def test_merge_joins_near_boxes_transitively_and_keeps_far_ones() -> None:
    boxes = [(0.0, 0.0, 10.0, 10.0), (15.0, 0.0, 25.0, 10.0), (30.0, 0.0, 40.0, 10.0)]
    assert merge_boxes(boxes, gap=6) == [(0.0, 0.0, 40.0, 10.0)]
    assert merge_boxes(boxes, gap=2) == boxes
    # Growth reaches a box neither original reached: merged only on a later pass.
    grow = [(100.0, 0.0, 110.0, 10.0), (0.0, 0.0, 10.0, 100.0), (0.0, 95.0, 105.0, 100.0)]
    assert merge_boxes(grow, gap=1) == [(0.0, 0.0, 110.0, 100.0)]


def test_crop_is_square_of_input_size_centred_on_box() -> None:
    c = crop_around((600.0, 300.0, 640.0, 400.0), W, H, S)
    assert c.side == S and c.scale == 1.0
    assert (c.x0 + S / 2, c.y0 + S / 2) == (620.0, 350.0)


def test_crop_is_clamped_into_the_frame() -> None:
    c = crop_around((0.0, 690.0, 20.0, 720.0), W, H, S)
    assert (c.x0, c.y0, c.side) == (0, H - S, S)
    c = crop_around((1270.0, 0.0, 1280.0, 5.0), W, H, S)
    assert (c.x0, c.y0) == (W - S, 0)


def test_large_box_gets_larger_crop_but_never_beyond_the_frame() -> None:
    c = crop_around((100.0, 100.0, 600.0, 400.0), W, H, S)
    assert c.side == 500 and c.scale == pytest.approx(500 / 300)
    assert c.box[0] <= 100 and c.box[2] >= 600
    huge = crop_around((0.0, 0.0, 1280.0, 720.0), W, H, S)
    assert huge.side == H and 0 <= huge.x0 <= W - H
    small_frame = crop_around((10.0, 10.0, 20.0, 20.0), 200, 150, S)
    assert (small_frame.x0, small_frame.y0, small_frame.side) == (0, 0, 150)


def test_choose_crops_covers_every_motion_box_once() -> None:
    motion = [
        (100.0, 100.0, 140.0, 200.0),
        (150.0, 120.0, 170.0, 180.0),  # near the first: same crop
        (900.0, 400.0, 960.0, 560.0),  # far: own crop
        (200.0, 250.0, 220.0, 280.0),  # inside the first crop already
    ]
    crops = choose_crops(motion, W, H, S, merge_gap=16)
    assert len(crops) == 2
    for box in motion:
        assert any(
            c.box[0] <= box[0] and c.box[1] <= box[1] and box[2] <= c.box[2] and box[3] <= c.box[3]
            for c in crops
        )
    assert choose_crops([], W, H, S, merge_gap=16) == []


def test_detections_map_back_to_frame_coordinates() -> None:
    crop = Crop(x0=400, y0=200, side=600, input_size=300)
    pixels = to_frame(crop, [[0, 0, 150, 300], [10, 20, 30, 40]])
    assert pixels.tolist() == [[400, 200, 700, 800], [420, 240, 460, 280]]
    normal = to_frame(crop, [[0.0, 0.5, 0.5, 1.0]], normalised=True)
    assert normal.tolist() == [[400, 500, 700, 800]]
    assert to_frame(crop, np.zeros((0, 4))).shape == (0, 4)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_caps_rate_and_allows_a_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3.0, clock=clock)
    assert [bucket.try_take() for _ in range(4)] == [True, True, True, False]
    assert bucket.refused == 1
    clock.now += 0.5  # one token back
    assert bucket.try_take() and not bucket.try_take()
    clock.now += 100.0  # never more than the burst
    assert bucket.available() == 3.0
    # Over a long run, the number taken matches the rate.
    taken = 0
    for _ in range(1000):
        clock.now += 0.1
        taken += bucket.try_take()
    assert 200 <= taken <= 203


def test_token_bucket_ignores_a_clock_stepping_back_and_bad_settings() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=1.0, clock=clock)
    assert bucket.try_take()
    clock.now -= 50
    assert not bucket.try_take()
    clock.now += 50.5
    assert not bucket.try_take()  # only the 0.5 s past the old high-water mark counts
    clock.now += 0.5
    assert bucket.try_take()
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0.0, burst=1.0, clock=clock)


def test_motion_wider_than_the_frame_is_tall_is_tiled() -> None:
    # Full-frame motion in a 640x272 frame: three 272-px squares across the width.
    crops = crops_for_box((0.0, 0.0, 640.0, 272.0), 640, 272, S)
    assert [c.side for c in crops] == [272, 272, 272]
    assert crops[0].x0 == 0 and crops[-1].x0 + 272 == 640
    covered = np.zeros(640, dtype=bool)
    for c in crops:
        covered[c.x0 : c.x0 + c.side] = True
    assert covered.all()
    # A tall strip in a landscape frame is tiled down its height.
    strip = crops_for_box((150.0, 0.0, 250.0, 1000.0), 400, 1000, S)
    assert [(c.x0, c.y0, c.side) for c in strip] == [(0, 0, 400), (0, 300, 400), (0, 600, 400)]
    # Boxes reaching past the frame are clipped first, so no duplicate tiles appear.
    assert len(crops_for_box((600.0, 0.0, 700.0, 720.0), W, 400, S)) == 1
    assert choose_crops([(0.0, 0.0, 640.0, 272.0)], 640, 272, S, 16) == crops
