"""Motion detection on synthetic frames."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from civicam.analysis.boxes import area
from civicam.analysis.motion import MotionDetector, MotionParams, block_mean, to_grey

H, W = 360, 640
Frame = npt.NDArray[np.uint8]


def scene(seed: int = 0) -> npt.NDArray[np.float64]:
    """A static textured street-like background (smooth gradients plus blocks)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:H, 0:W]
    base = 90 + 40 * np.sin(xs / 50.0) + 20 * np.cos(ys / 35.0)
    for _ in range(12):
        x, y = rng.integers(0, W - 60), rng.integers(0, H - 60)
        base[y : y + 50, x : x + 50] += rng.uniform(-30, 30)
    return np.asarray(base, dtype=np.float64)


def frame(base: npt.NDArray[np.float64], square: tuple[int, int] | None = None) -> Frame:
    img = base.copy()
    if square is not None:
        x, y = square
        img[y : y + 40, x : x + 40] = 240.0
    return np.clip(img, 0, 255).astype(np.uint8)


def warmed(det: MotionDetector, base: npt.NDArray[np.float64], n: int = 5) -> None:
    for _ in range(n):
        assert det.update(frame(base)) == []


def test_static_scene_has_no_motion() -> None:
    det = MotionDetector(MotionParams())
    warmed(det, scene(), 10)


def test_moving_square_is_found_where_it_is() -> None:
    base = scene()
    det = MotionDetector(MotionParams(downscale_width=320))
    warmed(det, base)
    for step in range(8):
        x, y = 100 + 30 * step, 150
        boxes = det.update(frame(base, (x, y)))
        assert boxes, step
        # The box nearest the square hugs it; a running average may leave a faint
        # trail where the square overlapped itself, which must stay smaller.
        best = min(boxes, key=lambda b: abs(b[0] - x) + abs(b[1] - y))
        assert all(area(b) < 0.5 * 40 * 40 for b in boxes if b is not best)
        x0, y0, x1, y1 = best
        # Downscaling by 2 may shift edges by at most one small pixel (2 px).
        assert abs(x0 - x) <= 2 and abs(y0 - y) <= 2
        assert abs(x1 - (x + 40)) <= 2 and abs(y1 - (y + 40)) <= 2


def test_two_separate_movers_give_two_boxes() -> None:
    base = scene()
    det = MotionDetector(MotionParams())
    warmed(det, base)
    img = frame(base, (50, 50))
    img[250:290, 500:540] = 10
    boxes = det.update(img)
    assert len(boxes) == 2
    assert boxes[0][0] == pytest.approx(50, abs=2) and boxes[1][0] == pytest.approx(500, abs=2)


def test_global_gain_change_is_not_motion() -> None:
    base = scene()
    det = MotionDetector(MotionParams())
    warmed(det, base)
    for gain in (1.4, 0.6, 1.2):
        assert det.update(frame(base * gain)) == []
    assert det.reseeds == 0


def test_sudden_offset_lighting_reseeds_instead_of_reporting() -> None:
    base = scene()
    det = MotionDetector(MotionParams())
    warmed(det, base)
    # Lights on: a large offset plus gain changes most pixels after normalisation.
    brighter = np.clip(base * 0.5 + 120, 0, 255)
    assert det.update(frame(brighter)) == []
    assert det.reseeds == 1 and det.global_change
    # The new background is in place: a square is still found right after.
    boxes = det.update(frame(brighter, (300, 100)))
    assert len(boxes) == 1 and boxes[0][0] == pytest.approx(300, abs=2)
    assert not det.global_change


def test_noise_below_threshold_is_ignored() -> None:
    base = scene()
    rng = np.random.default_rng(1)
    det = MotionDetector(MotionParams())
    for _ in range(30):
        noisy = base + rng.normal(0, 8, size=base.shape)
        assert det.update(frame(noisy)) == []


def test_small_change_below_min_area_is_ignored() -> None:
    base = scene()
    det = MotionDetector(MotionParams(min_area=400))
    warmed(det, base)
    img = frame(base)
    img[100:110, 100:110] = 250  # 100 px < 400 px
    assert det.update(img) == []
    img[100:130, 100:130] = 250  # 900 px
    assert len(det.update(img)) == 1


def test_threshold_is_configurable() -> None:
    base = scene()
    faint = base.copy()
    faint[100:160, 100:160] += 20
    strict = MotionDetector(MotionParams(threshold=30))
    loose = MotionDetector(MotionParams(threshold=10))
    for det in (strict, loose):
        warmed(det, base)
    assert strict.update(frame(faint)) == []
    assert len(loose.update(frame(faint))) == 1


def test_masked_area_is_ignored() -> None:
    base = scene()
    mask = [(0.0, 0.0), (320.0, 0.0), (320.0, 360.0), (0.0, 360.0)]  # left half
    det = MotionDetector(MotionParams(), ignore=[mask])
    warmed(det, base)
    assert det.update(frame(base, (100, 100))) == []
    boxes = det.update(frame(base, (400, 100)))
    assert len(boxes) == 1 and boxes[0][0] == pytest.approx(400, abs=2)


def test_masked_area_does_not_count_towards_relight() -> None:
    base = scene()
    mask = [(0.0, 0.0), (600.0, 0.0), (600.0, 360.0), (0.0, 360.0)]
    det = MotionDetector(MotionParams(), ignore=[mask])
    warmed(det, base)
    # A mover filling the small unmasked strip is more than half of the watched area.
    img = frame(base)
    img[:, 600:] = 250
    assert det.update(img) == []
    assert det.reseeds == 1


def test_colour_frames_and_resolution_change() -> None:
    base = scene()
    det = MotionDetector(MotionParams())
    bgr = np.repeat(frame(base)[:, :, None], 3, axis=2)
    assert det.update(bgr) == []
    moved = bgr.copy()
    moved[150:190, 200:240] = 255
    assert len(det.update(moved)) == 1
    # A new resolution starts a new background rather than failing.
    assert det.update(frame(base)[:180, :320]) == []


def test_helpers_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="frame"):
        to_grey(np.zeros((4, 4, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="smaller"):
        block_mean(np.zeros((2, 2)), 4)
    with pytest.raises(ValueError, match="three points"):
        MotionDetector(MotionParams(), ignore=[[(0.0, 0.0), (1.0, 1.0)]]).update(
            np.zeros((8, 8), dtype=np.uint8)
        )
