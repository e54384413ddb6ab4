"""Blurred regions lose their detail; everything else is untouched."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from civicam.privacy.redaction import blur_regions, padded_box


def _detail(region: npt.NDArray[np.uint8]) -> float:
    """Mean absolute Laplacian: the high-frequency energy of a region."""
    return float(np.abs(cv2.Laplacian(region.astype(np.float64), cv2.CV_64F)).mean())


def _face_like(
    size: int = 120, *, eye_dx: int = 20, eye_r: int = 8, mouth_w: int = 20, seed: int = 1
) -> npt.NDArray[np.uint8]:
    """A synthetic 'face': eyes, mouth and fine texture on a skin-coloured disc."""
    img = np.full((size, size, 3), 40, np.uint8)
    c = size // 2
    cv2.circle(img, (c, c), size // 2 - 4, (150, 170, 220), -1)
    cv2.circle(img, (c - eye_dx, c - size // 8), eye_r, (20, 20, 20), -1)
    cv2.circle(img, (c + eye_dx, c - size // 8), eye_r, (20, 20, 20), -1)
    cv2.ellipse(img, (c, c + size // 5), (mouth_w, size // 14), 0, 0, 180, (30, 30, 120), 3)
    rng = np.random.default_rng(seed)
    noise = rng.integers(-25, 25, img.shape)
    out: npt.NDArray[np.uint8] = np.clip(img.astype(np.int32) + noise, 0, 255).astype(np.uint8)
    return out


def test_region_loses_high_frequency_content() -> None:
    frame = np.zeros((240, 320, 3), np.uint8)
    frame[60:180, 100:220] = _face_like()
    before = _detail(frame[60:180, 100:220])
    out = blur_regions(frame, [(100.0, 60.0, 220.0, 180.0)])
    after = _detail(out[60:180, 100:220])
    assert after < before * 0.02


def _structure(img: npt.NDArray[np.integer], sigma: float) -> npt.NDArray[np.float64]:
    """An image minus its average shading: the layout of features that tells faces apart."""
    x = img.astype(np.float64)
    out: npt.NDArray[np.float64] = x - cv2.GaussianBlur(x, (0, 0), sigma)
    return out


@pytest.mark.parametrize("size", [50, 120])
def test_different_faces_become_indistinguishable(size: int) -> None:
    a = _face_like(size, eye_dx=size // 6, eye_r=size // 14, mouth_w=size // 6, seed=1)
    b = _face_like(size, eye_dx=size // 4, eye_r=size // 10, mouth_w=size // 4, seed=2)
    box = (100.0, 100.0, 100.0 + size, 100.0 + size)
    region = np.s_[100 : 100 + size, 100 : 100 + size]
    blurred = []
    for face in (a, b):
        frame = np.zeros((300, 300, 3), np.uint8)
        frame[region] = face
        blurred.append(blur_regions(frame, [box])[region])
    sigma = size / 8  # about the size of an eye
    before = float(np.abs(_structure(a, sigma) - _structure(b, sigma)).mean())
    after = float(np.abs(_structure(blurred[0], sigma) - _structure(blurred[1], sigma)).mean())
    assert after < 0.1 * before


def test_outside_boxes_unchanged_and_input_not_modified() -> None:
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (100, 200, 3), dtype=np.uint8)
    copy = frame.copy()
    out = blur_regions(frame, [(20.0, 20.0, 60.0, 60.0)], pad=0.25)
    assert np.array_equal(frame, copy)
    # Padding of 25 % of the 40 px box: 10 px each side, so x >= 70 is untouched.
    assert np.array_equal(out[:, 70:], frame[:, 70:])
    assert np.array_equal(out[80:], frame[80:])
    assert not np.array_equal(out[10:70, 10:70], frame[10:70, 10:70])


def test_padding_covers_beyond_box() -> None:
    rng = np.random.default_rng(2)
    frame = rng.integers(0, 256, (100, 100), dtype=np.uint8)
    out = blur_regions(frame, [(40.0, 40.0, 60.0, 60.0)], pad=0.5)
    assert _detail(out[31:69, 31:69]) < _detail(frame[31:69, 31:69]) * 0.2


def test_boxes_clipped_and_outside_ignored() -> None:
    frame = np.full((50, 50, 3), 7, np.uint8)
    out = blur_regions(frame, [(-30.0, -30.0, 10.0, 10.0), (60.0, 60.0, 90.0, 90.0)])
    assert out.shape == frame.shape
    assert padded_box((60.0, 60.0, 90.0, 90.0), 50, 50, 0.1) is None
    assert padded_box((10.0, 10.0, 20.0, 20.0), 50, 50, 0.0) == (10, 10, 20, 20)


def test_maximum_is_coarser_than_strong() -> None:
    rng = np.random.default_rng(3)
    frame = rng.integers(0, 256, (120, 120), dtype=np.uint8)
    strong = blur_regions(frame, [(0.0, 0.0, 120.0, 120.0)], pad=0)
    maximum = blur_regions(frame, [(0.0, 0.0, 120.0, 120.0)], pad=0, strength="maximum")
    assert float(maximum.std()) < float(strong.std())


@pytest.mark.parametrize(
    ("kwargs", "box"),
    [({"pad": -0.1}, (0.0, 0.0, 1.0, 1.0)), ({}, (0.0, float("nan"), 1.0, 1.0))],
)
def test_bad_input_rejected(kwargs: dict[str, float], box: tuple[float, ...]) -> None:
    frame = np.zeros((10, 10), np.uint8)
    with pytest.raises(ValueError):
        blur_regions(frame, [box], **kwargs)  # type: ignore[list-item,arg-type]


def test_non_uint8_rejected() -> None:
    with pytest.raises(ValueError):
        blur_regions(np.zeros((10, 10), np.float32), [])
