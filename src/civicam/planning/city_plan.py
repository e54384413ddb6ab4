"""From a city, its sites and a catalog to a chosen set of cameras.

Ties the pieces together: reading inputs, building (or loading) the coverage
model, solving with the optimizer and summarising. Writing files is left to
:mod:`civicam.planning.plan_output`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from civicam.config.city import CityModelConfig
from civicam.planning.catalog import PIXELS_PER_METRE, load_catalog
from civicam.planning.city.errors import CityInputError
from civicam.planning.city.model import CityModel, StageFn, build_city_model
from civicam.planning.city.osm import read_city
from civicam.planning.city.sites import check_sites_in_city, read_sites
from civicam.planning.model_cache import cache_key, file_digest, load, save
from civicam.planning.optimize import (
    CoverageProblem,
    Solution,
    SolveOptions,
    maximize_coverage,
    minimize_cost,
)

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ModelRun:
    """A model and how it was obtained."""

    model: CityModel
    settings: CityModelConfig
    seconds: float
    from_cache: bool
    cache_key: str


def obtain_model(
    city_path: Path,
    sites_path: Path,
    catalog_path: Path | None,
    settings: CityModelConfig,
    *,
    cache_dir: Path | None,
    progress: StageFn | None = None,
) -> ModelRun:
    """Read the inputs and build the model, or load it from ``cache_dir`` when cached.

    Inputs are always read and checked (cheap) so bad input is reported even
    when an older model of the same files sits in the cache.
    """
    t0 = time.perf_counter()
    cameras = load_catalog(catalog_path, settings.density)
    if progress is not None:
        progress("read city", 0, 1)
    city = read_city(city_path)
    sites = read_sites(sites_path)
    check_sites_in_city(sites, city)
    if progress is not None:
        progress("read city", 1, 1)
    key = cache_key(file_digest(city_path), sites, cameras, settings)
    if cache_dir is not None:
        cached = load(cache_dir, key)
        if cached is not None:
            return ModelRun(cached, settings, time.perf_counter() - t0, True, key)
    model = build_city_model(city, sites, cameras, settings, progress=progress)
    if cache_dir is not None:
        save(model, cache_dir, key)
    return ModelRun(model, settings, time.perf_counter() - t0, False, key)


@dataclass(frozen=True)
class PlanResult:
    """The chosen poses with the optimizer's certificate and the summary figures."""

    model: CityModel
    poses: IntArray  # chosen pose (column) ids of the model
    solution: Solution
    problem: CoverageProblem
    summary: dict[str, Any]


def coverage_problem(model: CityModel) -> tuple[CoverageProblem, IntArray]:
    """The optimizer's problem over poses that see anything, and their pose ids."""
    useful = np.flatnonzero(np.diff(model.matrix.indptr) > 0).astype(np.int64)
    if useful.size == 0:
        raise CityInputError(f"{model.city_name}: no candidate camera sees any street demand")
    problem = CoverageProblem.build(
        model.matrix[:, useful],
        model.demand.weight,
        model.pose_cost[useful],
        requirement=model.demand.requirement,
        name=model.city_name,
    )
    return problem, useful


def solve(
    run: ModelRun,
    *,
    budget: float | None,
    target: float | None,
    time_limit_s: float = 60.0,
    progress: Callable[[str, float], None] | None = None,
) -> PlanResult:
    """Maximise coverage within ``budget`` or reach ``target`` coverage at least cost."""
    if (budget is None) == (target is None):
        raise ValueError("give exactly one of budget or target")
    model = run.model
    problem, useful = coverage_problem(model)
    options = SolveOptions(time_limit_s=time_limit_s, progress=progress)
    if budget is not None:
        solution = maximize_coverage(problem, budget=budget, options=options)
    else:
        assert target is not None
        # An unreachable target raises InfeasibleError, saying what is reachable.
        solution = minimize_cost(problem, target=target, options=options)
    poses = useful[solution.chosen]
    summary = summarise(run, problem, poses, solution, budget=budget, target=target)
    return PlanResult(model, poses, solution, problem, summary)


def site_coverage(model: CityModel, counts: IntArray) -> list[dict[str, Any]]:
    """Per site: weight, covered weight and fraction, with k-credit as the optimizer counts."""
    demand = model.demand
    out: list[dict[str, Any]] = []
    for s, site in enumerate(model.sites):
        rows = demand.site_rows[demand.site_ptr[s] : demand.site_ptr[s + 1]]
        w = demand.weight[rows]
        k = demand.requirement[rows]
        covered = float(np.sum(w / k * np.minimum(counts[rows], k)))
        total = float(w.sum())
        out.append(
            {
                "name": site.name,
                "weight": site.weight,
                "min_cameras": site.min_cameras,
                "demand_points": len(rows),
                "total_weight": total,
                "covered_weight": covered,
                "coverage_fraction": covered / total if total > 0 else 1.0,
            }
        )
    return out


def summarise(
    run: ModelRun,
    problem: CoverageProblem,
    poses: IntArray,
    solution: Solution,
    *,
    budget: float | None,
    target: float | None,
) -> dict[str, Any]:
    """The figures written to summary.json."""
    model = run.model
    counts = np.bincount(model.matrix[:, poses].indices, minlength=model.matrix.shape[0])
    by_model: dict[str, int] = {}
    for m in model.pose_model[poses]:
        name = model.cameras[int(m)].name
        by_model[name] = by_model.get(name, 0) + 1
    yearly = float(sum(model.cameras[int(m)].yearly_cost for m in model.pose_model[poses]))
    return {
        "city": model.city_name,
        "crs": model.crs,
        "objective": solution.problem,
        "density": run.settings.density,
        "pixels_per_metre": PIXELS_PER_METRE[run.settings.density],
        "budget": budget,
        "target_coverage": target,
        "total_weight": solution.total_weight,
        "covered_weight": solution.covered_weight,
        "coverage_fraction": solution.coverage_fraction,
        "cost": solution.cost,
        "yearly_cost": yearly,
        "n_cameras": len(poses),
        "cameras_by_model": by_model,
        "bound": solution.bound,
        "gap": solution.gap,
        "status": solution.status,
        "seconds_model": run.seconds,
        "seconds_optimize": solution.seconds,
        "model_from_cache": run.from_cache,
        "model_key": run.cache_key,
        "model_stage_seconds": model.seconds,
        "matrix": {
            "demand_points": int(model.matrix.shape[0]),
            "candidate_poses": int(model.matrix.shape[1]),
            "useful_poses": problem.n_cols,
            "mounts": len(model.mounts),
            "nonzeros": int(model.matrix.nnz),
        },
        "sites": site_coverage(model, counts.astype(np.int64)),
    }
