"""``civicam plan``: turn a city into a camera plan, and judge, compare or merge plans.

``civicam plan CITY --sites SITES ...`` plans a city (the default command);
``civicam plan evaluate|compare|merge`` work with plan files. A first
argument that names no subcommand is taken as the CITY of the default command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from typer.core import TyperGroup

from civicam.config.city import CityModelConfig
from civicam.config.loader import ConfigError, load_model
from civicam.config.plans import PlansConfig
from civicam.planning.catalog import CatalogError
from civicam.planning.city.errors import CityInputError
from civicam.planning.city_plan import (
    Budget,
    BudgetError,
    ModelRun,
    PlanResult,
    obtain_model,
    plan_city,
)
from civicam.planning.figures import camera_figures
from civicam.planning.model_cache import default_cache_dir
from civicam.planning.optimize import ProblemError
from civicam.planning.plan_output import write_json, write_network
from civicam.planning.plans import compare_plans, evaluate_plan, load_existing, merge_plans
from civicam.planning.report import (
    comparison_report,
    evaluation_report,
    plan_report,
    write_report,
)
from civicam.planning.reporting import (
    StageBars,
    comparison_table,
    evaluation_table,
    existing_table,
    merge_table,
    stage_bars,
    summary_table,
    year_table,
)
from civicam.planning.rollout import parse_budgets

DEFAULT_COMMAND = "city"
INPUT_ERRORS = (CityInputError, CatalogError, ConfigError, ProblemError, BudgetError)


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


def plans_settings_from(settings_file: Path | None, overrides: dict[str, Any]) -> PlansConfig:
    """Plan-file settings from an optional YAML file, with command-line overrides on top."""
    base = PlansConfig() if settings_file is None else load_model(settings_file, PlansConfig)
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return base
    try:
        return PlansConfig.model_validate({**base.model_dump(), **given})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"command-line settings: {problems}") from exc


# Options shared by every command that builds a coverage model.
SitesOpt = Annotated[
    Path, typer.Option("--sites", help="GeoJSON of important sites (points or polygons).")
]
CatalogOpt = Annotated[
    Path | None,
    typer.Option("--catalog", help="Camera catalog YAML (default: built-in typical models)."),
]
SettingsOpt = Annotated[
    Path | None, typer.Option("--settings", help="Model settings YAML (CityModelConfig).")
]
DensityOpt = Annotated[
    DensityChoice | None,
    typer.Option(
        "--density", help="Pixel density: detection (25 px/m) or observation (62.5 px/m)."
    ),
]
DemandSpacingOpt = Annotated[
    float | None, typer.Option("--demand-spacing", help="Metres between demand points.")
]
MountSpacingOpt = Annotated[
    float | None, typer.Option("--mount-spacing", help="Metres between mount points.")
]
HeadingStepOpt = Annotated[
    float | None, typer.Option("--heading-step", help="Degrees between candidate headings.")
]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=0.1, help="Optimiser time limit, seconds.")
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Model cache folder (default: the user cache folder)."),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Always rebuild the model; store nothing.")
]
ExistingOpt = Annotated[
    Path | None,
    typer.Option(
        "--existing",
        help="Installed cameras (GeoJSON or CSV): fixed, their coverage counts.",
    ),
]
PlanSettingsOpt = Annotated[
    Path | None,
    typer.Option(
        "--plan-settings", help="Settings YAML for plan files and rollouts (PlansConfig)."
    ),
]
RedundancyOpt = Annotated[
    float | None,
    typer.Option(
        "--redundancy-threshold",
        min=0,
        max=1,
        help="Redundant: removing the camera loses at most this share of what it sees.",
    ),
]
NoReportOpt = Annotated[
    bool, typer.Option("--no-report", help="Skip report.html and map.png (faster).")
]
YearsOpt = Annotated[
    int | None, typer.Option("--years", min=1, max=50, help="Years of a multi-year rollout.")
]
YearlyOpt = Annotated[
    str | None,
    typer.Option(
        "--budget-per-year",
        help="Capital budget per year, or one per year separated by commas (10000,15000,...).",
    ),
]


@contextmanager
def _input_errors(err: Console) -> Iterator[None]:
    """Input problems end with one ``error:`` line and exit status 1."""
    try:
        yield
    except INPUT_ERRORS as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc


def _model(
    city: Path,
    sites: Path,
    catalog: Path | None,
    settings_file: Path | None,
    overrides: dict[str, Any],
    cache_dir: Path | None,
    no_cache: bool,
    bars: StageBars,
) -> ModelRun:
    settings = settings_from(settings_file, overrides)
    return obtain_model(
        city,
        sites,
        catalog,
        settings,
        cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
        progress=bars,
    )


def _overrides(
    density: DensityChoice | None,
    demand_spacing: float | None,
    mount_spacing: float | None,
    heading_step: float | None,
) -> dict[str, Any]:
    return {
        "density": None if density is None else density.value,
        "demand_spacing_m": demand_spacing,
        "mount_spacing_m": mount_spacing,
        "heading_step_deg": heading_step,
    }


def _budget(
    budget: float | None,
    target: float | None,
    years: int | None,
    budget_per_year: str | None,
    *,
    allow_target: bool = True,
) -> Budget:
    """The plan's budget from the options; usage errors (exit 2) for bad combinations."""
    if years is not None and budget_per_year is None:
        raise typer.BadParameter("--years needs --budget-per-year")
    if budget_per_year is not None:
        if budget is not None:
            raise typer.BadParameter("give --budget or --budget-per-year, not both")
        try:
            yearly = tuple(parse_budgets(budget_per_year, years))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        return Budget(yearly=yearly, target=target if allow_target else None)
    if not allow_target:
        if budget is None:
            raise typer.BadParameter("give --budget or --budget-per-year")
        return Budget(total=budget)
    if (budget is None) == (target is None):
        raise typer.BadParameter("give exactly one of --budget or --target-coverage")
    return Budget(total=budget, target=target)


def _warn(err: Console, warnings: list[str] | tuple[str, ...]) -> None:
    for w in warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)


def _print_plan(console: Console, result: PlanResult) -> None:
    s = result.summary
    console.print(summary_table(s))
    if len(s["coverage_by_year"]) > 2 or s.get("existing"):
        console.print(year_table(s))
    if s.get("existing"):
        console.print(existing_table(s["existing"]))
    if s.get("merge"):
        console.print(merge_table(s["merge"]))


def write_plan_outputs(
    run: ModelRun,
    result: PlanResult,
    out: Path,
    plans: PlansConfig,
    *,
    report: bool = True,
) -> dict[str, Path]:
    """plan.geojson, city.geojson, summary.json and (unless ``report`` is off) the report."""
    figures = camera_figures(result.model, result.cameras, plans.redundancy_threshold)
    paths = write_network(result.model, result.cameras, figures, result.summary, out)
    if report:
        data = plan_report(result, plans.redundancy_threshold, run.settings.site_radius_m)
        paths.update(write_report(data, out, width_px=plans.map_width_px))
    return paths


def _wrote(console: Console, paths: dict[str, Path]) -> None:
    console.print(
        "wrote " + ", ".join(str(p) for p in paths.values()), highlight=False, soft_wrap=True
    )
    if "report" in paths:
        console.print(f"report: [bold]{paths['report']}[/]", highlight=False, soft_wrap=True)


@app.command(DEFAULT_COMMAND, hidden=True)
def plan_city_command(
    city: Annotated[
        Path,
        typer.Argument(help="City: OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2) or GeoJSON."),
    ],
    sites: SitesOpt,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for plan.geojson, city.geojson, summary.json, the report."
        ),
    ],
    catalog: CatalogOpt = None,
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
    existing: ExistingOpt = None,
    years: YearsOpt = None,
    budget_per_year: YearlyOpt = None,
    settings_file: SettingsOpt = None,
    plan_settings: PlanSettingsOpt = None,
    density: DensityOpt = None,
    demand_spacing: DemandSpacingOpt = None,
    mount_spacing: MountSpacingOpt = None,
    heading_step: HeadingStepOpt = None,
    redundancy_threshold: RedundancyOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    no_report: NoReportOpt = False,
) -> None:
    """Plan cameras for CITY (on top of --existing ones, over --years) and write the plan,
    the city, a summary, report.html and map.png to --out."""
    console = Console()
    err = Console(stderr=True)
    plan_budget = _budget(budget, target_coverage, years, budget_per_year)
    with _input_errors(err):
        plans = plans_settings_from(plan_settings, {"redundancy_threshold": redundancy_threshold})
        with stage_bars(console) as bars:
            run = _model(
                city,
                sites,
                catalog,
                settings_file,
                _overrides(density, demand_spacing, mount_spacing, heading_step),
                cache_dir,
                no_cache,
                bars,
            )
            placed = None if existing is None else load_existing(run.model, existing, plans)
            result = plan_city(
                run,
                plan_budget,
                existing=placed,
                settings=plans,
                time_limit_s=time_limit,
                progress=bars.optimizer(time_limit),
            )
            bars.finish("optimize")
        _warn(err, result.warnings)
        paths = write_plan_outputs(run, result, out, plans, report=not no_report)
    _print_plan(console, result)
    _wrote(console, paths)


@app.command("evaluate")
def evaluate_command(
    plan: Annotated[Path, typer.Argument(help="Plan file (GeoJSON or CSV) to judge.")],
    city: Annotated[Path, typer.Option("--city", help="City the plan is for (OSM or GeoJSON).")],
    sites: SitesOpt,
    catalog: CatalogOpt = None,
    existing: ExistingOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for evaluation.json, report.html and map.png."),
    ] = None,
    settings_file: SettingsOpt = None,
    plan_settings: PlanSettingsOpt = None,
    density: DensityOpt = None,
    demand_spacing: DemandSpacingOpt = None,
    mount_spacing: MountSpacingOpt = None,
    heading_step: HeadingStepOpt = None,
    redundancy_threshold: RedundancyOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    no_report: NoReportOpt = False,
) -> None:
    """Coverage, cost, per-site coverage and cost per covered weight of a plan file."""
    console = Console()
    err = Console(stderr=True)
    with _input_errors(err):
        plans = plans_settings_from(plan_settings, {"redundancy_threshold": redundancy_threshold})
        with stage_bars(console) as bars:
            run = _model(
                city,
                sites,
                catalog,
                settings_file,
                _overrides(density, demand_spacing, mount_spacing, heading_step),
                cache_dir,
                no_cache,
                bars,
            )
            ev = evaluate_plan(run, plan, existing, plans)
        _warn(err, ev.warnings)
        paths: dict[str, Path] = {}
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            paths["evaluation"] = write_json(out / "evaluation.json", ev.summary)
            if not no_report:
                data = evaluation_report(ev, run.settings.site_radius_m)
                paths.update(write_report(data, out, width_px=plans.map_width_px))
    console.print(evaluation_table(ev.summary))
    if paths:
        _wrote(console, paths)


@app.command("compare")
def compare_command(
    plan_files: Annotated[
        list[Path], typer.Argument(help="Two or more plan files (GeoJSON or CSV).")
    ],
    city: Annotated[Path, typer.Option("--city", help="City the plans are for.")],
    sites: SitesOpt,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for compare.json, compare.html and map.png.")
    ],
    catalog: CatalogOpt = None,
    existing: ExistingOpt = None,
    settings_file: SettingsOpt = None,
    plan_settings: PlanSettingsOpt = None,
    density: DensityOpt = None,
    demand_spacing: DemandSpacingOpt = None,
    mount_spacing: MountSpacingOpt = None,
    heading_step: HeadingStepOpt = None,
    redundancy_threshold: RedundancyOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Plans side by side: coverage and cost, what only each sees, the overlap, sites left
    uncovered, cameras redundant given the others."""
    console = Console()
    err = Console(stderr=True)
    if len(plan_files) < 2:
        raise typer.BadParameter("compare needs at least two plan files")
    with _input_errors(err):
        plans = plans_settings_from(plan_settings, {"redundancy_threshold": redundancy_threshold})
        with stage_bars(console) as bars:
            run = _model(
                city,
                sites,
                catalog,
                settings_file,
                _overrides(density, demand_spacing, mount_spacing, heading_step),
                cache_dir,
                no_cache,
                bars,
            )
            cmp = compare_plans(run, plan_files, existing, plans)
        _warn(err, cmp.warnings)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"compare": write_json(out / "compare.json", cmp.summary)}
        data = comparison_report(cmp, plans.redundancy_threshold, run.settings.site_radius_m)
        paths.update(write_report(data, out, html_name="compare.html", width_px=plans.map_width_px))
    console.print(comparison_table(cmp.summary))
    _wrote(console, paths)


@app.command("merge")
def merge_command(
    plan_files: Annotated[list[Path], typer.Argument(help="Plan files (GeoJSON or CSV) to merge.")],
    city: Annotated[Path, typer.Option("--city", help="City the plans are for.")],
    sites: SitesOpt,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for plan.geojson, city.geojson, summary.json, the report."
        ),
    ],
    budget: Annotated[
        float | None, typer.Option("--budget", min=0, help="Capital budget of the merged plan.")
    ] = None,
    years: YearsOpt = None,
    budget_per_year: YearlyOpt = None,
    catalog: CatalogOpt = None,
    existing: ExistingOpt = None,
    settings_file: SettingsOpt = None,
    plan_settings: PlanSettingsOpt = None,
    density: DensityOpt = None,
    demand_spacing: DemandSpacingOpt = None,
    mount_spacing: MountSpacingOpt = None,
    heading_step: HeadingStepOpt = None,
    redundancy_threshold: RedundancyOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    no_report: NoReportOpt = False,
) -> None:
    """Merge plans: their union, redundant cameras dropped, then trimmed or topped up with
    the optimizer to fit the budget; each camera says which plan it came from."""
    console = Console()
    err = Console(stderr=True)
    plan_budget = _budget(budget, None, years, budget_per_year, allow_target=False)
    with _input_errors(err):
        plans = plans_settings_from(plan_settings, {"redundancy_threshold": redundancy_threshold})
        with stage_bars(console) as bars:
            run = _model(
                city,
                sites,
                catalog,
                settings_file,
                _overrides(density, demand_spacing, mount_spacing, heading_step),
                cache_dir,
                no_cache,
                bars,
            )
            result = merge_plans(
                run,
                plan_files,
                existing,
                plan_budget,
                plans,
                time_limit_s=time_limit,
                progress=bars.optimizer(time_limit),
            )
            bars.finish("optimize")
        _warn(err, result.warnings)
        paths = write_plan_outputs(run, result, out, plans, report=not no_report)
    _print_plan(console, result)
    _wrote(console, paths)
