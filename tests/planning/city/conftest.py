"""Small synthetic cities for the city-model tests, written as WGS84 GeoJSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely

from civicam.config.city import CityModelConfig

# A patch of UTM zone 35N near central Helsinki: synthetic cities are drawn in metres
# here and written out as longitude/latitude like real input.
ORIGIN = (385_000.0, 6_672_000.0)
UTM = "EPSG:32635"
_TO_WGS84 = pyproj.Transformer.from_crs(UTM, 4326, always_xy=True)


def to_lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    """Metric geometry relative to ORIGIN, as WGS84."""

    def run(xy: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = _TO_WGS84.transform(xy[:, 0] + ORIGIN[0], xy[:, 1] + ORIGIN[1])
        return np.column_stack([x, y])

    return shapely.transform(geom, run)


def feature(geom: shapely.Geometry, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(to_lonlat(geom))),
        "properties": props,
    }


def write_collection(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return path


def grid_city_features() -> list[dict[str, Any]]:
    """A 200 m square: streets every 100 m both ways, four 60 m buildings between them."""
    feats = []
    for c in (0.0, 100.0, 200.0):
        feats.append(feature(shapely.LineString([(0, c), (200, c)]), highway="residential"))
        feats.append(feature(shapely.LineString([(c, 0), (c, 200)]), highway="footway"))
    for bx in (20.0, 120.0):
        for by in (20.0, 120.0):
            feats.append(feature(shapely.box(bx, by, bx + 60, by + 60), building="yes"))
    return feats


@pytest.fixture
def grid_city(tmp_path: Path) -> Path:
    return write_collection(tmp_path / "grid.geojson", grid_city_features())


@pytest.fixture
def grid_sites(tmp_path: Path) -> Path:
    return write_collection(
        tmp_path / "sites.geojson",
        [
            feature(shapely.Point(100, 100), name="Crossing", weight=5, radius_m=15, min_cameras=2),
            feature(shapely.box(0, -5, 50, 5), name="South street", weight=3),
        ],
    )


@pytest.fixture
def coarse_settings() -> CityModelConfig:
    return CityModelConfig(demand_spacing_m=5, mount_spacing_m=50, heading_step_deg=90)
