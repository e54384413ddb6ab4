"""Reading camera files (GeoJSON and CSV) and placing them on a city model, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from civicam.config.plans import PlansConfig
from civicam.planning.cameras import read_cameras
from civicam.planning.city.errors import CityInputError
from civicam.planning.city_plan import ModelRun
from civicam.planning.network import (
    Cameras,
    grid_to_true,
    lonlat_of,
    place_records,
    true_to_grid,
)
from tests.planning.city.conftest import ORIGIN
from tests.planning.plans.conftest import cam, lonlat, write_cameras, write_csv

CFG = PlansConfig()


def place(run: ModelRun, path: Path, role: str = "plan") -> tuple[Cameras, tuple[str, ...]]:
    placed = place_records(
        run.model, read_cameras(path).records, run.model.cameras, CFG, origin="p", role=role
    )
    return placed.cameras, placed.warnings


# --------------------------------------------------------------------------- reading


def test_geojson_and_csv_read_the_same_camera(tmp_path: Path) -> None:
    lon, lat = lonlat(10, 4)
    gj = write_cameras(
        tmp_path / "a.geojson", [cam(10, 4, id="A1", model="dome", heading_deg=90, cost=900)]
    )
    cs = write_csv(
        tmp_path / "a.csv",
        ["id", "lon", "lat", "model", "heading_deg", "cost"],
        [["A1", lon, lat, "dome", 90, 900]],
    )
    a, b = read_cameras(gj).records[0], read_cameras(cs).records[0]
    assert (a.id, a.props.model, a.props.heading_deg) == (b.id, b.props.model, b.props.heading_deg)
    assert a.lon == pytest.approx(b.lon) and a.lat == pytest.approx(b.lat)


def test_csv_in_a_projected_crs_is_converted(tmp_path: Path) -> None:
    lon, lat = lonlat(10, 4)
    x, y = pyproj.Transformer.from_crs(4326, 3067, always_xy=True).transform(lon, lat)
    path = write_csv(
        tmp_path / "tm35.csv", ["id", "x", "y", "crs", "model"], [["P1", x, y, "EPSG:3067", "pano"]]
    )
    rec = read_cameras(path).records[0]
    assert rec.lon == pytest.approx(lon, abs=1e-7) and rec.lat == pytest.approx(lat, abs=1e-7)


def test_geojson_with_a_crs_member_is_reprojected(tmp_path: Path) -> None:
    lon, lat = lonlat(10, 4)
    x, y = pyproj.Transformer.from_crs(4326, 3067, always_xy=True).transform(lon, lat)
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [x, y]},
                "properties": {"id": 7},
            }
        ],
    }
    path = tmp_path / "tm35.geojson"
    path.write_text(json.dumps(doc))
    rec = read_cameras(path).records[0]
    assert rec.id == "7"
    assert rec.lon == pytest.approx(lon, abs=1e-7) and rec.lat == pytest.approx(lat, abs=1e-7)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.geojson", '{"type": "FeatureCollection", "features": []}', "contains no cameras"),
        ("empty.csv", "id,lon,lat\n", "contains no cameras"),
        ("blank.csv", "", "empty CSV file"),
        ("nocoords.csv", "id,model\nA,dome\n", "must name lon,lat"),
        ("nocrs.csv", "id,x,y\nA,385000,6672000\n", "need a crs column"),
        ("badcrs.csv", "id,x,y,crs\nA,1,2,EPSG:999999\n", "unknown CRS"),
        ("notnum.csv", "id,lon,lat\nA,east,60\n", "lon must be a number"),
        ("projected.csv", "id,lon,lat\nA,385000,6672000\n", "not WGS84"),
        ("cams.txt", "whatever", "unknown camera file format"),
        (
            "dupe.csv",
            "id,lon,lat\nA,24.9,60.1\nA,24.9,60.2\n",
            r"camera id .A. is used twice \(line 2 and line 3\)",
        ),
        ("badfov.csv", "id,lon,lat,fov_deg\nA,24.9,60.1,400\n", "line 2: fov_deg"),
        (
            "utm.geojson",
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
            ' "geometry": {"type": "Point", "coordinates": [385000, 6672000]}}]}',
            "not WGS84 longitude/latitude",
        ),
    ],
)
def test_bad_camera_files_are_named_with_the_problem(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CityInputError, match=message) as err:
        read_cameras(path)
    assert name in str(err.value)


def test_non_point_features_are_ignored_with_a_note(tmp_path: Path) -> None:
    feats = [
        cam(10, 4, model="pano"),
        {
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(shapely.box(0, 0, 1, 1))),
            "properties": {},
        },
    ]
    file = read_cameras(write_cameras(tmp_path / "mixed.geojson", feats))
    assert len(file.records) == 1
    assert file.records[0].id == "mixed-1"  # made up from the file name
    assert "ignored 1 Polygon" in file.notes[0]


# --------------------------------------------------------------------------- placing


def test_a_camera_from_a_file_sees_exactly_what_the_same_candidate_pose_sees(
    tmp_path: Path, grid_run: ModelRun
) -> None:
    model = grid_run.model
    rng = np.random.default_rng(0)
    useful = np.flatnonzero(np.diff(model.matrix.indptr) > 0)
    poses = rng.choice(useful, size=12, replace=False)
    xy = model.mounts[model.poses.mount[poses]]
    ll = lonlat_of(model, xy)
    crs = pyproj.CRS.from_user_input(model.crs)
    grid = np.where(
        [model.cameras[int(k)].omni for k in model.pose_model[poses]],
        np.nan,
        model.poses.heading_deg[poses],
    )
    true = grid_to_true(crs, xy, grid)
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(ll[i, 0]), float(ll[i, 1])]},
            "properties": {
                "id": f"c{i}",
                "model": model.cameras[int(model.pose_model[j])].name,
                "heading_deg": None if np.isnan(true[i]) else float(true[i]),
            },
        }
        for i, j in enumerate(poses)
    ]
    cams, _ = place(grid_run, write_cameras(tmp_path / "same.geojson", feats))
    for i, j in enumerate(poses):
        assert cams.matrix[:, [i]].indices.tolist() == model.matrix[:, [int(j)]].indices.tolist()
    back = true_to_grid(crs, ll, true)
    diff = np.abs((np.nan_to_num(back) - np.nan_to_num(grid) + 180.0) % 360.0 - 180.0)
    assert np.all(diff < 1e-6) and np.array_equal(np.isnan(back), np.isnan(grid))


def test_cameras_outside_the_city_are_an_error_with_a_swap_hint(
    tmp_path: Path, grid_run: ModelRun
) -> None:
    lon, lat = lonlat(10, 4)
    path = write_csv(
        tmp_path / "swapped.csv", ["id", "lon", "lat", "model"], [["S1", lat, lon, "pano"]]
    )
    with pytest.raises(CityInputError, match=r"swapped.csv: 1 of 1 camera.*outside the city") as e:
        place(grid_run, path)
    assert "swap them" in str(e.value)
    far = write_cameras(tmp_path / "far.geojson", [cam(5000, 5000, id="F", model="pano")])
    with pytest.raises(CityInputError, match=r"far.geojson.*outside the city.*F"):
        place(grid_run, far)


def test_a_camera_just_inside_a_building_is_moved_to_the_facade(
    tmp_path: Path, grid_run: ModelRun
) -> None:
    # Building (20..80, 20..80): a camera 0.5 m inside its south wall, looking south.
    path = write_cameras(
        tmp_path / "wall.geojson",
        [cam(50, 20.5, id="W", model="legacy", heading_deg=180, fov_deg=60, range_m=40)],
    )
    cams, warnings = place(grid_run, path, role="existing")
    assert any("0.5 m inside a building; moved" in w for w in warnings)
    y = cams.xy[0, 1] - ORIGIN[1]
    assert 19.0 < y < 20.0  # now outside, just south of the wall
    assert cams.matrix[:, [0]].nnz > 0  # and it sees the street


def test_a_camera_deep_inside_a_building_is_an_error(tmp_path: Path, grid_run: ModelRun) -> None:
    path = write_cameras(tmp_path / "deep.geojson", [cam(50, 50, id="D", model="pano")])
    with pytest.raises(
        CityInputError, match=r"deep.geojson: 1 camera\(s\) lie inside a building.*D \(30.0 m\)"
    ):
        place(grid_run, path)


def test_unknown_models_need_fov_and_range_and_for_plans_a_cost(
    tmp_path: Path, grid_run: ModelRun
) -> None:
    bare = write_cameras(
        tmp_path / "bare.geojson", [cam(10, 4, id="X", model="axis-q1798", heading_deg=0)]
    )
    with pytest.raises(
        CityInputError,
        match=(
            r"bare.geojson: feature 0 \(id 'X'\): model 'axis-q1798' is not in the catalog "
            r"\(dome, pano\).*fov_deg or range_m"
        ),
    ):
        place(grid_run, bare)
    priced = write_cameras(
        tmp_path / "optics.geojson",
        [cam(10, 4, id="X", model="axis-q1798", heading_deg=0, fov_deg=30, range_m=50)],
    )
    with pytest.raises(CityInputError, match="gives no cost"):
        place(grid_run, priced)
    cams, warnings = place(grid_run, priced, role="existing")  # installed: cost is sunk
    assert cams.fov[0] == 30 and cams.range_m[0] == 50 and cams.cost[0] == 0
    assert any("no yearly_cost" in w for w in warnings)


def test_catalog_models_use_the_catalog_range_and_say_so(
    tmp_path: Path, grid_run: ModelRun
) -> None:
    path = write_cameras(
        tmp_path / "det.geojson", [cam(10, 4, id="R", model="dome", heading_deg=90, range_m=42.8)]
    )
    cams, warnings = place(grid_run, path)
    dome = next(c for c in grid_run.model.cameras if c.name == "dome")
    assert cams.range_m[0] == pytest.approx(dome.range_m)
    assert any("R (42.8 m, catalog 16.7 m)" in w and "another density" in w for w in warnings)


def test_directional_camera_without_heading_is_an_error(tmp_path: Path, grid_run: ModelRun) -> None:
    path = write_cameras(tmp_path / "nohead.geojson", [cam(10, 4, id="H", model="dome")])
    with pytest.raises(CityInputError, match="needs heading_deg"):
        place(grid_run, path)


def test_duplicates_and_blind_cameras_are_warned(tmp_path: Path, grid_run: ModelRun) -> None:
    path = write_cameras(
        tmp_path / "twice.geojson",
        [
            cam(10, 4, id="A", model="dome", heading_deg=90),
            cam(10.3, 4, id="B", model="dome", heading_deg=95),
            # On the wall of a building, facing into it: sees nothing.
            cam(50, 19.9, id="C", model="dome", heading_deg=0),
        ],
    )
    _, warnings = place(grid_run, path)
    assert any("A = B" in w for w in warnings)
    assert any("see no street demand at all: C" in w for w in warnings)
