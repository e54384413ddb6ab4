"""Showing planning work to a person: Rich progress bars and the summary table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

_LABELS = {
    "read city": "Reading city",
    "visibility": "Visibility (mounts)",
    "views": "View polygons (mounts)",
    "optimize": "Optimising (s of limit)",
}


class StageBars:
    """Maps (stage, done, total) callbacks onto one Rich bar per stage."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        task = self._tasks.get(stage)
        if task is None:
            task = self._progress.add_task(_LABELS.get(stage, stage), total=total)
            self._tasks[stage] = task
        self._progress.update(task, completed=done, total=total)

    def finish(self, stage: str) -> None:
        """Show ``stage`` as complete (the optimizer may stop before its time limit)."""
        task = self._tasks.get(stage)
        if task is not None:
            total = self._progress.tasks[task].total
            self._progress.update(task, completed=total)

    def optimizer(self, time_limit_s: float) -> Callable[[str, float], None]:
        """Callback for the optimizer, which reports (phase, seconds elapsed)."""

        def report(phase: str, seconds: float) -> None:
            self("optimize", round(min(seconds, time_limit_s)), round(time_limit_s))
            self._progress.update(self._tasks["optimize"], description=f"Optimising: {phase}")

        return report


@contextmanager
def stage_bars(console: Console) -> Iterator[StageBars]:
    """Progress bars on ``console`` for the duration of the block."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        yield StageBars(progress)


def summary_table(summary: dict[str, Any]) -> Table:
    """The headline figures and per-site coverage of a plan."""
    table = Table(title=f"Plan for {summary['city']}", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    m = summary["matrix"]
    rows = [
        ("objective", str(summary["objective"])),
        ("density", f"{summary['density']} ({summary['pixels_per_metre']} px/m)"),
        ("demand points x poses", f"{m['demand_points']:,} x {m['candidate_poses']:,}"),
        ("nonzeros", f"{m['nonzeros']:,}"),
        ("cameras", str(summary["n_cameras"])),
        ("cost", f"{summary['cost']:,.0f}"),
        ("yearly cost", f"{summary['yearly_cost']:,.0f}"),
        ("coverage", f"{summary['coverage_fraction']:.1%}"),
        ("gap", f"{summary['gap']:.2%}"),
        ("model seconds", f"{summary['seconds_model']:.1f}"),
        ("optimise seconds", f"{summary['seconds_optimize']:.1f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    for site in summary["sites"]:
        table.add_row(f"site: {site['name']}", f"{site['coverage_fraction']:.1%}")
    return table
