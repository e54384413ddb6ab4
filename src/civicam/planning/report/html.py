"""report.html: one self-contained page, map and tables, that opens offline anywhere.

Nothing is fetched when the page is viewed: the map is inline SVG, the
viewer script and the style sheet ship with civicam (``civicam/data/report``)
and are inlined, and the camera details travel as JSON in the page.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from civicam import __version__
from civicam.planning.report.data import ReportData, Table, camera_details
from civicam.planning.report.svg import Frame, chart_svg, coverage_colour, esc, map_svg

_NUMERIC = re.compile(r"^(–|[-+]?[\d,]*\.?\d+\s*(%|°|m)?( \(\d+%\))?)$")


def _asset(name: str) -> str:
    return (resources.files("civicam") / "data" / "report" / name).read_text(encoding="utf-8")


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no way to close the element early)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _is_text(k: int, value: object) -> bool:
    return k > 0 and not _NUMERIC.match(str(value))


def _table(t: Table) -> str:
    text_cols = {k for k, v in enumerate(t.rows[0]) if _is_text(k, v)} if t.rows else set()
    head = "".join(
        f'<th class="text">{esc(c)}</th>' if k in text_cols else f"<th>{esc(c)}</th>"
        for k, c in enumerate(t.columns)
    )
    body = []
    for row in t.rows:
        cells = "".join(
            f'<td class="text">{esc(v)}</td>' if _is_text(k, v) else f"<td>{esc(v)}</td>"
            for k, v in enumerate(row)
        )
        attr = f' data-cam="{esc(row[0])}"' if t.key == "cameras" else ""
        body.append(f"<tr{attr}>{cells}</tr>")
    note = f'<p class="note">{esc(t.note)}</p>' if t.note else ""
    return (
        f'<section class="table" id="table-{esc(t.key)}"><h2>{esc(t.title)}</h2>{note}'
        f'<div class="scroll"><table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _legend(data: ReportData) -> str:
    items = []
    for layer in data.layers:
        items.append(
            f'<label class="layer-toggle"><input type="checkbox" checked '
            f'data-layer="{esc(layer.key)}"><span class="swatch" '
            f'style="background:{layer.colour}"></span>{esc(layer.title)} '
            f'<span class="count">{len(layer.cameras)}</span></label>'
        )
    base = [
        ("views", "View areas"),
        ("sites", "Sites (coloured by coverage)"),
        ("buildings", "Buildings"),
        ("streets", "Streets"),
    ]
    for key, title in base:
        items.append(
            f'<label class="layer-toggle base-toggle"><input type="checkbox" checked '
            f'data-base="{key}">{esc(title)}</label>'
        )
    scale = "".join(
        f'<span style="background:{coverage_colour(f)}">{f:.0%}</span>'
        for f in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    return (
        '<fieldset id="layers"><legend>Layers</legend>'
        + "".join(items)
        + f'<div class="coverage-scale" title="site coverage">{scale}</div></fieldset>'
    )


def render_html(data: ReportData) -> str:
    """The whole page as text."""
    frame = Frame.of(data)
    payload = {
        "layers": [
            {"key": lay.key, "title": lay.title, "colour": lay.colour, "count": len(lay.cameras)}
            for lay in data.layers
        ],
        "cameras": {
            lay.key: {d["id"]: camera_details(d, years=lay.years) for d in lay.details}
            for lay in data.layers
        },
        "sites": [s.details for s in data.sites],
        "frame": {"width": frame.width, "height": frame.height},
    }
    headline = "".join(
        f'<div class="card"><div class="label">{esc(k)}</div><div class="value">{esc(v)}</div>'
        "</div>"
        for k, v in data.headline
    )
    warnings = ""
    if data.warnings:
        warnings = (
            '<section id="warnings"><h2>Warnings</h2><ul>'
            + "".join(f"<li>{esc(w)}</li>" for w in data.warnings)
            + "</ul></section>"
        )
    chart = ""
    if data.by_year and len(data.by_year) > 1:
        chart = (
            '<section id="chart-section"><h2>Coverage by year</h2>'
            '<p class="note">Lines: share of all demand weight (solid) and of site demand '
            "(dashed) covered after each year; bars: that year's spend.</p>"
            f"{chart_svg(data.by_year)}</section>"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="civicam {esc(__version__)}">
<title>{esc(data.title)}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header>
<h1>{esc(data.title)}</h1>
<p class="subtitle">{esc(data.subtitle)}</p>
<div id="headline">{headline}</div>
</header>
<main>
<section id="map-section">
<div id="map-wrap">
{map_svg(data, frame)}
<div id="map-controls">
<button type="button" id="zoom-in" title="Zoom in">+</button>
<button type="button" id="zoom-out" title="Zoom out">−</button>
<button type="button" id="zoom-fit" title="Show the whole city">⤢</button>
</div>
<div id="north" title="Grid north of the map's UTM zone, within a degree of true north">
N<br>↑</div>
<div id="scalebar"><div class="bar"></div><span class="label"></span></div>
</div>
<aside id="panel">
{_legend(data)}
<div id="details"><p class="hint">Click a camera or a site for its details.</p></div>
</aside>
</section>
{warnings}
{chart}
{"".join(_table(t) for t in data.tables)}
</main>
<footer>
<p>Made by civicam {esc(__version__)} on {stamp}. civicam plans for places, not people:
detection and observation pixel densities only. Map data: {esc(data.model.city_name)};
OpenStreetMap data © OpenStreetMap contributors (ODbL).</p>
</footer>
<script type="application/json" id="civicam-data">{_script_json(payload)}</script>
<script>{_asset("viewer.js")}</script>
</body>
</html>
"""


def write_html(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path
