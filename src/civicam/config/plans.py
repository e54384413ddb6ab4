"""Settings for working with whole networks: existing cameras, earlier plans, rollouts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from civicam.config.base import Section

RolloutOrder = Literal["sites-first", "coverage"]


class PlansConfig(Section):
    """How existing cameras and imported plans are read, judged, merged and phased."""

    redundancy_threshold: float = Field(
        0.05,
        ge=0,
        le=1,
        description=(
            "A camera is redundant when removing it loses at most this fraction of the "
            "weight it credits on its own (the rest is already seen by other cameras)."
        ),
    )
    uncovered_site_below: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A site counts as left uncovered when its coverage fraction is below this.",
    )
    facade_snap_m: float = Field(
        2.0,
        ge=0,
        le=20,
        description=(
            "A camera digitised up to this far inside a building footprint is moved out to "
            "its façade (with a warning); deeper inside is an error."
        ),
    )
    duplicate_distance_m: float = Field(
        1.0,
        ge=0,
        le=50,
        description=(
            "Cameras of the same model closer than this, with headings within "
            "duplicate_heading_deg, are the same camera (merged across plans, warned within one)."
        ),
    )
    duplicate_heading_deg: float = Field(
        10.0, ge=0, le=180, description="Heading tolerance of duplicate_distance_m, degrees."
    )
    rollout_order: RolloutOrder = Field(
        "sites-first",
        description=(
            "Order of a multi-year rollout: 'sites-first' installs cameras that add site "
            "coverage first (best site weight per cost), then the rest by weight per cost; "
            "'coverage' orders by total weight per cost only."
        ),
    )
    map_width_px: int = Field(
        1800, ge=400, le=8000, description="Width of map.png in pixels (height follows the city)."
    )
