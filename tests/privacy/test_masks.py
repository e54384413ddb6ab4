"""Privacy masks are burned in solid, in normalised coordinates, and validated."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from civicam.config.privacy import PrivacyConfig
from civicam.privacy.masks import MASK_FILL, MaskCache, burn_masks, polygon_pixels, rasterize

WINDOW = [(0.5, 0.0), (1.0, 0.0), (1.0, 0.5), (0.5, 0.5)]  # top-right quarter


def test_polygon_is_filled_solid_and_rest_untouched() -> None:
    rng = np.random.default_rng(0)
    frame = rng.integers(1, 256, (100, 200, 3), dtype=np.uint8)
    out = burn_masks(frame, [WINDOW])
    assert np.all(out[0:50, 100:200] == np.asarray(MASK_FILL, np.uint8))
    # Edge pixels count as inside (a mask errs towards hiding): row 50 is filled.
    assert np.array_equal(out[51:, :], frame[51:, :])
    assert np.array_equal(out[:, :100], frame[:, :100])
    assert not np.array_equal(out, frame)


def test_same_mask_fits_every_resolution() -> None:
    small = rasterize([WINDOW], 64, 36)
    big = rasterize([WINDOW], 1920, 1080)
    assert small.mean() == pytest.approx(0.25, abs=0.02)
    assert big.mean() == pytest.approx(0.25, abs=0.002)


def test_triangle_and_grey_images() -> None:
    frame = np.full((40, 40), 200, np.uint8)
    out = burn_masks(frame, [[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]])
    assert out[2, 2] == 0 and out[37, 37] == 200
    assert burn_masks(frame, []).tolist() == frame.tolist()


def test_cache_rasterises_per_size() -> None:
    cache = MaskCache([WINDOW])
    a = cache.apply(np.full((10, 10, 3), 9, np.uint8))
    b = cache.apply(np.full((20, 40, 3), 9, np.uint8))
    assert a[0, 9].tolist() == [0, 0, 0] and a[9, 0].tolist() == [9, 9, 9]
    assert b[0, 39].tolist() == [0, 0, 0] and b[19, 0].tolist() == [9, 9, 9]
    assert not MaskCache([])


def test_bad_polygons_rejected() -> None:
    with pytest.raises(ValueError):
        polygon_pixels([(0.0, 0.0), (1.0, 1.0)], 10, 10)
    with pytest.raises(ValueError):
        polygon_pixels([(0.0, 0.0), (1.5, 0.0), (0.0, 1.0)], 10, 10)


def test_config_validates_masks_and_roles() -> None:
    cfg = PrivacyConfig.model_validate({"masks": {"cam-1": [[[0, 0], [1, 0], [1, 1]]]}})
    assert cfg.masks["cam-1"][0][1] == (1.0, 0.0)
    assert cfg.may_unmask("supervisor") and not cfg.may_unmask("operator")
    bads: list[dict[str, object]] = [
        {"masks": {"Bad Id": [[[0, 0], [1, 0], [1, 1]]]}},
        {"masks": {"cam": [[[0, 0], [2, 0], [1, 1]]]}},  # outside 0..1
        {"masks": {"cam": [[[0, 0], [1, 0]]]}},  # two points
        {"masks": {"cam": [[[0, 0], [0.5, 0.5], [1, 1]]]}},  # no area
        {"unmask_roles": []},
        {"unmask_roles": ["Admin; DROP"]},
        {"redaction_min_score": 0},
        {"unexpected": 1},
    ]
    for bad in bads:
        with pytest.raises(ValidationError):
            PrivacyConfig.model_validate(bad)
