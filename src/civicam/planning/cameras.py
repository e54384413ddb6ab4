"""Reading camera files: installed cameras and earlier plans, GeoJSON or CSV (I/O).

GeoJSON files use the property names of ``plan.geojson`` (``id``, ``model``,
``heading_deg``, ``fov_deg``, ``range_m``, ``cost``, ``yearly_cost``, plus
``existing`` or ``phase`` 0 for cameras already installed). A legacy
top-level ``crs`` member is honoured (the file is reprojected to WGS84).
CSV files have one camera per line with a header naming the same columns plus
``lon`` and ``lat`` (WGS84), or ``x`` and ``y`` with a ``crs`` column (for
example ``EPSG:3067``) when the coordinates are projected.

Only reading and checking each record on its own happens here; whether a
camera lies in the city, and what it sees, is decided against a city model in
:mod:`civicam.planning.network`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyproj
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from civicam.planning.city.errors import CityInputError
from civicam.planning.city.geojson import read_features

CSV_SUFFIXES = (".csv",)
GEOJSON_SUFFIXES = (".geojson", ".json")


class CameraProperties(BaseModel):
    """Properties of one camera in a file. Unknown properties are ignored (GIS tools
    add their own, and ``plan.geojson`` carries ``view`` and ``covered_weight``)."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(None, min_length=1, max_length=100, description="Camera id.")
    model: str | None = Field(None, min_length=1, max_length=80, description="Catalog model.")
    heading_deg: float | None = Field(
        None, description="True bearing of the optical axis, degrees clockwise from north."
    )
    fov_deg: float | None = Field(None, gt=0, le=360, description="Horizontal field of view.")
    range_m: float | None = Field(None, gt=0, le=2_000, description="Ground reach, metres.")
    mount_height_m: float | None = Field(None, ge=0.5, le=50, description="Mount height.")
    cost: float | None = Field(None, ge=0, le=1e7, description="Capital cost.")
    yearly_cost: float | None = Field(None, ge=0, le=1e7, description="Running cost per year.")
    existing: bool = Field(False, description="Already installed.")
    phase: int | None = Field(None, ge=0, le=100, description="Rollout year; 0 = installed.")

    @field_validator("id", "model", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be text")
        if isinstance(value, int | float):
            return str(int(value)) if float(value).is_integer() else str(value)
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("heading_deg")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return None if value is None else value % 360.0


@dataclass(frozen=True)
class CameraRecord:
    """One camera as a file states it, position in WGS84."""

    source: str  # file path
    where: str  # "feature 3" or "line 5", for messages
    id: str
    lon: float
    lat: float
    props: CameraProperties

    @property
    def installed(self) -> bool:
        """Marked as already installed (``existing: true`` or ``phase: 0``)."""
        return self.props.existing or self.props.phase == 0

    def label(self) -> str:
        """How messages name this camera: file, place in the file and id."""
        return f"{self.source}: {self.where} (id {self.id!r})"


@dataclass(frozen=True)
class CameraFile:
    """The cameras of one file, with notes worth telling the user."""

    path: Path
    records: tuple[CameraRecord, ...]
    notes: tuple[str, ...]


def read_cameras(path: Path) -> CameraFile:
    """Cameras of a GeoJSON or CSV file; :class:`CityInputError` naming the file on bad input.

    Errors: unreadable files, features that are not points, bad property values,
    repeated ids, and a file with no camera at all. Ids missing in the file are
    made up as ``<file stem>-<n>``.
    """
    if not path.is_file():
        raise CityInputError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        records, notes = _read_csv(path)
    elif name.endswith(GEOJSON_SUFFIXES):
        records, notes = _read_geojson(path)
    else:
        raise CityInputError(
            f"{path}: unknown camera file format; expected .geojson, .json or .csv"
        )
    if not records:
        raise CityInputError(f"{path}: contains no cameras (an empty plan cannot be used)")
    seen: dict[str, str] = {}
    for rec in records:
        if rec.id in seen:
            raise CityInputError(
                f"{path}: camera id {rec.id!r} is used twice ({seen[rec.id]} and {rec.where}); "
                "ids must be unique within a file"
            )
        seen[rec.id] = rec.where
    return CameraFile(path, tuple(records), tuple(notes))


def _properties(path: Path, where: str, raw: dict[str, Any]) -> CameraProperties:
    try:
        return CameraProperties.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'properties'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CityInputError(f"{path}: {where}: {problems}") from exc


def _read_geojson(path: Path) -> tuple[list[CameraRecord], list[str]]:
    features = read_features(path)  # reprojects a declared crs, rejects non-lon/lat
    records: list[CameraRecord] = []
    skipped: dict[str, int] = {}
    for feat in features:
        kind = feat.geometry.geom_type
        if kind != "Point":
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        where = f"feature {feat.index}"
        props = _properties(path, where, feat.properties)
        cam_id = props.id or f"{path.stem}-{len(records) + 1}"
        records.append(
            CameraRecord(str(path), where, cam_id, feat.geometry.x, feat.geometry.y, props)
        )
    notes = []
    if skipped:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(skipped.items()))
        notes.append(f"{path}: ignored {kinds} feature(s); cameras are Point features")
    return records, notes


_LON = ("lon", "longitude", "lng")
_LAT = ("lat", "latitude")


def _read_csv(path: Path) -> tuple[list[CameraRecord], list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CityInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise CityInputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise CityInputError(f"{path}: empty CSV file (a header line is required)")
    lon_key = next((k for k in _LON if k in header), None)
    lat_key = next((k for k in _LAT if k in header), None)
    projected = "x" in header and "y" in header
    if (lon_key is None or lat_key is None) and not projected:
        raise CityInputError(
            f"{path}: the header must name lon,lat (WGS84) or x,y with a crs column; "
            f"it has {', '.join(header)}"
        )
    if projected and lon_key is None and "crs" not in header:
        raise CityInputError(
            f"{path}: x,y coordinates need a crs column (for example EPSG:3067) "
            "so they can be converted; or give lon,lat in WGS84"
        )
    records: list[CameraRecord] = []
    transformers: dict[str, pyproj.Transformer] = {}
    for line_no, raw_row in enumerate(reader, start=2):
        row = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw_row.items()
            if k is not None
        }
        if not any(row.values()):
            continue  # blank line
        where = f"line {line_no}"
        if lon_key is not None and lat_key is not None:
            lon, lat = _number(path, where, lon_key, row), _number(path, where, lat_key, row)
        else:
            crs_text = row.get("crs", "")
            if crs_text not in transformers:
                transformers[crs_text] = _csv_transformer(path, where, crs_text)
            x, y = _number(path, where, "x", row), _number(path, where, "y", row)
            lon, lat = transformers[crs_text].transform(x, y)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise CityInputError(
                f"{path}: {where}: ({lon:.6g}, {lat:.6g}) is not WGS84 longitude/latitude; "
                "use x,y with a crs column for projected coordinates"
            )
        props = _properties(path, where, {k: _csv_value(k, v) for k, v in row.items() if v != ""})
        cam_id = props.id or f"{path.stem}-{len(records) + 1}"
        records.append(CameraRecord(str(path), where, cam_id, float(lon), float(lat), props))
    return records, []


def _number(path: Path, where: str, key: str, row: dict[str, str]) -> float:
    try:
        value = float(row.get(key, ""))
    except ValueError:
        raise CityInputError(
            f"{path}: {where}: {key} must be a number, got {row.get(key, '')!r}"
        ) from None
    if not math.isfinite(value):
        raise CityInputError(f"{path}: {where}: {key} must be a finite number")
    return value


def _csv_transformer(path: Path, where: str, crs_text: str) -> pyproj.Transformer:
    if not crs_text:
        raise CityInputError(f"{path}: {where}: empty crs; x,y coordinates need one")
    try:
        crs = pyproj.CRS.from_user_input(crs_text)
    except pyproj.exceptions.CRSError as exc:
        raise CityInputError(f"{path}: {where}: unknown CRS {crs_text!r}") from exc
    return pyproj.Transformer.from_crs(crs, 4326, always_xy=True)


def _csv_value(key: str, value: str) -> Any:
    """CSV cells are text; booleans and empty headings need a little help."""
    if key == "existing":
        low = value.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
    if key == "heading_deg" and value.lower() in ("null", "none", "-"):
        return None
    return value
