"""A camera network on a city model: installed, imported or planned cameras alike.

:class:`Cameras` holds any set of cameras as columns over the model's demand
rows, whether they are candidate poses the optimizer chose or cameras read
from a file at arbitrary positions and headings. Cameras from files are
resolved against the catalog, checked against the city (inside its extent,
not inside a building) and given their own coverage columns with the same
exact visibility as candidate poses (:mod:`civicam.planning.visibility`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyproj
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from shapely.ops import nearest_points

from civicam.config.plans import PlansConfig
from civicam.planning.cameras import CameraRecord
from civicam.planning.catalog import CameraSpec
from civicam.planning.city.errors import CityInputError
from civicam.planning.city.model import CityModel, GeomArray, to_wgs84
from civicam.planning.coverage import Demand
from civicam.planning.visibility import (
    PoseSet,
    Scene,
    building_edges,
    coverage_matrix,
    mount_views,
    wedge,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_GEOD = pyproj.Geod(ellps="WGS84")
_MAX_LISTED = 5  # offending cameras named in one message


@dataclass(frozen=True)
class Cameras:
    """A set of cameras on one city model, one coverage column each.

    Positions are in the model's metric CRS; ``heading`` is a grid bearing
    (NaN for 360° cameras). ``existing`` cameras are installed (phase 0);
    ``origin`` says where a camera came from (``existing``, ``optimizer`` or
    the label of the plan file(s) it was read from).
    """

    ids: tuple[str, ...]
    model: tuple[str, ...]
    origin: tuple[str, ...]
    xy: FloatArray
    heading: FloatArray
    fov: FloatArray
    range_m: FloatArray
    mount_height: FloatArray
    cost: FloatArray
    yearly: FloatArray
    existing: BoolArray
    phase: IntArray
    pose: IntArray  # candidate pose of the model, or -1 for cameras from files
    matrix: sp.csc_array  # demand rows x cameras

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, idx: IntArray | Sequence[int]) -> Cameras:
        """The cameras at positions ``idx``, in that order."""
        i = np.asarray(idx, dtype=np.int64)
        return Cameras(
            ids=tuple(self.ids[k] for k in i),
            model=tuple(self.model[k] for k in i),
            origin=tuple(self.origin[k] for k in i),
            xy=self.xy[i].reshape(-1, 2),
            heading=self.heading[i],
            fov=self.fov[i],
            range_m=self.range_m[i],
            mount_height=self.mount_height[i],
            cost=self.cost[i],
            yearly=self.yearly[i],
            existing=self.existing[i],
            phase=self.phase[i],
            pose=self.pose[i],
            matrix=sp.csc_array(self.matrix[:, i]),
        )

    def replace(self, **changes: object) -> Cameras:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def new(self) -> BoolArray:
        return ~self.existing

    @classmethod
    def empty(cls, n_rows: int) -> Cameras:
        z = np.zeros(0)
        return cls(
            (),
            (),
            (),
            np.zeros((0, 2)),
            z,
            z,
            z,
            z,
            z,
            z,
            np.zeros(0, dtype=np.bool_),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            sp.csc_array((n_rows, 0), dtype=np.int8),
        )

    @classmethod
    def concat(cls, parts: Sequence[Cameras]) -> Cameras:
        """All cameras of ``parts``, in order (they must share one model)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            raise ValueError("concat needs at least one non-empty camera set")
        return cls(
            ids=tuple(i for p in parts for i in p.ids),
            model=tuple(m for p in parts for m in p.model),
            origin=tuple(o for p in parts for o in p.origin),
            xy=np.vstack([p.xy for p in parts]),
            heading=np.concatenate([p.heading for p in parts]),
            fov=np.concatenate([p.fov for p in parts]),
            range_m=np.concatenate([p.range_m for p in parts]),
            mount_height=np.concatenate([p.mount_height for p in parts]),
            cost=np.concatenate([p.cost for p in parts]),
            yearly=np.concatenate([p.yearly for p in parts]),
            existing=np.concatenate([p.existing for p in parts]),
            phase=np.concatenate([p.phase for p in parts]),
            pose=np.concatenate([p.pose for p in parts]),
            matrix=sp.csc_array(sp.hstack([p.matrix for p in parts], format="csc")),
        )


def demand_of(model: CityModel) -> Demand:
    return Demand(model.demand.weight, model.demand.requirement)


def site_mask(model: CityModel) -> BoolArray:
    """Demand rows inside any site's reach."""
    mask = np.zeros(len(model.demand), dtype=np.bool_)
    mask[model.demand.site_rows] = True
    return mask


# --------------------------------------------------------------------------- candidates


def candidate_cameras(model: CityModel, poses: IntArray, *, first_number: int = 1) -> Cameras:
    """Candidate poses of the model as new cameras (``cam-001``, ... from ``first_number``)."""
    poses = np.asarray(poses, dtype=np.int64)
    specs = [model.cameras[int(m)] for m in model.pose_model[poses]]
    omni = np.array([s.omni for s in specs], dtype=np.bool_)
    heading = np.where(omni, np.nan, model.poses.heading_deg[poses])
    n = len(poses)
    return Cameras(
        ids=tuple(f"cam-{first_number + k:03d}" for k in range(n)),
        model=tuple(s.name for s in specs),
        origin=("optimizer",) * n,
        xy=model.mounts[model.poses.mount[poses]].reshape(-1, 2),
        heading=heading.astype(np.float64),
        fov=np.array([s.fov_deg for s in specs], dtype=np.float64),
        range_m=np.array([s.range_m for s in specs], dtype=np.float64),
        mount_height=np.array([s.mount_height_m for s in specs], dtype=np.float64),
        cost=np.array([s.capital_cost for s in specs], dtype=np.float64),
        yearly=np.array([s.yearly_cost for s in specs], dtype=np.float64),
        existing=np.zeros(n, dtype=np.bool_),
        phase=np.ones(n, dtype=np.int64),
        pose=poses,
        matrix=sp.csc_array(model.matrix[:, poses]),
    )


def fresh_ids(taken: Sequence[str], n: int) -> list[str]:
    """``n`` ids ``cam-NNN`` that are not in ``taken``."""
    used = set(taken)
    out: list[str] = []
    k = 1
    while len(out) < n:
        cand = f"cam-{k:03d}"
        if cand not in used:
            out.append(cand)
        k += 1
    return out


# --------------------------------------------------------------------------- headings


def true_to_grid(crs: pyproj.CRS, lonlat: FloatArray, true_deg: FloatArray) -> FloatArray:
    """Grid bearings (of ``crs``) of the true bearings ``true_deg`` at ``lonlat``."""
    if len(lonlat) == 0:
        return np.zeros(0)
    fwd = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    az = np.nan_to_num(true_deg, nan=0.0)
    lon2, lat2, _ = _GEOD.fwd(lonlat[:, 0], lonlat[:, 1], az, np.full(len(lonlat), 10.0))
    x0, y0 = fwd.transform(lonlat[:, 0], lonlat[:, 1])
    x1, y1 = fwd.transform(np.asarray(lon2), np.asarray(lat2))
    grid = np.mod(np.degrees(np.arctan2(np.subtract(x1, x0), np.subtract(y1, y0))), 360.0)
    return np.where(np.isnan(true_deg), np.nan, grid)


def grid_to_true(crs: pyproj.CRS, xy: FloatArray, grid_deg: FloatArray) -> FloatArray:
    """True compass bearings of grid bearings ``grid_deg`` at metric points ``xy``."""
    if len(xy) == 0:
        return np.zeros(0)
    back = to_wgs84(crs)
    rad = np.radians(np.nan_to_num(grid_deg, nan=0.0))
    aim = xy + 10.0 * np.column_stack([np.sin(rad), np.cos(rad)])
    lon0, lat0 = back.transform(xy[:, 0], xy[:, 1])
    lon1, lat1 = back.transform(aim[:, 0], aim[:, 1])
    az, _, _ = _GEOD.inv(lon0, lat0, lon1, lat1)
    return np.where(np.isnan(grid_deg), np.nan, np.mod(np.asarray(az, dtype=np.float64), 360.0))


def lonlat_of(model: CityModel, xy: FloatArray) -> FloatArray:
    back = to_wgs84(pyproj.CRS.from_user_input(model.crs))
    lon, lat = back.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat]).reshape(-1, 2)


# --------------------------------------------------------------------------- from files


@dataclass(frozen=True)
class Placed:
    """Cameras read from a file, placed on the model, with what was adjusted."""

    cameras: Cameras
    warnings: tuple[str, ...]


def place_records(
    model: CityModel,
    records: Sequence[CameraRecord],
    catalog: Sequence[CameraSpec],
    settings: PlansConfig,
    *,
    origin: str,
    role: str,
) -> Placed:
    """Resolve ``records`` against the catalog and the city and compute their coverage.

    ``role`` is ``existing`` (installed cameras: costs are sunk, unknown running
    costs count as 0) or ``plan`` (an imported plan: a model missing from the
    catalog must state its cost). Cameras marked as installed in a plan file
    stay existing. Raises :class:`CityInputError` naming the file and cameras
    for cameras outside the city, deep inside a building, or with a model the
    catalog lacks and no field of view and range.
    """
    if not records:
        raise CityInputError("no cameras to place")
    by_name = {c.name: c for c in catalog}
    warnings: list[str] = []
    crs = pyproj.CRS.from_user_input(model.crs)
    lonlat = np.array([[r.lon, r.lat] for r in records], dtype=np.float64)
    fwd = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    x, y = fwd.transform(lonlat[:, 0], lonlat[:, 1])
    xy = np.column_stack([x, y]).astype(np.float64)
    _check_inside_city(model, records, lonlat, xy)
    xy, moved = _off_buildings(model, records, xy, settings.facade_snap_m)
    warnings += moved

    range_notes: list[str] = []
    rows = [_resolve(rec, by_name, model.cameras, role, warnings, range_notes) for rec in records]
    if range_notes:
        # The catalog's range holds this plan's pixel density; a file's range_m was
        # derived at whatever density its plan used, so it only informs.
        warnings.append(
            f"{records[0].source}: {len(range_notes)} camera(s) state a range_m that differs "
            f"from their catalog model's at this plan's density: {_names(range_notes)}; the "
            "catalog's is used (was the file planned at another density?)"
        )
    fov = np.array([r.fov_deg for r in rows])
    true_heading = np.array(
        [np.nan if r.fov_deg >= 360 else r.heading for r in rows], dtype=np.float64
    )
    heading = true_to_grid(crs, lonlat, true_heading)
    rng = np.array([r.range_m for r in rows])
    existing = np.array([role == "existing" or rec.installed for rec in records], dtype=np.bool_)
    n = len(records)
    poses = PoseSet(
        np.arange(n, dtype=np.int64), np.nan_to_num(heading, nan=0.0), fov.copy(), rng.copy()
    )
    scene = Scene.build(model.demand.xy, building_edges(model.buildings))
    matrix = coverage_matrix(scene, xy, poses)
    cams = Cameras(
        ids=tuple(r.id for r in records),
        model=tuple(r.model for r in rows),
        origin=tuple("existing" if e else origin for e in existing),
        xy=xy,
        heading=heading,
        fov=fov,
        range_m=rng,
        mount_height=np.array([r.mount_height_m for r in rows]),
        cost=np.where(existing, 0.0, np.array([r.cost for r in rows])),
        yearly=np.array([r.yearly_cost for r in rows]),
        existing=existing,
        phase=np.array(
            [0 if e else (rec.props.phase or 1) for e, rec in zip(existing, records, strict=True)],
            dtype=np.int64,
        ),
        pose=np.full(n, -1, dtype=np.int64),
        matrix=matrix,
    )
    blind = [records[int(j)].id for j in np.flatnonzero(np.diff(matrix.indptr) == 0)]
    if blind:
        warnings.append(
            f"{records[0].source}: {len(blind)} camera(s) see no street demand at all: "
            f"{_names(blind)} (facing a wall, or away from every street?)"
        )
    warnings += duplicate_warnings(cams, settings, str(records[0].source))
    return Placed(cams, tuple(warnings))


@dataclass(frozen=True)
class _Resolved:
    model: str
    fov_deg: float
    range_m: float
    heading: float
    mount_height_m: float
    cost: float
    yearly_cost: float


def _resolve(
    rec: CameraRecord,
    by_name: dict[str, CameraSpec],
    catalog: Sequence[CameraSpec],
    role: str,
    warnings: list[str],
    range_notes: list[str],
) -> _Resolved:
    """Optics and costs of one record: a catalog model is the truth; a file's numbers
    fill in for models the catalog lacks."""
    p = rec.props
    spec = by_name.get(p.model) if p.model is not None else None
    if spec is not None:
        if p.range_m is not None and not math.isclose(p.range_m, spec.range_m, rel_tol=0.02):
            range_notes.append(f"{rec.id} ({p.range_m:g} m, catalog {spec.range_m:.1f} m)")
        if p.fov_deg is not None and not math.isclose(p.fov_deg, spec.fov_deg, rel_tol=0.01):
            warnings.append(
                f"{rec.label()}: fov_deg {p.fov_deg:g} differs from {spec.name}'s "
                f"{spec.fov_deg:g}; using the catalog's"
            )
        if (
            role == "plan"
            and not rec.installed
            and p.cost is not None
            and not math.isclose(p.cost, spec.capital_cost)
        ):
            warnings.append(
                f"{rec.label()}: cost {p.cost:g} differs from the catalog's "
                f"{spec.capital_cost:g} for {spec.name}; plans are compared at catalog prices"
            )
        fov, rng, height = spec.fov_deg, spec.range_m, spec.mount_height_m
        cost, yearly = spec.capital_cost, spec.yearly_cost
        name = spec.name
    else:
        known = ", ".join(c.name for c in catalog)
        what = f"model {p.model!r} is not in the catalog ({known})" if p.model else "no model"
        missing = [k for k in ("fov_deg", "range_m") if getattr(p, k) is None]
        if missing:
            raise CityInputError(
                f"{rec.label()}: {what} and the camera gives no {' or '.join(missing)}; "
                "add them to the file or use a --catalog that lists the model"
            )
        assert p.fov_deg is not None and p.range_m is not None
        if role == "plan" and not rec.installed and p.cost is None:
            raise CityInputError(
                f"{rec.label()}: {what} and the camera gives no cost; add a cost so the "
                "plan can be priced"
            )
        fov, rng = p.fov_deg, p.range_m
        height = p.mount_height_m if p.mount_height_m is not None else math.nan
        cost = p.cost or 0.0
        if p.yearly_cost is None:
            warnings.append(f"{rec.label()}: no yearly_cost for {what}; counted as 0")
        yearly = p.yearly_cost or 0.0
        name = p.model or "unlisted"
    if fov < 360 and p.heading_deg is None:
        raise CityInputError(
            f"{rec.label()}: a directional camera ({fov:g}° field of view) needs heading_deg "
            "(true bearing, degrees clockwise from north)"
        )
    return _Resolved(name, fov, rng, p.heading_deg or 0.0, height, cost, yearly)


def city_extent(model: CityModel) -> tuple[float, float, float, float]:
    """Metric bounding box of the model's buildings and streets."""
    geoms = np.concatenate([model.buildings, model.streets])
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    return float(xmin), float(ymin), float(xmax), float(ymax)


def _check_inside_city(
    model: CityModel, records: Sequence[CameraRecord], lonlat: FloatArray, xy: FloatArray
) -> None:
    xmin, ymin, xmax, ymax = city_extent(model)
    out = ~((xy[:, 0] >= xmin) & (xy[:, 0] <= xmax) & (xy[:, 1] >= ymin) & (xy[:, 1] <= ymax))
    out |= ~np.all(np.isfinite(xy), axis=1)
    if not out.any():
        return
    bad = np.flatnonzero(out)
    back = to_wgs84(pyproj.CRS.from_user_input(model.crs))
    lon0, lat0 = back.transform(xmin, ymin)
    lon1, lat1 = back.transform(xmax, ymax)
    first = records[int(bad[0])]
    hint = ""
    # Latitude and longitude swapped is the commonest slip in hand-made files.
    sw = lonlat[bad][:, ::-1]
    if np.all((sw[:, 0] >= lon0) & (sw[:, 0] <= lon1) & (sw[:, 1] >= lat0) & (sw[:, 1] <= lat1)):
        hint = "; the coordinates look like latitude,longitude: swap them"
    raise CityInputError(
        f"{first.source}: {len(bad)} of {len(records)} camera(s) lie outside the city "
        f"{model.city_name} (longitude {lon0:.5f}..{lon1:.5f}, latitude {lat0:.5f}..{lat1:.5f}): "
        f"{_names([records[int(j)].id for j in bad])}, first at "
        f"({first.lon:.5f}, {first.lat:.5f}){hint}"
    )


def _off_buildings(
    model: CityModel, records: Sequence[CameraRecord], xy: FloatArray, snap_m: float
) -> tuple[FloatArray, list[str]]:
    """Move cameras digitised slightly inside a building out to its façade.

    A camera inside a footprint would see nothing (every sight line crosses a
    wall), so leaving it would silently drop its coverage. Shallow cases are a
    drawing slip of a wall-mounted camera and are moved; deep ones are errors.
    """
    if len(model.buildings) == 0:
        return xy, []
    tree = shapely.STRtree(model.buildings)
    pts = shapely.points(xy)
    hit_pt, _ = tree.query(pts, predicate="within")
    if hit_pt.size == 0:
        return xy, []
    xy = xy.copy()
    warnings: list[str] = []
    deep: list[str] = []
    clearance = 0.25
    for j in np.unique(hit_pt):
        near = tree.query(pts[j], predicate="dwithin", distance=snap_m + clearance)
        block = shapely.union_all(model.buildings[near])
        depth = float(shapely.distance(pts[j], block.boundary))
        if depth > snap_m:
            deep.append(f"{records[int(j)].id} ({depth:.1f} m)")
            continue
        target = _outside_point(block, pts[j], clearance)
        if target is None:
            deep.append(f"{records[int(j)].id} (no free façade nearby)")
            continue
        xy[j] = target
        warnings.append(
            f"{records[int(j)].label()}: lies {depth:.1f} m inside a building; moved "
            f"{float(np.hypot(*(target - np.asarray(pts[j].coords[0])))):.1f} m out to its façade"
        )
    if deep:
        raise CityInputError(
            f"{records[0].source}: {len(deep)} camera(s) lie inside a building, deeper than "
            f"facade_snap_m ({snap_m:g} m): {_names(deep)}; move them to a façade or pole"
        )
    return xy, warnings


def _outside_point(
    block: shapely.Geometry, pt: shapely.Point, clearance: float
) -> FloatArray | None:
    """A point ``clearance`` outside ``block`` near the nearest point of its boundary."""
    edge = nearest_points(block.boundary, pt)[0]
    e = np.asarray(edge.coords[0])
    p = np.asarray(pt.coords[0])
    d = e - p
    norm = float(np.hypot(*d))
    if norm < 1e-9:
        return None
    for step in (clearance, 2 * clearance, 4 * clearance):
        cand = np.asarray(e + d / norm * step, dtype=np.float64)
        if not shapely.intersects(block, shapely.Point(cand)):
            return cand
    return None


def duplicate_warnings(cams: Cameras, settings: PlansConfig, source: str) -> list[str]:
    """Warn about pairs of cameras in one set that are the same camera twice."""
    pairs = duplicate_pairs(cams, cams, settings)
    pairs = [(a, b) for a, b in pairs if a < b]
    if not pairs:
        return []
    named = [f"{cams.ids[a]} = {cams.ids[b]}" for a, b in pairs]
    return [
        f"{source}: {len(pairs)} pair(s) of cameras are duplicates (same model, within "
        f"{settings.duplicate_distance_m:g} m and {settings.duplicate_heading_deg:g}°): "
        f"{_names(named)}"
    ]


def duplicate_pairs(a: Cameras, b: Cameras, settings: PlansConfig) -> list[tuple[int, int]]:
    """Index pairs (i in a, j in b) of the same camera: same model and optics, close in
    position and heading (both 360° cameras count as the same heading)."""
    if len(a) == 0 or len(b) == 0:
        return []
    tree = shapely.STRtree(shapely.points(b.xy))
    ia, jb = tree.query(
        shapely.points(a.xy), predicate="dwithin", distance=settings.duplicate_distance_m
    )
    out: list[tuple[int, int]] = []
    for i, j in zip(ia.tolist(), jb.tolist(), strict=True):
        if a is b and i == j:
            continue
        if a.model[i] != b.model[j] or not math.isclose(a.fov[i], b.fov[j], rel_tol=1e-6):
            continue
        hi, hj = a.heading[i], b.heading[j]
        if np.isnan(hi) != np.isnan(hj):
            continue
        if not np.isnan(hi) and abs((hi - hj + 180.0) % 360.0 - 180.0) > (
            settings.duplicate_heading_deg
        ):
            continue
        out.append((i, j))
    return out


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


# --------------------------------------------------------------------------- views


def camera_views(model: CityModel, cams: Cameras, *, arc_step_deg: float = 1.0) -> GeomArray:
    """Metric view polygon of each camera: what it sees (buildings block), cut to its wedge."""
    if len(cams) == 0:
        return np.empty(0, dtype=object)
    scene = Scene.build(np.empty((0, 2)), building_edges(model.buildings))
    around = mount_views(scene, cams.xy, cams.range_m, arc_step_deg=arc_step_deg)
    wedges = np.array(
        [
            wedge(
                (float(cams.xy[j, 0]), float(cams.xy[j, 1])),
                0.0 if np.isnan(cams.heading[j]) else float(cams.heading[j]),
                float(cams.fov[j]),
                float(cams.range_m[j]),
                arc_step_deg=arc_step_deg,
            )
            for j in range(len(cams))
        ],
        dtype=object,
    )
    return np.asarray(shapely.intersection(around, wedges), dtype=object)
