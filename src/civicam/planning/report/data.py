"""What a report shows, independent of how it is drawn (HTML page or PNG map).

Builders turn a plan, an evaluation or a comparison into :class:`ReportData`:
map layers of cameras with their view polygons, sites with their coverage,
tables and the coverage-by-year series. Rendering lives in
:mod:`civicam.planning.report.html` and :mod:`civicam.planning.report.png`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pyproj
import shapely

from civicam.planning.city.model import CityModel, GeomArray, site_reach, to_metric
from civicam.planning.city_plan import PlanResult
from civicam.planning.figures import camera_figures
from civicam.planning.network import Cameras, camera_views
from civicam.planning.plans import Comparison, Evaluation

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F")
EXISTING_COLOUR: Final = "#3a3a3a"


@dataclass(frozen=True)
class MapLayer:
    """Cameras drawn together and toggled together (existing, one phase, one plan)."""

    key: str  # safe for ids: letters, digits, dashes
    title: str
    colour: str
    cameras: Cameras
    views: GeomArray  # metric view polygon per camera
    details: list[dict[str, Any]]  # per-camera figures, shown on click
    years: bool = False  # a multi-year rollout: details say the install year


@dataclass(frozen=True)
class Table:
    """A table below the map; cells are already formatted text or numbers."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass(frozen=True)
class SiteMark:
    name: str
    reach: shapely.Geometry  # metric
    coverage: float
    details: dict[str, Any]


@dataclass(frozen=True)
class ReportData:
    """Everything a report needs."""

    title: str
    subtitle: str
    model: CityModel
    layers: list[MapLayer]
    sites: list[SiteMark]
    headline: list[tuple[str, str]]
    tables: list[Table]
    by_year: list[dict[str, Any]] | None = None  # coverage_by_year joined with spend_by_year
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- formatting


def money(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"


def num(v: float | None, digits: int = 1) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.{digits}f}"


# --------------------------------------------------------------------------- pieces


def _layer(
    model: CityModel,
    key: str,
    title: str,
    colour: str,
    cams: Cameras,
    details: list[dict[str, Any]],
    years: bool = False,
) -> MapLayer:
    return MapLayer(key, title, colour, cams, camera_views(model, cams), details, years)


def phase_layers(
    model: CityModel, network: Cameras, figures: list[dict[str, Any]]
) -> list[MapLayer]:
    """One layer for existing cameras and one per phase."""
    layers = []
    existing = np.flatnonzero(network.existing)
    if existing.size:
        layers.append(
            _layer(
                model,
                "existing",
                "Existing cameras",
                EXISTING_COLOUR,
                network.take(existing),
                [figures[int(j)] for j in existing],
            )
        )
    phases = sorted({int(p) for p in network.phase[network.new]})
    for k, p in enumerate(phases):
        idx = np.flatnonzero(network.new & (network.phase == p))
        title = f"Year {p}" if len(phases) > 1 else "New cameras"
        layers.append(
            _layer(
                model,
                f"phase-{p}",
                title,
                PALETTE[k % len(PALETTE)],
                network.take(idx),
                [figures[int(j)] for j in idx],
                years=len(phases) > 1,
            )
        )
    return layers


def site_marks(
    model: CityModel, sites: list[dict[str, Any]], default_radius_m: float
) -> list[SiteMark]:
    """Sites as their reach (geometry grown by the radius), coloured by coverage."""
    crs = pyproj.CRS.from_user_input(model.crs)
    reach = site_reach(model.sites, to_metric(crs), default_radius_m)
    marks = []
    for geom, fig in zip(reach, sites, strict=True):
        marks.append(
            SiteMark(
                fig["name"],
                geom,
                float(fig["coverage_fraction"]),
                {
                    "Site": fig["name"],
                    "Coverage": pct(fig["coverage_fraction"]),
                    "Weight per metre": num(fig["weight"], 1),
                    "Cameras wanted": str(fig["min_cameras"]),
                    "Demand points": str(fig["demand_points"]),
                    "Covered / total weight": (
                        f"{fig['covered_weight']:,.1f} / {fig['total_weight']:,.1f}"
                    ),
                },
            )
        )
    return marks


def site_table(sites_by: Sequence[tuple[str, list[dict[str, Any]]]]) -> Table:
    """Per-site coverage, one column per network (a plan, or a year)."""
    names = [s["name"] for s in sites_by[0][1]]
    cols = ["site", "weight / m", "cameras wanted"] + [label for label, _ in sites_by]
    rows = []
    for i, name in enumerate(names):
        first = sites_by[0][1][i]
        rows.append(
            [name, num(first["weight"], 1), str(first["min_cameras"])]
            + [pct(figs[i]["coverage_fraction"]) for _, figs in sites_by]
        )
    return Table("sites", "Coverage per site", cols, rows)


def camera_table(layers: list[MapLayer]) -> Table:
    rows = []
    for layer in layers:
        for d in layer.details:
            rows.append(
                [
                    d["id"],
                    layer.title,
                    d["model"],
                    d["origin"],
                    "360°" if d["heading_deg"] is None else f"{d['heading_deg']:.0f}°",
                    f"{d['fov_deg']:g}°",
                    num(d["range_m"], 1),
                    money(d["cost"]),
                    money(d["yearly_cost"]),
                    num(d["own_weight"], 1),
                    num(d["unique_weight"], 1),
                    "yes" if d["redundant"] else "",
                ]
            )
    return Table(
        "cameras",
        "Cameras",
        [
            "id",
            "layer",
            "model",
            "from",
            "heading",
            "fov",
            "range m",
            "cost",
            "yearly",
            "sees (weight)",
            "only it adds",
            "redundant",
        ],
        rows,
        "Click a row to find the camera on the map. 'Sees' is the credit the camera "
        "earns alone; 'only it adds' is what the network loses without it.",
    )


def camera_details(d: dict[str, Any], *, years: bool = False) -> dict[str, str]:
    """The key/value list shown when a camera is clicked (``years``: say the install year)."""
    status = "existing" if d["existing"] else f"new, year {d['phase']}" if years else "new"
    out = {
        "Camera": d["id"],
        "Model": d["model"],
        "From": d["origin"],
        "Status": status,
        "Heading (true)": "all around" if d["heading_deg"] is None else f"{d['heading_deg']:.1f}°",
        "Field of view": f"{d['fov_deg']:g}°",
        "Range": f"{d['range_m']:.1f} m",
        "Cost": money(d["cost"]),
        "Yearly cost": money(d["yearly_cost"]),
        "Sees (weight)": num(d["own_weight"], 1),
        "Only it adds": f"{num(d['unique_weight'], 1)} ({d['unique_share']:.0%})",
        "Position": f"{d['lat']:.6f}, {d['lon']:.6f}",
    }
    if d.get("redundant"):
        out["Note"] = "redundant: others already see what it sees"
    if d.get("sees_nothing"):
        out["Note"] = "sees no street demand"
    return out


def _density(summary: dict[str, Any]) -> str:
    ppm = {"detection": 25, "observation": 62.5}.get(summary.get("density", ""))
    return f"{summary.get('density')} ({ppm} px/m)" if ppm else str(summary.get("density"))


# --------------------------------------------------------------------------- builders


def plan_report(
    result: PlanResult, threshold: float, site_radius_m: float, title: str | None = None
) -> ReportData:
    """Report of a planned (or merged) network: phases, existing cameras, years."""
    model = result.model
    s = result.summary
    figures = camera_figures(model, result.cameras, threshold)
    layers = phase_layers(model, result.cameras, figures)
    headline = [
        ("Coverage", pct(s["coverage_fraction"])),
        ("New cameras", str(s["n_cameras"])),
        ("Capital cost", money(s["cost"])),
        ("Running cost / year (whole network)", money(s["network_yearly_cost"])),
        ("Existing cameras", str(s["n_existing"])),
    ]
    if s.get("existing"):
        headline.append(("Covered by existing", pct(s["existing"]["coverage_fraction"])))
    if s.get("gap") is not None:
        headline.append(("Optimality gap", pct(s["gap"])))
    if s.get("budgets_by_year"):
        headline.append(("Unspent budget", money(s["unspent_budget"])))
    tables: list[Table] = []
    by_year = _join_years(s)
    if by_year and len(by_year) > 1:
        tables.append(year_table(by_year))
    last = s["coverage_by_year"]
    sites_by: list[tuple[str, list[dict[str, Any]]]] = []
    if s.get("existing"):
        sites_by.append(("existing", s["existing"]["sites"]))
    if len(last) > 2:
        for row in last[1:-1]:
            sites_by.append(
                (
                    f"after year {row['year']}",
                    [{**f, "coverage_fraction": row["sites"][f["name"]]} for f in s["sites"]],
                )
            )
    sites_by.append(("plan", s["sites"]))
    tables.append(site_table(sites_by))
    if s.get("existing"):
        tables.append(existing_table(s["existing"]))
    if s.get("merge"):
        tables.append(merge_table(s["merge"]))
    tables.append(camera_table(layers))
    kind = "Merged plan" if s.get("objective") == "merge" else "Camera plan"
    return ReportData(
        title=title or f"{kind} for {s['city']}",
        subtitle=(
            f"{_budget_text(s)} · density {_density(s)} · "
            f"{s['matrix']['demand_points']:,} demand points · "
            f"{s['matrix']['candidate_poses']:,} candidate poses"
        ),
        model=model,
        layers=layers,
        sites=site_marks(model, s["sites"], site_radius_m),
        headline=headline,
        tables=tables,
        by_year=by_year,
        warnings=list(s.get("warnings", [])),
    )


def _budget_text(s: dict[str, Any]) -> str:
    if s.get("budgets_by_year"):
        b = s["budgets_by_year"]
        return f"{len(b)}-year rollout, budgets {', '.join(money(x) for x in b)}"
    if s.get("budget") is not None:
        return f"budget {money(s['budget'])}"
    return f"coverage target {pct(s.get('target_coverage'))}"


def _join_years(s: dict[str, Any]) -> list[dict[str, Any]] | None:
    cov = s.get("coverage_by_year")
    if not cov:
        return None
    spend = {r["year"]: r for r in s.get("spend_by_year", [])}
    return [{**row, **spend.get(row["year"], {})} for row in cov]


def year_table(by_year: list[dict[str, Any]]) -> Table:
    rows = []
    for r in by_year:
        rows.append(
            [
                str(r["year"]),
                money(r.get("budget")),
                money(r.get("available")),
                str(r.get("new_cameras", r["cameras"])),
                money(r.get("capital")),
                money(r.get("running")),
                money(r.get("spend")),
                money(r.get("carried_over")),
                pct(r["coverage_fraction"]),
                pct(r["site_coverage_fraction"]),
            ]
        )
    return Table(
        "years",
        "Rollout by year",
        [
            "year",
            "budget",
            "available",
            "cameras",
            "capital",
            "running",
            "spend",
            "carried over",
            "coverage",
            "site coverage",
        ],
        rows,
        "Year 0 is the existing network. Available = the year's budget plus what earlier "
        "years carried over. Spend = capital of the year's cameras + running costs of every "
        "camera installed before that year. Budgets are capital budgets.",
    )


def existing_table(ex: dict[str, Any]) -> Table:
    rows = []
    for c in sorted(ex["cameras"], key=lambda c: c["unique_weight"]):
        verdict = []
        if c["sees_nothing"]:
            verdict.append("sees nothing")
        elif c["redundant"]:
            verdict.append("redundant")
        if c.get("redundant_in_plan") and not c["redundant"]:
            verdict.append("redundant once the plan is built")
        rows.append(
            [
                c["id"],
                c["model"],
                num(c["own_weight"], 1),
                num(c["unique_weight"], 1),
                num(c.get("unique_weight_in_plan"), 1),
                ", ".join(verdict) or "keep",
            ]
        )
    return Table(
        "existing",
        "Existing cameras, least useful first",
        ["id", "model", "sees (weight)", "only it adds", "only it adds with the plan", "verdict"],
        rows,
        "Candidates to move: cameras whose removal would lose at most the redundancy "
        "threshold of what they see, in the existing network or once the plan is built.",
    )


def merge_table(m: dict[str, Any]) -> Table:
    rows = [[p["label"], str(p["cameras"]), str(p["kept"])] for p in m["plans"]]
    rows.append(["optimizer (top-up)", "", str(m["from_optimizer"])])
    note = (
        f"Union of {m['union_cameras']} cameras; {len(m['dropped_redundant'])} dropped as "
        f"redundant (removal lost at most {m['redundancy_threshold']:.0%} of what they see), "
        f"{len(m['trimmed_to_budget'])} trimmed to fit the budget."
    )
    return Table("merge", "What came from which plan", ["source", "cameras", "kept"], rows, note)


def evaluation_report(ev: Evaluation, site_radius_m: float) -> ReportData:
    s = ev.summary
    model = ev.model
    layers = phase_layers(model, ev.network, ev.figures)
    headline = [
        ("Coverage", pct(s["coverage_fraction"])),
        ("Cameras", str(s["n_cameras"])),
        ("Capital cost", money(s["cost"])),
        ("Cost per covered weight", num(s["cost_per_covered_weight"], 2)),
        ("Redundant cameras", str(len(s["redundant_cameras"]))),
    ]
    tables = [
        site_table([("plan", s["sites"])]),
        camera_table(layers),
    ]
    return ReportData(
        title=f"Evaluation of {s['label']} on {s['city']}",
        subtitle=f"{s['plan']} · density {_density(s)}",
        model=model,
        layers=layers,
        sites=site_marks(model, s["sites"], site_radius_m),
        headline=headline,
        tables=tables,
        warnings=list(s.get("warnings", [])),
    )


def comparison_report(cmp: Comparison, threshold: float, site_radius_m: float) -> ReportData:
    s = cmp.summary
    model = cmp.model
    layers: list[MapLayer] = []
    if cmp.base is not None:
        base_figs = camera_figures(model, cmp.base, threshold)
        layers.append(
            _layer(model, "existing", "Existing cameras", EXISTING_COLOUR, cmp.base, base_figs)
        )
    for k, plan in enumerate(cmp.plans):
        layers.append(
            _layer(
                model,
                f"plan-{k + 1}",
                plan.label,
                PALETTE[k % len(PALETTE)],
                plan.cameras,
                cmp.figures[plan.label],
            )
        )
    rows = []
    for p in s["plans"]:
        rows.append(
            [
                p["label"],
                str(p["n_cameras"]),
                money(p["cost"]),
                money(p["yearly_cost"]),
                pct(p["coverage_fraction"]),
                num(p["added_weight"], 1),
                num(p["cost_per_covered_weight"], 2),
                num(p["exclusive_weight"], 1),
                ", ".join(p["uncovered_sites"]) or "none",
                ", ".join(p["redundant_given_others"]) or "none",
            ]
        )
    side = Table(
        "plans",
        "Plans side by side",
        [
            "plan",
            "cameras",
            "cost",
            "yearly",
            "coverage",
            "adds (weight)",
            "cost per weight",
            "only it sees",
            f"sites below {s['uncovered_site_below']:.0%}",
            "redundant given the others",
        ],
        rows,
        "Coverage includes the existing cameras. 'Only it sees' is the weight of demand this "
        "plan's cameras see and no other plan's (nor an existing camera).",
    )
    labels = [p["label"] for p in s["plans"]]
    shared = s["overlap"]["shared"]
    overlap_rows = [[a] + [num(shared[a][b], 1) for b in labels] for a in labels]
    overlap_tab = Table(
        "overlap",
        "Weight seen by both plans",
        ["", *labels],
        overlap_rows,
        f"Seen by every plan: {s['overlap']['seen_by_every_plan']:,.1f}; by any plan: "
        f"{s['overlap']['seen_by_any_plan']:,.1f}; already by existing cameras: "
        f"{s['overlap']['seen_by_existing']:,.1f} (of {s['total_weight']:,.1f} in all).",
    )
    headline = [
        (p["label"], f"{pct(p['coverage_fraction'])} for {money(p['cost'])}") for p in s["plans"]
    ]
    headline.append(("All plans together", pct(s["all_plans_together"]["coverage_fraction"])))
    return ReportData(
        title=f"Plan comparison for {s['city']}",
        subtitle=f"{len(labels)} plans · density {_density(s)}",
        model=model,
        layers=layers,
        sites=site_marks(model, s["all_plans_together"]["sites"], site_radius_m),
        headline=headline,
        tables=[
            side,
            overlap_tab,
            site_table([(p["label"], p["sites"]) for p in s["plans"]]),
            camera_table(layers),
        ],
        warnings=list(s.get("warnings", [])),
    )
