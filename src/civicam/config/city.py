"""City coverage model settings: how demand and candidate poses are laid out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from civicam.config.base import Section

# Relative importance of one metre of street by OSM highway class. Places where
# people walk and stay weigh most; fast roads least (civicam watches places).
DEFAULT_STREET_WEIGHTS: dict[str, float] = {
    "pedestrian": 1.5,
    "living_street": 1.3,
    "footway": 1.2,
    "steps": 1.0,
    "platform": 1.0,
    "primary": 1.0,
    "secondary": 1.0,
    "tertiary": 1.0,
    "residential": 0.8,
    "unclassified": 0.7,
    "cycleway": 0.6,
    "path": 0.6,
    "service": 0.5,
    "track": 0.3,
    "primary_link": 0.3,
    "secondary_link": 0.3,
    "tertiary_link": 0.3,
    "trunk": 0.2,
    "trunk_link": 0.2,
    "motorway": 0.1,
    "motorway_link": 0.1,
}

# Highway values that are not open-air places a street camera could watch
# (indoor corridors, lifts) or are not built yet.
DEFAULT_EXCLUDED_HIGHWAYS: tuple[str, ...] = (
    "corridor",
    "elevator",
    "construction",
    "proposed",
    "abandoned",
    "razed",
    "bus_guideway",
    "raceway",
)

Density = Literal["detection", "observation"]


class CityModelConfig(Section):
    """Layout of demand points and candidate camera poses over a city."""

    density: Density = Field(
        "observation",
        description=(
            "IEC 62676-4 pixel density the plan must hold: 'detection' (25 px/m) or "
            "'observation' (62.5 px/m). civicam offers no other levels."
        ),
    )
    demand_spacing_m: float = Field(
        5.0, ge=0.5, le=100, description="Distance between demand points along a street, metres."
    )
    mount_spacing_m: float = Field(
        40.0, ge=2, le=1_000, description="Distance between camera mount points along a street."
    )
    mount_setback_m: float = Field(
        4.0,
        ge=0,
        le=50,
        description="Sideways offset of mount points from the street centre line (kerb/façade).",
    )
    intersection_mounts: bool = Field(
        True, description="Also offer a mount point at every street intersection."
    )
    mount_clearance_m: float = Field(
        0.25,
        ge=0.01,
        le=10,
        description="Mount points closer than this to a building are dropped (never inside one).",
    )
    mount_merge_m: float = Field(
        5.0,
        ge=0,
        le=100,
        description="Size of the grid cell within which mount points are merged into one.",
    )
    heading_step_deg: float = Field(
        45.0,
        ge=1,
        le=360,
        description="Angle between candidate headings of a directional camera, degrees.",
    )
    site_radius_m: float = Field(
        30.0,
        ge=0,
        le=5_000,
        description="Reach of a site without its own radius_m: demand this close gets its weight.",
    )
    street_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_STREET_WEIGHTS),
        description="Weight per metre of street by OSM highway class.",
    )
    other_street_weight: float = Field(
        0.5, ge=0, le=1_000, description="Weight per metre of a highway class not listed."
    )
    excluded_highways: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDED_HIGHWAYS),
        max_length=200,
        description="Highway classes that carry no demand and no mounts.",
    )
    view_arc_step_deg: float = Field(
        1.0,
        ge=0.1,
        le=10,
        description="Angle between rays drawing the arc of a view polygon (explanation only).",
    )

    @field_validator("street_weights")
    @classmethod
    def _weights_in_bounds(cls, weights: dict[str, float]) -> dict[str, float]:
        if len(weights) > 200:
            raise ValueError("at most 200 street classes")
        for key, value in weights.items():
            if not 0 <= value <= 1_000:
                raise ValueError(f"weight of {key!r} must be within 0..1000, got {value}")
        return weights
