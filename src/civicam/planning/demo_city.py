"""Plan the bundled sample city: central Helsinki with seven public sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from rich.console import Console

from civicam.config.city import CityModelConfig
from civicam.planning.city.bundled import helsinki_extract, helsinki_sites
from civicam.planning.city_plan import obtain_model, solve
from civicam.planning.model_cache import default_cache_dir
from civicam.planning.plan_output import write_plan
from civicam.planning.reporting import stage_bars, summary_table

DEMO_BUDGET: Final = 40_000.0
DEMO_TIME_LIMIT_S: Final = 30.0
"""Capital budget of the demo plan (plan currency, built-in catalog prices)."""


def run_city_demo(
    out_dir: Path, console: Console, *, cache_dir: Path | None = None
) -> dict[str, Any]:
    """Plan the bundled city with default settings and ``DEMO_BUDGET``; return the summary.

    Writes plan.geojson, city.geojson and summary.json to ``out_dir`` and prints
    the summary table. The model is cached in ``cache_dir`` (default: the user
    cache folder), so a second run only optimises.
    """
    with stage_bars(console) as bars:
        run = obtain_model(
            helsinki_extract(),
            helsinki_sites(),
            None,
            CityModelConfig(),
            cache_dir=cache_dir or default_cache_dir(),
            progress=bars,
        )
        result = solve(
            run,
            budget=DEMO_BUDGET,
            target=None,
            time_limit_s=DEMO_TIME_LIMIT_S,
            progress=bars.optimizer(DEMO_TIME_LIMIT_S),
        )
        bars.finish("optimize")
    paths = write_plan(result, out_dir)
    console.print(summary_table(result.summary))
    console.print(f"wrote {paths['plan']}, {paths['city']}, {paths['summary']}", highlight=False)
    return result.summary
