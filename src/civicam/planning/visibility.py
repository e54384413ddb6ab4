"""Exact 2-D camera visibility over building footprints (pure logic, no I/O).

A demand point is covered by a camera pose when it lies in the pose's
field-of-view wedge, within its range, and the straight sight line from the
camera crosses no building. Occlusion is decided per mount point (all headings
and models of a mount share it) by exact segment-crossing tests against the
building edges near the mount. Edges are pruned by angle: the candidate points
of a mount are sorted by bearing and each edge only tests the points inside the
angular interval it subtends.

Boundary convention (why results may differ from another exact method, but
only on measure-zero cases): a sight line that ends on a wall is not blocked; a
line that passes exactly through a building vertex is decided by a tie-break
that treats the vertex as lying left of the line (symbolic perturbation). The
tie-break is consistent, so a line entering a building through a vertex is
always blocked, but a line that only touches a corner or runs along a wall may
count as blocked when the building lies to its right. ``BOUNDARY_TOLERANCE_M``
states how far from such boundaries a disagreement with a brute-force reference
may occur.

View polygons (the geometry that explains a pose) come from ray casting at
every edge endpoint (and just beside it), every edge/range-circle crossing and
every ``arc_step`` degrees; between consecutive rays the visible boundary is a
straight piece of one edge, so the polygon is exact up to the chords that stand
in for the range arc (which lie inside the true area) and slivers of angular
width ``_RAY_EPS`` beside vertices.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

import numba
import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
GeomArray = NDArray[np.object_]
ProgressFn = Callable[[int, int], None]
"""Called with (done, total) as work advances."""

BOUNDARY_TOLERANCE_M: Final = 1e-3
"""Fast and reference visibility agree for every point farther than this from a
building boundary, the range circle and the wedge sides (metres)."""

_ANGLE_PAD: Final = 1e-9  # radians added to edge intervals so rounding never prunes a hit
_RAY_EPS: Final = 1e-7  # radians between a vertex ray and its side rays

F = TypeVar("F", bound=Callable[..., Any])


def _jit(parallel: bool = False) -> Callable[[F], F]:
    """numba.njit with on-disk caching, typed for mypy (numba has no stubs)."""

    def wrap(fn: F) -> F:
        return cast(F, numba.njit(cache=True, nogil=True, parallel=parallel)(fn))

    return wrap


# --------------------------------------------------------------------------- geometry prep


def building_edges(buildings: GeomArray) -> FloatArray:
    """All ring segments (outer and inner) of the polygons as rows (x0, y0, x1, y1)."""
    if buildings.size == 0:
        return np.empty((0, 4), dtype=np.float64)
    parts = shapely.get_parts(buildings)
    rings = shapely.get_rings(parts)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    same = ring_idx[1:] == ring_idx[:-1]
    edges = np.hstack([coords[:-1][same], coords[1:][same]])
    keep = np.any(edges[:, :2] != edges[:, 2:], axis=1)  # drop zero-length edges
    return np.ascontiguousarray(edges[keep], dtype=np.float64)


@dataclass(frozen=True)
class Scene:
    """Spatial indexes shared by visibility and view-polygon computations."""

    points: FloatArray
    edges: FloatArray
    point_tree: cKDTree
    edge_tree: shapely.STRtree

    @classmethod
    def build(cls, points: FloatArray, edges: FloatArray) -> Scene:
        pts = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 2)
        eds = np.ascontiguousarray(edges, dtype=np.float64).reshape(-1, 4)
        lines = shapely.linestrings(eds.reshape(-1, 2, 2)) if len(eds) else np.empty(0, object)
        return cls(pts, eds, cKDTree(pts), shapely.STRtree(lines))

    def edges_near(self, centres: FloatArray, radius: float) -> tuple[IntArray, IntArray]:
        """CSR (indptr, edge ids) of edges within ``radius`` of each centre."""
        n = len(centres)
        if len(self.edges) == 0 or n == 0:
            return np.zeros(n + 1, dtype=np.int64), np.empty(0, dtype=np.int64)
        q, e = self.edge_tree.query(shapely.points(centres), predicate="dwithin", distance=radius)
        if q.size > 1 and np.any(np.diff(q) < 0):
            order = np.argsort(q, kind="stable")
            q, e = q[order], e[order]
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(q, minlength=n), out=ptr[1:])
        return ptr, e.astype(np.int64)

    def points_near(self, centres: FloatArray, radius: float) -> tuple[IntArray, IntArray]:
        """CSR (indptr, point ids) of demand points within ``radius`` of each centre."""
        n = len(centres)
        if len(self.points) == 0 or n == 0:
            return np.zeros(n + 1, dtype=np.int64), np.empty(0, dtype=np.int64)
        hits = self.point_tree.query_ball_point(centres, r=radius, return_sorted=False)
        lens = np.fromiter((len(h) for h in hits), dtype=np.int64, count=n)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lens, out=ptr[1:])
        idx = np.fromiter((i for h in hits for i in h), dtype=np.int64, count=int(ptr[-1]))
        return ptr, idx


# --------------------------------------------------------------------------- kernels


@_jit()
def _block_span(
    s: int,
    t: int,
    order: NDArray[np.int64],
    px: FloatArray,
    py: FloatArray,
    dist: FloatArray,
    blocked: NDArray[np.bool_],
    ux: float,
    uy: float,
    vx: float,
    vy: float,
    dmin: float,
) -> None:
    """Mark points order[s:t] whose sight line from the origin crosses edge U-V."""
    wx = vx - ux
    wy = vy - uy
    o_cam = wx * (0.0 - uy) - wy * (0.0 - ux)  # side of the camera w.r.t. the edge line
    for k in range(s, t):
        i = order[k]
        if blocked[i] or dist[i] <= dmin:
            continue
        x = px[i]
        y = py[i]
        # Edge straddles the sight line; an endpoint on it counts as left (>= 0).
        if (x * uy - y * ux >= 0.0) == (x * vy - y * vx >= 0.0):
            continue
        o_pt = wx * (y - uy) - wy * (x - ux)
        if (o_cam > 0.0 and o_pt < 0.0) or (o_cam < 0.0 and o_pt > 0.0):
            blocked[i] = True


@_jit(parallel=True)
def _occlusion(
    mxy: FloatArray,
    pt_ptr: IntArray,
    pt_idx: IntArray,
    pts: FloatArray,
    e_ptr: IntArray,
    e_idx: IntArray,
    edges: FloatArray,
    out_visible: NDArray[np.bool_],
    out_dist: FloatArray,
    out_angle: FloatArray,
) -> None:
    """For each mount, which of its candidate points it can see (no building between)."""
    two_pi = 2.0 * math.pi
    for m in numba.prange(mxy.shape[0]):
        a0 = pt_ptr[m]
        n = pt_ptr[m + 1] - a0
        if n == 0:
            continue
        cx = mxy[m, 0]
        cy = mxy[m, 1]
        px = np.empty(n)
        py = np.empty(n)
        ang = np.empty(n)
        dist = np.empty(n)
        for k in range(n):
            i = pt_idx[a0 + k]
            px[k] = pts[i, 0] - cx
            py[k] = pts[i, 1] - cy
            ang[k] = math.atan2(py[k], px[k])
            dist[k] = math.hypot(px[k], py[k])
        order = np.argsort(ang)
        sang = ang[order]
        blocked = np.zeros(n, dtype=np.bool_)
        for q in range(e_ptr[m], e_ptr[m + 1]):
            e = e_idx[q]
            ux = edges[e, 0] - cx
            uy = edges[e, 1] - cy
            vx = edges[e, 2] - cx
            vy = edges[e, 3] - cy
            au = math.atan2(uy, ux)
            av = math.atan2(vy, vx)
            span = av - au
            if span > math.pi:
                span -= two_pi
            elif span <= -math.pi:
                span += two_pi
            lo = au if span >= 0.0 else av
            lo -= _ANGLE_PAD
            hi = lo + abs(span) + 2.0 * _ANGLE_PAD
            # Nearest distance of the edge to the camera: nearer points cannot be hidden.
            wx = vx - ux
            wy = vy - uy
            ww = wx * wx + wy * wy
            tt = 0.0 if ww == 0.0 else min(1.0, max(0.0, -(ux * wx + uy * wy) / ww))
            dmin = math.hypot(ux + tt * wx, uy + tt * wy) * (1.0 - 1e-12)
            s = int(np.searchsorted(sang, lo, side="left"))
            t = int(np.searchsorted(sang, hi, side="right"))
            _block_span(s, t, order, px, py, dist, blocked, ux, uy, vx, vy, dmin)
            if hi > math.pi:  # interval wraps past +pi
                t = int(np.searchsorted(sang, hi - two_pi, side="right"))
                _block_span(0, t, order, px, py, dist, blocked, ux, uy, vx, vy, dmin)
            if lo < -math.pi:  # interval wraps past -pi
                s = int(np.searchsorted(sang, lo + two_pi, side="left"))
                _block_span(s, n, order, px, py, dist, blocked, ux, uy, vx, vy, dmin)
        for k in range(n):
            out_visible[a0 + k] = not blocked[k]
            out_dist[a0 + k] = dist[k]
            out_angle[a0 + k] = ang[k]


@_jit(parallel=True)
def _pose_count(
    v_ptr: IntArray,
    v_dist: FloatArray,
    v_ang: FloatArray,
    pose_mount: IntArray,
    pose_dir: FloatArray,
    pose_half: FloatArray,
    pose_range: FloatArray,
    counts: IntArray,
) -> None:
    """Number of visible points inside each pose's wedge and range."""
    two_pi = 2.0 * math.pi
    for j in numba.prange(pose_mount.shape[0]):
        m = pose_mount[j]
        c = 0
        for k in range(v_ptr[m], v_ptr[m + 1]):
            if v_dist[k] > pose_range[j]:
                continue
            d = (v_ang[k] - pose_dir[j] + math.pi) % two_pi - math.pi
            if abs(d) <= pose_half[j]:
                c += 1
        counts[j] = c


@_jit(parallel=True)
def _pose_fill(
    v_ptr: IntArray,
    v_dist: FloatArray,
    v_ang: FloatArray,
    v_point: IntArray,
    pose_mount: IntArray,
    pose_dir: FloatArray,
    pose_half: FloatArray,
    pose_range: FloatArray,
    col_ptr: IntArray,
    out_rows: NDArray[np.int32],
) -> None:
    """Row indices (demand points) of each pose's column."""
    two_pi = 2.0 * math.pi
    for j in numba.prange(pose_mount.shape[0]):
        m = pose_mount[j]
        w = col_ptr[j]
        for k in range(v_ptr[m], v_ptr[m + 1]):
            if v_dist[k] > pose_range[j]:
                continue
            d = (v_ang[k] - pose_dir[j] + math.pi) % two_pi - math.pi
            if abs(d) <= pose_half[j]:
                out_rows[w] = v_point[k]
                w += 1


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class PoseSet:
    """Candidate poses as columns: mount index, heading, field of view and range.

    ``heading_deg`` is a grid bearing: degrees clockwise from the +y axis
    (grid north) of the metric CRS.
    """

    mount: IntArray
    heading_deg: FloatArray
    fov_deg: FloatArray
    range_m: FloatArray

    def __post_init__(self) -> None:
        n = len(self.mount)
        if not (len(self.heading_deg) == len(self.fov_deg) == len(self.range_m) == n):
            raise ValueError("pose arrays must have equal lengths")
        if n and np.any(np.diff(self.mount) < 0):
            raise ValueError("poses must be sorted by mount")

    def __len__(self) -> int:
        return len(self.mount)


def coverage_matrix(
    scene: Scene,
    mounts: FloatArray,
    poses: PoseSet,
    *,
    chunk_mounts: int = 1024,
    progress: ProgressFn | None = None,
) -> sp.csc_array:
    """Sparse 0/1 matrix, demand points by poses: entry set when the pose sees the point.

    Mounts are processed in chunks of ``chunk_mounts`` so memory stays bounded
    by the candidate pairs of one chunk plus the result.
    """
    mounts = np.ascontiguousarray(mounts, dtype=np.float64).reshape(-1, 2)
    n_pts = len(scene.points)
    n_poses = len(poses)
    pose_ptr = np.searchsorted(poses.mount, np.arange(len(mounts) + 1), side="left")
    # Math angle of the optical axis: grid bearing 0 = +y, clockwise.
    pose_dir = np.radians(90.0 - poses.heading_deg)
    pose_half = np.where(poses.fov_deg >= 360.0, np.pi, np.radians(poses.fov_deg) / 2.0)
    pose_range = np.asarray(poses.range_m, dtype=np.float64)
    mount_reach = np.zeros(len(mounts))
    if n_poses:
        np.maximum.at(mount_reach, poses.mount, pose_range)
    col_counts: list[IntArray] = []
    col_rows: list[NDArray[np.int32]] = []
    done = 0
    for start in range(0, len(mounts), chunk_mounts):
        stop = min(start + chunk_mounts, len(mounts))
        j0, j1 = int(pose_ptr[start]), int(pose_ptr[stop])
        if j1 > j0:
            counts, rows = _chunk_columns(
                scene,
                mounts[start:stop],
                float(mount_reach[start:stop].max()),
                poses.mount[j0:j1] - start,
                pose_dir[j0:j1],
                pose_half[j0:j1],
                pose_range[j0:j1],
            )
            col_counts.append(counts)
            col_rows.append(rows)
        done = stop
        if progress is not None:
            progress(done, len(mounts))
    indptr = np.zeros(n_poses + 1, dtype=np.int64)
    if col_counts:
        np.cumsum(np.concatenate(col_counts), out=indptr[1:])
    rows_all = np.concatenate(col_rows) if col_rows else np.empty(0, dtype=np.int32)
    data = np.ones(len(rows_all), dtype=np.int8)
    return sp.csc_array((data, rows_all, indptr), shape=(n_pts, n_poses))


def _chunk_columns(
    scene: Scene,
    mxy: FloatArray,
    reach: float,
    pose_mount: IntArray,
    pose_dir: FloatArray,
    pose_half: FloatArray,
    pose_range: FloatArray,
) -> tuple[IntArray, NDArray[np.int32]]:
    pt_ptr, pt_idx = scene.points_near(mxy, reach)
    e_ptr, e_idx = scene.edges_near(mxy, reach)
    n_pairs = len(pt_idx)
    visible = np.zeros(n_pairs, dtype=np.bool_)
    dist = np.empty(n_pairs)
    ang = np.empty(n_pairs)
    _occlusion(mxy, pt_ptr, pt_idx, scene.points, e_ptr, e_idx, scene.edges, visible, dist, ang)
    # Keep only visible pairs, per mount, so pose kernels scan less.
    pair_mount = np.repeat(np.arange(len(mxy)), np.diff(pt_ptr))
    v_ptr = np.zeros(len(mxy) + 1, dtype=np.int64)
    np.cumsum(np.bincount(pair_mount[visible], minlength=len(mxy)), out=v_ptr[1:])
    v_dist = np.ascontiguousarray(dist[visible])
    v_ang = np.ascontiguousarray(ang[visible])
    v_point = np.ascontiguousarray(pt_idx[visible])
    pm = np.ascontiguousarray(pose_mount, dtype=np.int64)
    counts = np.zeros(len(pm), dtype=np.int64)
    _pose_count(v_ptr, v_dist, v_ang, pm, pose_dir, pose_half, pose_range, counts)
    col_ptr = np.zeros(len(pm) + 1, dtype=np.int64)
    np.cumsum(counts, out=col_ptr[1:])
    rows = np.empty(int(col_ptr[-1]), dtype=np.int32)
    _pose_fill(v_ptr, v_dist, v_ang, v_point, pm, pose_dir, pose_half, pose_range, col_ptr, rows)
    return counts, rows


# --------------------------------------------------------------------------- view polygons


_RAYS_PER_EDGE: Final = 10  # 3 per endpoint, 2 per range-circle crossing


@_jit(parallel=True)
def _view_rays(
    mxy: FloatArray,
    radius: FloatArray,
    e_ptr: IntArray,
    e_idx: IntArray,
    edges: FloatArray,
    base_angles: FloatArray,
    slot_ptr: IntArray,
    out_xy: FloatArray,
    out_n: IntArray,
) -> None:
    """Ray-cast visibility boundary of each mount, written to its slot in angle order.

    Rays go every base angle, at and beside each edge end point within range,
    and beside each crossing of an edge with the range circle. A ray whose two
    neighbours hit the same edge adds no corner and is left out.
    """
    two_pi = 2.0 * math.pi
    n_buckets = 720
    bw = two_pi / n_buckets
    for m in numba.prange(mxy.shape[0]):
        cx = mxy[m, 0]
        cy = mxy[m, 1]
        r = radius[m]
        q0 = e_ptr[m]
        ne = e_ptr[m + 1] - q0
        nb = base_angles.shape[0]
        ex = np.empty((ne, 4))
        lo_b = np.empty(ne, dtype=np.int64)
        hi_b = np.empty(ne, dtype=np.int64)
        angles = np.empty(nb + _RAYS_PER_EDGE * ne)
        na = 0
        for k in range(nb):
            angles[na] = base_angles[k]
            na += 1
        for q in range(ne):
            e = e_idx[q0 + q]
            ux = edges[e, 0] - cx
            uy = edges[e, 1] - cy
            vx = edges[e, 2] - cx
            vy = edges[e, 3] - cy
            ex[q, 0] = ux
            ex[q, 1] = uy
            ex[q, 2] = vx
            ex[q, 3] = vy
            au = math.atan2(uy, ux)
            av = math.atan2(vy, vx)
            span = av - au
            if span > math.pi:
                span -= two_pi
            elif span <= -math.pi:
                span += two_pi
            lo = (au if span >= 0.0 else av) - _ANGLE_PAD
            lo_b[q] = math.floor((lo + math.pi) / bw)
            hi_b[q] = math.floor((lo + abs(span) + 2.0 * _ANGLE_PAD + math.pi) / bw)
            for px, py in ((ux, uy), (vx, vy)):
                if px * px + py * py <= r * r:
                    a = math.atan2(py, px)
                    angles[na] = a - _RAY_EPS
                    angles[na + 1] = a
                    angles[na + 2] = a + _RAY_EPS
                    na += 3
            # Where the edge crosses the range circle, the boundary switches edge <-> arc.
            wx = vx - ux
            wy = vy - uy
            qa = wx * wx + wy * wy
            qb = 2.0 * (ux * wx + uy * wy)
            qc = ux * ux + uy * uy - r * r
            disc = qb * qb - 4.0 * qa * qc
            if qa > 0.0 and disc > 0.0:
                sq = math.sqrt(disc)
                for tt in ((-qb - sq) / (2.0 * qa), (-qb + sq) / (2.0 * qa)):
                    if 0.0 <= tt <= 1.0:
                        a = math.atan2(uy + tt * wy, ux + tt * wx)
                        angles[na] = a - _RAY_EPS
                        angles[na + 1] = a + _RAY_EPS
                        na += 2
        # Angular buckets: a ray only meets edges whose angular interval holds it.
        b_cnt = np.zeros(n_buckets + 1, dtype=np.int64)
        for q in range(ne):
            for b in range(lo_b[q], hi_b[q] + 1):
                b_cnt[(b % n_buckets) + 1] += 1
        for b in range(n_buckets):
            b_cnt[b + 1] += b_cnt[b]
        b_fill = b_cnt[:-1].copy()
        b_edges = np.empty(b_cnt[n_buckets], dtype=np.int64)
        for q in range(ne):
            for b in range(lo_b[q], hi_b[q] + 1):
                bb = b % n_buckets
                b_edges[b_fill[bb]] = q
                b_fill[bb] += 1
        for k in range(na):  # into [-pi, pi)
            a = angles[k]
            if a >= math.pi:
                angles[k] = a - two_pi
            elif a < -math.pi:
                angles[k] = a + two_pi
        srt = np.sort(angles[:na])
        nu = 0
        for k in range(na):
            if nu == 0 or srt[k] - srt[nu - 1] > 1e-12:
                srt[nu] = srt[k]
                nu += 1
        hx = np.empty(nu)
        hy = np.empty(nu)
        hit = np.empty(nu, dtype=np.int64)
        for k in range(nu):
            dx = math.cos(srt[k])
            dy = math.sin(srt[k])
            best = r
            which = -1
            bb = min(math.floor((srt[k] + math.pi) / bw), n_buckets - 1)
            for z in range(b_cnt[bb], b_cnt[bb + 1]):
                q = b_edges[z]
                ux = ex[q, 0]
                uy = ex[q, 1]
                vx = ex[q, 2]
                vy = ex[q, 3]
                # Same tie-break as the occlusion test (an end point on the ray's line
                # counts as left), so a ray can never slip between two edges through
                # their shared vertex by rounding.
                if (dx * uy - dy * ux >= 0.0) == (dx * vy - dy * vx >= 0.0):
                    continue
                wx = vx - ux
                wy = vy - uy
                den = dx * wy - dy * wx
                if den == 0.0:
                    continue
                t = (ux * wy - uy * wx) / den
                if 0.0 < t < best:
                    best = t
                    which = q
            hx[k] = cx + best * dx
            hy[k] = cy + best * dy
            hit[k] = which
        w = slot_ptr[m]
        for k in range(nu):
            h = hit[k]
            if h >= 0 and hit[(k - 1) % nu] == h and hit[(k + 1) % nu] == h:
                continue  # on the straight piece between its neighbours
            out_xy[w, 0] = hx[k]
            out_xy[w, 1] = hy[k]
            w += 1
        out_n[m] = w - slot_ptr[m]


def mount_views(
    scene: Scene,
    mounts: FloatArray,
    radius: FloatArray,
    *,
    arc_step_deg: float = 1.0,
    chunk_mounts: int = 1024,
    progress: ProgressFn | None = None,
) -> GeomArray:
    """Visibility polygon of each mount out to its ``radius`` (all around)."""
    mounts = np.ascontiguousarray(mounts, dtype=np.float64).reshape(-1, 2)
    radius = np.ascontiguousarray(np.broadcast_to(radius, (len(mounts),)), dtype=np.float64)
    n_base = max(8, math.ceil(360.0 / arc_step_deg))
    base = np.linspace(-np.pi, np.pi, n_base, endpoint=False)
    out: list[GeomArray] = []
    for start in range(0, len(mounts), chunk_mounts):
        stop = min(start + chunk_mounts, len(mounts))
        mxy = mounts[start:stop]
        rad = radius[start:stop]
        e_ptr, e_idx = scene.edges_near(mxy, float(rad.max()))
        slot_ptr = np.zeros(len(mxy) + 1, dtype=np.int64)
        np.cumsum(n_base + _RAYS_PER_EDGE * np.diff(e_ptr), out=slot_ptr[1:])
        xy = np.empty((int(slot_ptr[-1]), 2))
        used = np.zeros(len(mxy), dtype=np.int64)
        _view_rays(mxy, rad, e_ptr, e_idx, scene.edges, base, slot_ptr, xy, used)
        keep = np.arange(len(xy)) - np.repeat(slot_ptr[:-1], np.diff(slot_ptr)) < np.repeat(
            used, np.diff(slot_ptr)
        )
        ring_of = np.repeat(np.arange(len(mxy)), used)
        rings = shapely.linearrings(xy[keep], indices=ring_of)
        polys = np.asarray(shapely.polygons(rings), dtype=object)
        bad = ~shapely.is_valid(polys)
        if np.any(bad):  # rounding can pinch a ray fan; repair keeps the same area
            polys[bad] = shapely.make_valid(polys[bad])
        out.append(polys)
        if progress is not None:
            progress(stop, len(mounts))
    return np.concatenate(out) if out else np.empty(0, dtype=object)


def wedge(
    centre: tuple[float, float],
    heading_deg: float,
    fov_deg: float,
    range_m: float,
    *,
    arc_step_deg: float = 1.0,
) -> shapely.Polygon:
    """Field-of-view sector (grid bearing ``heading_deg``), arc drawn as inscribed chords."""
    cx, cy = centre
    if fov_deg >= 360.0:
        n = max(8, math.ceil(360.0 / arc_step_deg))
        a = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
        return shapely.Polygon(
            np.column_stack([cx + range_m * np.cos(a), cy + range_m * np.sin(a)])
        )
    mid = math.radians(90.0 - heading_deg)
    half = math.radians(fov_deg) / 2.0
    n = max(2, math.ceil(fov_deg / arc_step_deg) + 1)
    a = np.linspace(mid - half, mid + half, n)
    arc = np.column_stack([cx + range_m * np.cos(a), cy + range_m * np.sin(a)])
    return shapely.Polygon(np.vstack([[cx, cy], arc]))


def pose_views(
    views: GeomArray,
    mounts: FloatArray,
    poses: PoseSet,
    columns: IntArray,
    *,
    arc_step_deg: float = 1.0,
) -> GeomArray:
    """View polygon of each pose in ``columns``: its mount's view cut to its wedge."""
    wedges = np.array(
        [
            wedge(
                (float(mounts[poses.mount[j], 0]), float(mounts[poses.mount[j], 1])),
                float(poses.heading_deg[j]),
                float(poses.fov_deg[j]),
                float(poses.range_m[j]),
                arc_step_deg=arc_step_deg,
            )
            for j in columns
        ],
        dtype=object,
    )
    if len(wedges) == 0:
        return np.empty(0, dtype=object)
    return np.asarray(shapely.intersection(views[poses.mount[columns]], wedges), dtype=object)
