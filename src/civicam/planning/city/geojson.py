"""Reading GeoJSON feature collections into shapely geometries in WGS84 (I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import shape

from civicam.planning.city.errors import CityInputError

_WGS84 = pyproj.CRS.from_epsg(4326)


@dataclass(frozen=True)
class Feature:
    """One GeoJSON feature: its geometry in WGS84 and its properties."""

    index: int
    geometry: shapely.Geometry
    properties: dict[str, Any]


def read_features(path: Path) -> list[Feature]:
    """Features of a GeoJSON FeatureCollection, reprojected to WGS84.

    A legacy top-level ``crs`` member is honoured; a CRS that pyproj does not
    know, or coordinates that are not longitude/latitude, raise
    :class:`CityInputError` naming the file.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CityInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CityInputError(f"{path}: not valid GeoJSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise CityInputError(f"{path}: expected a GeoJSON FeatureCollection")
    raw = doc.get("features")
    if not isinstance(raw, list):
        raise CityInputError(f"{path}: 'features' must be a list")
    transformer = _transformer(path, doc.get("crs"))
    features: list[Feature] = []
    for i, feat in enumerate(raw):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise CityInputError(f"{path}: feature {i} is not a GeoJSON Feature")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise CityInputError(f"{path}: feature {i}: 'properties' must be an object")
        geom_doc = feat.get("geometry")
        if geom_doc is None:
            continue
        try:
            geom = shape(geom_doc)
        except (
            AttributeError,
            KeyError,
            TypeError,
            ValueError,
            shapely.errors.ShapelyError,
        ) as exc:
            raise CityInputError(f"{path}: feature {i}: invalid geometry ({exc})") from exc
        if geom.is_empty:
            continue
        if transformer is not None:
            geom = shapely.transform(geom, _apply(transformer))
        _check_lonlat(path, i, geom)
        features.append(Feature(i, geom, props))
    return features


def _transformer(path: Path, crs_doc: object) -> pyproj.Transformer | None:
    if crs_doc is None:
        return None
    name: object = None
    if isinstance(crs_doc, dict):
        props = crs_doc.get("properties")
        name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str):
        raise CityInputError(f"{path}: 'crs' member must be {{'type': 'name', 'properties': ...}}")
    try:
        crs = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError as exc:
        raise CityInputError(f"{path}: unknown CRS {name!r}") from exc
    if crs.equals(_WGS84, ignore_axis_order=True):
        return None
    try:
        return pyproj.Transformer.from_crs(crs, _WGS84, always_xy=True)
    except pyproj.exceptions.ProjError as exc:
        raise CityInputError(f"{path}: cannot convert CRS {name!r} to WGS84 ({exc})") from exc


def _apply(transformer: pyproj.Transformer) -> Any:
    def run(xy: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return run


def _check_lonlat(path: Path, index: int, geom: shapely.Geometry) -> None:
    xmin, ymin, xmax, ymax = geom.bounds
    if not (np.isfinite([xmin, ymin, xmax, ymax]).all()):
        raise CityInputError(f"{path}: feature {index}: coordinates are not finite numbers")
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise CityInputError(
            f"{path}: feature {index}: coordinates ({xmin:.6g}, {ymin:.6g}) are not "
            "WGS84 longitude/latitude; reproject the file or declare its 'crs'"
        )
