"""People are found over the whole frame and over overlapping tiles."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from civicam.analysis.detectors.base import RawDetection
from civicam.privacy.persons import find_people, square_tiles, tiles


class MarkerDetector:
    """Finds the white pixels of an image as one 'person' (0.3) and one 'car' (0.9)."""

    input_size = 300

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def detect(self, image: npt.NDArray[np.uint8]) -> list[RawDetection]:
        h, w = image.shape[:2]
        self.sizes.append((w, h))
        ys, xs = np.nonzero(image[..., 0] == 255)
        if xs.size == 0:
            return []
        box = (xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
        return [RawDetection("person", 0.3, box), RawDetection("car", 0.9, box)]


def test_tiles_cover_the_frame_with_overlap() -> None:
    grid = list(tiles(400, 300, 2))
    assert len(grid) == 4
    assert grid[0][:2] == (0, 0) and grid[-1][2:] == (400, 300)
    assert grid[0][2] > grid[1][0]  # neighbours overlap
    assert list(tiles(400, 300, 1)) == [(0, 0, 400, 300)]
    with pytest.raises(ValueError):
        list(tiles(10, 10, 0))


def test_boxes_map_back_to_frame_pixels() -> None:
    image = np.zeros((300, 400, 3), np.uint8)
    image[250:280, 350:370] = 255
    detector = MarkerDetector()
    boxes = find_people(detector, image, min_score=0.25, grid=2)
    assert len(detector.sizes) == 5  # whole frame + 4 tiles
    # Whole frame and the bottom-right tile both find it; every box is the same place.
    assert len(boxes) == 2
    for box in boxes:
        assert box == pytest.approx((350, 250, 370, 280))


def test_threshold_and_labels() -> None:
    image = np.zeros((50, 50, 3), np.uint8)
    image[10:20, 10:20] = 255
    assert find_people(MarkerDetector(), image, min_score=0.5, grid=1) == []
    cars = find_people(MarkerDetector(), image, min_score=0.5, grid=1, labels={"car"})
    assert cars == [pytest.approx((10, 10, 20, 20))]


def test_square_tiles_run_along_the_longer_side() -> None:
    assert square_tiles(640, 272) == [(0, 0, 272, 272), (204, 0, 476, 272), (368, 0, 640, 272)]
    assert square_tiles(272, 640)[-1] == (0, 368, 272, 640)
    assert square_tiles(300, 300) == [] and square_tiles(30, 20) == []


def test_explicit_windows_replace_the_grid() -> None:
    image = np.zeros((272, 640, 3), np.uint8)
    image[60:120, 520:540] = 255
    detector = MarkerDetector()
    boxes = find_people(detector, image, min_score=0.25, grid=2, windows=square_tiles(640, 272))
    # Whole frame plus three unstretched squares; the last one holds the marker.
    assert detector.sizes == [(640, 272), (272, 272), (272, 272), (272, 272)]
    assert len(boxes) == 2 and all(b == pytest.approx((520, 60, 540, 120)) for b in boxes)
