"""On-disk cache of city models, keyed by a hash of everything they are built from (I/O).

Files are plain ``.npz`` archives (no pickles): arrays as they are, geometries
as concatenated WKB with offsets, small records as JSON text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Final

import numpy as np
import platformdirs
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from civicam.config.city import CityModelConfig
from civicam.planning.catalog import CameraSpec
from civicam.planning.city.model import CityModel, Demand, Site
from civicam.planning.visibility import PoseSet

# Bump whenever the model's algorithm or layout changes, so old entries are not reused.
CACHE_FORMAT: Final = "civicam-city-model-1"


def default_cache_dir() -> Path:
    """Per-user cache folder for city models."""
    return platformdirs.user_cache_path("civicam") / "city-models"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(
    city_digest: str,
    sites: tuple[Site, ...],
    cameras: tuple[CameraSpec, ...],
    settings: CityModelConfig,
) -> str:
    """Hash of the city file, the site contents, the resolved cameras and the settings."""
    h = hashlib.sha256()
    h.update(CACHE_FORMAT.encode())
    h.update(city_digest.encode())
    for s in sites:
        # Content only: the same sites in another file build the same model.
        record = [s.name, s.weight, s.radius_m, s.min_cameras, shapely.to_wkt(s.geometry)]
        h.update(json.dumps(record).encode())
    h.update(json.dumps([dataclasses.asdict(c) for c in cameras], sort_keys=True).encode())
    h.update(settings.model_dump_json().encode())
    return h.hexdigest()[:32]


def _pack_geoms(prefix: str, geoms: NDArray[np.object_]) -> dict[str, NDArray[Any]]:
    blobs = [bytes(b) for b in shapely.to_wkb(geoms)] if len(geoms) else []
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=offsets[1:])
    data = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    return {f"{prefix}_wkb": data, f"{prefix}_off": offsets}


def _unpack_geoms(arc: Any, prefix: str) -> NDArray[np.object_]:
    data = bytes(arc[f"{prefix}_wkb"])
    off = arc[f"{prefix}_off"]
    blobs = np.array([data[off[i] : off[i + 1]] for i in range(len(off) - 1)], dtype=object)
    if len(blobs) == 0:
        return np.empty(0, dtype=object)
    return np.asarray(shapely.from_wkb(blobs), dtype=object)


def save(model: CityModel, cache_dir: Path, key: str) -> Path:
    """Write ``model`` under ``key``; the write is atomic (rename of a finished file)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{key}.npz"
    arrays: dict[str, NDArray[Any]] = {
        "meta": np.array(
            json.dumps(
                {
                    "format": CACHE_FORMAT,
                    "crs": model.crs,
                    "city_name": model.city_name,
                    "shape": list(model.matrix.shape),
                    "seconds": model.seconds,
                    "cameras": [dataclasses.asdict(c) for c in model.cameras],
                    "sites": [
                        {
                            "name": s.name,
                            "weight": s.weight,
                            "radius_m": s.radius_m,
                            "min_cameras": s.min_cameras,
                            "source": s.source,
                            "index": s.index,
                            "wkt": shapely.to_wkt(s.geometry),
                        }
                        for s in model.sites
                    ],
                }
            )
        ),
        "street_class": model.street_class,
        "demand_xy": model.demand.xy,
        "demand_weight": model.demand.weight,
        "demand_requirement": model.demand.requirement,
        "demand_class": model.demand.street_class,
        "site_ptr": model.demand.site_ptr,
        "site_rows": model.demand.site_rows,
        "mounts": model.mounts,
        "pose_mount": model.poses.mount,
        "pose_heading": model.poses.heading_deg,
        "pose_fov": model.poses.fov_deg,
        "pose_range": model.poses.range_m,
        "pose_model": model.pose_model,
        "m_indptr": model.matrix.indptr,
        "m_indices": model.matrix.indices,
        **_pack_geoms("buildings", model.buildings),
        **_pack_geoms("streets", model.streets),
        **_pack_geoms("views", model.views),
    }
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    return target


def load(cache_dir: Path, key: str) -> CityModel | None:
    """The model stored under ``key``, or None when absent or unreadable (then rebuild)."""
    path = cache_dir / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as arc:
            meta = json.loads(str(arc["meta"]))
            if meta.get("format") != CACHE_FORMAT:
                return None
            n_rows, n_cols = meta["shape"]
            indices = arc["m_indices"]
            matrix = sp.csc_array(
                (np.ones(len(indices), dtype=np.int8), indices, arc["m_indptr"]),
                shape=(n_rows, n_cols),
            )
            sites = tuple(
                Site(
                    name=s["name"],
                    weight=s["weight"],
                    geometry=shapely.from_wkt(s["wkt"]),
                    radius_m=s["radius_m"],
                    min_cameras=s["min_cameras"],
                    source=s["source"],
                    index=s["index"],
                )
                for s in meta["sites"]
            )
            return CityModel(
                crs=meta["crs"],
                city_name=meta["city_name"],
                buildings=_unpack_geoms(arc, "buildings"),
                streets=_unpack_geoms(arc, "streets"),
                street_class=arc["street_class"],
                demand=Demand(
                    xy=arc["demand_xy"],
                    weight=arc["demand_weight"],
                    requirement=arc["demand_requirement"],
                    street_class=arc["demand_class"],
                    site_ptr=arc["site_ptr"],
                    site_rows=arc["site_rows"],
                ),
                sites=sites,
                cameras=tuple(CameraSpec(**c) for c in meta["cameras"]),
                mounts=arc["mounts"],
                poses=PoseSet(
                    arc["pose_mount"], arc["pose_heading"], arc["pose_fov"], arc["pose_range"]
                ),
                pose_model=arc["pose_model"],
                matrix=matrix,
                views=_unpack_geoms(arc, "views"),
                seconds=dict(meta["seconds"]),
            )
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        zipfile.BadZipFile,
        shapely.errors.GEOSException,
    ):
        return None  # a damaged entry is rebuilt, never trusted
