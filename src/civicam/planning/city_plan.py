"""From a city, its sites and a catalog to a chosen set of cameras.

Ties the pieces together: reading inputs, building (or loading) the coverage
model, solving with the optimizer and summarising. Writing files is left to
:mod:`civicam.planning.plan_output`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from civicam.config.city import CityModelConfig
from civicam.config.plans import PlansConfig
from civicam.planning.catalog import PIXELS_PER_METRE, load_catalog
from civicam.planning.city.errors import CityInputError
from civicam.planning.city.model import CityModel, StageFn, build_city_model
from civicam.planning.city.osm import read_city
from civicam.planning.city.sites import check_sites_in_city, read_sites
from civicam.planning.coverage import Demand, counts
from civicam.planning.figures import (
    existing_figures,
    network_figures,
    rollout_figures,
    site_figures,
)
from civicam.planning.model_cache import cache_key, file_digest, load, save
from civicam.planning.network import (
    Cameras,
    Placed,
    candidate_cameras,
    demand_of,
    fresh_ids,
    site_mask,
)
from civicam.planning.optimize import (
    CoverageProblem,
    Solution,
    SolveOptions,
    maximize_coverage,
    minimize_cost,
)
from civicam.planning.rollout import Order, Rollout, check_budgets, schedule

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


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


class BudgetError(ValueError):
    """A budget that can buy nothing, or a plan that does not fit its budgets."""


@dataclass(frozen=True)
class Budget:
    """What a plan may spend: a capital budget, yearly budgets, or a coverage target.

    Yearly budgets are capital budgets: running costs are reported per year
    but not taken out of them.
    """

    total: float | None = None
    yearly: tuple[float, ...] | None = None
    target: float | None = None

    def __post_init__(self) -> None:
        if self.yearly is not None:
            check_budgets(list(self.yearly))
            if self.total is not None and not math.isclose(self.total, sum(self.yearly)):
                raise BudgetError("give either a total budget or yearly budgets, not both")
        if (self.capital is None) == (self.target is None) and not (
            self.target is not None and self.yearly is not None
        ):
            raise BudgetError("give exactly one of a budget, yearly budgets or a coverage target")

    @property
    def capital(self) -> float | None:
        """Capital the plan may spend in all (None: only a target)."""
        if self.yearly is not None:
            return float(sum(self.yearly))
        return self.total


def check_affordable(budget: Budget, model: CityModel, *, what: str = "budget") -> None:
    """:class:`BudgetError` when the capital budget cannot buy even the cheapest camera.

    Such a plan would silently add nothing; the message says what to do instead.
    """
    cap = budget.capital
    if cap is None:
        return
    cheapest = min(model.cameras, key=lambda c: c.capital_cost)
    if cap < cheapest.capital_cost:
        raise BudgetError(
            f"the {what} {cap:,.2f} is below the cheapest camera in the catalog "
            f"({cheapest.name}, {cheapest.capital_cost:,.2f}), so the plan could add nothing; "
            "raise it, or judge the cameras you have with `civicam plan evaluate`"
        )


def solve_columns(
    fixed: sp.csc_array,
    pool: sp.csc_array,
    pool_cost: FloatArray,
    demand: Demand,
    *,
    budget: float | None,
    target: float | None,
    options: SolveOptions,
    name: str,
) -> tuple[IntArray, Solution]:
    """Choose columns of ``pool`` on top of the always-chosen ``fixed`` ones.

    Returns the chosen pool columns and the optimizer's solution (whose
    coverage and bound include the fixed columns' credit).
    """
    n_fixed = fixed.shape[1]
    matrix = sp.hstack([fixed, pool], format="csc") if n_fixed else pool
    costs = np.concatenate([np.zeros(n_fixed), pool_cost])
    mask = np.zeros(matrix.shape[1], dtype=np.bool_)
    mask[:n_fixed] = True
    problem = CoverageProblem.build(
        matrix, demand.weight, costs, requirement=demand.requirement, fixed=mask, name=name
    )
    if budget is not None:
        solution = maximize_coverage(problem, budget=budget, options=options)
    else:
        assert target is not None
        # An unreachable target raises InfeasibleError, saying what is reachable.
        solution = minimize_cost(problem, target=target, options=options)
    chosen = np.sort(solution.chosen[solution.chosen >= n_fixed] - n_fixed).astype(np.int64)
    return chosen, solution


@dataclass(frozen=True)
class PlanResult:
    """A planned network: existing cameras (phase 0) and new ones by phase, with the
    optimizer's certificate, the rollout and the summary figures."""

    model: CityModel
    cameras: Cameras
    solution: Solution | None  # None when no optimisation ran (a merge that fits as it is)
    rollout: Rollout
    summary: dict[str, Any]
    warnings: tuple[str, ...] = ()

    @property
    def poses(self) -> IntArray:
        """Candidate poses of the new cameras (-1 for cameras from files)."""
        return self.cameras.pose[self.cameras.new]


def candidate_pool(model: CityModel) -> tuple[IntArray, sp.csc_array, FloatArray]:
    """Poses that see anything: their ids, columns and costs."""
    _, useful = coverage_problem(model)
    return useful, sp.csc_array(model.matrix[:, useful]), model.pose_cost[useful]


def phase_network(
    model: CityModel,
    fixed: Cameras | None,
    new: Cameras,
    budget: Budget,
    order: Order,
) -> tuple[Cameras, Rollout]:
    """Give the new cameras phases and return the whole network in install order.

    Without yearly budgets every new camera is phase 1 (one year holding the
    whole budget, or the plan's cost for a coverage target).
    """
    demand = demand_of(model)
    n_rows = len(model.demand)
    base = counts(fixed.matrix) if fixed is not None and len(fixed) else np.zeros(n_rows, np.int64)
    cost = float(new.cost.sum())
    if budget.yearly is not None:
        yearly: list[float] = list(budget.yearly)
        if cost > sum(yearly) + 1e-6 * max(1.0, sum(yearly)):
            raise BudgetError(
                f"the plan costs {cost:,.2f} but the yearly budgets total {sum(yearly):,.2f}; "
                "raise them or lower the coverage target"
            )
    else:
        yearly = [budget.capital if budget.capital is not None else cost]
    rollout = schedule(new.matrix, base, demand, site_mask(model), new.cost, yearly, order)
    order_idx = np.concatenate([y.cameras for y in rollout.years]).astype(np.int64)
    phased = new.take(order_idx).replace(phase=rollout.phase[order_idx])
    # Cameras the optimizer chose are numbered in installation order (cam-001 first);
    # cameras from plan files keep their ids.
    chosen = [k for k in range(len(phased)) if phased.pose[k] >= 0]
    if chosen:
        taken = list(fixed.ids) if fixed is not None else []
        taken += [phased.ids[k] for k in range(len(phased)) if phased.pose[k] < 0]
        ids = list(phased.ids)
        for k, new_id in zip(chosen, fresh_ids(taken, len(chosen)), strict=True):
            ids[k] = new_id
        phased = phased.replace(ids=tuple(ids))
    parts = [p for p in (fixed, phased) if p is not None and len(p)]
    network = Cameras.concat(parts) if parts else Cameras.empty(n_rows)
    # The rollout's columns were the new cameras in their old order; re-map them.
    position = np.empty(len(order_idx), dtype=np.int64)
    position[order_idx] = np.arange(len(order_idx))
    offset = len(fixed) if fixed is not None else 0
    years = tuple(
        dataclasses.replace(y, cameras=position[y.cameras] + offset) for y in rollout.years
    )
    phase_all = network.phase.copy()
    rollout = dataclasses.replace(rollout, phase=phase_all, years=years)
    return network, rollout


def plan_city(
    run: ModelRun,
    budget: Budget,
    *,
    existing: Placed | None = None,
    settings: PlansConfig | None = None,
    time_limit_s: float = 60.0,
    progress: Callable[[str, float], None] | None = None,
) -> PlanResult:
    """Plan new cameras on top of ``existing`` ones within ``budget`` and phase them."""
    cfg = settings or PlansConfig()
    model = run.model
    check_affordable(budget, model)
    fixed = existing.cameras if existing is not None else None
    useful, pool, pool_cost = candidate_pool(model)
    fixed_matrix = fixed.matrix if fixed is not None else sp.csc_array((len(model.demand), 0))
    chosen, solution = solve_columns(
        fixed_matrix,
        pool,
        pool_cost,
        demand_of(model),
        budget=budget.capital if budget.target is None else None,
        target=budget.target,
        options=SolveOptions(time_limit_s=time_limit_s, progress=progress),
        name=model.city_name,
    )
    new = candidate_cameras(model, useful[chosen])
    network, rollout = phase_network(model, fixed, new, budget, cfg.rollout_order)
    warnings = list(existing.warnings) if existing is not None else []
    warnings += year_warnings(budget, model)
    summary = summarise(run, network, solution, rollout, budget, cfg, warnings)
    return PlanResult(model, network, solution, rollout, summary, tuple(warnings))


def solve(
    run: ModelRun,
    *,
    budget: float | None,
    target: float | None,
    time_limit_s: float = 60.0,
    progress: Callable[[str, float], None] | None = None,
) -> PlanResult:
    """Plan on a blank map: maximise coverage within ``budget`` or reach ``target``
    coverage at least cost (the single-budget case of :func:`plan_city`)."""
    if (budget is None) == (target is None):
        raise ValueError("give exactly one of budget or target")
    return plan_city(
        run, Budget(total=budget, target=target), time_limit_s=time_limit_s, progress=progress
    )


def year_warnings(budget: Budget, model: CityModel) -> list[str]:
    """Years whose own budget buys no camera: legal (money carries over) but worth saying."""
    if budget.yearly is None:
        return []
    cheapest = min(c.capital_cost for c in model.cameras)
    low = [str(t) for t, b in enumerate(budget.yearly, start=1) if b < cheapest]
    if not low:
        return []
    return [
        f"year(s) {', '.join(low)}: the budget alone is below the cheapest camera "
        f"({cheapest:,.0f}); it carries over to later years"
    ]


def summarise(
    run: ModelRun,
    network: Cameras,
    solution: Solution | None,
    rollout: Rollout,
    budget: Budget,
    settings: PlansConfig,
    warnings: list[str],
) -> dict[str, Any]:
    """The figures written to summary.json."""
    model = run.model
    figs = network_figures(model, network)
    new = network.take(np.flatnonzero(network.new))
    existing = network.take(np.flatnonzero(network.existing))
    coverage_by_year, spend_by_year = rollout_figures(model, network, rollout)
    existing_part = (
        existing_figures(model, existing, network, settings.redundancy_threshold)
        if len(existing)
        else None
    )
    added = figs["covered_weight"] - (existing_part["covered_weight"] if existing_part else 0.0)
    cost = float(new.cost.sum()) if len(new) else 0.0
    return {
        "city": model.city_name,
        "crs": model.crs,
        "objective": solution.problem if solution is not None else "none",
        "density": run.settings.density,
        "pixels_per_metre": PIXELS_PER_METRE[run.settings.density],
        "budget": budget.capital,
        "budgets_by_year": list(budget.yearly) if budget.yearly is not None else None,
        "target_coverage": budget.target,
        "total_weight": figs["total_weight"],
        "covered_weight": figs["covered_weight"],
        "coverage_fraction": figs["coverage_fraction"],
        "added_weight": added,
        "cost": cost,
        "yearly_cost": float(new.yearly.sum()) if len(new) else 0.0,
        "network_yearly_cost": figs["yearly_cost"],
        "cost_per_covered_weight": (cost / added) if added > 0 else None,
        "n_cameras": len(new),
        "n_existing": len(existing),
        "cameras_by_model": _by_model(new),
        "bound": solution.bound if solution is not None else None,
        "gap": solution.gap if solution is not None else None,
        "status": solution.status if solution is not None else None,
        "seconds_model": run.seconds,
        "seconds_optimize": solution.seconds if solution is not None else 0.0,
        "model_from_cache": run.from_cache,
        "model_key": run.cache_key,
        "model_stage_seconds": model.seconds,
        "matrix": {
            "demand_points": int(model.matrix.shape[0]),
            "candidate_poses": int(model.matrix.shape[1]),
            "useful_poses": int(np.count_nonzero(np.diff(model.matrix.indptr))),
            "mounts": len(model.mounts),
            "nonzeros": int(model.matrix.nnz),
        },
        "sites": figs["sites"],
        "existing": existing_part,
        "rollout_order": settings.rollout_order,
        "coverage_by_year": coverage_by_year,
        "spend_by_year": spend_by_year,
        "unspent_budget": rollout.unspent if budget.capital is not None else 0.0,
        "coverage_years": rollout.coverage_years,
        "warnings": warnings,
    }


def _by_model(cams: Cameras) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in cams.model:
        out[m] = out.get(m, 0) + 1
    return out


def site_coverage(model: CityModel, counts_: IntArray) -> list[dict[str, Any]]:
    """Per site: weight, covered weight and fraction (kept for callers of the old API)."""
    return site_figures(model, counts_)
