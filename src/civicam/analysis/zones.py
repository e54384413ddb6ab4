"""Named zones per camera: an object is in a zone when its box's bottom centre is.

The bottom centre approximates where a person or vehicle touches the ground, so a
zone drawn on the pavement catches people standing on it, not ones whose heads
merely overlap it. Points on a zone's edge count as inside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import shapely

from civicam.analysis.boxes import Box

Polygon = Sequence[tuple[float, float]]


def bottom_centres(boxes: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """(N, 2) bottom-centre points of (N, 4) boxes."""
    arr = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.column_stack([(arr[:, 0] + arr[:, 2]) / 2.0, arr[:, 3]])


class ZoneSet:
    """The named zones of one camera, in image coordinates."""

    def __init__(self, zones: Mapping[str, Polygon]) -> None:
        self.names: tuple[str, ...] = tuple(zones)
        self._polygons = []
        for name, points in zones.items():
            if len(points) < 3:
                raise ValueError(f"zone {name!r} needs at least three points")
            polygon = shapely.Polygon(points)
            if not polygon.is_valid or polygon.area <= 0:
                raise ValueError(f"zone {name!r} is not a simple polygon with an area")
            shapely.prepare(polygon)
            self._polygons.append(polygon)

    def membership(self, boxes: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """(N, Z) booleans: box ``i`` is in zone ``j``."""
        points = bottom_centres(boxes)
        out = np.zeros((len(points), len(self._polygons)), dtype=bool)
        for j, polygon in enumerate(self._polygons):
            out[:, j] = shapely.intersects_xy(polygon, points[:, 0], points[:, 1])
        return out

    def zones_of(self, box: Box) -> tuple[str, ...]:
        """Names of the zones ``box`` is in, in configuration order."""
        row = self.membership([box])[0]
        return tuple(name for name, inside in zip(self.names, row, strict=True) if inside)
