"""``civicam plan``: outputs and their consistency, the default-command group, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely
import typer
from shapely.geometry import shape
from typer.testing import CliRunner, Result

from civicam.cli import app
from civicam.cli.plan import DefaultCommandGroup
from civicam.planning.city.bundled import helsinki_extract, helsinki_sites

runner = CliRunner()

SUMMARY_KEYS = {
    "total_weight",
    "covered_weight",
    "coverage_fraction",
    "cost",
    "n_cameras",
    "bound",
    "gap",
    "seconds_model",
    "seconds_optimize",
    "sites",
}
CAMERA_KEYS = {"id", "model", "heading_deg", "fov_deg", "range_m", "cost", "covered_weight", "view"}

# Small enough for a quick solve: one directional model, four headings, sparse mounts.
CATALOG = """cameras:
  - name: dome
    horizontal_resolution_px: 2560
    horizontal_fov_deg: 100
    mount_height_m: 4
    capital_cost: 900
    yearly_cost: 120
  - name: pano
    horizontal_resolution_px: 7680
    horizontal_fov_deg: 360
    mount_height_m: 6
    capital_cost: 2800
    yearly_cost: 260
"""
SETTINGS = """demand_spacing_m: 10
mount_spacing_m: 150
intersection_mounts: false
heading_step_deg: 90
"""


def plan(tmp_path: Path, *args: str | Path) -> Result:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    (tmp_path / "settings.yaml").write_text(SETTINGS)
    return runner.invoke(
        app,
        [
            "plan",
            *map(str, args),
            "--catalog",
            str(tmp_path / "catalog.yaml"),
            "--settings",
            str(tmp_path / "settings.yaml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--time-limit",
            "5",
        ],
    )


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def test_plan_bundled_city_writes_consistent_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = plan(
        tmp_path, helsinki_extract(), "--sites", helsinki_sites(), "--budget", "8000", "--out", out
    )
    assert result.exit_code == 0, result.output
    summary = load(out / "summary.json")
    plan_fc = load(out / "plan.geojson")
    city_fc = load(out / "city.geojson")
    assert (out / "report.html").stat().st_size > 10_000 and (out / "map.png").exists()

    assert summary.keys() >= SUMMARY_KEYS
    assert math.isclose(
        summary["coverage_fraction"], summary["covered_weight"] / summary["total_weight"]
    )
    cams = plan_fc["features"]
    assert len(cams) == summary["n_cameras"] > 0
    assert math.isclose(sum(f["properties"]["cost"] for f in cams), summary["cost"])
    assert summary["cost"] <= 8000
    assert summary["bound"] >= summary["covered_weight"] - 1e-6
    assert 0 <= summary["gap"] <= 1
    assert len(summary["sites"]) == 7
    for site in summary["sites"]:
        assert 0 <= site["coverage_fraction"] <= 1
        assert site["covered_weight"] <= site["total_weight"] + 1e-9

    kinds = {f["properties"]["kind"] for f in city_fc["features"]}
    assert kinds == {"building", "street", "site"}
    buildings = [
        shape(f["geometry"]) for f in city_fc["features"] if f["properties"]["kind"] == "building"
    ]
    assert len(buildings) > 300

    # Every camera: a WGS84 point inside the city, its view polygon clear of buildings.
    to_m = pyproj.Transformer.from_crs(4326, summary["crs"], always_xy=True)

    def metric(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))

    solid = metric(shapely.union_all(buildings)).buffer(-0.01)
    for cam in cams:
        props = cam["properties"]
        assert props.keys() >= CAMERA_KEYS
        lon, lat = cam["geometry"]["coordinates"]
        assert 24.93 < lon < 24.96 and 60.16 < lat < 60.18
        view = metric(shape(props["view"]))
        assert view.area > 0
        assert view.intersection(solid).area < 1e-4
        far = max(
            shapely.distance(
                metric(shape(cam["geometry"])), shapely.points(shapely.get_coordinates(view))
            )
        )
        assert far <= props["range_m"] + 0.01
        if props["fov_deg"] < 360:
            assert 0 <= props["heading_deg"] < 360
        else:
            assert props["heading_deg"] is None

    # The same command again reuses the cached model and plans the same.
    again = plan(
        tmp_path, helsinki_extract(), "--sites", helsinki_sites(), "--budget", "8000", "--out", out
    )
    assert again.exit_code == 0, again.output
    summary2 = load(out / "summary.json")
    assert summary2["model_from_cache"] is True and summary["model_from_cache"] is False
    assert summary2["matrix"] == summary["matrix"]


def test_target_coverage_plans_at_least_cost(
    tmp_path: Path, grid_city: Path, grid_sites: Path
) -> None:
    out = tmp_path / "out"
    result = plan(
        tmp_path,
        grid_city,
        "--sites",
        grid_sites,
        "--target-coverage",
        "0.3",
        "--out",
        out,
        "--no-report",
    )
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists() and not (out / "map.png").exists()
    summary = load(out / "summary.json")
    assert summary["objective"] == "min_cost"
    assert summary["coverage_fraction"] >= 0.3 - 1e-9
    assert summary["bound"] <= summary["cost"] + 1e-6
    assert len(load(out / "plan.geojson")["features"]) == summary["n_cameras"]


def test_unreachable_target_is_a_clear_error(
    tmp_path: Path, grid_city: Path, grid_sites: Path
) -> None:
    result = plan(
        tmp_path, grid_city, "--sites", grid_sites, "--target-coverage", "1", "--out", tmp_path
    )
    assert result.exit_code == 1
    assert "unreachable" in result.stderr and "Traceback" not in result.output


def test_budget_and_target_are_exclusive(tmp_path: Path, grid_city: Path, grid_sites: Path) -> None:
    both = plan(
        tmp_path,
        grid_city,
        "--sites",
        grid_sites,
        "--budget",
        "1",
        "--target-coverage",
        "0.5",
        "--out",
        tmp_path,
    )
    neither = plan(tmp_path, grid_city, "--sites", grid_sites, "--out", tmp_path)
    for result in (both, neither):
        assert result.exit_code == 2
        assert "exactly one of --budget or --target-coverage" in result.stderr


@pytest.mark.parametrize("level", ["recognition", "identification"])
def test_recognition_densities_are_not_offered(
    tmp_path: Path, grid_city: Path, grid_sites: Path, level: str
) -> None:
    result = plan(
        tmp_path,
        grid_city,
        "--sites",
        grid_sites,
        "--budget",
        "1",
        "--density",
        level,
        "--out",
        tmp_path,
    )
    assert result.exit_code == 2
    assert "detection" in result.stderr and "observation" in result.stderr


def test_bad_sites_file_is_named(tmp_path: Path, grid_city: Path) -> None:
    sites = tmp_path / "broken-sites.geojson"
    sites.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"')
    result = plan(tmp_path, grid_city, "--sites", sites, "--budget", "1", "--out", tmp_path)
    assert result.exit_code == 1
    assert "broken-sites.geojson: not valid GeoJSON" in result.stderr
    assert "Traceback" not in result.output


def test_bad_settings_show_the_yaml_line(tmp_path: Path, grid_city: Path, grid_sites: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    bad = tmp_path / "bad-settings.yaml"
    bad.write_text("demand_spacing_m: 5\nheading_step_deg: 0\n")
    result = runner.invoke(
        app,
        [
            "plan",
            str(grid_city),
            "--sites",
            str(grid_sites),
            "--budget",
            "1",
            "--out",
            str(tmp_path),
            "--settings",
            str(bad),
            "--no-cache",
        ],
    )
    assert result.exit_code == 1
    assert "bad-settings.yaml:2:1: heading_step_deg" in result.stderr


def test_plan_group_help_and_no_args() -> None:
    assert "--sites" in runner.invoke(app, ["plan", "city", "--help"]).output
    helped = runner.invoke(app, ["plan", "--help"])
    assert helped.exit_code == 0 and "civicam plan CITY" in helped.output
    bare = runner.invoke(app, ["plan"])
    assert "civicam plan CITY" in bare.output


def test_default_command_group_leaves_room_for_subcommands() -> None:
    group = typer.Typer(cls=DefaultCommandGroup)
    calls: list[str] = []

    @group.command("city", hidden=True)
    def city(target: str, flag: bool = False) -> None:
        calls.append(f"city {target} {flag}")

    @group.command("evaluate")
    def evaluate(target: str) -> None:
        calls.append(f"evaluate {target}")

    assert runner.invoke(group, ["town.osm.pbf", "--flag"]).exit_code == 0
    assert runner.invoke(group, ["evaluate", "plan.geojson"]).exit_code == 0
    assert runner.invoke(group, ["--flag", "town.osm.pbf"]).exit_code == 0
    assert calls == ["city town.osm.pbf True", "evaluate plan.geojson", "city town.osm.pbf True"]
