"""Fast visibility against a brute-force shapely reference, and view polygon properties."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from civicam.planning.visibility import (
    BOUNDARY_TOLERANCE_M,
    PoseSet,
    Scene,
    building_edges,
    coverage_matrix,
    mount_views,
    pose_views,
)

TOL = BOUNDARY_TOLERANCE_M
CLEARANCE = 0.25


def reference(
    buildings: list[shapely.Geometry],
    points: NDArray[np.float64],
    mounts: NDArray[np.float64],
    poses: PoseSet,
    slack: float,
) -> NDArray[np.bool_]:
    """Brute force, one (point, pose) at a time: range, wedge, and a shapely segment test.

    ``slack`` > 0 is lenient (range and wedge widened by it, buildings eroded);
    ``slack`` < 0 is strict (narrowed, buildings dilated). The fast answer must
    lie between the two.
    """
    union = shapely.union_all(buildings) if buildings else shapely.Polygon()
    solid = union.buffer(-slack) if not union.is_empty else union
    out = np.zeros((len(points), len(poses)), dtype=np.bool_)
    for j in range(len(poses)):
        cx, cy = mounts[poses.mount[j]]
        for i, (px, py) in enumerate(points):
            dx, dy = px - cx, py - cy
            d = math.hypot(dx, dy)
            if d > poses.range_m[j] + slack:
                continue
            if poses.fov_deg[j] < 360:
                bearing = math.degrees(math.atan2(dx, dy))  # clockwise from +y
                off_axis = abs((bearing - poses.heading_deg[j] + 180) % 360 - 180)
                inside_by = poses.fov_deg[j] / 2 - off_axis  # degrees inside the wedge sides
                margin = d * math.sin(math.radians(max(-90.0, min(90.0, inside_by))))
                if margin < -slack:  # metres from the nearer side, signed
                    continue
            if not solid.is_empty and shapely.LineString([(cx, cy), (px, py)]).intersects(solid):
                continue
            out[i, j] = True
    return out


def fast(
    buildings: list[shapely.Geometry],
    points: NDArray[np.float64],
    mounts: NDArray[np.float64],
    poses: PoseSet,
) -> NDArray[np.bool_]:
    scene = Scene.build(points, building_edges(np.array(buildings, dtype=object)))
    dense: NDArray[np.bool_] = (
        coverage_matrix(scene, mounts, poses, chunk_mounts=2).toarray().astype(np.bool_)
    )
    return dense


@st.composite
def small_cities(
    draw: st.DrawFn,
) -> tuple[list[shapely.Geometry], NDArray[np.float64], NDArray[np.float64], PoseSet]:
    # Integer cities put vertices exactly on sight lines and points on walls: the
    # degenerate cases where a boundary convention matters.
    integer = draw(st.booleans())
    coord = st.integers(-10, 60).map(float) if integer else st.floats(-10, 60)
    buildings: list[shapely.Geometry] = []
    for _ in range(draw(st.integers(0, 6))):
        if integer:
            x, y = float(draw(st.integers(0, 45))), float(draw(st.integers(0, 45)))
            w, h = float(draw(st.integers(1, 15))), float(draw(st.integers(1, 15)))
            b: shapely.Geometry = shapely.box(x, y, x + w, y + h)
        else:
            x, y = draw(st.floats(0, 50)), draw(st.floats(0, 50))
            w, h = draw(st.floats(1, 15)), draw(st.floats(1, 15))
            angle = draw(st.floats(0, 180))
            b = shapely.affinity.rotate(shapely.box(x, y, x + w, y + h), angle)
        if w >= 6 and h >= 6 and draw(st.booleans()):  # courtyard building
            b = b.difference(shapely.affinity.scale(b, 0.5, 0.5))
        buildings.append(b)
    points = np.array(
        draw(st.lists(st.tuples(coord, coord), min_size=1, max_size=40)), dtype=np.float64
    )
    raw_mounts = draw(st.lists(st.tuples(coord, coord), min_size=1, max_size=4))
    union = shapely.union_all(buildings) if buildings else shapely.Polygon()
    mounts = np.array(
        [m for m in raw_mounts if union.is_empty or union.distance(shapely.Point(m)) >= CLEARANCE],
        dtype=np.float64,
    ).reshape(-1, 2)
    assume(len(mounts) > 0)
    heading = st.integers(0, 23).map(lambda k: 15.0 * k) if integer else st.floats(0, 359.9)
    mount_ids, headings, fovs, ranges = [], [], [], []
    for m in range(len(mounts)):
        for _ in range(draw(st.integers(1, 3))):
            mount_ids.append(m)
            headings.append(draw(heading))
            fovs.append(draw(st.sampled_from([30.0, 90.0, 100.0, 180.0, 270.0, 360.0])))
            ranges.append(draw(st.sampled_from([5.0, 20.0, 45.0, 80.0])))
    poses = PoseSet(
        np.array(mount_ids, dtype=np.int64),
        np.array(headings),
        np.array(fovs),
        np.array(ranges),
    )
    return buildings, points, mounts, poses


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cities())
def test_fast_visibility_matches_brute_force_within_tolerance(
    city: tuple[list[shapely.Geometry], NDArray[np.float64], NDArray[np.float64], PoseSet],
) -> None:
    buildings, points, mounts, poses = city
    got = fast(buildings, points, mounts, poses)
    strict = reference(buildings, points, mounts, poses, -TOL)
    lenient = reference(buildings, points, mounts, poses, +TOL)
    assert np.all(strict <= lenient)  # the reference itself is monotone in its slack
    too_few = strict & ~got
    too_many = got & ~lenient
    assert not too_few.any(), f"missed (point, pose) pairs {np.argwhere(too_few).tolist()}"
    assert not too_many.any(), f"extra (point, pose) pairs {np.argwhere(too_many).tolist()}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cities())
def test_view_polygons_stay_out_of_buildings_and_hold_every_covered_point(
    city: tuple[list[shapely.Geometry], NDArray[np.float64], NDArray[np.float64], PoseSet],
) -> None:
    buildings, points, mounts, poses = city
    scene = Scene.build(points, building_edges(np.array(buildings, dtype=object)))
    reach = np.zeros(len(mounts))
    np.maximum.at(reach, poses.mount, poses.range_m)
    views = mount_views(scene, mounts, reach, arc_step_deg=1.0)
    union = shapely.union_all(buildings) if buildings else shapely.Polygon()
    interior = union.buffer(-TOL)
    for view in views:
        assert view.is_valid
        if not interior.is_empty:
            assert view.intersection(interior).area <= 1e-9
    # Every covered point lies in its pose's view polygon (up to the tolerance and
    # the inscribed arc chords, which cut at most r(1 - cos 0.5°) off the range).
    matrix = coverage_matrix(scene, mounts, poses).toarray().astype(np.bool_)
    cols = np.arange(len(poses), dtype=np.int64)
    pviews = pose_views(views, mounts, poses, cols, arc_step_deg=1.0)
    for j in cols:
        chord = poses.range_m[j] * (1 - math.cos(math.radians(0.5)))
        grown = pviews[j].buffer(TOL + chord)
        for i in np.flatnonzero(matrix[:, j]):
            assert grown.contains(shapely.Point(points[i])), (j, i)


def one_pose(heading: float, fov: float, rng: float) -> PoseSet:
    return PoseSet(np.array([0]), np.array([heading]), np.array([fov]), np.array([rng]))


def covered(
    buildings: list[shapely.Geometry], points: Sequence[tuple[float, float]], pose: PoseSet
) -> list[bool]:
    got = fast(buildings, np.array(points, dtype=np.float64), np.array([[0.0, 0.0]]), pose)
    return [bool(v) for v in got[:, 0]]


def test_wall_between_camera_and_point_blocks_it() -> None:
    wall = shapely.box(4, -1, 5, 1)
    assert covered([wall], [(10, 0), (10, 5), (3, 0)], one_pose(90, 360, 20)) == [
        False,
        True,
        True,
    ]


def test_boundary_conventions() -> None:
    square = shapely.box(2, 2, 4, 4)
    # (6, 6): the diagonal enters the building through its corner (2, 2): hidden.
    # (2, 3): a point on the wall facing the camera: seen.
    # (6, 2): the line y = x/3 passes below the building: seen.
    assert covered([square], [(6, 6), (2, 3), (6, 2)], one_pose(45, 360, 20)) == [
        False,
        True,
        True,
    ]
    # A line along a wall with the building on its left touches but does not enter.
    assert covered([shapely.box(2, 0, 4, 2)], [(6, 0)], one_pose(90, 360, 20)) == [True]


def test_wedge_and_range_limits() -> None:
    # Heading 0 is grid north (+y), clockwise; a 90° wedge spans bearings -45..45.
    pts = [(0, 10), (9, 10), (11, 10), (-9, 10), (0, 19.9), (0, 20.1), (0, -5)]
    assert covered([], pts, one_pose(0, 90, 20)) == [True, True, False, True, True, False, False]
    # A 360° camera sees all around, within range.
    assert covered([], pts, one_pose(123, 360, 20)) == [True, True, True, True, True, False, True]


def test_courtyard_is_seen_from_inside_and_hidden_from_outside() -> None:
    ring = shapely.box(-10, -10, 10, 10).difference(shapely.box(-5, -5, 5, 5))
    inside = covered([ring], [(3, 3), (20, 0)], one_pose(0, 360, 40))
    assert inside == [True, False]
    outside = fast(
        [ring], np.array([[3.0, 3.0], [20.0, 20.0]]), np.array([[15.0, 15.0]]), one_pose(0, 360, 40)
    )
    assert outside[:, 0].tolist() == [False, True]


def test_many_edges_far_and_near_agree_with_reference() -> None:
    rng = np.random.default_rng(7)
    buildings = [shapely.box(x, y, x + 3, y + 3) for x, y in rng.uniform(-60, 60, size=(60, 2))]
    union = shapely.union_all(buildings)
    pts = rng.uniform(-70, 70, size=(400, 2))
    mount = np.array([[0.5, 0.5]])
    assume_clear = union.distance(shapely.Point(0.5, 0.5)) >= CLEARANCE
    if not assume_clear:
        pytest.skip("random mount landed in a building")
    poses = PoseSet(
        np.zeros(4, dtype=np.int64),
        np.array([0.0, 90.0, 200.0, 0.0]),
        np.array([60.0, 100.0, 40.0, 360.0]),
        np.array([80.0, 40.0, 60.0, 50.0]),
    )
    got = fast(buildings, pts, mount, poses)
    strict = reference(buildings, pts, mount, poses, -TOL)
    lenient = reference(buildings, pts, mount, poses, TOL)
    assert np.all(strict <= got) and np.all(got <= lenient)
    assert 50 < got.sum() < got.size - 50  # both seen and hidden points occur


def test_building_edges_cover_outer_and_inner_rings() -> None:
    ring = shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 4, 4))
    edges = building_edges(np.array([ring, shapely.box(20, 0, 21, 1)], dtype=object))
    assert len(edges) == 4 + 4 + 4
    assert set(map(tuple, edges[:, :2].round(6).tolist())) >= {(0.0, 0.0), (2.0, 2.0)}
