"""A small grid city with a model built once per session, and camera files drawn on it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import shapely

from civicam.config.city import CityModelConfig
from civicam.planning.city_plan import ModelRun, obtain_model
from tests.planning.city.conftest import feature, grid_city_features, to_lonlat, write_collection

# One directional and one 360° model keep the grid model tiny and quick.
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
SETTINGS = CityModelConfig(demand_spacing_m=5, mount_spacing_m=50, heading_step_deg=90)


@pytest.fixture(scope="session")
def grid_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("grid")
    city = write_collection(d / "grid.geojson", grid_city_features())
    sites = write_collection(
        d / "sites.geojson",
        [
            feature(shapely.Point(100, 100), name="Crossing", weight=5, radius_m=15, min_cameras=2),
            feature(shapely.box(0, -5, 50, 5), name="South street", weight=3),
        ],
    )
    catalog = d / "catalog.yaml"
    catalog.write_text(CATALOG)
    return {"city": city, "sites": sites, "catalog": catalog, "cache": d / "cache"}


@pytest.fixture(scope="session")
def grid_run(grid_files: dict[str, Path]) -> ModelRun:
    return obtain_model(
        grid_files["city"],
        grid_files["sites"],
        grid_files["catalog"],
        SETTINGS,
        cache_dir=grid_files["cache"],
    )


def cam(x: float, y: float, **props: Any) -> dict[str, Any]:
    """A camera feature at metric (x, y) of the grid city."""
    return feature(shapely.Point(x, y), **props)


def write_cameras(path: Path, cams: list[dict[str, Any]], **extra: Any) -> Path:
    return write_collection(path, cams, **extra)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def lonlat(x: float, y: float) -> tuple[float, float]:
    p = to_lonlat(shapely.Point(x, y))
    return float(p.x), float(p.y)
