"""Reports people read: a self-contained report.html and a static map.png."""

from __future__ import annotations

from pathlib import Path

from civicam.planning.report.data import (
    ReportData,
    comparison_report,
    evaluation_report,
    plan_report,
)
from civicam.planning.report.html import write_html
from civicam.planning.report.png import render_png

__all__ = [
    "ReportData",
    "comparison_report",
    "evaluation_report",
    "plan_report",
    "write_report",
]


def write_report(
    data: ReportData, out_dir: Path, *, html_name: str = "report.html", width_px: int = 1800
) -> dict[str, Path]:
    """Write the HTML page and map.png into ``out_dir``; return their paths."""
    return {
        "report": write_html(data, out_dir / html_name),
        "map": render_png(data, out_dir / "map.png", width_px),
    }
