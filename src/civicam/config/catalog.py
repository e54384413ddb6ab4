"""Camera catalog section: the hardware a plan may choose from."""

from __future__ import annotations

from pydantic import Field, field_validator

from civicam.config.base import Section


class CameraModelConfig(Section):
    """One camera model as sold: optics, mounting and money."""

    name: str = Field(
        min_length=1,
        max_length=80,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._+-]*$",
        description="Model name shown in plans (letters, digits, space . _ + -).",
    )
    horizontal_resolution_px: int = Field(
        ge=160,
        le=32_768,
        description="Horizontal pixels of the image (for 360° cameras, of the panorama).",
    )
    horizontal_fov_deg: float = Field(
        gt=0,
        le=360,
        description="Horizontal field of view in degrees; 360 means one pose sees all around.",
    )
    mount_height_m: float = Field(
        ge=0.5, le=50, description="Height above the street the camera is mounted at, metres."
    )
    capital_cost: float = Field(
        ge=0, le=1e7, description="Price to buy and install one camera (plan currency)."
    )
    yearly_cost: float = Field(
        ge=0, le=1e7, description="Running cost per year: power, network, maintenance."
    )
    fixed_range_m: float | None = Field(
        None,
        gt=0,
        le=2_000,
        description=(
            "Optional hard limit on range (lens, IR illuminator); the useful range is the "
            "smaller of this and the range that holds the plan's pixel density."
        ),
    )


class CatalogConfig(Section):
    """The camera models a plan may choose from (each becomes its own candidate columns)."""

    cameras: list[CameraModelConfig] = Field(
        min_length=1, max_length=32, description="Camera models, at least one."
    )

    @field_validator("cameras")
    @classmethod
    def _unique_names(cls, cameras: list[CameraModelConfig]) -> list[CameraModelConfig]:
        seen: set[str] = set()
        for cam in cameras:
            if cam.name in seen:
                raise ValueError(f"camera name {cam.name!r} appears twice")
            seen.add(cam.name)
        return cameras
