"""Camera catalog: DORI ranges (detection and observation only) and catalog errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from civicam.config.catalog import CameraModelConfig
from civicam.config.city import CityModelConfig
from civicam.config.loader import ConfigError
from civicam.planning.catalog import (
    PIXELS_PER_METRE,
    CatalogError,
    dori_range_m,
    load_catalog,
    resolve_camera,
)


def test_only_detection_and_observation_densities_exist() -> None:
    assert PIXELS_PER_METRE == {"detection": 25.0, "observation": 62.5}
    for level in ("recognition", "identification"):
        with pytest.raises(ValidationError):
            CityModelConfig.model_validate({"density": level})


def test_dori_range_of_a_flat_image() -> None:
    # 1920 px over a 90° view: the scene is 2d wide at distance d.
    assert math.isclose(dori_range_m(1920, 90.0, "observation"), 1920 / (2 * 62.5))
    assert math.isclose(dori_range_m(1920, 90.0, "detection"), 1920 / (2 * 25.0))
    # Narrower lens, same sensor: longer range.
    assert dori_range_m(1920, 30.0, "observation") > dori_range_m(1920, 90.0, "observation")


def test_dori_range_of_a_panorama_spreads_pixels_over_the_arc() -> None:
    assert math.isclose(dori_range_m(7680, 360.0, "observation"), 7680 / (62.5 * 2 * math.pi))


def model(**overrides: object) -> CameraModelConfig:
    base: dict[str, object] = {
        "name": "cam",
        "horizontal_resolution_px": 1920,
        "horizontal_fov_deg": 90,
        "mount_height_m": 5,
        "capital_cost": 1000,
        "yearly_cost": 100,
    }
    return CameraModelConfig.model_validate({**base, **overrides})


def test_reach_on_the_ground_accounts_for_mount_height_and_fixed_range() -> None:
    slant = 1920 / (2 * 62.5)
    cam = resolve_camera(model(), "observation")
    assert math.isclose(cam.range_m, math.sqrt(slant**2 - 25))
    capped = resolve_camera(model(fixed_range_m=10), "observation")
    assert math.isclose(capped.range_m, math.sqrt(100 - 25))


def test_camera_mounted_above_its_range_is_impossible() -> None:
    with pytest.raises(CatalogError, match="sees no street"):
        resolve_camera(model(horizontal_resolution_px=160, horizontal_fov_deg=170), "observation")


def test_builtin_catalog_loads_at_both_densities() -> None:
    obs = load_catalog(None, "observation")
    det = load_catalog(None, "detection")
    assert len(obs) >= 3 and any(c.omni for c in obs)
    for o, d in zip(obs, det, strict=True):
        assert d.range_m >= o.range_m > 0


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


GOOD = """cameras:
  - name: a
    horizontal_resolution_px: 1920
    horizontal_fov_deg: 90
    mount_height_m: 4
    capital_cost: 500
    yearly_cost: 50
"""


def test_catalog_file_round_trip(tmp_path: Path) -> None:
    (cam,) = load_catalog(write(tmp_path, GOOD), "detection")
    assert cam.name == "a" and cam.capital_cost == 500


def test_impossible_values_name_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("horizontal_fov_deg: 90", "horizontal_fov_deg: 400"))
    with pytest.raises(ConfigError, match=r"catalog\.yaml:4:5: cameras\.0\.horizontal_fov_deg"):
        load_catalog(path, "observation")
    path = write(tmp_path, GOOD.replace("capital_cost: 500", "capital_cost: -1"))
    with pytest.raises(ConfigError, match=r"catalog\.yaml:6:5: cameras\.0\.capital_cost"):
        load_catalog(path, "observation")


def test_unknown_keys_and_densities_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "    pixels_per_metre: 250\n")
    with pytest.raises(ConfigError, match="pixels_per_metre: Extra inputs are not permitted"):
        load_catalog(path, "observation")


def test_camera_that_cannot_reach_the_ground_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("mount_height_m: 4", "mount_height_m: 40"))
    with pytest.raises(CatalogError, match=r"catalog\.yaml: camera 'a'.*sees no street"):
        load_catalog(path, "observation")


def test_duplicate_model_names_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + GOOD.removeprefix("cameras:\n"))
    with pytest.raises(ConfigError, match="appears twice"):
        load_catalog(path, "observation")
