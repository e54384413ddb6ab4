"""Finding the people to blur: the analysis detector over the frame and over tiles.

The analysis detector sees a frame resized to its input (300 px by default), so a
distant person can shrink below what it finds. For redaction every frame is also
cut into an N x N grid of overlapping tiles, each run on its own; any box from any
pass is blurred. Redaction uses a lower score threshold than event detection:
blurring a shadow costs little, missing a person does not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from civicam.analysis.detectors.base import Detector

Box = tuple[float, float, float, float]

#: Classes blurred in snapshots and exports.
REDACTED_LABELS = frozenset({"person"})
#: How much neighbouring tiles overlap, as a fraction of a tile's side, so a person
#: cut by a tile border is whole in one of them.
TILE_OVERLAP = 0.25


def tiles(width: int, height: int, n: int) -> Iterator[tuple[int, int, int, int]]:
    """Pixel xyxy windows: an ``n`` x ``n`` grid of overlapping tiles covering the frame."""
    if n < 1:
        raise ValueError("tile grid must be at least 1 x 1")
    if n == 1:
        yield 0, 0, width, height
        return
    tw = min(width, int(np.ceil(width / n * (1 + TILE_OVERLAP))))
    th = min(height, int(np.ceil(height / n * (1 + TILE_OVERLAP))))
    for j in range(n):
        for i in range(n):
            x0 = round(i * (width - tw) / (n - 1))
            y0 = round(j * (height - th) / (n - 1))
            yield x0, y0, x0 + tw, y0 + th


def square_tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Pixel xyxy windows: squares of the shorter side, overlapping by a quarter along
    the longer side (none when the frame is about square or tiny).

    A square window reaches the detector unstretched, so a small, distant person keeps
    their shape; one pass per event snapshot can afford the extra runs.
    """
    side = min(width, height)
    long_side = max(width, height)
    if side < 32 or long_side < side * 1.2:
        return []
    step = max(1, int(side * (1 - TILE_OVERLAP)))
    starts = list(range(0, long_side - side + 1, step))
    if starts[-1] != long_side - side:
        starts.append(long_side - side)
    if width >= height:
        return [(x0, 0, x0 + side, side) for x0 in starts]
    return [(0, y0, side, y0 + side) for y0 in starts]


def find_people(
    detector: Detector,
    image: npt.NDArray[np.uint8],
    *,
    min_score: float,
    grid: int = 2,
    labels: Collection[str] = REDACTED_LABELS,
    windows: Sequence[tuple[int, int, int, int]] | None = None,
) -> list[Box]:
    """Pixel xyxy boxes of every person in ``image`` (BGR) scoring at least ``min_score``.

    The detector runs on the whole frame and on ``windows`` when given (pixel xyxy),
    else, when ``grid`` > 1, on each tile of a ``grid`` x ``grid`` overlapping grid.
    """
    height, width = image.shape[:2]
    passes = [(0, 0, width, height)]
    if windows is not None:
        passes += list(windows)
    elif grid > 1:
        passes += list(tiles(width, height, grid))
    wanted = set(labels)
    boxes: list[Box] = []
    for x0, y0, x1, y1 in passes:
        crop = image if (x0, y0, x1, y1) == (0, 0, width, height) else image[y0:y1, x0:x1]
        cw, ch = x1 - x0, y1 - y0
        for det in detector.detect(np.ascontiguousarray(crop)):
            if det.label not in wanted or det.score < min_score:
                continue
            bx0, by0, bx1, by1 = det.box
            boxes.append((x0 + bx0 * cw, y0 + by0 * ch, x0 + bx1 * cw, y0 + by1 * ch))
    return boxes
