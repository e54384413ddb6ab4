"""The bundled-city demo wiring (with coarse settings, so it stays quick)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from civicam.config.city import CityModelConfig
from civicam.planning import demo_city


def test_run_city_demo_writes_outputs_and_returns_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coarse = CityModelConfig(
        demand_spacing_m=10, mount_spacing_m=200, intersection_mounts=False, heading_step_deg=90
    )
    monkeypatch.setattr(demo_city, "CityModelConfig", lambda: coarse)
    monkeypatch.setattr(demo_city, "DEMO_BUDGET", 5000.0)
    monkeypatch.setattr(demo_city, "DEMO_TIME_LIMIT_S", 2.0)
    buffer = io.StringIO()
    summary = demo_city.run_city_demo(
        tmp_path / "out", Console(file=buffer, width=120), cache_dir=tmp_path / "cache"
    )
    assert summary == json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["budget"] == 5000.0 and summary["cost"] <= 5000.0
    assert summary["city"] == "Helsinki.osm.pbf" and len(summary["sites"]) == 7
    assert "Plan for Helsinki.osm.pbf" in buffer.getvalue()
