"""The city coverage model: projection, demand points, candidate poses (pure logic).

Everything here takes geometries already read from files and returns arrays;
reading and writing live in :mod:`civicam.planning.city.osm`,
:mod:`civicam.planning.city.sites` and :mod:`civicam.planning.plan_output`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyproj
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from civicam.config.city import CityModelConfig
from civicam.planning.catalog import CameraSpec
from civicam.planning.city.errors import CityInputError
from civicam.planning.visibility import (
    PoseSet,
    Scene,
    building_edges,
    coverage_matrix,
    mount_views,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
GeomArray = NDArray[np.object_]
StageFn = Callable[[str, int, int], None]
"""Progress of a named stage: (stage, done, total)."""


@dataclass(frozen=True)
class CityData:
    """A city as read from a file: WGS84 building footprints and street centre lines."""

    name: str
    buildings: GeomArray
    streets: GeomArray
    street_class: NDArray[np.str_]


@dataclass(frozen=True)
class Site:
    """An important place: demand near or inside it gets its weight and requirement."""

    name: str
    weight: float
    geometry: shapely.Geometry  # WGS84 point, polygon or multipolygon
    radius_m: float | None
    min_cameras: int
    source: str  # file the site came from, for error messages
    index: int  # feature index in that file


@dataclass(frozen=True)
class Demand:
    """Demand points (rows of the coverage matrix) in the metric CRS."""

    xy: FloatArray
    weight: FloatArray
    requirement: IntArray
    street_class: NDArray[np.str_]
    site_ptr: IntArray  # CSR over sites: rows of site s are site_rows[site_ptr[s]:site_ptr[s+1]]
    site_rows: IntArray

    def __len__(self) -> int:
        return len(self.xy)


@dataclass(frozen=True)
class CityModel:
    """Everything a plan is computed from and explained with."""

    crs: str  # metric CRS (EPSG code of the UTM zone) of all coordinates below
    city_name: str
    buildings: GeomArray
    streets: GeomArray
    street_class: NDArray[np.str_]
    demand: Demand
    sites: tuple[Site, ...]
    cameras: tuple[CameraSpec, ...]
    mounts: FloatArray
    poses: PoseSet
    pose_model: IntArray  # index into cameras for each pose
    matrix: sp.csc_array  # demand rows x pose columns
    views: GeomArray  # visibility polygon of each mount out to its longest range
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def pose_cost(self) -> FloatArray:
        return np.array([c.capital_cost for c in self.cameras])[self.pose_model]


# --------------------------------------------------------------------------- projection


def utm_crs_for(city: CityData) -> pyproj.CRS:
    """The WGS84 UTM zone that holds the centre of the city's data."""
    geoms = np.concatenate([city.buildings, city.streets])
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    lon, lat = (xmin + xmax) / 2.0, (ymin + ymax) / 2.0
    if not (-180 <= lon <= 180 and -80 <= lat <= 84):
        raise CityInputError(
            f"{city.name}: centre ({lon:.4f}, {lat:.4f}) has no UTM zone "
            "(UTM covers latitudes -80..84)"
        )
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    infos = [i for i in infos if i.code.startswith(("326", "327"))]
    north = "326" if lat >= 0 else "327"
    zone = min(int((lon + 180) // 6) + 1, 60)
    wanted = f"{north}{zone:02d}"
    pick = next((i for i in infos if i.code == wanted), infos[0] if infos else None)
    if pick is None:
        raise CityInputError(f"{city.name}: no UTM zone found for ({lon:.4f}, {lat:.4f})")
    return pyproj.CRS.from_epsg(int(pick.code))


def transform(geoms: GeomArray, transformer: pyproj.Transformer) -> GeomArray:
    """Apply a pyproj transformer to every coordinate of ``geoms`` (vectorised)."""

    def run(xy: FloatArray) -> FloatArray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, run), dtype=object)


def to_metric(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(4326, crs, always_xy=True)


def to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, 4326, always_xy=True)


# --------------------------------------------------------------------------- demand


def sample_along(
    lines: GeomArray, spacing: float, *, allow_zero: bool = False
) -> tuple[FloatArray, IntArray, FloatArray, FloatArray]:
    """Points at the middles of equal pieces (about ``spacing`` long) of each line.

    Returns (xy, line index, distance along the line, piece length). With
    ``allow_zero`` a line shorter than half a spacing gets no point; otherwise
    every line of positive length gets at least one.
    """
    lengths = shapely.length(lines) if len(lines) else np.empty(0)
    pieces = np.round(lengths / spacing) if allow_zero else np.ceil(lengths / spacing)
    n = pieces.astype(np.int64)
    if not allow_zero:
        n = np.maximum(n, 1)
    n[lengths <= 0] = 0
    line_of = np.repeat(np.arange(len(lines)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    k = np.arange(len(line_of)) - start
    piece = lengths[line_of] / n[line_of]
    dist = (k + 0.5) * piece
    pts = shapely.line_interpolate_point(lines[line_of], dist)
    return shapely.get_coordinates(pts).reshape(-1, 2), line_of, dist, piece


@dataclass(frozen=True)
class DemandSample:
    """Street demand before sites: a rate per metre and the street length each point holds."""

    xy: FloatArray
    rate: FloatArray  # weight per metre of the street class
    factor: FloatArray  # street length the point stands for, in spacings
    street_class: NDArray[np.str_]


def sample_demand(
    streets: GeomArray,
    street_class: NDArray[np.str_],
    building_tree: shapely.STRtree,
    settings: CityModelConfig,
) -> DemandSample:
    """Demand points along streets, none inside buildings.

    A point's weight is rate * factor: its street class weight per metre times
    the street length it stands for over the spacing, so total weight follows
    street length and not how OSM happens to split ways.
    """
    xy, line_of, _, piece = sample_along(streets, settings.demand_spacing_m)
    per_class = np.array(
        [settings.street_weights.get(str(c), settings.other_street_weight) for c in street_class],
        dtype=np.float64,
    )
    keep = ~inside_buildings(building_tree, xy)
    return DemandSample(
        xy=xy[keep],
        rate=per_class[line_of][keep],
        factor=(piece / settings.demand_spacing_m)[keep],
        street_class=street_class[line_of][keep],
    )


def inside_buildings(tree: shapely.STRtree, xy: FloatArray) -> NDArray[np.bool_]:
    """Which points lie strictly inside a building of ``tree``."""
    mask = np.zeros(len(xy), dtype=np.bool_)
    if len(xy) and len(tree.geometries):
        hit, _ = tree.query(shapely.points(xy), predicate="within")
        mask[hit] = True
    return mask


def site_reach(sites: tuple[Site, ...], forward: pyproj.Transformer, default_m: float) -> GeomArray:
    """Metric area each site reaches: its geometry grown by its radius (or the default)."""
    if not sites:
        return np.empty(0, dtype=object)
    geoms = transform(np.array([s.geometry for s in sites], dtype=object), forward)
    radii = np.array([default_m if s.radius_m is None else s.radius_m for s in sites])
    return np.asarray(shapely.buffer(geoms, radii, quad_segs=16), dtype=object)


def build_demand(sample: DemandSample, sites: tuple[Site, ...], reach: GeomArray) -> Demand:
    """Demand rows with site weights and requirements applied.

    Demand inside a site's reach takes the site's weight per metre instead of
    its street's (the largest if several sites overlap) and wants the site's
    ``min_cameras`` (the largest). Raises :class:`CityInputError` for a site
    that reaches no demand, since its coverage could not be reported.
    """
    rate = sample.rate.copy()
    req = np.ones(len(sample.xy), dtype=np.int64)
    ptr = np.zeros(len(sites) + 1, dtype=np.int64)
    rows = np.empty(0, dtype=np.int64)
    if sites:
        tree = shapely.STRtree(shapely.points(sample.xy))
        site_idx, row = tree.query(reach, predicate="intersects")
        order = np.lexsort((row, site_idx))
        site_idx, rows = site_idx[order], row[order].astype(np.int64)
        counts = np.bincount(site_idx, minlength=len(sites))
        for s in np.flatnonzero(counts == 0):
            site = sites[s]
            raise CityInputError(
                f"{site.source}: site {site.name!r} (feature {site.index}) reaches no street "
                "demand; move it onto a street or give it a larger radius_m"
            )
        site_rate = np.zeros(len(sample.xy))
        np.maximum.at(site_rate, rows, np.array([s.weight for s in sites])[site_idx])
        touched = np.zeros(len(sample.xy), dtype=np.bool_)
        touched[rows] = True
        rate[touched] = site_rate[touched]
        np.maximum.at(req, rows, np.array([s.min_cameras for s in sites], dtype=np.int64)[site_idx])
        np.cumsum(counts, out=ptr[1:])
    return Demand(sample.xy, rate * sample.factor, req, sample.street_class, ptr, rows)


# --------------------------------------------------------------------------- mounts and poses


def junctions(streets: GeomArray) -> FloatArray:
    """Street intersections: vertices where three or more street ends/passes meet."""
    if len(streets) == 0:
        return np.empty((0, 2))
    coords, line = shapely.get_coordinates(streets, return_index=True)
    n = np.bincount(line, minlength=len(streets))
    first = np.cumsum(n) - n
    degree = np.full(len(coords), 2, dtype=np.int64)  # a way passing through counts twice
    degree[first[n > 0]] = 1
    degree[(first + n - 1)[n > 0]] = 1
    key = np.round(coords, 2)  # centimetre snapping joins ways that share a node
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=degree, minlength=len(uniq))
    return np.asarray(uniq[total >= 3], dtype=np.float64)


def generate_mounts(
    streets: GeomArray, building_tree: shapely.STRtree, settings: CityModelConfig
) -> FloatArray:
    """Mount points: both sides of each street every ``mount_spacing_m``, set back
    ``mount_setback_m`` from the centre line, plus intersections; never inside or
    within ``mount_clearance_m`` of a building; near-duplicates merged."""
    xy, line_of, dist, _ = sample_along(streets, settings.mount_spacing_m, allow_zero=True)
    parts = [junctions(streets)] if settings.intersection_mounts else []
    if len(xy):
        lines = streets[line_of]
        length = shapely.length(lines)
        ahead = shapely.get_coordinates(
            shapely.line_interpolate_point(lines, np.minimum(dist + 0.5, length))
        )
        behind = shapely.get_coordinates(
            shapely.line_interpolate_point(lines, np.maximum(dist - 0.5, 0.0))
        )
        tangent = ahead - behind
        norm = np.hypot(tangent[:, 0], tangent[:, 1])
        norm[norm == 0] = 1.0
        normal = np.column_stack([-tangent[:, 1], tangent[:, 0]]) / norm[:, None]
        if settings.mount_setback_m > 0:
            off = settings.mount_setback_m * normal
            parts += [xy + off, xy - off]
        else:
            parts.append(xy)
    if not parts:
        return np.empty((0, 2))
    mounts = np.vstack(parts)
    if len(building_tree.geometries) and len(mounts):
        near, _ = building_tree.query(
            shapely.points(mounts), predicate="dwithin", distance=settings.mount_clearance_m
        )
        keep = np.ones(len(mounts), dtype=np.bool_)
        keep[near] = False
        mounts = mounts[keep]
    if settings.mount_merge_m > 0 and len(mounts):
        # One mount per merge-size grid cell: cheap, deterministic de-duplication of
        # mounts from overlapping ways (a road and its separately mapped sidewalk).
        cell = np.floor(mounts / settings.mount_merge_m).astype(np.int64)
        _, first = np.unique(cell, axis=0, return_index=True)
        mounts = mounts[np.sort(first)]
    return np.ascontiguousarray(mounts, dtype=np.float64)


def generate_poses(
    n_mounts: int, cameras: tuple[CameraSpec, ...], heading_step_deg: float
) -> tuple[PoseSet, IntArray]:
    """Every (mount, heading, model) column, mount-major; 360° models get one heading."""
    headings: list[float] = []
    models: list[int] = []
    for k, cam in enumerate(cameras):
        hs = [0.0] if cam.omni else list(np.arange(0.0, 360.0 - 1e-9, heading_step_deg))
        headings += hs
        models += [k] * len(hs)
    per = len(headings)
    mount = np.repeat(np.arange(n_mounts, dtype=np.int64), per)
    model = np.tile(np.array(models, dtype=np.int64), n_mounts)
    fov = np.array([c.fov_deg for c in cameras])[model]
    rng = np.array([c.range_m for c in cameras])[model]
    poses = PoseSet(mount, np.tile(np.array(headings), n_mounts), fov, rng)
    return poses, model


# --------------------------------------------------------------------------- assembly


def clean_buildings(buildings: GeomArray) -> GeomArray:
    """Valid polygonal footprints (OSM has self-touching rings; repair keeps their area)."""
    if len(buildings) == 0:
        return buildings
    fixed = np.asarray(shapely.make_valid(buildings), dtype=object)
    parts = shapely.get_parts(fixed)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]  # Polygon, MultiPolygon
    polys = polys[shapely.area(polys) > 0]
    return np.asarray(polys, dtype=object)


def build_city_model(
    city: CityData,
    sites: tuple[Site, ...],
    cameras: tuple[CameraSpec, ...],
    settings: CityModelConfig,
    *,
    progress: StageFn | None = None,
) -> CityModel:
    """Project the city, lay out demand and poses, and compute who sees what."""
    times: dict[str, float] = {}
    t = time.perf_counter()
    crs = utm_crs_for(city)
    forward = to_metric(crs)
    keep = ~np.isin(city.street_class, np.array(settings.excluded_highways, dtype=np.str_))
    streets = transform(city.streets[keep], forward)
    classes = city.street_class[keep]
    buildings = clean_buildings(transform(city.buildings, forward))
    tree = shapely.STRtree(buildings)
    sample = sample_demand(streets, classes, tree, settings)
    if len(sample.xy) == 0:
        raise CityInputError(f"{city.name}: no street demand outside buildings to plan for")
    demand = build_demand(sample, sites, site_reach(sites, forward, settings.site_radius_m))
    mounts = generate_mounts(streets, tree, settings)
    if len(mounts) == 0:
        raise CityInputError(f"{city.name}: no street leaves room for a camera mount")
    poses, pose_model = generate_poses(len(mounts), cameras, settings.heading_step_deg)
    times["layout"] = time.perf_counter() - t

    t = time.perf_counter()
    scene = Scene.build(demand.xy, building_edges(buildings))
    matrix = coverage_matrix(
        scene,
        mounts,
        poses,
        progress=None if progress is None else (lambda d, n: progress("visibility", d, n)),
    )
    times["visibility"] = time.perf_counter() - t

    t = time.perf_counter()
    reach = max(c.range_m for c in cameras)
    views = mount_views(
        scene,
        mounts,
        np.full(len(mounts), reach),
        arc_step_deg=settings.view_arc_step_deg,
        progress=None if progress is None else (lambda d, n: progress("views", d, n)),
    )
    times["views"] = time.perf_counter() - t
    return CityModel(
        crs=crs.to_string(),
        city_name=city.name,
        buildings=buildings,
        streets=streets,
        street_class=classes,
        demand=demand,
        sites=sites,
        cameras=cameras,
        mounts=mounts,
        poses=poses,
        pose_model=pose_model,
        matrix=matrix,
        views=views,
        seconds=times,
    )
