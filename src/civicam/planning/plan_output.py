"""Writing a plan: plan.geojson, city.geojson and summary.json, all in WGS84 (I/O)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from civicam.planning.city.model import CityModel, GeomArray, to_wgs84, transform
from civicam.planning.city_plan import PlanResult
from civicam.planning.visibility import pose_views

_GEOD = pyproj.Geod(ellps="WGS84")


def _geometry(geom: shapely.Geometry) -> Any:
    return json.loads(shapely.to_geojson(geom))


def _feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def true_bearings(model: CityModel, poses: NDArray[np.int64]) -> NDArray[np.float64]:
    """Compass bearings (clockwise from true north) of the poses' optical axes.

    Poses are laid out on grid bearings of the UTM zone; grid north differs from
    true north by the meridian convergence, so bearings are measured again on
    the ellipsoid from the mount towards a point 10 m along the axis.
    """
    back = to_wgs84(pyproj.CRS.from_user_input(model.crs))
    xy = model.mounts[model.poses.mount[poses]]
    rad = np.radians(model.poses.heading_deg[poses])
    aim = xy + 10.0 * np.column_stack([np.sin(rad), np.cos(rad)])
    lon0, lat0 = back.transform(xy[:, 0], xy[:, 1])
    lon1, lat1 = back.transform(aim[:, 0], aim[:, 1])
    az, _, _ = _GEOD.inv(lon0, lat0, lon1, lat1)
    return np.mod(np.asarray(az, dtype=np.float64), 360.0)


def plan_features(result: PlanResult, arc_step_deg: float = 1.0) -> list[dict[str, Any]]:
    """One Point feature per chosen camera; its view polygon is the ``view`` property."""
    model = result.model
    poses = result.poses
    if len(poses) == 0:
        return []
    back = to_wgs84(pyproj.CRS.from_user_input(model.crs))
    views = transform(
        pose_views(model.views, model.mounts, model.poses, poses, arc_step_deg=arc_step_deg),
        back,
    )
    points = transform(shapely.points(model.mounts[model.poses.mount[poses]]), back)
    bearings = true_bearings(model, poses)
    seen = np.asarray([model.demand.weight[model.matrix[:, [int(j)]].indices].sum() for j in poses])
    features: list[dict[str, Any]] = []
    for n, j in enumerate(poses):
        cam = model.cameras[int(model.pose_model[j])]
        features.append(
            {
                "type": "Feature",
                "geometry": _geometry(points[n]),
                "properties": {
                    "id": f"cam-{n + 1:03d}",
                    "pose": int(j),
                    "model": cam.name,
                    "heading_deg": None if cam.omni else round(float(bearings[n]), 2),
                    "fov_deg": cam.fov_deg,
                    "range_m": round(cam.range_m, 2),
                    "mount_height_m": cam.mount_height_m,
                    "cost": cam.capital_cost,
                    "yearly_cost": cam.yearly_cost,
                    "covered_weight": float(seen[n]),
                    "view": _geometry(views[n]),
                },
            }
        )
    return features


def city_features(model: CityModel) -> list[dict[str, Any]]:
    """Buildings, streets and site reaches used by the model, in WGS84."""
    back = to_wgs84(pyproj.CRS.from_user_input(model.crs))
    buildings: GeomArray = transform(model.buildings, back)
    streets: GeomArray = transform(model.streets, back)
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": _geometry(g), "properties": {"kind": "building"}}
        for g in buildings
    ]
    features += [
        {
            "type": "Feature",
            "geometry": _geometry(g),
            "properties": {"kind": "street", "highway": str(c)},
        }
        for g, c in zip(streets, model.street_class, strict=True)
    ]
    for site in model.sites:
        features.append(
            {
                "type": "Feature",
                "geometry": _geometry(site.geometry),
                "properties": {
                    "kind": "site",
                    "name": site.name,
                    "weight": site.weight,
                    "radius_m": site.radius_m,
                    "min_cameras": site.min_cameras,
                },
            }
        )
    return features


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def write_plan(result: PlanResult, out_dir: Path) -> dict[str, Path]:
    """Write the three output files into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "plan": out_dir / "plan.geojson",
        "city": out_dir / "city.geojson",
        "summary": out_dir / "summary.json",
    }
    paths["plan"].write_text(
        json.dumps(_feature_collection(plan_features(result))), encoding="utf-8"
    )
    paths["city"].write_text(
        json.dumps(_feature_collection(city_features(result.model))), encoding="utf-8"
    )
    paths["summary"].write_text(
        json.dumps(_finite(result.summary), indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    return paths
