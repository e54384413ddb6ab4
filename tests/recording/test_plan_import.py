"""Importing a planner's plan.geojson into the camera registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicam.config.loader import ConfigError
from civicam.recording.importers import cameras_from_plan, slug_from_plan_id


def _plan(path: Path, ids: list[str]) -> Path:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [24.94 + i * 1e-4, 60.17]},
            "properties": {"id": cam_id, "model": "dome", "heading_deg": 90.0},
        }
        for i, cam_id in enumerate(ids)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("helsinki_plan_2019_consultant:C-01", "helsinki_plan_2019_consultant-c-01"),
        ("HEL-E04", "hel-e04"),
        ("../../etc/passwd", "etc-passwd"),
        ("  Kamera Ä 7 ", "kamera-7"),
    ],
)
def test_plan_ids_become_path_safe_slugs(raw: str, slug: str) -> None:
    assert slug_from_plan_id(raw) == slug


def test_long_ids_keep_a_hash_so_they_stay_distinct() -> None:
    a = slug_from_plan_id("x" * 80 + "a")
    b = slug_from_plan_id("x" * 80 + "b")
    assert a != b and len(a) <= 64 and len(b) <= 64


def test_ids_with_nothing_usable_are_rejected() -> None:
    with pytest.raises(ValueError, match="camera id"):
        slug_from_plan_id(":::")


def test_merged_plan_imports_with_original_id_as_name(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "plan.geojson", ["helsinki_plan_2019_consultant:C-01", "new-3"])
    cams = cameras_from_plan(
        plan, url_template="rtsp://nvr/{id}", purpose="Square safety", owner="Public works"
    )
    assert [c.id for c in cams] == ["helsinki_plan_2019_consultant-c-01", "new-3"]
    assert cams[0].name == "helsinki_plan_2019_consultant:C-01"
    assert cams[0].url == "rtsp://nvr/helsinki_plan_2019_consultant-c-01"


def test_ids_that_collide_after_conversion_are_an_error(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "plan.geojson", ["Cam 1", "cam-1"])
    with pytest.raises(ConfigError, match=r"feature 1: camera id 'cam-1'.*repeats feature 0"):
        cameras_from_plan(
            plan, url_template="rtsp://nvr/{id}", purpose="Square safety", owner="Public works"
        )
