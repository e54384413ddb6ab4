"""``civicam bench``: score the optimizer on public instances.

Every answer is re-checked from the instance file itself (not from the
optimizer's matrix), and one JSON object per solve goes to stdout; progress and
errors go to stderr so stdout stays machine-readable.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import typer
from rich.console import Console
from rich.status import Status

from civicam.planning.instances import (
    InstanceError,
    SetCoverData,
    check_cover,
    check_mclp,
    find_optima,
    known_optimum,
    load_optima,
    mclp_key,
    parse_mclp,
    parse_setcover,
)
from civicam.planning.optimize import (
    CoverageProblem,
    ProblemError,
    SolveOptions,
    maximize_coverage,
    minimize_cost,
)

app = typer.Typer(help="Benchmark the optimizer on public instances.", no_args_is_help=True)


class FileFormat(StrEnum):
    """Layout of a set-cover file."""

    auto = "auto"
    row = "row"
    column = "column"


TimeLimit = Annotated[
    float, typer.Option("--time-limit", help="Wall-clock limit per solve, in seconds.")
]
Seed = Annotated[int, typer.Option("--seed", help="Seed for the optimizer's randomised steps.")]
Warmup = Annotated[
    bool,
    typer.Option(
        "--warmup/--no-warmup",
        help="Solve a tiny instance first so JIT compilation is not timed.",
    ),
]


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit status 2: bad input is not a crash."""
    typer.echo(f"civicam bench: error: {message}", err=True)
    raise typer.Exit(code=2)


def _finite(x: float) -> float | None:
    # JSON has no NaN/Infinity; null keeps the line parseable by strict readers.
    return float(x) if math.isfinite(x) else None


def _emit(record: dict[str, Any]) -> None:
    typer.echo(json.dumps(record))


class _Display:
    """Spinner on stderr while solving, shown only when stderr is a terminal."""

    def __init__(self, status: Status | None) -> None:
        self._status = status
        self._label = ""

    def solving(self, label: str) -> None:
        self._label = label
        if self._status is not None:
            self._status.update(f"solving {label}")

    def progress(self, stage: str, elapsed_s: float) -> None:
        if self._status is not None:
            self._status.update(f"solving {self._label}: {stage} ({elapsed_s:.1f} s)")


@contextmanager
def _display() -> Iterator[_Display]:
    console = Console(stderr=True)
    if not console.is_terminal:
        yield _Display(None)
        return
    with console.status("starting") as status:
        yield _Display(status)


def _check_time_limit(time_limit: float) -> None:
    if not (math.isfinite(time_limit) and time_limit > 0):
        _fail(f"--time-limit must be a positive number of seconds, got {time_limit}")


def _optima_for(path: Path, cache: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    found = find_optima(path)
    if found is None:
        return {}
    if found not in cache:
        try:
            cache[found] = load_optima(found)
        except InstanceError as exc:
            _fail(str(exc))
    return cache[found]


def _warm_up(options: SolveOptions) -> None:
    """Run both entry points once on a 3x3 instance (compiles JIT code paths)."""
    tiny = CoverageProblem.build(np.eye(3, dtype=np.int8), name="warm-up")
    quick = SolveOptions(time_limit_s=min(options.time_limit_s, 5.0), seed=options.seed)
    minimize_cost(tiny, target=1.0, options=quick)
    maximize_coverage(tiny, max_columns=1, options=quick)


@app.command("setcover")
def setcover(
    files: Annotated[
        list[Path], typer.Argument(help="OR-Library set-cover files.", show_default=False)
    ],
    time_limit: TimeLimit = 60.0,
    seed: Seed = 0,
    fmt: Annotated[
        FileFormat,
        typer.Option("--format", help="File layout; 'auto' reads rail* files column-wise."),
    ] = FileFormat.auto,
    warmup: Warmup = True,
) -> None:
    """Solve each set-cover FILE to full coverage; one JSON line per file on stdout.

    Keys: instance, cost, bound, seconds, feasible (+ optimum, ratio when an
    optima.json next to the file, or one folder up, knows the instance). Cost
    and feasibility are recomputed from the file. Exit status 1 if any answer
    fails that re-check, 2 on bad input.
    """
    _check_time_limit(time_limit)
    # Read everything first: a bad file should stop the run before any time is spent solving.
    loaded: list[tuple[SetCoverData, CoverageProblem]] = []
    for path in files:
        try:
            data = parse_setcover(path, fmt.value)
            loaded.append((data, data.to_problem()))
        except InstanceError as exc:
            _fail(str(exc))
    optima_cache: dict[Path, dict[str, Any]] = {}
    options = SolveOptions(time_limit_s=time_limit, seed=seed)
    all_feasible = True
    with _display() as display:
        if warmup:
            display.solving("warm-up instance")
            _warm_up(options)
        for data, problem in loaded:
            display.solving(data.name)
            run_options = SolveOptions(
                time_limit_s=time_limit, seed=seed, progress=display.progress
            )
            t0 = time.perf_counter()
            try:
                solution = minimize_cost(problem, target=1.0, options=run_options)
            except ProblemError as exc:
                _fail(f"{data.path}: {exc}")
            seconds = time.perf_counter() - t0
            check = check_cover(data, solution.chosen)
            all_feasible &= check.feasible
            if abs(check.cost - solution.cost) > 1e-6 * max(1.0, abs(check.cost)):
                typer.echo(
                    f"civicam bench: warning: {data.name}: solver reports cost "
                    f"{solution.cost:g}, the file's costs give {check.cost:g}",
                    err=True,
                )
            record: dict[str, Any] = {
                "instance": data.name,
                "cost": check.cost,
                "bound": _finite(solution.bound),
                "seconds": round(seconds, 6),
                "feasible": check.feasible,
            }
            optimum = known_optimum(_optima_for(data.path, optima_cache), "setcover", data.name)
            if optimum is not None:
                record["optimum"] = optimum
                record["ratio"] = _finite(check.cost / optimum) if optimum > 0 else None
            _emit(record)
    if not all_feasible:
        raise typer.Exit(code=1)


def _parse_ps(values: list[str]) -> list[int]:
    ps: list[int] = []
    for value in values:
        for part in value.split(","):
            text = part.strip()
            if not text.isdigit() or int(text) < 1:
                _fail(f"--p: {text!r} is not a positive whole number of facilities")
            ps.append(int(text))
    return ps


@app.command("mclp")
def mclp(
    points: Annotated[
        Path, typer.Option("--points", help="SJCn.txt: n, then n lines 'x y' (metres).")
    ],
    demand: Annotated[Path, typer.Option("--demand", help="demand-SJCn.dat: n demands.")],
    radius: Annotated[float, typer.Option("--radius", help="Covering distance S in metres.")],
    p: Annotated[
        list[str],
        typer.Option("--p", help="Facilities to place; repeat or give a comma list (2,3,4)."),
    ],
    time_limit: TimeLimit = 60.0,
    seed: Seed = 0,
    warmup: Warmup = True,
) -> None:
    """Place p facilities to maximise covered demand; one JSON line per p on stdout.

    Keys: instance (e.g. SJC324/800/2), covered, total, bound, seconds, feasible
    (+ optimum, ratio). Covered demand is recomputed from the coordinates.
    """
    _check_time_limit(time_limit)
    if not (math.isfinite(radius) and radius > 0):
        _fail(f"--radius must be a positive distance in metres, got {radius}")
    ps = _parse_ps(p)
    try:
        data = parse_mclp(points, demand)
    except InstanceError as exc:
        _fail(str(exc))
    problem = data.to_problem(radius)
    optima = _optima_for(points, {})
    all_valid = True
    with _display() as display:
        if warmup:
            display.solving("warm-up instance")
            _warm_up(SolveOptions(time_limit_s=time_limit, seed=seed))
        for k in ps:
            key = mclp_key(data.name, radius, k)
            display.solving(key)
            options = SolveOptions(time_limit_s=time_limit, seed=seed, progress=display.progress)
            t0 = time.perf_counter()
            try:
                solution = maximize_coverage(problem, max_columns=k, options=options)
            except ProblemError as exc:
                _fail(f"{points}: {exc}")
            seconds = time.perf_counter() - t0
            check = check_mclp(data, radius, solution.chosen, k)
            all_valid &= check.valid
            record: dict[str, Any] = {
                "instance": key,
                "covered": check.covered,
                "total": check.total,
                "bound": _finite(solution.bound),
                "seconds": round(seconds, 6),
                "feasible": check.valid,
            }
            optimum = known_optimum(optima, "mclp", key)
            if optimum is not None:
                record["optimum"] = optimum
                record["ratio"] = _finite(check.covered / optimum) if optimum > 0 else None
            _emit(record)
    if not all_valid:
        raise typer.Exit(code=1)
