"""Privacy settings: masks, person redaction and unmasking.

Masks are polygons in *normalised* image coordinates: ``[x, y]`` with x and y in
[0, 1] as fractions of the frame's width and height, so one mask fits a camera's
main stream, its sub stream and any downscaled view alike::

    privacy:
      masks:
        market-square-1:
          - [[0.62, 0.10], [0.80, 0.10], [0.80, 0.35], [0.62, 0.35]]  # flat window
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from civicam.config.base import Section
from civicam.config.ids import validate_camera_id

NormPoint = tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]]
MaskPolygon = Annotated[list[NormPoint], Field(min_length=3, max_length=1000)]

_ROLE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

#: Roles that may unmask (and hold footage) unless the site configures otherwise.
DEFAULT_UNMASK_ROLES = ("admin", "supervisor")


class PrivacyConfig(Section):
    """What is hidden by default in live view, playback, snapshots and exports."""

    redact_persons: bool = Field(
        True, description="Blur every detected person in snapshots and exports."
    )
    redaction_min_score: float = Field(
        0.25,
        ge=0.01,
        le=1,
        description="Smallest detector score blurred. Keep it below analysis.detection."
        "min_score: a doubtful person is still hidden (exports use the lower of the two).",
    )
    redaction_tiles: int = Field(
        2,
        ge=1,
        le=4,
        description="Besides the whole frame, run the detector on an N x N grid of "
        "overlapping tiles so small, distant people are found (1: whole frame only).",
    )
    redaction_fps: float = Field(
        5.0,
        gt=0,
        le=120,
        description="Frames per second the detector looks at when redacting (every frame "
        "when the video's rate is lower); frames in between are covered because each box "
        "lasts at least until the next detection (see smoothing_frames).",
    )
    smoothing_frames: int = Field(
        5,
        ge=0,
        le=250,
        description="A person box also covers this many frames before and after the frame it "
        "was found in, so a missed detection does not reveal anyone (raised to the gap "
        "between detector runs when that is longer).",
    )
    box_dilation: float = Field(
        0.2,
        ge=0,
        le=2,
        description="Grow every person box by this fraction of its size on each side "
        "before blurring.",
    )
    blur_strength: Literal["strong", "maximum"] = Field(
        "strong",
        description="Coarseness of the blur: about 6 ('strong') or 3 ('maximum') blocks "
        "across a box's shorter side.",
    )
    masks: dict[str, list[MaskPolygon]] = Field(
        default_factory=dict,
        description="Privacy masks burned into live view, playback and exports: camera id -> "
        "polygons [[x, y], ...] in normalised image coordinates (0..1). Recordings on disk "
        "stay unmasked.",
    )
    unmask_roles: list[str] = Field(
        default_factory=lambda: list(DEFAULT_UNMASK_ROLES),
        min_length=1,
        max_length=20,
        description="Roles that may unmask a camera (with a reason, for a limited time, "
        "logged) or export without person redaction.",
    )
    hold_roles: list[str] = Field(
        default_factory=lambda: list(DEFAULT_UNMASK_ROLES),
        min_length=1,
        max_length=20,
        description="Roles that may hold footage for a case (kept past retention) and "
        "release holds.",
    )
    unmask_max_minutes: float = Field(
        30.0, gt=0, le=1440, description="Longest an unmask grant may last, in minutes."
    )

    @field_validator("masks")
    @classmethod
    def _mask_cameras(
        cls, value: dict[str, list[list[tuple[float, float]]]]
    ) -> dict[str, list[list[tuple[float, float]]]]:
        for camera_id, polygons in value.items():
            validate_camera_id(camera_id)
            if len(polygons) > 100:
                raise ValueError(f"camera {camera_id!r}: at most 100 mask polygons")
        return value

    @field_validator("unmask_roles", "hold_roles")
    @classmethod
    def _role_names(cls, value: list[str]) -> list[str]:
        for role in value:
            if not _ROLE_RE.fullmatch(role):
                raise ValueError(f"role {role!r} must be a slug (a-z, 0-9, '-', '_')")
        return value

    @model_validator(mode="after")
    def _masks_have_area(self) -> PrivacyConfig:
        for camera_id, polygons in self.masks.items():
            for n, poly in enumerate(polygons):
                area = 0.0
                for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
                    area += x0 * y1 - x1 * y0
                if abs(area) / 2 < 1e-6:
                    raise ValueError(f"camera {camera_id!r}: mask polygon {n} has no area")
        return self

    def may_unmask(self, role: str) -> bool:
        """Whether ``role`` holds the unmask privilege (also needed to export unredacted)."""
        return role in self.unmask_roles

    def may_hold(self, role: str) -> bool:
        """Whether ``role`` may create and release holds."""
        return role in self.hold_roles
