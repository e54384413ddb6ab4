"""map.png: a static overview map for documents, drawn with matplotlib (Agg, no display)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot: never look for a display

import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from civicam.planning.network import city_extent
from civicam.planning.report.data import ReportData
from civicam.planning.report.svg import MAJOR, PATHS, coverage_colour

_DPI = 150


def _polygon_path(geom: shapely.Geometry) -> MplPath | None:
    """One matplotlib path for a (multi)polygon, holes included (rings oriented for it)."""
    verts: list[Any] = []
    codes: list[int] = []
    oriented = shapely.orient_polygons(geom)
    for part in shapely.get_parts(oriented):
        if shapely.get_type_id(part) != 3:
            continue
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            verts.extend(xy)
            codes += [int(MplPath.MOVETO)]
            codes += [int(MplPath.LINETO)] * (len(xy) - 2) + [int(MplPath.CLOSEPOLY)]
    if not verts:
        return None
    return MplPath(np.asarray(verts), codes)


def _patches(geoms: Any) -> list[PathPatch]:
    out = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        path = _polygon_path(g)
        if path is not None:
            out.append(PathPatch(path))
    return out


def _nice_length(span_m: float) -> float:
    target = span_m / 5
    p = 10 ** math.floor(math.log10(target))
    return float(max(m * p for m in (1, 2, 5, 10) if m * p <= target))


def render_png(data: ReportData, path: Path, width_px: int = 1800) -> Path:
    """Write the overview map: city, sites by coverage, view areas and cameras by layer."""
    model = data.model
    xmin, ymin, xmax, ymax = city_extent(model)
    pad = 20.0
    w_m, h_m = xmax - xmin + 2 * pad, ymax - ymin + 2 * pad
    fig_w = width_px / _DPI
    map_h = fig_w * h_m / w_m
    fig = plt.figure(figsize=(fig_w, map_h + 0.9), dpi=_DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, map_h / (map_h + 0.9)))
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.patch.set_facecolor("white")
    ax.add_patch(
        PathPatch(
            MplPath(
                [
                    (xmin - pad, ymin - pad),
                    (xmax + pad, ymin - pad),
                    (xmax + pad, ymax + pad),
                    (xmin - pad, ymax + pad),
                    (xmin - pad, ymin - pad),
                ],
                closed=True,
            ),
            facecolor="#f3f1ec",
            edgecolor="none",
            zorder=0,
        )
    )
    widths = {"major": 2.2, "minor": 1.3, "path": 0.6}
    for cls, lw in widths.items():
        segs = []
        for geom, hw in zip(model.streets, model.street_class, strict=True):
            kind = "major" if hw in MAJOR else "path" if hw in PATHS else "minor"
            if kind == cls:
                segs += [np.asarray(p.coords) for p in shapely.get_parts(geom)]
        # A darker casing under each white street keeps streets legible on the pale ground.
        ax.add_collection(
            LineCollection(segs, colors="#bdb7aa", linewidths=lw + 0.9, zorder=1, capstyle="round")
        )
        ax.add_collection(
            LineCollection(segs, colors="#ffffff", linewidths=lw, zorder=1.1, capstyle="round")
        )
    ax.add_collection(
        PatchCollection(
            _patches(model.buildings),
            facecolor="#d8d2c6",
            edgecolor="#b9b1a3",
            linewidth=0.3,
            zorder=2,
        )
    )
    for site in data.sites:
        ax.add_collection(
            PatchCollection(
                _patches([site.reach]),
                facecolor=coverage_colour(site.coverage),
                edgecolor="#555555",
                linewidth=0.6,
                linestyle="--",
                alpha=0.45,
                zorder=3,
            )
        )
    handles: list[Any] = []
    for layer in data.layers:
        ax.add_collection(
            PatchCollection(
                _patches(layer.views),
                facecolor=layer.colour,
                edgecolor=layer.colour,
                linewidth=0.4,
                alpha=0.22,
                zorder=4,
            )
        )
        cams = layer.cameras
        if len(cams):
            ax.scatter(
                cams.xy[:, 0],
                cams.xy[:, 1],
                s=22,
                c=layer.colour,
                edgecolors="white",
                linewidths=0.8,
                zorder=6,
            )
            rad = np.radians(np.nan_to_num(cams.heading, nan=0.0))
            directional = ~np.isnan(cams.heading)
            tick = 12.0
            ax.add_collection(
                LineCollection(
                    [
                        [(x, y), (x + tick * np.sin(a), y + tick * np.cos(a))]
                        for (x, y), a, d in zip(cams.xy, rad, directional, strict=True)
                        if d
                    ],
                    colors=layer.colour,
                    linewidths=1.2,
                    zorder=5,
                )
            )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=layer.colour,
                markeredgecolor="white",
                markersize=7,
                label=f"{layer.title} ({len(cams)})",
            )
        )
    for site in data.sites:
        c = site.reach.centroid
        ax.annotate(
            f"{site.name}\n{site.coverage:.0%}",
            (c.x, c.y),
            fontsize=6.5,
            ha="center",
            va="center",
            zorder=7,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
        )
    for f in (0.0, 0.5, 1.0):
        handles.append(Patch(facecolor=coverage_colour(f), alpha=0.6, label=f"site {f:.0%}"))
    ax.legend(handles=handles, loc="upper left", fontsize=7, framealpha=0.9)
    # Scale bar and grid north.
    length = _nice_length(w_m)
    x0, y0 = xmin - pad + 0.04 * w_m, ymin - pad + 0.04 * h_m
    ax.plot([x0, x0 + length], [y0, y0], color="#1d2329", linewidth=2.5, zorder=8)
    ax.text(x0 + length / 2, y0 + 0.012 * h_m, f"{length:g} m", ha="center", fontsize=7, zorder=8)
    ax.annotate(
        "N",
        xy=(xmax + pad - 0.04 * w_m, ymax + pad - 0.03 * h_m),
        xytext=(xmax + pad - 0.04 * w_m, ymax + pad - 0.09 * h_m),
        ha="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "->", "lw": 1.5},
        zorder=8,
    )
    fig.text(0.01, 1 - 0.35 / (map_h + 0.9), data.title, fontsize=11, fontweight="bold")
    fig.text(0.01, 1 - 0.7 / (map_h + 0.9), data.subtitle, fontsize=7, color="#5b6670")
    fig.text(
        0.99,
        0.004,
        "OpenStreetMap data © OpenStreetMap contributors (ODbL) · civicam",
        fontsize=5.5,
        ha="right",
        color="#5b6670",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path
