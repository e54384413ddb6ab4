"""Demand points, mount points, poses, sites and projection of the city model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from civicam.config.city import CityModelConfig
from civicam.planning.catalog import CameraSpec
from civicam.planning.city.errors import CityInputError
from civicam.planning.city.model import (
    CityData,
    GeomArray,
    Site,
    build_city_model,
    build_demand,
    generate_mounts,
    generate_poses,
    junctions,
    sample_along,
    sample_demand,
    utm_crs_for,
)
from civicam.planning.city.osm import read_city
from civicam.planning.city.sites import read_sites

DOME = CameraSpec("dome", 2560, 100.0, 4.0, 900.0, 120.0, 16.7)
PANO = CameraSpec("pano", 7680, 360.0, 6.0, 2800.0, 260.0, 18.6)


def lines(*coords: list[tuple[float, float]]) -> GeomArray:
    return np.array([shapely.LineString(c) for c in coords], dtype=object)


def test_sample_along_spaces_points_evenly_and_keeps_length() -> None:
    xy, line, dist, piece = sample_along(lines([(0, 0), (100, 0)], [(0, 10), (0, 12)]), 5.0)
    assert np.count_nonzero(line == 0) == 20
    assert np.allclose(np.diff(xy[line == 0, 0]), 5.0)
    assert np.allclose(xy[line == 0, 0][[0, -1]], [2.5, 97.5])  # piece middles, no ends
    assert np.count_nonzero(line == 1) == 1  # a short line still gets one point
    assert np.isclose(piece[line == 1].sum(), 2.0)
    assert np.isclose((piece * 1).sum(), 102.0)
    assert np.all(dist >= 0)


def test_demand_weight_follows_street_length_and_class_and_skips_buildings() -> None:
    settings = CityModelConfig(demand_spacing_m=5, street_weights={"footway": 2.0})
    streets = lines([(0, 0), (100, 0)], [(0, 50), (50, 50)])
    classes = np.array(["footway", "unknown"])
    building = shapely.box(40, -5, 60, 5)  # 20 m of the first street run through it
    tree = shapely.STRtree(np.array([building], dtype=object))
    sample = sample_demand(streets, classes, tree, settings)
    inside = shapely.contains_xy(building, sample.xy[:, 0], sample.xy[:, 1])
    assert not inside.any()
    weight = sample.rate * sample.factor
    on_first = sample.xy[:, 1] == 0
    assert np.isclose(weight[on_first].sum(), 2.0 * 80 / 5)
    assert np.isclose(weight[~on_first].sum(), settings.other_street_weight * 50 / 5)


def test_sites_set_weight_and_requirement_and_list_their_rows() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [100.0, 0.0]])
    from civicam.planning.city.model import DemandSample

    sample = DemandSample(xy, np.ones(3), np.array([1.0, 0.5, 1.0]), np.array(["a", "a", "a"]))
    sites = (
        Site("near", 4.0, shapely.Point(0, 0), None, 2, "s.geojson", 0),
        Site("both", 7.0, shapely.Point(5, 0), None, 1, "s.geojson", 1),
    )
    reach = np.array([shapely.Point(0, 0).buffer(3), shapely.Point(5, 0).buffer(6)], dtype=object)
    demand = build_demand(sample, sites, reach)
    assert demand.weight.tolist() == [7.0, 3.5, 1.0]  # largest site rate x length factor
    assert demand.requirement.tolist() == [2, 1, 1]
    rows = [demand.site_rows[demand.site_ptr[s] : demand.site_ptr[s + 1]].tolist() for s in (0, 1)]
    assert rows == [[0], [0, 1]]


def test_site_reaching_no_demand_is_an_error_naming_the_file() -> None:
    from civicam.planning.city.model import DemandSample

    sample = DemandSample(np.zeros((1, 2)), np.ones(1), np.ones(1), np.array(["a"]))
    site = Site("lonely", 1.0, shapely.Point(500, 500), None, 1, "my-sites.geojson", 3)
    reach = np.array([shapely.Point(500, 500).buffer(10)], dtype=object)
    with pytest.raises(CityInputError, match=r"my-sites\.geojson: site 'lonely' \(feature 3\)"):
        build_demand(sample, (site,), reach)


def test_junctions_are_where_three_or_more_street_ends_meet() -> None:
    streets = lines(
        [(0, 0), (10, 0), (20, 0)],  # passes through (10, 0)
        [(10, 0), (10, 10)],  # ends there: a T junction
        [(20, 0), (30, 0)],  # continues the first street: not a junction
    )
    assert junctions(streets).tolist() == [[10.0, 0.0]]


def test_mounts_are_set_back_and_never_in_or_near_buildings() -> None:
    settings = CityModelConfig(
        mount_spacing_m=20, mount_setback_m=4, mount_merge_m=0, intersection_mounts=False
    )
    streets = lines([(0, 0), (100, 0)])
    building = shapely.box(30, 2, 50, 10)  # its wall sits 2 m from the centre line
    tree = shapely.STRtree(np.array([building], dtype=object))
    mounts = generate_mounts(streets, tree, settings)
    assert np.allclose(np.abs(mounts[:, 1]), 4.0)
    # Mounts every 20 m from x=10, both sides; on the building side x=30 and x=50
    # touch its wall and are dropped.
    north = sorted(mounts[mounts[:, 1] > 0, 0].tolist())
    south = sorted(mounts[mounts[:, 1] < 0, 0].tolist())
    assert north == [10, 70, 90] and south == [10, 30, 50, 70, 90]
    dist = shapely.distance(building, shapely.points(mounts))
    assert np.all(dist >= settings.mount_clearance_m)


def test_mount_merge_keeps_one_mount_per_cell() -> None:
    settings = CityModelConfig(mount_spacing_m=20, mount_setback_m=0, mount_merge_m=5)
    # The same street mapped twice (a road and its sidewalk drawn on top).
    streets = lines([(0, 0.5), (100, 0.5)], [(0, 0.6), (100, 0.6)])
    tree = shapely.STRtree(np.empty(0, dtype=object))
    mounts = generate_mounts(streets, tree, settings)
    assert len(mounts) == 5


def test_poses_give_each_directional_model_all_headings_and_360_models_one() -> None:
    poses, model = generate_poses(3, (DOME, PANO), heading_step_deg=90)
    assert len(poses) == 3 * (4 + 1)
    assert poses.heading_deg[:5].tolist() == [0, 90, 180, 270, 0]
    assert model[:5].tolist() == [0, 0, 0, 0, 1]
    assert poses.mount.tolist() == sorted(poses.mount.tolist())
    assert poses.range_m[4] == PANO.range_m


def test_utm_zone_follows_the_data() -> None:
    def city_at(lon: float, lat: float) -> CityData:
        street = shapely.LineString([(lon, lat), (lon + 0.001, lat)])
        return CityData("c", np.empty(0, dtype=object), np.array([street]), np.array(["x"]))

    assert utm_crs_for(city_at(24.94, 60.17)).to_epsg() == 32635  # Helsinki
    assert utm_crs_for(city_at(-46.63, -23.55)).to_epsg() == 32723  # São Paulo
    with pytest.raises(CityInputError, match="no UTM zone"):
        utm_crs_for(city_at(10.0, 85.0))


def test_built_model_is_consistent(
    grid_city: Path, grid_sites: Path, coarse_settings: CityModelConfig
) -> None:
    city = read_city(grid_city)
    sites = read_sites(grid_sites)
    model = build_city_model(city, sites, (DOME, PANO), coarse_settings)
    n_rows, n_cols = model.matrix.shape
    assert n_rows == len(model.demand) and n_cols == len(model.poses) == len(model.pose_model)
    assert len(model.views) == len(model.mounts)
    assert model.crs == "EPSG:32635"
    # No demand point or mount inside a building.
    tree = shapely.STRtree(model.buildings)
    assert len(tree.query(shapely.points(model.demand.xy), predicate="within")[0]) == 0
    assert len(tree.query(shapely.points(model.mounts), predicate="intersects")[0]) == 0
    # Sites: the crossing wants two cameras, and its rows are listed.
    crossing = model.demand.site_rows[model.demand.site_ptr[0] : model.demand.site_ptr[1]]
    assert len(crossing) > 0 and np.all(model.demand.requirement[crossing] == 2)
    # A 360° pose sees every demand point its mount's view polygon holds (up to chords).
    pano_cols = np.flatnonzero(model.pose_model == 1)
    j = int(pano_cols[len(pano_cols) // 2])
    seen = set(model.matrix[:, [j]].indices.tolist())
    assert seen, "the chosen 360° pose should see some street"
    view = model.views[model.poses.mount[j]]
    for i in seen:
        assert view.buffer(0.01).contains(shapely.Point(model.demand.xy[i]))
