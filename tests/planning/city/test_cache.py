"""The on-disk model cache: a faithful round trip, keys that follow the inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

from civicam.config.city import CityModelConfig
from civicam.planning import model_cache
from civicam.planning.catalog import load_catalog
from civicam.planning.city_plan import obtain_model


def test_round_trip_keeps_every_array_and_geometry(
    tmp_path: Path, grid_city: Path, grid_sites: Path, coarse_settings: CityModelConfig
) -> None:
    first = obtain_model(grid_city, grid_sites, None, coarse_settings, cache_dir=tmp_path)
    second = obtain_model(grid_city, grid_sites, None, coarse_settings, cache_dir=tmp_path)
    assert not first.from_cache and second.from_cache
    a, b = first.model, second.model
    assert (a.matrix != b.matrix).nnz == 0 and a.matrix.shape == b.matrix.shape
    for name in ("xy", "weight", "requirement", "street_class", "site_ptr", "site_rows"):
        assert np.array_equal(getattr(a.demand, name), getattr(b.demand, name)), name
    assert np.array_equal(a.mounts, b.mounts)
    assert np.array_equal(a.poses.heading_deg, b.poses.heading_deg)
    assert np.array_equal(a.pose_model, b.pose_model)
    assert a.cameras == b.cameras and a.crs == b.crs
    assert [s.name for s in a.sites] == [s.name for s in b.sites]
    assert shapely.equals_exact(a.views, b.views, tolerance=0).all()
    assert shapely.equals_exact(a.buildings, b.buildings, tolerance=0).all()


def test_key_changes_with_settings_catalog_and_sites(
    grid_sites: Path, coarse_settings: CityModelConfig
) -> None:
    from civicam.planning.city.sites import read_sites

    sites = read_sites(grid_sites)
    cams = load_catalog(None, "observation")
    base = model_cache.cache_key("abc", sites, cams, coarse_settings)
    assert base == model_cache.cache_key("abc", sites, cams, coarse_settings)
    assert base != model_cache.cache_key("abd", sites, cams, coarse_settings)
    assert base != model_cache.cache_key("abc", sites[:1], cams, coarse_settings)
    assert base != model_cache.cache_key("abc", sites, cams[:1], coarse_settings)
    other = coarse_settings.model_copy(update={"demand_spacing_m": 6.0})
    assert base != model_cache.cache_key("abc", sites, cams, other)


def test_damaged_entry_is_rebuilt(
    tmp_path: Path, grid_city: Path, grid_sites: Path, coarse_settings: CityModelConfig
) -> None:
    run = obtain_model(grid_city, grid_sites, None, coarse_settings, cache_dir=tmp_path)
    entry = tmp_path / f"{run.cache_key}.npz"
    entry.write_bytes(b"garbage")
    assert model_cache.load(tmp_path, run.cache_key) is None
    again = obtain_model(grid_city, grid_sites, None, coarse_settings, cache_dir=tmp_path)
    assert not again.from_cache
    assert model_cache.load(tmp_path, run.cache_key) is not None
