"""civicam's optimizer against plain HiGHS and proven optima, in one process.

Sections (see benchmarks/README.md):
  small sets  OR-Library sets 4, 5, 6, A-E: ours vs a direct HiGHS MIP, both vs the optimum
  --large     scpnre1..scpnrh1 and rail507: ours (60 s) vs HiGHS (300 s)
  --mclp      São José dos Campos MCLP: covered demand vs the optimum, seconds
  --synthetic a 1e6-row x 1e5-column city instance under a budget: seconds, peak RSS, gap

Every answer (ours and HiGHS') is re-checked from the instance file, not trusted.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from civicam.planning.instances import (
    InstanceError,
    SetCoverData,
    check_cover,
    check_mclp,
    known_optimum,
    load_optima,
    mclp_key,
    parse_mclp,
    parse_setcover,
    synthetic_city_instance,
)
from civicam.planning.optimize import (
    CoverageProblem,
    SolveOptions,
    maximize_coverage,
    minimize_cost,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "benchmarks"
LARGE = ("scpnre1", "scpnrf1", "scpnrg1", "scpnrh1", "rail507")
SJC = (324, 402, 500, 708, 818)
RADII = (800, 1200)
SYNTHETIC_BUDGET_SHARE = 0.05
MCLP_RATIO_TARGET = 0.995
MCLP_SECONDS_TARGET = 1.0

# highspy's array passModel takes these as plain ints.
_COLWISE = int(highspy.MatrixFormat.kColwise)
_MINIMIZE = int(highspy.ObjSense.kMinimize)


# ---------------------------------------------------------------------- HiGHS


@dataclass(frozen=True)
class HighsResult:
    """Best answer HiGHS found, its bound and wall time."""

    objective: float
    bound: float
    seconds: float
    status: str
    chosen: np.ndarray[Any, np.dtype[np.int64]]


def _run_highs(
    n_cols: int,
    matrix: sp.csc_array,
    col_cost: np.ndarray[Any, np.dtype[np.float64]],
    col_upper: np.ndarray[Any, np.dtype[np.float64]],
    row_lower: np.ndarray[Any, np.dtype[np.float64]],
    row_upper: np.ndarray[Any, np.dtype[np.float64]],
    integer: np.ndarray[Any, np.dtype[np.int64]],
    time_limit: float,
) -> HighsResult:
    """Minimise ``col_cost @ x`` over ``row_lower <= A x <= row_upper``, default settings."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(
        n_cols,
        int(matrix.shape[0]),
        int(matrix.nnz),
        _COLWISE,
        _MINIMIZE,
        0.0,
        col_cost,
        np.zeros(n_cols),
        col_upper,
        row_lower,
        row_upper,
        matrix.indptr.astype(np.int64),
        matrix.indices.astype(np.int64),
        matrix.data.astype(np.float64),
        integer,
    )
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value) if has_solution else np.zeros(0)
    return HighsResult(
        info.objective_function_value if has_solution else math.nan,
        info.mip_dual_bound,
        seconds,
        status,
        np.flatnonzero(values > 0.5).astype(np.int64),
    )


def highs_set_cover(problem: CoverageProblem, time_limit: float) -> HighsResult:
    """Plain MIP: min c x, every row covered at least once, x binary."""
    m, n = problem.n_rows, problem.n_cols
    a = sp.csc_array(problem.matrix, dtype=np.float64)
    return _run_highs(
        n,
        a,
        problem.costs,
        np.ones(n),
        np.ones(m),
        np.full(m, np.inf),
        np.ones(n, dtype=np.int64),
        time_limit,
    )


def highs_mclp(problem: CoverageProblem, p: int, time_limit: float) -> HighsResult:
    """Plain MIP: max w y, y_i <= sum_j a_ij x_j, sum x <= p; x binary, y in [0, 1]."""
    m, n = problem.n_rows, problem.n_cols
    a = sp.csc_array(problem.matrix, dtype=np.float64)
    top = sp.hstack([-a, sp.identity(m, format="csc")])
    card = sp.csr_array(np.concatenate([np.ones(n), np.zeros(m)])[None, :])
    full = sp.csc_array(sp.vstack([top, card]))
    res = _run_highs(
        n + m,
        full,
        np.concatenate([np.zeros(n), -problem.weights]),
        np.ones(n + m),
        np.full(m + 1, -np.inf),
        np.concatenate([np.zeros(m), [float(p)]]),
        np.concatenate([np.ones(n, dtype=np.int64), np.zeros(m, dtype=np.int64)]),
        time_limit,
    )
    facilities = res.chosen[res.chosen < n]
    return HighsResult(-res.objective, -res.bound, res.seconds, res.status, facilities)


# ---------------------------------------------------------------------- output


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if float(x).is_integer() and abs(x) < 1e12:
        return str(int(x))
    return f"{x:.{digits}f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(headers)]
    print(
        "  ".join(
            h.rjust(w) if k else h.ljust(w)
            for k, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(
            "  ".join(
                c.rjust(w) if k else c.ljust(w)
                for k, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf become null, NumPy scalars plain numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _geomean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _warm_up() -> float:
    """Solve a tiny instance with both entry points so JIT compile time is not measured."""
    t0 = time.perf_counter()
    tiny = synthetic_city_instance(n_cols=100, n_rows=1000, nnz_per_col=30, seed=1)
    opts = SolveOptions(time_limit_s=10.0)
    minimize_cost(tiny, target=1.0, options=opts)
    maximize_coverage(tiny, budget=5.0, options=opts)
    maximize_coverage(tiny, max_columns=3, options=opts)
    return time.perf_counter() - t0


# -------------------------------------------------------------------- sections


def _natural(path: Path) -> tuple[str, int]:
    stem = path.stem
    digits = len(stem) - len(stem.rstrip("0123456789"))
    return (stem[: len(stem) - digits], int(stem[len(stem) - digits :] or 0))


def _set_files(folder: Path, sets: list[str]) -> list[Path]:
    files: list[Path] = []
    for key in sets:
        found = sorted(folder.glob(f"scp{key}[0-9]*.txt"), key=_natural)
        if not found:
            print(f"note: no files for set {key!r} in {folder}")
        files.extend(found)
    return files


def _solve_cover(
    data: SetCoverData, time_limit: float, seed: int
) -> tuple[float, float, bool, float]:
    problem = data.to_problem()
    t0 = time.perf_counter()
    sol = minimize_cost(
        problem, target=1.0, options=SolveOptions(time_limit_s=time_limit, seed=seed)
    )
    seconds = time.perf_counter() - t0
    check = check_cover(data, sol.chosen)
    return check.cost, seconds, check.feasible, sol.bound


def run_small_sets(
    folder: Path, optima: dict[str, Any], args: argparse.Namespace, log: list[dict[str, Any]]
) -> None:
    """OR-Library sets: ours and HiGHS against the proven optima."""
    files = _set_files(folder / "setcover", args.sets)
    print(
        f"\n== Set cover, sets {','.join(args.sets)}: ours (limit {args.time_limit:g} s) "
        f"vs HiGHS (limit {args.highs_time_limit:g} s, 1 thread) =="
    )
    rows: list[list[str]] = []
    ratios: list[float] = []
    ours_total = highs_total = 0.0
    infeasible = 0
    for path in files:
        data = parse_setcover(path)
        optimum = known_optimum(optima, "setcover", data.name)
        cost, secs, feasible, bound = _solve_cover(data, args.time_limit, args.seed)
        ours_total += secs
        infeasible += not feasible
        rec: dict[str, Any] = {
            "section": "sets",
            "instance": data.name,
            "optimum": optimum,
            "cost": cost,
            "bound": bound,
            "seconds": secs,
            "feasible": feasible,
        }
        h_cost = h_secs = math.nan
        if not args.skip_highs:
            h = highs_set_cover(data.to_problem(), args.highs_time_limit)
            h_check = check_cover(data, h.chosen)
            h_cost = h_check.cost if h_check.feasible else math.nan
            h_secs = h.seconds
            highs_total += h_secs
            rec.update(highs_cost=h_cost, highs_seconds=h_secs, highs_status=h.status)
        ratio = cost / optimum if optimum and feasible else math.nan
        if math.isfinite(ratio):
            ratios.append(ratio)
        log.append(rec)
        rows.append(
            [
                data.name,
                _fmt(optimum),
                _fmt(cost) + ("" if feasible else " INFEASIBLE"),
                f"{secs:.3f}",
                _fmt(h_cost),
                _fmt(h_secs, 3),
                _fmt(ratio, 4),
                _fmt(secs / h_secs if h_secs > 0 else math.nan, 3),
            ]
        )
    if not rows:
        print("no instances")
        return
    _table(
        ["instance", "optimum", "ours", "ours s", "HiGHS", "HiGHS s", "ours/opt", "t ours/HiGHS"],
        rows,
    )
    print(f"max cost ratio (ours/optimum):        {_fmt(max(ratios, default=math.nan), 4)}")
    print(f"geometric mean cost ratio:            {_fmt(_geomean(ratios), 5)}")
    print(f"instances at the optimum:             {sum(r <= 1 + 1e-9 for r in ratios)}/{len(rows)}")
    print(f"infeasible answers (independent check): {infeasible}")
    if args.skip_highs:
        print(f"total time ours: {ours_total:.2f} s (HiGHS skipped)")
    else:
        print(
            f"total time ours vs HiGHS:             {ours_total:.2f} s vs {highs_total:.2f} s "
            f"(ratio {_fmt(ours_total / highs_total if highs_total else math.nan, 3)})"
        )


def run_large(
    folder: Path, optima: dict[str, Any], args: argparse.Namespace, log: list[dict[str, Any]]
) -> None:
    """Large set covers: ours at --large-time-limit vs HiGHS at --highs-time-limit."""
    stored = optima.get("highs_300s", {})
    highs_label = "stored HiGHS 300 s" if args.skip_highs else f"HiGHS {args.highs_time_limit:g} s"
    print(f"\n== Large set cover: ours ({args.large_time_limit:g} s) vs {highs_label} ==")
    rows: list[list[str]] = []
    wins = counted = 0
    for name in LARGE:
        path = folder / "setcover" / f"{name}.txt"
        if not path.is_file():
            print(f"note: {path} missing, skipped")
            continue
        data = parse_setcover(path)
        optimum = known_optimum(optima, "setcover", name)
        best = optimum if optimum is not None else (stored.get(name) or {}).get("cost")
        cost, secs, feasible, bound = _solve_cover(data, args.large_time_limit, args.seed)
        if args.skip_highs:
            # optima.json: HiGHS proved nre1/nrf1 optimal within 300 s, so that is its cost.
            h_cost = float((stored.get(name) or {}).get("cost", optimum or math.nan))
            h_bound = float((stored.get(name) or {}).get("bound", optimum or math.nan))
            h_secs = math.nan
        else:
            h = highs_set_cover(data.to_problem(), args.highs_time_limit)
            h_check = check_cover(data, h.chosen)
            h_cost = h_check.cost if h_check.feasible else math.nan
            h_bound, h_secs = h.bound, h.seconds
        if feasible and math.isfinite(h_cost):
            counted += 1
            wins += cost <= h_cost + 1e-9
        log.append(
            {
                "section": "large",
                "instance": name,
                "best_known": best,
                "cost": cost,
                "bound": bound,
                "seconds": secs,
                "feasible": feasible,
                "highs_cost": h_cost,
                "highs_bound": h_bound,
                "highs_seconds": h_secs,
            }
        )
        rows.append(
            [
                name,
                _fmt(best) + ("" if optimum is not None else "*"),
                _fmt(cost) + ("" if feasible else " INFEASIBLE"),
                f"{secs:.1f}",
                _fmt(bound),
                _fmt(h_cost),
                _fmt(h_bound),
                _fmt(h_secs, 1),
                _fmt(cost / best if best else math.nan, 4),
                _fmt(cost / h_cost if math.isfinite(h_cost) and h_cost else math.nan, 4),
            ]
        )
    if rows:
        _table(
            [
                "instance",
                "best",
                "ours",
                "ours s",
                "our bound",
                "HiGHS",
                "HiGHS bound",
                "HiGHS s",
                "ours/best",
                "ours/HiGHS",
            ],
            rows,
        )
        print("best: proven optimum, or * the best HiGHS cost after 300 s (optima.json)")
        print(f"ours no worse than HiGHS on {wins}/{counted} instances")


def run_mclp(
    folder: Path, optima: dict[str, Any], args: argparse.Namespace, log: list[dict[str, Any]]
) -> None:
    """SJC MCLP cases with a known optimum: ratio and seconds per case."""
    known = optima.get("mclp", {})
    print(
        f"\n== MCLP (SJC), targets: >= {MCLP_RATIO_TARGET:.1%} of optimum, "
        f"< {MCLP_SECONDS_TARGET:g} s each =="
    )
    rows: list[list[str]] = []
    ratios: list[float] = []
    worst_secs = 0.0
    met = total = 0
    for n in SJC:
        pts = folder / "mclp" / f"SJC{n}.txt"
        dem = folder / "mclp" / f"demand-SJC{n}.dat"
        if not (pts.is_file() and dem.is_file()):
            print(f"note: SJC{n} files missing, skipped")
            continue
        data = parse_mclp(pts, dem)
        for radius in RADII:
            cases = [p for p in range(2, 13) if mclp_key(data.name, radius, p) in known]
            if not cases:
                continue
            problem = data.to_problem(radius)
            for p in cases:
                key = mclp_key(data.name, radius, p)
                optimum = float(known[key])
                opts = SolveOptions(time_limit_s=args.time_limit, seed=args.seed)
                t0 = time.perf_counter()
                sol = maximize_coverage(problem, max_columns=p, options=opts)
                secs = time.perf_counter() - t0
                check = check_mclp(data, radius, sol.chosen, p)
                ratio = check.covered / optimum if check.valid else 0.0
                ok = ratio >= MCLP_RATIO_TARGET and secs < MCLP_SECONDS_TARGET
                total += 1
                met += ok
                ratios.append(ratio)
                worst_secs = max(worst_secs, secs)
                h_cov = h_secs = math.nan
                if not args.skip_highs:
                    h = highs_mclp(problem, p, args.highs_time_limit)
                    h_cov = check_mclp(data, radius, h.chosen, p).covered
                    h_secs = h.seconds
                log.append(
                    {
                        "section": "mclp",
                        "instance": key,
                        "optimum": optimum,
                        "covered": check.covered,
                        "bound": sol.bound,
                        "seconds": secs,
                        "valid": check.valid,
                        "highs_covered": h_cov,
                        "highs_seconds": h_secs,
                    }
                )
                rows.append(
                    [
                        key,
                        _fmt(optimum),
                        _fmt(check.covered) + ("" if check.valid else " INVALID"),
                        f"{ratio:.2%}",
                        f"{secs:.3f}",
                        _fmt(h_cov),
                        _fmt(h_secs, 3),
                        "ok" if ok else "MISS",
                    ]
                )
    if rows:
        _table(
            ["instance", "optimum", "ours", "ours/opt", "ours s", "HiGHS", "HiGHS s", "target"],
            rows,
        )
        print(f"min ratio to optimum: {min(ratios):.4%}   max seconds: {worst_secs:.3f}")
        print(f"cases meeting both targets: {met}/{total}")


def run_synthetic(args: argparse.Namespace, log: list[dict[str, Any]]) -> None:
    """The generated city instance under a budget of 5% of all cameras' cost."""
    print(
        f"\n== Synthetic city: {args.synthetic_rows:,} rows x {args.synthetic_cols:,} columns, "
        f"budget {SYNTHETIC_BUDGET_SHARE:.0%} of total camera cost, "
        f"limit {args.large_time_limit:g} s =="
    )
    rss_before = _peak_rss_mib()
    t0 = time.perf_counter()
    problem = synthetic_city_instance(
        n_cols=args.synthetic_cols, n_rows=args.synthetic_rows, seed=args.seed
    )
    gen_secs = time.perf_counter() - t0
    budget = SYNTHETIC_BUDGET_SHARE * float(problem.costs.sum())
    opts = SolveOptions(time_limit_s=args.large_time_limit, seed=args.seed)
    t0 = time.perf_counter()
    sol = maximize_coverage(problem, budget=budget, options=opts)
    secs = time.perf_counter() - t0
    peak = _peak_rss_mib()
    # Re-check from the matrix and costs, not from the Solution's own numbers.
    chosen = np.unique(sol.chosen)
    spent = float(problem.costs[chosen].sum())
    seen = np.zeros(problem.n_rows, dtype=np.bool_)
    seen[sp.csc_array(problem.matrix)[:, chosen].indices] = True
    covered = float(problem.weights[seen].sum())
    fraction = covered / problem.total_weight
    gap = (sol.bound - covered) / sol.bound if sol.bound > 0 else math.nan
    within = spent <= budget * (1 + 1e-9)
    print(f"nonzeros:               {problem.matrix.nnz:,}")
    print(f"generation:             {gen_secs:.2f} s")
    print(f"solve:                  {secs:.2f} s")
    print(
        f"budget / spent:         {budget:,.1f} / {spent:,.1f} ({len(chosen):,} cameras)"
        + ("" if within else "  OVER BUDGET")
    )
    print(f"covered weight:         {fraction:.4%} of {problem.total_weight:,.1f}")
    print(f"bound / gap:            {sol.bound:,.1f} / {gap:.4%}")
    print(f"peak RSS (process):     {peak:,.0f} MiB (was {rss_before:,.0f} MiB before generation)")
    log.append(
        {
            "section": "synthetic",
            "instance": problem.name,
            "budget": budget,
            "spent": spent,
            "covered_fraction": fraction,
            "bound": sol.bound,
            "gap": gap,
            "seconds": secs,
            "generation_seconds": gen_secs,
            "peak_rss_mib": peak,
            "within_budget": within,
        }
    )


# ------------------------------------------------------------------------ main


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sets",
        default=None,
        help="OR-Library sets, comma list (default 4,5,6,a,b,c,d,e). Runs when given, "
        "or when no other section is asked for.",
    )
    ap.add_argument("--large", action="store_true", help="scpnre1..scpnrh1 and rail507")
    ap.add_argument("--mclp", action="store_true", help="São José dos Campos MCLP cases")
    ap.add_argument("--synthetic", action="store_true", help="1e6 x 1e5 generated city")
    ap.add_argument("--all", action="store_true", help="every section")
    ap.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="our limit per solve for sets and MCLP (s, default 60)",
    )
    ap.add_argument(
        "--large-time-limit",
        type=float,
        default=60.0,
        help="our limit for --large and --synthetic (s, default 60)",
    )
    ap.add_argument(
        "--highs-time-limit",
        type=float,
        default=300.0,
        help="HiGHS limit per solve (s, default 300)",
    )
    ap.add_argument(
        "--skip-highs",
        action="store_true",
        help="do not run HiGHS; --large shows optima.json's stored HiGHS results",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--synthetic-rows", type=int, default=1_000_000)
    ap.add_argument("--synthetic-cols", type=int, default=100_000)
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="benchmarks folder (default ../shared/benchmarks from the repo)",
    )
    ap.add_argument("--json", type=Path, default=None, help="also write all results here")
    args = ap.parse_args(argv)
    args.run_sets = (
        args.all or args.sets is not None or not (args.large or args.mclp or args.synthetic)
    )
    args.sets = [
        s.strip().lower() for s in (args.sets or "4,5,6,a,b,c,d,e").split(",") if s.strip()
    ]
    args.large |= args.all
    args.mclp |= args.all
    args.synthetic |= args.all
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections; 0 on success (also when the data folder is absent)."""
    args = _parse_args(argv)
    data = args.data.resolve()
    needs_data = args.run_sets or args.large or args.mclp
    optima: dict[str, Any] = {}
    if needs_data:
        if not (data / "optima.json").is_file():
            print(f"skipping set-cover and MCLP sections: {data} (with optima.json) not found")
            needs_data = False
        else:
            try:
                optima = load_optima(data / "optima.json")
            except InstanceError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
    if not (needs_data or args.synthetic):
        return 0
    print(f"highspy {version('highspy')}, numpy {np.__version__}, seed {args.seed}")
    print(
        f"warm-up: {_warm_up():.2f} s on a tiny instance "
        "(JIT compilation; excluded from every timing below)"
    )
    log: list[dict[str, Any]] = []
    try:
        if needs_data and args.run_sets:
            run_small_sets(data, optima, args, log)
        if needs_data and args.large:
            run_large(data, optima, args, log)
        if needs_data and args.mclp:
            run_mclp(data, optima, args, log)
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.synthetic:
        run_synthetic(args, log)
    if args.json is not None:
        args.json.write_text(json.dumps(_clean(log), indent=1) + "\n")
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
