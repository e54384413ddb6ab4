"""Finding the latest plan output (``plan.geojson``, ``city.geojson``, ``summary.json``,
``report.html``) under ``console.plan_dir``."""

from __future__ import annotations

from pathlib import Path

PLAN_FILES = ("plan.geojson", "city.geojson", "summary.json", "report.html")


def latest_plan_dir(plan_dir: Path | None) -> Path | None:
    """``plan_dir`` itself when it holds a plan, else its newest subdirectory that does."""
    if plan_dir is None or not plan_dir.is_dir():
        return None
    if (plan_dir / "summary.json").is_file() or (plan_dir / "city.geojson").is_file():
        return plan_dir
    candidates = [
        d
        for d in plan_dir.iterdir()
        if d.is_dir() and not d.is_symlink() and (d / "summary.json").is_file()
    ]
    return max(candidates, key=lambda d: (d / "summary.json").stat().st_mtime, default=None)
