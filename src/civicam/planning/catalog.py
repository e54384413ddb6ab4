"""Camera models and the range each holds at a DORI pixel density (pure logic).

IEC 62676-4 names four pixel densities. civicam plans for the first two only:
detection (25 px/m: is someone there) and observation (62.5 px/m: what is
happening). It never plans for recognition or identification densities, which
serve to tell people apart: civicam watches places, not people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

from civicam.config.catalog import CameraModelConfig, CatalogConfig
from civicam.config.city import Density
from civicam.config.loader import load_model

PIXELS_PER_METRE: Final[dict[Density, float]] = {"detection": 25.0, "observation": 62.5}


class CatalogError(ValueError):
    """A catalog that cannot be planned with (the message names file, model and problem)."""


def dori_range_m(resolution_px: int, fov_deg: float, density: Density) -> float:
    """Farthest distance at which ``density`` pixels per metre still fall on the target.

    Up to 180° the image is a flat projection: a target at distance d spans a
    width of ``2 d tan(fov/2)``. Wider views (panoramic, fisheye) spread their
    pixels over the arc ``fov_rad * d`` instead.
    """
    ppm = PIXELS_PER_METRE[density]
    half = math.radians(fov_deg) / 2.0
    if fov_deg < 180.0:
        return resolution_px / (2.0 * ppm * math.tan(half))
    return resolution_px / (ppm * 2.0 * half)


@dataclass(frozen=True)
class CameraSpec:
    """A catalog model with its planning range resolved for one density."""

    name: str
    resolution_px: int
    fov_deg: float
    mount_height_m: float
    capital_cost: float
    yearly_cost: float
    range_m: float
    """Horizontal reach on the ground: density range, capped by any fixed range,
    shortened by the mount height (the target is below the camera)."""

    @property
    def omni(self) -> bool:
        """A 360° camera: one pose sees all around, so it has no heading choice."""
        return self.fov_deg >= 360.0


def resolve_camera(model: CameraModelConfig, density: Density) -> CameraSpec:
    """Planning range of ``model`` at ``density``; :class:`CatalogError` if it cannot work."""
    slant = dori_range_m(model.horizontal_resolution_px, model.horizontal_fov_deg, density)
    if model.fixed_range_m is not None:
        slant = min(slant, model.fixed_range_m)
    if slant <= model.mount_height_m:
        raise CatalogError(
            f"camera {model.name!r}: at {density} density ({PIXELS_PER_METRE[density]} px/m) "
            f"its range is {slant:.1f} m, not more than its mount height "
            f"{model.mount_height_m} m, so it sees no street at all"
        )
    reach = math.sqrt(slant * slant - model.mount_height_m**2)
    return CameraSpec(
        name=model.name,
        resolution_px=model.horizontal_resolution_px,
        fov_deg=model.horizontal_fov_deg,
        mount_height_m=model.mount_height_m,
        capital_cost=model.capital_cost,
        yearly_cost=model.yearly_cost,
        range_m=reach,
    )


def resolve_catalog(catalog: CatalogConfig, density: Density) -> tuple[CameraSpec, ...]:
    """Every model of ``catalog`` resolved at ``density``."""
    return tuple(resolve_camera(m, density) for m in catalog.cameras)


def builtin_catalog_path() -> Path:
    """The catalog shipped with civicam (a few typical models)."""
    return Path(str(resources.files("civicam") / "data" / "cameras.yaml"))


def load_catalog(path: Path | None, density: Density) -> tuple[CameraSpec, ...]:
    """Read a catalog YAML (the built-in one when ``path`` is None) and resolve it.

    Raises :class:`~civicam.config.ConfigError` for schema errors (with YAML
    line) and :class:`CatalogError` for models that see nothing at ``density``.
    """
    source = builtin_catalog_path() if path is None else path
    config = load_model(source, CatalogConfig)
    try:
        return resolve_catalog(config, density)
    except CatalogError as exc:
        raise CatalogError(f"{source}: {exc}") from exc
