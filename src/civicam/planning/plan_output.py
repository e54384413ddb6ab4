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
from civicam.planning.network import Cameras, camera_views, grid_to_true


def _geometry(geom: shapely.Geometry) -> Any:
    return json.loads(shapely.to_geojson(geom))


def _feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def true_bearings(model: CityModel, poses: NDArray[np.int64]) -> NDArray[np.float64]:
    """Compass bearings (clockwise from true north) of candidate poses' optical axes.

    Poses are laid out on grid bearings of the UTM zone; grid north differs from
    true north by the meridian convergence, so bearings are measured again on
    the ellipsoid from the mount towards a point 10 m along the axis.
    """
    crs = pyproj.CRS.from_user_input(model.crs)
    xy = model.mounts[model.poses.mount[poses]].reshape(-1, 2)
    return grid_to_true(crs, xy, model.poses.heading_deg[poses].astype(np.float64))


def plan_features(
    model: CityModel,
    cams: Cameras,
    figures: list[dict[str, Any]],
    views: GeomArray | None = None,
) -> list[dict[str, Any]]:
    """One Point feature per camera; its view polygon is the ``view`` property.

    ``figures`` are the per-camera figures of :func:`camera_figures` (same order).
    """
    if len(cams) == 0:
        return []
    back = to_wgs84(pyproj.CRS.from_user_input(model.crs))
    metric_views = camera_views(model, cams) if views is None else views
    views_ll = transform(metric_views, back)
    points = transform(shapely.points(cams.xy), back)
    weight = model.demand.weight
    seen = np.asarray(cams.matrix.T @ weight, dtype=np.float64)
    features: list[dict[str, Any]] = []
    for n in range(len(cams)):
        fig = figures[n]
        features.append(
            {
                "type": "Feature",
                "geometry": _geometry(points[n]),
                "properties": {
                    "id": cams.ids[n],
                    "pose": int(cams.pose[n]) if cams.pose[n] >= 0 else None,
                    "model": cams.model[n],
                    "existing": bool(cams.existing[n]),
                    "phase": int(cams.phase[n]),
                    "origin": cams.origin[n],
                    "heading_deg": fig["heading_deg"],
                    "fov_deg": float(cams.fov[n]),
                    "range_m": round(float(cams.range_m[n]), 2),
                    "mount_height_m": _number_or_none(cams.mount_height[n]),
                    "cost": float(cams.cost[n]),
                    "yearly_cost": float(cams.yearly[n]),
                    "covered_weight": float(seen[n]),
                    "unique_weight": fig["unique_weight"],
                    "view": _geometry(views_ll[n]),
                },
            }
        )
    return features


def _number_or_none(value: float) -> float | None:
    return None if not math.isfinite(float(value)) else float(value)


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


def write_json(path: Path, value: Any) -> Path:
    """Write ``value`` as indented JSON (NaN and infinity as null)."""
    path.write_text(json.dumps(_finite(value), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def write_network(
    model: CityModel,
    cams: Cameras,
    figures: list[dict[str, Any]],
    summary: dict[str, Any],
    out_dir: Path,
    views: GeomArray | None = None,
) -> dict[str, Path]:
    """Write plan.geojson, city.geojson and summary.json into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "plan": out_dir / "plan.geojson",
        "city": out_dir / "city.geojson",
        "summary": out_dir / "summary.json",
    }
    paths["plan"].write_text(
        json.dumps(_finite(_feature_collection(plan_features(model, cams, figures, views)))),
        encoding="utf-8",
    )
    paths["city"].write_text(
        json.dumps(_feature_collection(city_features(model))), encoding="utf-8"
    )
    write_json(paths["summary"], summary)
    return paths
