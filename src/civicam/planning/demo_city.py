"""Plan the bundled sample city as a city would: central Helsinki with seven public
sites, five installed cameras and two earlier plans, merged into a four-year rollout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Final

from rich.console import Console

from civicam.config.city import CityModelConfig
from civicam.config.plans import PlansConfig
from civicam.planning.city.bundled import helsinki_extract, helsinki_sites
from civicam.planning.city_plan import Budget, obtain_model
from civicam.planning.figures import camera_figures
from civicam.planning.model_cache import default_cache_dir
from civicam.planning.plan_output import write_json, write_network
from civicam.planning.plans import compare_plans, merge_plans
from civicam.planning.report import comparison_report, plan_report, write_report
from civicam.planning.reporting import (
    comparison_table,
    existing_table,
    merge_table,
    stage_bars,
    summary_table,
    year_table,
)

DEMO_YEARS: Final = 4
DEMO_BUDGET_PER_YEAR: Final = 9_000.0
"""Capital budget of each year (plan currency, built-in catalog prices)."""
DEMO_TIME_LIMIT_S: Final = 30.0
DEMO_BUDGET: Final = 40_000.0
"""Single capital budget of the blank-map benchmark plan (benchmarks/city_model.py)."""


def _data(name: str) -> Path:
    return Path(str(resources.files("civicam") / "data" / name))


def demo_existing() -> Path:
    """Five installed cameras (one of them a legacy model the catalog does not list)."""
    return _data("helsinki_existing.geojson")


def demo_plans() -> list[Path]:
    """Two earlier plans: a consultant's GeoJSON in ETRS-TM35FIN and a district's CSV."""
    return [
        _data("helsinki_plan_2019_consultant.geojson"),
        _data("helsinki_plan_2022_district.csv"),
    ]


def run_city_demo(
    out_dir: Path, console: Console, *, cache_dir: Path | None = None
) -> dict[str, Any]:
    """Compare the two earlier plans, then merge them on top of the installed cameras
    into a four-year rollout; write everything to ``out_dir`` and return the summary.

    ``out_dir`` receives the merged plan (plan.geojson, city.geojson,
    summary.json, report.html, map.png); ``out_dir/compare`` the comparison
    (compare.json, compare.html, map.png). The city model is cached in
    ``cache_dir`` (default: the user cache folder), so a second run only optimises.
    """
    settings = CityModelConfig()
    plans_cfg = PlansConfig()
    budget = Budget(yearly=(DEMO_BUDGET_PER_YEAR,) * DEMO_YEARS)
    with stage_bars(console) as bars:
        run = obtain_model(
            helsinki_extract(),
            helsinki_sites(),
            None,
            settings,
            cache_dir=cache_dir or default_cache_dir(),
            progress=bars,
        )
        cmp = compare_plans(run, demo_plans(), demo_existing(), plans_cfg)
        result = merge_plans(
            run,
            demo_plans(),
            demo_existing(),
            budget,
            plans_cfg,
            time_limit_s=DEMO_TIME_LIMIT_S,
            progress=bars.optimizer(DEMO_TIME_LIMIT_S),
        )
        bars.finish("optimize")
    compare_dir = out_dir / "compare"
    compare_dir.mkdir(parents=True, exist_ok=True)
    write_json(compare_dir / "compare.json", cmp.summary)
    cmp_paths = write_report(
        comparison_report(cmp, plans_cfg.redundancy_threshold, settings.site_radius_m),
        compare_dir,
        html_name="compare.html",
    )
    figures = camera_figures(result.model, result.cameras, plans_cfg.redundancy_threshold)
    write_network(result.model, result.cameras, figures, result.summary, out_dir)
    paths = write_report(
        plan_report(result, plans_cfg.redundancy_threshold, settings.site_radius_m), out_dir
    )
    s = result.summary
    console.print(comparison_table(cmp.summary))
    console.print(summary_table(s))
    console.print(year_table(s))
    if s.get("existing"):
        console.print(existing_table(s["existing"]))
    console.print(merge_table(s["merge"]))
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    console.print(f"comparison: [bold]{cmp_paths['report']}[/]", highlight=False, soft_wrap=True)
    console.print(
        f"report: [bold]{paths['report']}[/] (map: {paths['map']})",
        highlight=False,
        soft_wrap=True,
    )
    return s
