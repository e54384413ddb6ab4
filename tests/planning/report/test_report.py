"""report.html and map.png: self-contained, complete, escaped; the demo data behaves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image

from civicam.config.city import CityModelConfig
from civicam.planning.city_plan import Budget, ModelRun, PlanResult, obtain_model, plan_city
from civicam.planning.plans import Comparison
from civicam.planning.report import comparison_report, plan_report, write_report
from civicam.planning.report.html import render_html
from tests.planning.city.conftest import feature, grid_city_features, write_collection
from tests.planning.report.conftest import CFG, COARSE


def _data_json(html: str) -> dict[str, object]:
    m = re.search(r'<script type="application/json" id="civicam-data">(.*?)</script>', html, re.S)
    assert m is not None
    return dict(json.loads(m.group(1)))


def test_plan_report_is_self_contained_and_complete(
    helsinki_merge: PlanResult, tmp_path: Path
) -> None:
    data = plan_report(helsinki_merge, CFG.redundancy_threshold, COARSE.site_radius_m)
    paths = write_report(data, tmp_path, width_px=900)
    html = paths["report"].read_text()
    # Nothing to fetch: no src/href attributes, no URL but the SVG namespace name.
    assert not re.search(r"\b(src|href)\s*=", html)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in html and "url(" not in html
    net = helsinki_merge.cameras
    assert html.count('class="cam"') == len(net) == html.count('class="view"')
    payload = _data_json(html)
    layers = payload["layers"]
    assert isinstance(layers, list)
    assert [layer["key"] for layer in layers] == [
        "existing",
        "phase-1",
        "phase-2",
        "phase-3",
        "phase-4",
    ]
    assert sum(layer["count"] for layer in layers) == len(net)
    assert html.count('class="site"') == 7
    for table in ("years", "sites", "existing", "merge", "cameras"):
        assert f'id="table-{table}"' in html
    assert 'id="chart"' in html
    with Image.open(paths["map"]) as img:
        assert img.size[0] == 900 and img.size[1] > 900
        assert np.asarray(img.convert("L")).std() > 10  # a drawing, not a blank page


def test_comparison_report_has_a_layer_per_plan(
    helsinki_compare: Comparison, tmp_path: Path
) -> None:
    data = comparison_report(helsinki_compare, CFG.redundancy_threshold, COARSE.site_radius_m)
    html = render_html(data)
    payload = _data_json(html)
    keys = [layer["key"] for layer in payload["layers"]]  # type: ignore[attr-defined]
    assert keys == ["existing", "plan-1", "plan-2"]
    assert 'id="table-plans"' in html and 'id="table-overlap"' in html


def test_names_from_files_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    evil = '</script><script>alert(1)</script> & "quotes"'
    city = write_collection(tmp_path / "city.geojson", grid_city_features())
    sites = write_collection(
        tmp_path / "sites.geojson",
        [feature(shapely.Point(100, 100), name=evil, weight=5, radius_m=15)],
    )
    run: ModelRun = obtain_model(
        city,
        sites,
        None,
        CityModelConfig(mount_spacing_m=100, heading_step_deg=90),
        cache_dir=None,
    )
    result = plan_city(run, Budget(total=3000), time_limit_s=1)
    html = render_html(plan_report(result, 0.05, 30.0))
    assert "<script>alert(1)" not in html
    assert html.count("<script") == 2  # the JSON payload and the viewer, nothing else
    payload = _data_json(html)
    assert payload["sites"][0]["Site"] == evil  # type: ignore[index]


@pytest.mark.parametrize("kind", ["existing", "plans"])
def test_demo_files_read_cleanly(helsinki_compare: Comparison, kind: str) -> None:
    # The bundled examples: the consultant's plan is in ETRS-TM35FIN, one existing camera
    # and one planned camera are models the catalog lacks (optics and cost in the file).
    s = helsinki_compare.summary
    if kind == "existing":
        assert s["existing"]["n_cameras"] == 5
    else:
        assert [p["n_cameras"] for p in s["plans"]] == [8, 6]
        assert (
            s["overlap"]["shared"]["helsinki_plan_2019_consultant"]["helsinki_plan_2022_district"]
            > 0
        )  # C-03 and D5 are one camera
