"""Zones: membership by a box's bottom centre."""

from __future__ import annotations

import numpy as np
import pytest

from civicam.analysis.zones import ZoneSet, bottom_centres

CROSSING = [(100.0, 300.0), (300.0, 300.0), (300.0, 360.0), (100.0, 360.0)]
TRIANGLE = [(400.0, 200.0), (600.0, 200.0), (500.0, 350.0)]


def zones() -> ZoneSet:
    return ZoneSet({"crossing": CROSSING, "plaza": TRIANGLE})


def test_bottom_centre_decides_not_overlap() -> None:
    z = zones()
    # Box overlaps the crossing but stands above it: not in the zone.
    assert z.zones_of((150.0, 200.0, 200.0, 299.0)) == ()
    # Feet on the crossing.
    assert z.zones_of((150.0, 200.0, 200.0, 320.0)) == ("crossing",)


def test_non_rectangular_zone() -> None:
    z = zones()
    assert z.zones_of((480.0, 100.0, 520.0, 300.0)) == ("plaza",)
    # Bottom centre (420, 300) lies outside the triangle though the box is over it.
    assert z.zones_of((400.0, 100.0, 440.0, 300.0)) == ()


def test_overlapping_zones_both_reported_and_edges_inside() -> None:
    z = ZoneSet({"a": CROSSING, "b": [(250.0, 250.0), (400.0, 250.0), (250.0, 400.0)]})
    assert z.zones_of((260.0, 0.0, 280.0, 320.0)) == ("a", "b")
    assert z.zones_of((90.0, 0.0, 110.0, 300.0)) == ("a",)  # exactly on the top edge


def test_membership_is_vectorised() -> None:
    boxes = np.array([[150, 200, 200, 320], [480, 100, 520, 300], [0, 0, 10, 10]], dtype=float)
    m = zones().membership(boxes)
    assert m.tolist() == [[True, False], [False, True], [False, False]]
    assert bottom_centres(boxes)[0].tolist() == [175.0, 320.0]
    assert zones().membership(np.zeros((0, 4))).shape == (0, 2)


def test_bad_polygons_are_refused() -> None:
    with pytest.raises(ValueError, match="three points"):
        ZoneSet({"x": [(0.0, 0.0), (1.0, 1.0)]})
    with pytest.raises(ValueError, match="simple polygon"):
        ZoneSet({"bowtie": [(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)]})
