"""The bundled-city demo wiring (with coarse settings, so it stays quick)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from civicam.config.city import CityModelConfig
from civicam.planning import demo_city


def test_run_city_demo_merges_earlier_plans_over_four_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coarse = CityModelConfig(
        demand_spacing_m=10, mount_spacing_m=200, intersection_mounts=False, heading_step_deg=90
    )
    monkeypatch.setattr(demo_city, "CityModelConfig", lambda: coarse)
    monkeypatch.setattr(demo_city, "DEMO_TIME_LIMIT_S", 2.0)
    buffer = io.StringIO()
    out = tmp_path / "out"
    summary = demo_city.run_city_demo(
        out, Console(file=buffer, width=120), cache_dir=tmp_path / "cache"
    )
    assert summary == json.loads((out / "summary.json").read_text())
    assert summary["objective"] == "merge" and summary["city"] == "Helsinki.osm.pbf"
    assert summary["budgets_by_year"] == [demo_city.DEMO_BUDGET_PER_YEAR] * demo_city.DEMO_YEARS
    assert summary["cost"] <= demo_city.DEMO_BUDGET_PER_YEAR * demo_city.DEMO_YEARS
    assert summary["n_existing"] == 5 and len(summary["sites"]) == 7
    assert [p["cameras"] for p in summary["merge"]["plans"]] == [8, 6]
    assert len(summary["coverage_by_year"]) == demo_city.DEMO_YEARS + 1
    for name in ("report.html", "map.png", "plan.geojson", "compare/compare.html"):
        assert (out / name).is_file()
    text = buffer.getvalue()
    assert "Merged plan for Helsinki.osm.pbf" in text and "Rollout by year" in text
    assert f"report: {out / 'report.html'}" in text
