"""SVG for the report: the city map with its layers, and the coverage-by-year chart.

The map is drawn in the model's metric CRS (1 SVG unit = 1 m, y flipped so
grid north is up), which keeps shapes true and makes the scale bar exact. The
page works without JavaScript as a static map; the viewer script only adds
pan, zoom, layer switches and details on click.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray

from civicam.planning.network import city_extent
from civicam.planning.report.data import MapLayer, ReportData

MAJOR: Final = frozenset(
    {"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link"}
    | {"primary_link", "secondary_link", "tertiary_link"}
)
PATHS: Final = frozenset({"footway", "path", "cycleway", "steps", "track", "bridleway"})
NOMINAL_WIDTH_PX: Final = 1100.0  # marker size of the static (no script) view assumes this width
_PAD: Final = 20.0  # metres around the city


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def coverage_colour(f: float) -> str:
    """Red (0) through yellow (0.5) to green (1): the ColorBrewer RdYlGn end points."""
    stops = [(0.0, (215, 48, 39)), (0.5, (254, 224, 139)), (1.0, (26, 152, 80))]
    f = min(1.0, max(0.0, f))
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if f <= b:
            t = (f - a) / (b - a)
            rgb = [round(x + (y - x) * t) for x, y in zip(ca, cb, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#1a9850"


@dataclass(frozen=True)
class Frame:
    """Metric CRS to SVG: shift to the city's top-left corner and flip y."""

    x0: float
    y0: float
    width: float
    height: float

    @classmethod
    def of(cls, data: ReportData) -> Frame:
        xmin, ymin, xmax, ymax = city_extent(data.model)
        return cls(xmin - _PAD, ymax + _PAD, xmax - xmin + 2 * _PAD, ymax - ymin + 2 * _PAD)

    def xy(self, pts: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack([pts[:, 0] - self.x0, self.y0 - pts[:, 1]])

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.1f} {self.height:.1f}"


def _ring(frame: Frame, coords: NDArray[np.float64], close: bool) -> str:
    p = frame.xy(coords)
    body = "L".join(f"{x:.1f},{y:.1f}" for x, y in p)
    return f"M{body}{'Z' if close else ''}"


def path_d(frame: Frame, geom: shapely.Geometry) -> str:
    """SVG path data of a (multi)polygon or (multi)line in the metric CRS."""
    parts: list[str] = []
    for part in shapely.get_parts(geom):
        kind = shapely.get_type_id(part)
        if kind == 3:  # Polygon
            rings = [part.exterior, *part.interiors]
            parts += [_ring(frame, np.asarray(r.coords), True) for r in rings if len(r.coords)]
        elif kind in (1, 2):  # LineString, LinearRing
            coords = np.asarray(part.coords)
            if len(coords) >= 2:
                parts.append(_ring(frame, coords, False))
        elif kind == 7:  # GeometryCollection from make_valid: recurse
            parts.append(path_d(frame, part))
    return "".join(parts)


def _street_class(highway: str) -> str:
    if highway in MAJOR:
        return "major"
    if highway in PATHS:
        return "path"
    return "minor"


def _glyph(cams_fov: float, heading: float) -> str:
    """Marker in screen pixels (scaled by --mk): a field-of-view wedge and a dot."""
    if cams_fov >= 360 or np.isnan(heading):
        fov = '<circle class="fov" r="11"/>'
    else:
        half = min(cams_fov, 170.0) / 2.0
        a = np.radians(half)
        r = 15.0
        x, y = r * np.sin(a), -r * np.cos(a)
        fov = (
            f'<g transform="rotate({heading:.1f})"><path class="fov" '
            f'd="M0,0L{-x:.2f},{y:.2f}A{r},{r} 0 0 1 {x:.2f},{y:.2f}Z"/></g>'
        )
    return f'<g class="glyph">{fov}<circle class="dot" r="4.5"/></g>'


def map_svg(data: ReportData, frame: Frame) -> str:
    """The whole map as one SVG element (id ``map``)."""
    model = data.model
    out: list[str] = []
    mk = frame.width / NOMINAL_WIDTH_PX
    out.append(
        f'<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="{frame.view_box}" '
        f'preserveAspectRatio="xMidYMid meet" style="--mk:{mk:.4f}" role="img" '
        f'aria-label="Map of {esc(model.city_name)} with cameras and sites">'
    )
    out.append(
        f'<rect class="bg" x="{-frame.width:.0f}" y="{-frame.height:.0f}" '
        f'width="{3 * frame.width:.0f}" height="{3 * frame.height:.0f}"/>'
    )
    out.append('<g id="layer-streets" class="base">')
    for geom, cls in zip(model.streets, model.street_class, strict=True):
        out.append(f'<path class="street {_street_class(str(cls))}" d="{path_d(frame, geom)}"/>')
    out.append("</g>")
    out.append('<g id="layer-buildings" class="base">')
    for geom in model.buildings:
        out.append(f'<path class="building" d="{path_d(frame, geom)}"/>')
    out.append("</g>")
    out.append('<g id="layer-sites">')
    for k, site in enumerate(data.sites):
        out.append(
            f'<path class="site" data-site="{k}" fill="{coverage_colour(site.coverage)}" '
            f'd="{path_d(frame, site.reach)}"><title>{esc(site.name)}: '
            f"{site.coverage:.0%} covered</title></path>"
        )
    out.append("</g>")
    out.append('<g id="layer-views">')
    for layer in data.layers:
        out.append(_views(frame, layer))
    out.append("</g>")
    out.append('<g id="layer-cameras">')
    for layer in data.layers:
        out.append(_cameras(frame, layer))
    out.append("</g>")
    out.append('<g id="layer-site-labels">')
    for k, site in enumerate(data.sites):
        c = site.reach.centroid
        x, y = frame.xy(np.array([[c.x, c.y]]))[0]
        out.append(
            f'<g class="site-label" data-site="{k}" transform="translate({x:.1f},{y:.1f})">'
            f'<g class="glyph"><circle r="6" fill="{coverage_colour(site.coverage)}"/>'
            f'<text x="9" y="4">{esc(site.name)} · {site.coverage:.0%}</text></g></g>'
        )
    out.append("</g></svg>")
    return "".join(out)


def _views(frame: Frame, layer: MapLayer) -> str:
    parts = [
        f'<g class="views" data-layer="{esc(layer.key)}" fill="{layer.colour}" '
        f'stroke="{layer.colour}">'
    ]
    for cam_id, view in zip(layer.cameras.ids, layer.views, strict=True):
        d = path_d(frame, view) if view is not None and not view.is_empty else ""
        parts.append(f'<path class="view" data-cam="{esc(cam_id)}" d="{d}"/>')
    parts.append("</g>")
    return "".join(parts)


def _cameras(frame: Frame, layer: MapLayer) -> str:
    cams = layer.cameras
    pts = frame.xy(cams.xy)
    parts = [
        f'<g class="cams" data-layer="{esc(layer.key)}" fill="{layer.colour}" '
        f'data-title="{esc(layer.title)}">'
    ]
    for j in range(len(cams)):
        x, y = pts[j]
        parts.append(
            f'<g class="cam" data-cam="{esc(cams.ids[j])}" data-layer="{esc(layer.key)}" '
            f'transform="translate({x:.1f},{y:.1f})" tabindex="0">'
            f"<title>{esc(cams.ids[j])} ({esc(cams.model[j])})</title>"
            f"{_glyph(float(cams.fov[j]), float(cams.heading[j]))}</g>"
        )
    parts.append("</g>")
    return "".join(parts)


def chart_svg(by_year: list[dict[str, Any]]) -> str:
    """Coverage after each year (line: all demand; dashed: sites) over yearly spend (bars)."""
    w, h = 760.0, 300.0
    left, right, top, bottom = 56.0, 70.0, 20.0, 40.0
    pw, ph = w - left - right, h - top - bottom
    n = len(by_year)
    step = pw / max(n, 1)
    xs = [left + step * (i + 0.5) for i in range(n)]
    spend = [float(r.get("spend") or 0.0) for r in by_year]
    top_spend = max(spend) if max(spend, default=0) > 0 else 1.0
    out = [
        f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0f} {h:.0f}" '
        'role="img" aria-label="Coverage by year">'
    ]
    for q in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + ph * (1 - q)
        out.append(f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">')
        out.append(f"{q:.0%}</text>")
        out.append(
            f'<text class="axis spend" x="{left + pw + 8}" y="{y + 4:.1f}">'
            f"{q * top_spend:,.0f}</text>"
        )
    bw = step * 0.5
    for x, s, r in zip(xs, spend, by_year, strict=True):
        bh = ph * s / top_spend
        out.append(
            f'<rect class="bar" x="{x - bw / 2:.1f}" y="{top + ph - bh:.1f}" width="{bw:.1f}" '
            f'height="{bh:.1f}"><title>year {r["year"]}: spend {s:,.0f}</title></rect>'
        )
        out.append(
            f'<text class="axis" x="{x:.1f}" y="{h - bottom + 18:.1f}" text-anchor="middle">'
            f"year {r['year']}</text>"
        )

    def line(key: str, cls: str, below: bool) -> None:
        pts = [(x, top + ph * (1 - float(r[key]))) for x, r in zip(xs, by_year, strict=True)]
        d = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f'<path class="{cls}" d="{d}"/>')
        for (x, y), r in zip(pts, by_year, strict=True):
            out.append(
                f'<circle class="{cls}-pt" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                f"<title>year {r['year']}: {float(r[key]):.1%}</title></circle>"
            )
            # Labels of the lower line go under its points so the two sets do not collide.
            ty = y + 18 if below and y + 18 < top + ph - 4 else y - 9
            out.append(
                f'<text class="val {cls}-val" x="{x:.1f}" y="{ty:.1f}" '
                f'text-anchor="middle">{float(r[key]):.0%}</text>'
            )

    sites_higher = sum(float(r["site_coverage_fraction"]) for r in by_year) >= sum(
        float(r["coverage_fraction"]) for r in by_year
    )
    line("site_coverage_fraction", "sites-line", below=not sites_higher)
    line("coverage_fraction", "cov-line", below=sites_higher)
    out.append(
        f'<text class="axis" x="{left}" y="{h - 6:.0f}">coverage (left), yearly spend '
        "(bars, right)</text>"
    )
    out.append("</svg>")
    return "".join(out)
