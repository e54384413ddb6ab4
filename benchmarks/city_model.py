"""City coverage model benchmarks: the bundled city end to end, and visibility at scale.

Run from the repository root:

    .venv/bin/python benchmarks/city_model.py            # both parts
    .venv/bin/python benchmarks/city_model.py bundled    # the bundled city only
    .venv/bin/python benchmarks/city_model.py scale      # generated city, 1e4..1e5 poses

The scale part generates a grid city of 5e4 buildings with 1e6 demand points
and times the visibility matrix for 1e4, 3e4 and 1e5 candidate poses (the
built-in catalog: 17 poses per mount). Peak memory is the process's maximum
resident set size so far.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

from civicam.config.city import CityModelConfig, Density
from civicam.planning.catalog import load_catalog
from civicam.planning.city.bundled import helsinki_extract, helsinki_sites
from civicam.planning.city.model import generate_poses
from civicam.planning.city_plan import obtain_model, solve
from civicam.planning.demo_city import DEMO_BUDGET, DEMO_TIME_LIMIT_S
from civicam.planning.visibility import Scene, building_edges, coverage_matrix, mount_views

FloatArray = NDArray[np.float64]

BLOCK_M = 100.0  # side of a city block
STREET_M = 20.0  # width between blocks
PITCH_M = BLOCK_M + STREET_M
LANES_M = (-7.0, 0.0, 7.0)  # demand on both sidewalks and the carriageway
MOUNT_OFFSET_M = 8.0  # mounts at the kerb, 2 m clear of any block


def peak_rss_gib() -> float:
    """Largest resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def generated_city(
    n_buildings: int, n_demand: int, seed: int = 0
) -> tuple[NDArray[np.object_], FloatArray, int]:
    """Grid city: jittered rectangular buildings, 12 per block, demand on three lanes.

    Returns (buildings, demand points, blocks per side).
    """
    rng = np.random.default_rng(seed)
    per_side = int(np.ceil(np.sqrt(n_buildings / 12)))
    bx, by = np.meshgrid(np.arange(per_side), np.arange(per_side))
    block_x = STREET_M / 2 + PITCH_M * bx.ravel()
    block_y = STREET_M / 2 + PITCH_M * by.ravel()
    cx, cy = np.meshgrid(np.arange(4), np.arange(3))
    cell_w, cell_h = BLOCK_M / 4, BLOCK_M / 3
    x0 = (block_x[:, None] + cell_w * cx.ravel()[None, :]).ravel()[:n_buildings]
    y0 = (block_y[:, None] + cell_h * cy.ravel()[None, :]).ravel()[:n_buildings]
    inset = rng.uniform(1.0, 5.0, size=(n_buildings, 4))
    boxes = shapely.box(
        x0 + inset[:, 0], y0 + inset[:, 1], x0 + cell_w - inset[:, 2], y0 + cell_h - inset[:, 3]
    )
    # Demand: along every street centre line and both sidewalks, evenly spaced.
    extent = per_side * PITCH_M
    n_lines = (per_side + 1) * 2 * len(LANES_M)
    per_line = int(np.ceil(1.1 * n_demand / n_lines))  # spare for the lanes cut at the edge
    along = (np.arange(per_line) + 0.5) * extent / per_line
    centres = PITCH_M * np.arange(per_side + 1)
    pts: list[FloatArray] = []
    for lane in LANES_M:
        for c in centres:
            pts.append(np.column_stack([along, np.full(per_line, c + lane)]))
            pts.append(np.column_stack([np.full(per_line, c + lane), along]))
    demand = np.vstack(pts)
    demand = demand[(demand >= 0).all(axis=1) & (demand <= extent).all(axis=1)]
    pick = np.sort(rng.choice(len(demand), size=min(n_demand, len(demand)), replace=False))
    return np.asarray(boxes, dtype=object), np.ascontiguousarray(demand[pick]), per_side


def generated_mounts(per_side: int, n_mounts: int, seed: int = 0) -> FloatArray:
    """Random kerb-side mount points along the generated streets."""
    rng = np.random.default_rng(seed + 1)
    extent = per_side * PITCH_M
    street = rng.integers(0, per_side + 1, n_mounts) * PITCH_M
    side = rng.choice([-MOUNT_OFFSET_M, MOUNT_OFFSET_M], n_mounts)
    along = rng.uniform(0, extent, n_mounts)
    vertical = rng.random(n_mounts) < 0.5
    x = np.where(vertical, street + side, along)
    y = np.where(vertical, along, street + side)
    mounts = np.column_stack([x, y])
    order = np.lexsort((mounts[:, 1], mounts[:, 0]))  # spatial order keeps chunks compact
    return np.ascontiguousarray(mounts[order])


def bench_bundled() -> None:
    settings = CityModelConfig()
    with tempfile.TemporaryDirectory() as cache:
        run = obtain_model(
            helsinki_extract(), helsinki_sites(), None, settings, cache_dir=Path(cache)
        )
        again = obtain_model(
            helsinki_extract(), helsinki_sites(), None, settings, cache_dir=Path(cache)
        )
    result = solve(run, budget=DEMO_BUDGET, target=None, time_limit_s=DEMO_TIME_LIMIT_S)
    s = result.summary
    m = s["matrix"]
    print("== bundled city (Helsinki extract, default settings) ==")
    print(f"model build        {run.seconds:8.2f} s  stages {_fmt(run.model.seconds)}")
    print(f"model from cache   {again.seconds:8.2f} s")
    print(
        f"matrix             {m['demand_points']:,} demand x {m['candidate_poses']:,} poses "
        f"({m['mounts']:,} mounts), {m['nonzeros']:,} nonzeros, "
        f"{m['useful_poses']:,} poses see something"
    )
    print(
        f"budget {DEMO_BUDGET:,.0f}      {s['n_cameras']} cameras, cost {s['cost']:,.0f}, "
        f"coverage {s['coverage_fraction']:.2%}, gap {s['gap']:.2%}, status {s['status']}"
    )
    print(f"optimise           {s['seconds_optimize']:8.2f} s (limit {DEMO_TIME_LIMIT_S:.0f} s)")
    print(f"peak memory        {peak_rss_gib():8.2f} GiB")


def _fmt(stages: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())


def bench_scale(
    pose_counts: list[int], n_buildings: int, n_demand: int, views: bool, density: Density
) -> None:
    print(
        f"== generated city: {n_buildings:,} buildings, {n_demand:,} demand points, "
        f"{density} density =="
    )
    t = time.perf_counter()
    buildings, demand, per_side = generated_city(n_buildings, n_demand)
    edges = building_edges(buildings)
    scene = Scene.build(demand, edges)
    print(
        f"city {per_side * PITCH_M / 1000:.1f} km square, {len(edges):,} building edges, "
        f"{len(demand):,} demand points, setup {time.perf_counter() - t:.2f} s"
    )
    cameras = load_catalog(None, density)
    per_mount = len(generate_poses(1, cameras, 45.0)[0])
    reach = max(c.range_m for c in cameras)
    # Warm the compiled kernels so timings are of the work, not of compilation.
    warm_m = generated_mounts(per_side, 4)
    coverage_matrix(scene, warm_m, generate_poses(len(warm_m), cameras, 45.0)[0])
    mount_views(scene, warm_m, np.full(len(warm_m), reach))
    for n_poses in pose_counts:
        mounts = generated_mounts(per_side, max(1, n_poses // per_mount))
        poses, _ = generate_poses(len(mounts), cameras, 45.0)
        t = time.perf_counter()
        matrix = coverage_matrix(scene, mounts, poses)
        secs = time.perf_counter() - t
        line = (
            f"{len(poses):>7,} poses ({len(mounts):,} mounts): visibility {secs:7.2f} s, "
            f"{len(poses) / secs:>9,.0f} poses/s, nnz {matrix.nnz:,}"
        )
        if views:
            t = time.perf_counter()
            mount_views(scene, mounts, np.full(len(mounts), reach))
            line += f", view polygons {time.perf_counter() - t:6.2f} s"
        print(line + f", peak RSS {peak_rss_gib():.2f} GiB")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=["all", "bundled", "scale"], default="all")
    parser.add_argument("--buildings", type=int, default=50_000)
    parser.add_argument("--demand", type=int, default=1_000_000)
    parser.add_argument("--poses", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--no-views", action="store_true", help="skip view polygons at scale")
    parser.add_argument("--density", choices=["detection", "observation"], default="observation")
    args = parser.parse_args(argv)
    if args.part in ("all", "bundled"):
        bench_bundled()
    if args.part in ("all", "scale"):
        bench_scale(args.poses, args.buildings, args.demand, not args.no_views, args.density)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
