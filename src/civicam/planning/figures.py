"""The figures summaries and reports show for a network on a city model.

Each function turns a model and a set of cameras into plain JSON-ready
values (lists, dicts, floats); the arithmetic itself lives in
:mod:`civicam.planning.coverage` and :mod:`civicam.planning.rollout`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj
from numpy.typing import NDArray

from civicam.planning.city.model import CityModel
from civicam.planning.coverage import (
    counts,
    credit,
    prune_redundant,
    redundancy_shares,
    site_credit,
)
from civicam.planning.network import Cameras, demand_of, grid_to_true, lonlat_of, site_mask
from civicam.planning.rollout import Rollout, running_costs

IntArray = NDArray[np.int64]


def site_figures(model: CityModel, n: IntArray) -> list[dict[str, Any]]:
    """Per site: weight, covered weight and fraction, with k-credit as the optimizer counts."""
    covered, total = site_credit(n, demand_of(model), model.demand.site_ptr, model.demand.site_rows)
    return [
        {
            "name": site.name,
            "weight": site.weight,
            "min_cameras": site.min_cameras,
            "demand_points": int(model.demand.site_ptr[s + 1] - model.demand.site_ptr[s]),
            "total_weight": float(total[s]),
            "covered_weight": float(covered[s]),
            "coverage_fraction": float(covered[s] / total[s]) if total[s] > 0 else 1.0,
        }
        for s, site in enumerate(model.sites)
    ]


def uncovered_sites(sites: list[dict[str, Any]], below: float) -> list[str]:
    return [s["name"] for s in sites if s["coverage_fraction"] < below]


def network_figures(
    model: CityModel, cams: Cameras, base: IntArray | None = None
) -> dict[str, Any]:
    """Coverage, money and per-site coverage of ``cams`` (plus ``base`` row counts)."""
    demand = demand_of(model)
    n = counts(cams.matrix) + (0 if base is None else base)
    covered = credit(n, demand)
    new = cams.new
    cost = float(cams.cost[new].sum())
    return {
        "n_cameras": int(new.sum()),
        "n_existing": int(cams.existing.sum()),
        "cost": cost,
        "yearly_cost": float(cams.yearly.sum()),
        "total_weight": demand.total,
        "covered_weight": covered,
        "coverage_fraction": covered / demand.total if demand.total > 0 else 1.0,
        "cost_per_covered_weight": cost / covered if covered > 0 else None,
        "cameras_by_model": _by_model(cams),
        "sites": site_figures(model, n),
    }


def _by_model(cams: Cameras) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in cams.model:
        out[m] = out.get(m, 0) + 1
    return out


def camera_figures(
    model: CityModel, cams: Cameras, threshold: float, base: IntArray | None = None
) -> list[dict[str, Any]]:
    """Per camera: what it sees alone (``own_weight``), what only it adds to the
    network (``unique_weight``) and whether it is redundant or blind.

    ``redundant`` marks the cameras that could all go together: they are taken
    out one at a time while the next loses at most ``threshold`` of what it
    sees (of two identical cameras only one is redundant).
    """
    demand = demand_of(model)
    zero = np.zeros(len(model.demand), dtype=np.int64)
    base_n = zero if base is None else base
    loss, own, share = redundancy_shares(cams.matrix, base_n, demand)
    _, removed = prune_redundant(cams.matrix, base_n, demand, threshold, cams.cost + cams.yearly)
    redundant = {r.column for r in removed}
    crs = pyproj.CRS.from_user_input(model.crs)
    true = grid_to_true(crs, cams.xy, cams.heading)
    ll = lonlat_of(model, cams.xy)
    out = []
    for j in range(len(cams)):
        out.append(
            {
                "id": cams.ids[j],
                "model": cams.model[j],
                "origin": cams.origin[j],
                "existing": bool(cams.existing[j]),
                "phase": int(cams.phase[j]),
                "lon": round(float(ll[j, 0]), 7),
                "lat": round(float(ll[j, 1]), 7),
                "heading_deg": None if np.isnan(true[j]) else round(float(true[j]), 2),
                "fov_deg": float(cams.fov[j]),
                "range_m": round(float(cams.range_m[j]), 2),
                "cost": float(cams.cost[j]),
                "yearly_cost": float(cams.yearly[j]),
                "own_weight": float(own[j]),
                "unique_weight": float(loss[j]),
                "unique_share": float(share[j]),
                "sees_nothing": bool(own[j] == 0),
                "redundant": j in redundant,
            }
        )
    return out


def existing_figures(
    model: CityModel, existing: Cameras, network: Cameras, threshold: float
) -> dict[str, Any]:
    """What the installed cameras already cover, and which add almost nothing.

    A camera's worth is judged twice: within the existing network alone (is it
    redundant already?) and within the planned network (have new cameras made
    it redundant?). Either makes it a candidate to move.
    """
    figs = network_figures(model, existing)
    alone = camera_figures(model, existing, threshold)
    new = network.take(np.flatnonzero(network.new))
    planned = counts(new.matrix) if len(new) else np.zeros(len(model.demand), dtype=np.int64)
    in_plan = camera_figures(model, existing, threshold, base=planned)
    for cam, after in zip(alone, in_plan, strict=True):
        cam["unique_weight_in_plan"] = after["unique_weight"]
        cam["redundant_in_plan"] = after["redundant"]
    return {
        "n_cameras": len(existing),
        "yearly_cost": figs["yearly_cost"],
        "covered_weight": figs["covered_weight"],
        "coverage_fraction": figs["coverage_fraction"],
        "sites": figs["sites"],
        "cameras": alone,
        "sees_nothing": [c["id"] for c in alone if c["sees_nothing"]],
        "candidates_to_move": [c["id"] for c in alone if c["redundant"] or c["redundant_in_plan"]],
    }


def rollout_figures(
    model: CityModel, network: Cameras, rollout: Rollout
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``coverage_by_year`` (year 0 = existing) and ``spend_by_year`` (years 1..N).

    Spend is capital of the year's cameras plus running costs of every camera
    installed before that year (existing ones included).
    """
    demand = demand_of(model)
    n_years = len(rollout.years)
    new = network.new
    running = running_costs(
        network.phase[new], network.yearly[new], float(network.yearly[~new].sum()), n_years
    )
    in_site = site_mask(model)
    site_total = float(demand.weight[in_site].sum())
    coverage: list[dict[str, Any]] = []
    for t in range(n_years + 1):
        cols = np.flatnonzero(network.phase <= t)
        n = counts(network.matrix, cols)
        sites = site_figures(model, n)
        coverage.append(
            {
                "year": t,
                "cameras": len(cols),
                "covered_weight": float(rollout.covered[t]),
                "coverage_fraction": float(rollout.covered[t] / demand.total),
                "site_coverage_fraction": (
                    float(rollout.site_covered[t] / site_total) if site_total > 0 else 1.0
                ),
                "sites": {s["name"]: s["coverage_fraction"] for s in sites},
            }
        )
    spend: list[dict[str, Any]] = []
    for y in rollout.years:
        spend.append(
            {
                "year": y.year,
                "budget": y.budget,
                "available": y.available,
                "new_cameras": len(y.cameras),
                "capital": y.capital,
                "running": float(running[y.year - 1]),
                "spend": y.capital + float(running[y.year - 1]),
                "carried_over": y.carried_out,
            }
        )
    return coverage, spend
