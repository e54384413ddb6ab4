"""Earlier plans: evaluate one, compare several, merge them into one within a budget.

Every plan is judged on the same coverage model as ``civicam plan``: its
cameras get their own coverage columns (exact visibility from their real
positions and headings), installed cameras are a shared base, and all
figures use the optimizer's credit (``weight * min(n, k) / k``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from civicam.config.plans import PlansConfig
from civicam.planning.cameras import read_cameras
from civicam.planning.city.errors import CityInputError
from civicam.planning.city.model import CityModel
from civicam.planning.city_plan import (
    Budget,
    BudgetError,
    ModelRun,
    PlanResult,
    candidate_pool,
    check_affordable,
    phase_network,
    solve_columns,
    summarise,
    year_warnings,
)
from civicam.planning.coverage import counts, overlap, prune_redundant
from civicam.planning.figures import camera_figures, network_figures, uncovered_sites
from civicam.planning.network import (
    Cameras,
    Placed,
    candidate_cameras,
    demand_of,
    duplicate_pairs,
    fresh_ids,
    place_records,
)
from civicam.planning.optimize import SolveOptions

IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class LoadedPlan:
    """A plan file placed on the model: the cameras it proposes, and any it marks installed."""

    label: str
    path: Path
    cameras: Cameras
    installed: Cameras | None
    warnings: tuple[str, ...]


def plan_labels(paths: Sequence[Path]) -> list[str]:
    """Short distinct names for plan files: the file stem, with the folder when stems repeat."""
    stems = [p.stem for p in paths]
    labels = [
        f"{p.parent.name}/{p.stem}" if stems.count(p.stem) > 1 and p.parent.name else p.stem
        for p in paths
    ]
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 and labels.count(lab) == 1 else f"{lab}#{seen[lab]}")
    return out


def load_plan(
    model: CityModel, path: Path, label: str, settings: PlansConfig, *, role: str = "plan"
) -> LoadedPlan:
    """Read a camera file and place it on the model (``role``: ``plan`` or ``existing``)."""
    file = read_cameras(path)
    placed = place_records(model, file.records, model.cameras, settings, origin=label, role=role)
    cams = placed.cameras
    installed = np.flatnonzero(cams.existing)
    proposed = np.flatnonzero(~cams.existing)
    if role == "plan" and proposed.size == 0:
        raise CityInputError(
            f"{path}: every camera is marked as installed (existing or phase 0); "
            "the plan proposes nothing to evaluate"
        )
    return LoadedPlan(
        label=label,
        path=path,
        cameras=cams.take(proposed),
        installed=cams.take(installed) if installed.size else None,
        warnings=tuple(file.notes) + placed.warnings,
    )


def load_existing(model: CityModel, path: Path, settings: PlansConfig) -> Placed:
    """Installed cameras from a file, placed on the model."""
    loaded = load_plan(model, path, "existing", settings, role="existing")
    cams = loaded.installed if loaded.installed is not None else loaded.cameras
    return Placed(cams, loaded.warnings)


def base_network(
    model: CityModel,
    existing_path: Path | None,
    plans: Sequence[LoadedPlan],
    settings: PlansConfig,
) -> tuple[Cameras | None, list[str]]:
    """Installed cameras: the ``--existing`` file plus those plan files mark installed,
    each physical camera once (duplicates across files are merged)."""
    parts: list[Cameras] = []
    warnings: list[str] = []
    if existing_path is not None:
        loaded = load_plan(model, existing_path, "existing", settings, role="existing")
        parts.append(loaded.installed if loaded.installed is not None else loaded.cameras)
        warnings += loaded.warnings
    parts += [p.installed for p in plans if p.installed is not None]
    if not parts:
        return None, warnings
    merged, _ = dedupe(parts, settings)
    return merged, warnings


def without_installed(
    plan: LoadedPlan, base: Cameras | None, settings: PlansConfig
) -> tuple[LoadedPlan, list[str]]:
    """The plan less the cameras that are already installed (a plan re-listing an
    installed camera would otherwise be charged for it), with warnings about
    those and about ids the plan shares with different installed cameras."""
    if base is None or len(base) == 0:
        return plan, []
    cams = plan.cameras
    dup = {i for i, _ in duplicate_pairs(cams, base, settings)}
    warnings = []
    if dup:
        warnings.append(
            f"{plan.path}: {len(dup)} camera(s) are already installed and count as existing, "
            f"not as the plan's: {', '.join(cams.ids[i] for i in sorted(dup))}"
        )
    clash = sorted({cams.ids[i] for i in range(len(cams)) if i not in dup} & set(base.ids))
    if clash:
        warnings.append(
            f"{plan.path}: id(s) {', '.join(clash)} also name different installed cameras; "
            "the report shows both (installed and planned layers)"
        )
    if len(dup) == len(cams):
        raise CityInputError(f"{plan.path}: every camera of the plan is already installed")
    if not dup:
        return plan, warnings
    keep = [i for i in range(len(cams)) if i not in dup]
    return (
        LoadedPlan(plan.label, plan.path, cams.take(keep), plan.installed, plan.warnings),
        warnings,
    )


def dedupe(parts: Sequence[Cameras], settings: PlansConfig) -> tuple[Cameras, IntArray]:
    """Concatenate ``parts`` keeping each physical camera once.

    A camera that duplicates one of an earlier part (same model, close in
    position and heading) is dropped and its origin is added to the one kept
    (``A+B``). Duplicates within one part are left alone: they were warned about
    when the file was read, and redundancy pruning decides about them.
    Returns the cameras and, for each input camera in order, its index in the result.
    """
    allc = Cameras.concat(list(parts))
    part_of = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    n = len(allc)
    keeper = np.arange(n)
    for i, j in sorted(duplicate_pairs(allc, allc, settings)):
        if part_of[i] < part_of[j] and keeper[j] == j and keeper[i] == i:
            keeper[j] = i
    keep = np.flatnonzero(keeper == np.arange(n))
    origins = {int(k): [allc.origin[k]] for k in keep}
    for j in range(n):
        k = int(keeper[j])
        if k != j and allc.origin[j] not in origins[k]:
            origins[k].append(allc.origin[j])
    out = allc.take(keep).replace(origin=tuple("+".join(origins[int(k)]) for k in keep))
    position = np.empty(n, dtype=np.int64)
    position[keep] = np.arange(len(keep))
    position = position[keeper]
    return out, position


def _base_counts(model: CityModel, base: Cameras | None) -> IntArray:
    if base is None or len(base) == 0:
        return np.zeros(len(model.demand), dtype=np.int64)
    return counts(base.matrix)


def _with_base(base: Cameras | None, cams: Cameras) -> Cameras:
    return Cameras.concat([base, cams]) if base is not None and len(base) else cams


# --------------------------------------------------------------------------- evaluate


@dataclass(frozen=True)
class Evaluation:
    """One plan judged on the model: figures, the network it forms, per-camera figures."""

    model: CityModel
    network: Cameras  # installed cameras first, then the plan's
    figures: list[dict[str, Any]]
    summary: dict[str, Any]
    warnings: tuple[str, ...]


def evaluate_plan(
    run: ModelRun, plan_path: Path, existing_path: Path | None, settings: PlansConfig
) -> Evaluation:
    """Coverage, cost, per-site coverage and cost per covered weight of a plan file."""
    model = run.model
    plan = load_plan(model, plan_path, plan_labels([plan_path])[0], settings)
    base, warnings = base_network(model, existing_path, [plan], settings)
    plan, more = without_installed(plan, base, settings)
    warnings = list(plan.warnings) + warnings + more
    network = _with_base(base, plan.cameras)
    figs = network_figures(model, network)
    base_figs = network_figures(model, base) if base is not None else None
    added = figs["covered_weight"] - (base_figs["covered_weight"] if base_figs else 0.0)
    thr = settings.redundancy_threshold
    plan_cams = camera_figures(model, plan.cameras, thr, base=_base_counts(model, base))
    cams = (camera_figures(model, base, thr) if base is not None else []) + plan_cams
    by_phase = _coverage_by_phase(model, network)
    summary = {
        "kind": "evaluation",
        "plan": str(plan_path),
        "label": plan.label,
        "city": model.city_name,
        "crs": model.crs,
        "density": run.settings.density,
        "model_key": run.cache_key,
        **{k: figs[k] for k in ("total_weight", "covered_weight", "coverage_fraction")},
        "n_cameras": figs["n_cameras"],
        "n_existing": figs["n_existing"],
        "cost": figs["cost"],
        "yearly_cost": float(plan.cameras.yearly.sum()),
        "network_yearly_cost": figs["yearly_cost"],
        "existing_covered_weight": base_figs["covered_weight"] if base_figs else 0.0,
        "added_weight": added,
        "cost_per_covered_weight": figs["cost"] / added if added > 0 else None,
        "cameras_by_model": figs["cameras_by_model"],
        "sites": figs["sites"],
        "uncovered_sites": uncovered_sites(figs["sites"], settings.uncovered_site_below),
        "redundant_cameras": [c["id"] for c in plan_cams if c["redundant"]],
        "cameras_seeing_nothing": [c["id"] for c in plan_cams if c["sees_nothing"]],
        "coverage_by_phase": by_phase,
        "cameras": cams,
        "warnings": warnings,
    }
    return Evaluation(model, network, cams, summary, tuple(warnings))


def _coverage_by_phase(model: CityModel, network: Cameras) -> list[dict[str, Any]] | None:
    """Coverage after each phase a plan file states (None when it states only one)."""
    phases = sorted({int(p) for p in network.phase})
    if len([p for p in phases if p > 0]) < 2:
        return None
    demand = demand_of(model)
    out = []
    for p in phases:
        n = counts(network.matrix, np.flatnonzero(network.phase <= p))
        covered = float((demand.unit * np.minimum(n, demand.requirement)).sum())
        out.append(
            {
                "phase": p,
                "cameras": int(np.count_nonzero(network.phase <= p)),
                "cost": float(network.cost[network.phase <= p].sum()),
                "covered_weight": covered,
                "coverage_fraction": covered / demand.total,
            }
        )
    return out


# --------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class Comparison:
    """Several plans side by side on one model."""

    model: CityModel
    base: Cameras | None
    plans: tuple[LoadedPlan, ...]
    figures: dict[str, list[dict[str, Any]]]  # per plan label: per-camera figures
    summary: dict[str, Any]
    warnings: tuple[str, ...]


def compare_plans(
    run: ModelRun,
    plan_paths: Sequence[Path],
    existing_path: Path | None,
    settings: PlansConfig,
) -> Comparison:
    """Each plan's coverage and cost, what only it sees, the overlap, the sites each
    leaves uncovered, and its cameras that are redundant given all the others."""
    if len(plan_paths) < 2:
        raise CityInputError("compare needs at least two plan files")
    model = run.model
    labels = plan_labels(plan_paths)
    plans = [load_plan(model, p, lab, settings) for p, lab in zip(plan_paths, labels, strict=True)]
    base, base_warnings = base_network(model, existing_path, plans, settings)
    warnings = [w for p in plans for w in p.warnings] + base_warnings
    trimmed_plans = []
    for p in plans:
        kept_plan, more = without_installed(p, base, settings)
        trimmed_plans.append(kept_plan)
        warnings += more
    plans = trimmed_plans
    demand = demand_of(model)
    base_n = _base_counts(model, base)
    union = Cameras.concat([p.cameras for p in plans])
    seen_by = [counts(p.cameras.matrix) for p in plans]
    ov = overlap([n > 0 for n in seen_by], base_n > 0, model.demand.weight)
    base_cov = network_figures(model, base)["covered_weight"] if base is not None else 0.0
    thr = settings.redundancy_threshold
    rows: list[dict[str, Any]] = []
    cam_figs: dict[str, list[dict[str, Any]]] = {}
    for k, plan in enumerate(plans):
        figs = network_figures(model, plan.cameras, base_n)
        added = figs["covered_weight"] - base_cov
        cams = camera_figures(model, plan.cameras, thr, base_n)
        # Given the others: every other plan's cameras (and the base) stay put.
        others = base_n.copy()
        for q, n in enumerate(seen_by):
            if q != k:
                others += n
        given = camera_figures(model, plan.cameras, thr, others)
        for c, g in zip(cams, given, strict=True):
            c["unique_weight_given_others"] = g["unique_weight"]
            c["redundant_given_others"] = g["redundant"]
        cam_figs[plan.label] = cams
        rows.append(
            {
                "label": plan.label,
                "file": str(plan.path),
                "n_cameras": figs["n_cameras"],
                "cost": figs["cost"],
                "yearly_cost": float(plan.cameras.yearly.sum()),
                "covered_weight": figs["covered_weight"],
                "coverage_fraction": figs["coverage_fraction"],
                "added_weight": added,
                "cost_per_covered_weight": figs["cost"] / added if added > 0 else None,
                "seen_weight": float(ov.seen[k]),
                "exclusive_weight": float(ov.exclusive[k]),
                "sites": figs["sites"],
                "uncovered_sites": uncovered_sites(figs["sites"], settings.uncovered_site_below),
                "redundant_given_others": [c["id"] for c in cams if c["redundant_given_others"]],
                "redundant_within_plan": [c["id"] for c in cams if c["redundant"]],
                "cameras": cams,
            }
        )
    together = network_figures(model, union, base_n)
    summary = {
        "kind": "comparison",
        "city": model.city_name,
        "crs": model.crs,
        "density": run.settings.density,
        "model_key": run.cache_key,
        "total_weight": demand.total,
        "redundancy_threshold": settings.redundancy_threshold,
        "uncovered_site_below": settings.uncovered_site_below,
        "existing": (
            {"n_cameras": len(base), "covered_weight": base_cov, "ids": list(base.ids)}
            if base is not None
            else None
        ),
        "plans": rows,
        "all_plans_together": {
            k: together[k]
            for k in ("n_cameras", "cost", "covered_weight", "coverage_fraction", "sites")
        },
        "overlap": {
            "seen_by_existing": ov.base,
            "seen_by_any_plan": ov.union,
            "seen_by_every_plan": ov.all_plans,
            "shared": {
                labels[p]: {labels[q]: float(ov.pairwise[p, q]) for q in range(len(plans))}
                for p in range(len(plans))
            },
        },
        "warnings": warnings,
    }
    return Comparison(model, base, tuple(plans), cam_figs, summary, tuple(warnings))


# --------------------------------------------------------------------------- merge


def merge_plans(
    run: ModelRun,
    plan_paths: Sequence[Path],
    existing_path: Path | None,
    budget: Budget,
    settings: PlansConfig,
    *,
    time_limit_s: float = 60.0,
    progress: Callable[[str, float], None] | None = None,
) -> PlanResult:
    """One plan from several: their union, redundant cameras dropped, then trimmed to
    the budget or topped up with the optimizer; each camera says where it came from."""
    if budget.capital is None:
        raise BudgetError("merge needs a budget (--budget or yearly budgets)")
    model = run.model
    check_affordable(budget, model)
    labels = plan_labels(plan_paths)
    plans = [load_plan(model, p, lab, settings) for p, lab in zip(plan_paths, labels, strict=True)]
    base, base_warnings = base_network(model, existing_path, plans, settings)
    warnings = [w for p in plans for w in p.warnings] + base_warnings
    demand = demand_of(model)
    base_n = _base_counts(model, base)
    n_rows = len(model.demand)

    # Ids may repeat across plans (every civicam plan has cam-001): qualify them.
    qualified = [
        p.cameras.replace(ids=tuple(f"{p.label}:{i}" for i in p.cameras.ids)) for p in plans
    ]
    union, _ = dedupe(qualified, settings)
    if base is not None:
        dup_base = {i for i, _ in duplicate_pairs(union, base, settings)}
        if dup_base:
            warnings.append(
                f"{len(dup_base)} planned camera(s) are already installed and count as "
                f"existing: {', '.join(union.ids[i] for i in sorted(dup_base))}"
            )
            union = union.take([i for i in range(len(union)) if i not in dup_base])
    if len(union) == 0:
        raise CityInputError("the plans propose no camera that is not already installed")

    kept, removals = prune_redundant(
        union.matrix, base_n, demand, settings.redundancy_threshold, union.cost
    )
    cap = float(budget.capital)
    kept_cams = union.take(kept)
    trimmed: list[str] = []
    options = SolveOptions(time_limit_s=time_limit_s, progress=progress)
    if kept_cams.cost.sum() > cap:
        fixed_m = base.matrix if base is not None else sp.csc_array((n_rows, 0), dtype=np.int8)
        chosen, _ = solve_columns(
            fixed_m,
            kept_cams.matrix,
            kept_cams.cost,
            demand,
            budget=cap,
            target=None,
            options=options,
            name=f"{model.city_name} (trim)",
        )
        trimmed = [kept_cams.ids[j] for j in range(len(kept_cams)) if j not in set(chosen)]
        kept_cams = kept_cams.take(chosen)
    remaining = cap - float(kept_cams.cost.sum())
    cheapest = min(c.capital_cost for c in model.cameras)
    fixed = _with_base(base, kept_cams) if len(kept_cams) else base
    solution = None
    topup = Cameras.empty(n_rows)
    if remaining >= cheapest:
        useful, pool, pool_cost = candidate_pool(model)
        fixed_m = fixed.matrix if fixed is not None else sp.csc_array((n_rows, 0), dtype=np.int8)
        chosen, solution = solve_columns(
            fixed_m,
            pool,
            pool_cost,
            demand,
            budget=remaining,
            target=None,
            options=options,
            name=f"{model.city_name} (top-up)",
        )
        topup = candidate_cameras(model, useful[chosen])
        taken = list(union.ids) + (list(base.ids) if base is not None else [])
        topup = topup.replace(ids=tuple(fresh_ids(taken, len(topup))))
    new_parts = [c for c in (kept_cams, topup) if len(c)]
    if not new_parts:
        raise BudgetError(
            f"the budget {cap:,.2f} buys none of the plans' cameras and no new camera"
        )
    new = Cameras.concat(new_parts)
    network, rollout = phase_network(model, base, new, budget, settings.rollout_order)
    warnings += year_warnings(budget, model)
    summary = summarise(run, network, solution, rollout, budget, settings, warnings)
    summary["objective"] = "merge"
    origin_of = dict(zip(network.ids, network.origin, strict=True))
    summary["merge"] = {
        "plans": [
            {
                "label": p.label,
                "file": str(p.path),
                "cameras": len(p.cameras),
                "kept": sum(1 for o in origin_of.values() if p.label in o.split("+")),
            }
            for p in plans
        ],
        "union_cameras": len(union),
        "union_cost": float(union.cost.sum()),
        "redundancy_threshold": settings.redundancy_threshold,
        "dropped_redundant": [
            {
                "id": union.ids[r.column],
                "origin": union.origin[r.column],
                "loss_weight": r.loss,
                "loss_share": r.share,
            }
            for r in removals
        ],
        "trimmed_to_budget": trimmed,
        "from_plans": len(kept_cams),
        "from_optimizer": len(topup),
        "top_up_budget": remaining,
    }
    return PlanResult(model, network, solution, rollout, summary, tuple(warnings))
