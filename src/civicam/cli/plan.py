"""``civicam plan``: turn a city into a camera plan.

``civicam plan CITY --sites SITES ...`` plans a city. The group is built so
named subcommands can join it later (``civicam plan evaluate ...``): a first
argument that names no subcommand is taken as the CITY of the default command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from typer.core import TyperGroup

from civicam.config.city import CityModelConfig
from civicam.config.loader import ConfigError, load_model
from civicam.planning.catalog import CatalogError
from civicam.planning.city.errors import CityInputError
from civicam.planning.city_plan import obtain_model, solve
from civicam.planning.model_cache import default_cache_dir
from civicam.planning.optimize import ProblemError
from civicam.planning.plan_output import write_plan
from civicam.planning.reporting import stage_bars, summary_table

DEFAULT_COMMAND = "city"
INPUT_ERRORS = (CityInputError, CatalogError, ConfigError, ProblemError)


class DensityChoice(StrEnum):
    """The only pixel densities civicam plans for (IEC 62676-4 detection and observation)."""

    detection = "detection"
    observation = "observation"


class DefaultCommandGroup(TyperGroup):
    """A group whose first argument falls back to a default command.

    ``civicam plan CITY ...`` means ``civicam plan city CITY ...``; a first
    argument naming a registered subcommand, or asking for help, keeps its
    usual meaning.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [DEFAULT_COMMAND, *args]
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    cls=DefaultCommandGroup,
    help=(
        "Plan where cameras go: civicam plan CITY --sites SITES "
        "(--budget B | --target-coverage F) --out DIR. "
        "Run `civicam plan city --help` for every option."
    ),
    no_args_is_help=True,
)


def settings_from(settings_file: Path | None, overrides: dict[str, Any]) -> CityModelConfig:
    """Model settings from an optional YAML file, with command-line overrides on top."""
    base = (
        CityModelConfig() if settings_file is None else load_model(settings_file, CityModelConfig)
    )
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return base
    try:
        return CityModelConfig.model_validate({**base.model_dump(), **given})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"command-line settings: {problems}") from exc


@app.command(DEFAULT_COMMAND, hidden=True)
def plan_city(
    city: Annotated[
        Path,
        typer.Argument(help="City: OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2) or GeoJSON."),
    ],
    sites: Annotated[
        Path, typer.Option("--sites", help="GeoJSON of important sites (points or polygons).")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for plan.geojson, city.geojson, summary.json.")
    ],
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", help="Camera catalog YAML (default: built-in typical models)."),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option("--budget", min=0, help="Maximise coverage within this capital cost."),
    ] = None,
    target_coverage: Annotated[
        float | None,
        typer.Option(
            "--target-coverage", min=0, max=1, help="Reach this coverage fraction at least cost."
        ),
    ] = None,
    settings_file: Annotated[
        Path | None, typer.Option("--settings", help="Model settings YAML (CityModelConfig).")
    ] = None,
    density: Annotated[
        DensityChoice | None,
        typer.Option(
            "--density", help="Pixel density: detection (25 px/m) or observation (62.5 px/m)."
        ),
    ] = None,
    demand_spacing: Annotated[
        float | None, typer.Option("--demand-spacing", help="Metres between demand points.")
    ] = None,
    mount_spacing: Annotated[
        float | None, typer.Option("--mount-spacing", help="Metres between mount points.")
    ] = None,
    heading_step: Annotated[
        float | None, typer.Option("--heading-step", help="Degrees between candidate headings.")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Optimiser time limit, seconds.")
    ] = 60.0,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="Model cache folder (default: the user cache folder)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Always rebuild the model; store nothing.")
    ] = False,
) -> None:
    """Plan cameras for CITY and write the plan, the city and a summary to --out."""
    console = Console()
    err = Console(stderr=True)
    if (budget is None) == (target_coverage is None):
        raise typer.BadParameter("give exactly one of --budget or --target-coverage")
    try:
        settings = settings_from(
            settings_file,
            {
                "density": None if density is None else density.value,
                "demand_spacing_m": demand_spacing,
                "mount_spacing_m": mount_spacing,
                "heading_step_deg": heading_step,
            },
        )
        with stage_bars(console) as bars:
            run = obtain_model(
                city,
                sites,
                catalog,
                settings,
                cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                progress=bars,
            )
            result = solve(
                run,
                budget=budget,
                target=target_coverage,
                time_limit_s=time_limit,
                progress=bars.optimizer(time_limit),
            )
            bars.finish("optimize")
        paths = write_plan(result, out)
    except INPUT_ERRORS as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    console.print(summary_table(result.summary))
    console.print(f"wrote {paths['plan']}, {paths['city']}, {paths['summary']}", highlight=False)
