"""``civicam demo``: the main job on bundled and generated samples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicam.cli.progress import stage_progress
from civicam.planning.demo_city import run_city_demo
from civicam.planning.instances import synthetic_city_instance
from civicam.planning.optimize import Solution, SolveOptions, maximize_coverage, minimize_cost
from civicam.recording.demo import run_recording_demo

console = Console()


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo's outputs.")] = Path(
        "demo-out"
    ),
    size: Annotated[
        int,
        typer.Option(
            "--candidates",
            min=100,
            max=100_000,
            help="Candidate cameras in the generated optimizer sample (demand rows: 10x).",
        ),
    ] = 10_000,
    serve: Annotated[
        bool,
        typer.Option(
            help="End by serving the console on the demo site (recording and analysis go on) "
            "until ^C; --no-serve stops after the summaries."
        ),
    ] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Console port.")] = 8000,
) -> None:
    """Run civicam's main job on its samples and print what it found."""
    console.rule("[bold]civicam demo")
    _optimizer_demo(size)
    _city_demo(out)
    site = _recording_demo(out)
    if serve:
        _console_demo(site, out, port)


def _optimizer_demo(size: int) -> None:
    problem = synthetic_city_instance(n_cols=size, n_rows=10 * size, seed=7)
    console.print(
        f"[bold]1. Optimizer[/bold] on a generated city-shaped instance: "
        f"{problem.n_cols:,} candidate cameras, {problem.n_rows:,} demand points, "
        f"{problem.matrix.nnz:,} visibility pairs."
    )
    budget = round(0.05 * float(problem.costs.sum()), 1)
    with stage_progress(console, "budgeted maximum coverage") as progress:
        best = maximize_coverage(
            problem, budget=budget, options=SolveOptions(time_limit_s=10, progress=progress)
        )
    with stage_progress(console, "cheapest cover of 80% of the weight") as progress:
        cheap = minimize_cost(
            problem, target=0.8, options=SolveOptions(time_limit_s=10, progress=progress)
        )
    console.print(_solution_table(best, f"budget {budget:,.1f}", cheap, "target 80%"))


def _solution_table(a: Solution, a_label: str, b: Solution, b_label: str) -> Table:
    table = Table(title="Optimizer results", title_justify="left")
    table.add_column("problem")
    table.add_column("limit")
    table.add_column("cameras", justify="right")
    table.add_column("cost", justify="right")
    table.add_column("coverage", justify="right")
    table.add_column("bound", justify="right")
    table.add_column("gap", justify="right")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    for sol, label, name in ((a, a_label, "max coverage"), (b, b_label, "min cost")):
        bound = (
            f"{sol.bound / sol.total_weight:.2%} cov"
            if sol.problem == "max_coverage"
            else f"{sol.bound:,.1f} cost"
        )
        table.add_row(
            name,
            label,
            f"{sol.new_columns:,}",
            f"{sol.cost:,.1f}",
            f"{sol.coverage_fraction:.2%}",
            bound,
            f"{sol.gap:.3%}",
            sol.status,
            f"{sol.seconds:.1f}",
        )
    return table


def _city_demo(out: Path) -> None:
    console.print(
        "[bold]2. City plan[/bold] of the bundled OpenStreetMap extract: five installed "
        "cameras and two earlier plans merged into a four-year rollout."
    )
    run_city_demo(out / "plan", console)


def _recording_demo(out: Path) -> Path:
    console.print(
        "[bold]3. Recording and analysis[/bold]: three demo cameras looping bundled street "
        "footage, remuxed into fragmented MP4 segments without re-encoding; analysis shares "
        "the recorders' packets, decodes them at 5 fps and stores person events with "
        "redacted snapshots."
    )
    result = run_recording_demo(out / "recording", console, seconds=12.0, analysis=True)
    console.print(
        f"Site file: {result.config} (try `civicam events -c {result.config}` or "
        f"`civicam run -c {result.config}`)",
        markup=False,
    )
    return result.config


def _console_demo(site: Path, out: Path, port: int) -> None:
    """Serve the console on the demo site with a one-time admin password."""
    from civicam.audit import actions
    from civicam.audit.log import record
    from civicam.cli.run import run_site
    from civicam.config.loader import load_model
    from civicam.config.recording import RecorderFileConfig
    from civicam.console.accounts import create_user, generate_password, set_password
    from civicam.recording.demo import write_site_file
    from civicam.recording.service import open_store
    from civicam.store.accounts import get_user

    cfg = load_model(site, RecorderFileConfig)
    cfg.console.plan_dir = (out / "plan").resolve()
    cfg.console.port = port
    write_site_file(cfg, site)
    password = generate_password()
    db = open_store(cfg)
    try:
        # A fresh password at every demo run: none is ever fixed in code or files.
        if get_user(db, "admin") is None:
            create_user(db, "admin", "admin", password, all_cameras=True)
            change = "created"
        else:
            set_password(db, "admin", password)
            change = "password reset"
        record(
            db,
            actor="civicam demo",
            action=actions.USER_CHANGE,
            details={"user": "admin", "change": change, "user_role": "admin"},
        )
    finally:
        db.close()
    console.print(
        "[bold]4. Console[/bold]: recording and analysis go on; the web console serves the "
        "demo city's plan, the cameras, their recordings and events."
    )
    console.print(f"  URL:      http://127.0.0.1:{port}/")
    console.print("  user:     admin")
    console.print(f"  password: {password}   (printed once; a new one at every demo run)")
    console.print("  Press ^C to stop.")
    run_site(cfg, port=port)
