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


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"


def _money(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def summary_table(summary: dict[str, Any]) -> Table:
    """The headline figures and per-site coverage of a plan."""
    title = "Merged plan" if summary.get("objective") == "merge" else "Plan"
    table = Table(title=f"{title} for {summary['city']}", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    m = summary["matrix"]
    rows = [
        ("objective", str(summary["objective"])),
        ("density", f"{summary['density']} ({summary['pixels_per_metre']} px/m)"),
        ("demand points x poses", f"{m['demand_points']:,} x {m['candidate_poses']:,}"),
        ("nonzeros", f"{m['nonzeros']:,}"),
    ]
    existing = summary.get("existing")
    if existing:
        rows += [
            ("existing cameras", str(existing["n_cameras"])),
            ("covered by existing", _pct(existing["coverage_fraction"])),
        ]
    rows += [
        ("new cameras", str(summary["n_cameras"])),
        ("cost", _money(summary["cost"])),
        ("yearly cost (new)", _money(summary["yearly_cost"])),
        ("coverage", _pct(summary["coverage_fraction"])),
        ("gap", _pct(summary["gap"])),
        ("model seconds", f"{summary['seconds_model']:.1f}"),
        ("optimise seconds", f"{summary['seconds_optimize']:.1f}"),
    ]
    if summary.get("budgets_by_year"):
        rows.append(("unspent budget", _money(summary["unspent_budget"])))
    for name, value in rows:
        table.add_row(name, value)
    for site in summary["sites"]:
        table.add_row(f"site: {site['name']}", _pct(site["coverage_fraction"]))
    return table


def year_table(summary: dict[str, Any]) -> Table:
    """Rollout year by year: money in, cameras bought, spend and coverage after the year."""
    table = Table(title="Rollout by year (year 0 = existing network)")
    for col in ("year", "budget", "cams", "capital", "running", "spend", "carried", "cover"):
        table.add_column(col, justify="right")
    table.add_column("sites", justify="right")
    spend = {r["year"]: r for r in summary.get("spend_by_year", [])}
    for row in summary["coverage_by_year"]:
        s = spend.get(row["year"], {})
        table.add_row(
            str(row["year"]),
            _money(s.get("budget")),
            str(s.get("new_cameras", row["cameras"])),
            _money(s.get("capital")),
            _money(s.get("running")),
            _money(s.get("spend")),
            _money(s.get("carried_over")),
            _pct(row["coverage_fraction"]),
            _pct(row["site_coverage_fraction"]),
        )
    return table


def existing_table(existing: dict[str, Any]) -> Table:
    """Existing cameras, least useful first, with the verdict on each."""
    table = Table(title="Existing cameras, least useful first")
    for col in ("id", "model"):
        table.add_column(col)
    for col in ("sees", "only it adds", "with the plan"):
        table.add_column(col, justify="right")
    table.add_column("verdict")
    for c in sorted(existing["cameras"], key=lambda c: c["unique_weight"]):
        verdict = (
            "sees nothing"
            if c["sees_nothing"]
            else "redundant"
            if c["redundant"]
            else "redundant with the plan"
            if c.get("redundant_in_plan")
            else "keep"
        )
        after = c.get("unique_weight_in_plan")
        table.add_row(
            c["id"],
            c["model"],
            f"{c['own_weight']:,.1f}",
            f"{c['unique_weight']:,.1f}",
            "–" if after is None else f"{after:,.1f}",
            verdict,
        )
    return table


def evaluation_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"Evaluation of {summary['label']} on {summary['city']}", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("cameras", str(summary["n_cameras"])),
        ("existing cameras", str(summary["n_existing"])),
        ("cost", _money(summary["cost"])),
        ("yearly cost", _money(summary["yearly_cost"])),
        ("coverage", _pct(summary["coverage_fraction"])),
        ("added weight", f"{summary['added_weight']:,.1f}"),
        (
            "cost per covered weight",
            "–"
            if summary["cost_per_covered_weight"] is None
            else f"{summary['cost_per_covered_weight']:,.2f}",
        ),
        ("redundant cameras", ", ".join(summary["redundant_cameras"]) or "none"),
        ("cameras seeing nothing", ", ".join(summary["cameras_seeing_nothing"]) or "none"),
        ("sites left uncovered", ", ".join(summary["uncovered_sites"]) or "none"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    for site in summary["sites"]:
        table.add_row(f"site: {site['name']}", _pct(site["coverage_fraction"]))
    for row in summary.get("coverage_by_phase") or []:
        table.add_row(f"after phase {row['phase']}", _pct(row["coverage_fraction"]))
    return table


def comparison_table(summary: dict[str, Any]) -> Table:
    plans = summary["plans"]
    table = Table(title=f"Plans compared on {summary['city']}")
    table.add_column("")
    for p in plans:
        table.add_column(p["label"], justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("cameras", [str(p["n_cameras"]) for p in plans]),
        ("cost", [_money(p["cost"]) for p in plans]),
        ("yearly cost", [_money(p["yearly_cost"]) for p in plans]),
        ("coverage", [_pct(p["coverage_fraction"]) for p in plans]),
        ("adds (weight)", [f"{p['added_weight']:,.1f}" for p in plans]),
        (
            "cost per weight",
            [
                "–"
                if p["cost_per_covered_weight"] is None
                else f"{p['cost_per_covered_weight']:.2f}"
                for p in plans
            ],
        ),
        ("only it sees", [f"{p['exclusive_weight']:,.1f}" for p in plans]),
        ("sites left uncovered", [", ".join(p["uncovered_sites"]) or "none" for p in plans]),
        (
            "redundant given the others",
            [", ".join(p["redundant_given_others"]) or "none" for p in plans],
        ),
    ]
    for name, values in rows:
        table.add_row(name, *values)
    for i, site in enumerate(plans[0]["sites"]):
        table.add_row(
            f"site: {site['name']}", *[_pct(p["sites"][i]["coverage_fraction"]) for p in plans]
        )
    return table


def merge_table(merge: dict[str, Any]) -> Table:
    table = Table(title="What came from which plan")
    table.add_column("source")
    table.add_column("cameras", justify="right")
    table.add_column("kept", justify="right")
    for p in merge["plans"]:
        table.add_row(p["label"], str(p["cameras"]), str(p["kept"]))
    table.add_row("optimizer (top-up)", "", str(merge["from_optimizer"]))
    return table
