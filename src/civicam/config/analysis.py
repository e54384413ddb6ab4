"""Analysis settings: motion, tracking, detection and per-camera zones and masks.

Detection stops at object classes. ``detection.type`` names an *output format* of
an object-class detector (SSD-style or YOLO-style boxes with class scores), and
``detection.classes`` must come from civicam's object-class vocabulary; these are
the only choices, so configuration can only ever select an object-class detector.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from civicam.analysis.labels import is_object_class
from civicam.analysis.motion import MotionParams
from civicam.analysis.tracker import TrackerParams
from civicam.config.base import Section
from civicam.config.ids import validate_camera_id

#: The only detector types civicam accepts: detectors of object classes.
DETECTOR_TYPES = ("ssd", "yolo")

_ZONE_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")

Point = tuple[Annotated[float, Field(ge=0, le=100_000)], Annotated[float, Field(ge=0, le=100_000)]]
PolygonPoints = Annotated[list[Point], Field(min_length=3, max_length=1000)]


class MotionConfig(Section):
    """Motion detection on downscaled grey frames."""

    threshold: float = Field(
        25.0,
        ge=1,
        le=255,
        description="Grey-level change (0-255, after normalising the frame mean) that is motion.",
    )
    min_area: float = Field(
        400.0, ge=1, le=10**8, description="Smallest motion box, in full-frame pixels."
    )
    downscale_width: int = Field(
        320,
        ge=32,
        le=3840,
        description="Approximate width analysed (frames shrink by an integer factor).",
    )
    learning_rate: float = Field(
        0.05, gt=0, le=1, description="Weight of each frame in the running-average background."
    )
    relight_fraction: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Share of the watched picture changing at once that is taken as lighting "
        "(the background is re-seeded, no motion reported).",
    )

    def params(self) -> MotionParams:
        """The pure module's parameters."""
        return MotionParams(**self.model_dump())


class TrackerConfig(Section):
    """The per-camera IoU tracker that turns detections into events."""

    iou_threshold: float = Field(
        0.3, gt=0, lt=1, description="Smallest box overlap (IoU) that continues a track."
    )
    max_missed_frames: int = Field(
        10,
        ge=0,
        le=1000,
        description="Analysed frames an object may go unseen before its event ends.",
    )
    max_track_points: int = Field(
        64, ge=2, le=10_000, description="Most boxes kept in an event's track (thinned evenly)."
    )

    def params(self) -> TrackerParams:
        """The pure module's parameters."""
        return TrackerParams(
            iou_threshold=self.iou_threshold,
            max_missed=self.max_missed_frames,
            max_track_points=self.max_track_points,
        )


class DetectionConfig(Section):
    """The object-class detector run on crops around motion.

    With no ``model`` this is the bundled SSDLite-MobileNetV2 person detector
    (converted to ONNX at first use and cached). A city can plug in another
    object-class detector as an ONNX file with a labels file, SSD-style (decoded
    boxes and class scores) or YOLO-style (rows of box and class scores).
    """

    type: Literal["ssd", "yolo"] = Field(
        "ssd",
        description="Output format of an object-class detector (SSD-style or YOLO-style "
        "boxes with class scores); the only two choices.",
    )
    model: Path | None = Field(
        None,
        description="An ONNX object-class detector to use instead of the bundled SSDLite "
        "person model (needs `labels`).",
    )
    labels: Path | None = Field(
        None,
        description="Labels file of `model`: one class a line, in output order, each in "
        "civicam's object-class vocabulary (placeholders such as `background` allowed).",
    )
    classes: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=lambda: ["person"],
        min_length=1,
        max_length=1000,
        description="Object classes kept from the model's labels; each must be in civicam's "
        "object-class vocabulary (civicam.analysis.labels.OBJECT_CLASSES).",
    )
    input_size: int = Field(
        300,
        ge=64,
        le=1280,
        description="Detector input side in pixels (crops are square); a plug-in model with "
        "a fixed input size uses its own.",
    )
    input_range: Literal["0-1", "-1-1", "0-255"] = Field(
        "0-1",
        description="Pixel values (RGB) a plug-in model with float input expects; not used "
        "by the bundled model or by models taking uint8.",
    )
    box_order: Literal["xyxy", "yxyx"] = Field(
        "xyxy",
        description="Coordinate order of an SSD-style plug-in model's boxes (normalised to 0-1).",
    )
    threads: int = Field(
        2, ge=1, le=256, description="CPU threads the detector may use (ONNX Runtime)."
    )
    cache_dir: Path | None = Field(
        None,
        description="Where the converted bundled model is cached (default: the user cache "
        "directory, e.g. ~/.cache/civicam).",
    )
    min_score: float = Field(0.5, ge=0, le=1, description="Smallest score kept as a detection.")
    max_per_second: float = Field(
        5.0, gt=0, le=1000, description="Per-camera cap on detector runs per second."
    )
    burst: int = Field(
        10, ge=1, le=10_000, description="Detector runs a camera may save up under the cap."
    )
    detect_on_global_change: bool = Field(
        True,
        description="Run the detector over the whole frame when a global change (lighting, "
        "a moved or panning camera) hides motion; still under the cap.",
    )
    crop_merge_gap: float = Field(
        32.0, ge=0, le=10_000, description="Motion boxes closer than this (pixels) share a crop."
    )

    @field_validator("classes")
    @classmethod
    def _object_classes_only(cls, value: list[str]) -> list[str]:
        refused = [c for c in value if not is_object_class(c)]
        if refused:
            raise ValueError(
                f"refused classes {refused}: civicam detects object classes only "
                "(see civicam.analysis.labels.OBJECT_CLASSES)"
            )
        return value

    @model_validator(mode="after")
    def _model_and_labels(self) -> DetectionConfig:
        if (self.model is None) != (self.labels is None):
            raise ValueError("detection.model and detection.labels go together")
        return self


class CameraAnalysisConfig(Section):
    """One camera's zones and ignore masks, in image pixels of the analysed stream."""

    camera: str = Field(min_length=1, max_length=64, description="Camera id.")
    zones: dict[str, PolygonPoints] = Field(
        default_factory=dict, description="Named zones: name -> polygon [[x, y], ...]."
    )
    ignore: list[PolygonPoints] = Field(
        default_factory=list,
        max_length=100,
        description="Polygons where motion is ignored (trees, screens, roads out of scope).",
    )

    @field_validator("camera")
    @classmethod
    def _camera_id(cls, value: str) -> str:
        return validate_camera_id(value)

    @field_validator("zones")
    @classmethod
    def _zone_names(cls, value: dict[str, list[Point]]) -> dict[str, list[Point]]:
        for name in value:
            if not _ZONE_NAME_RE.fullmatch(name):
                raise ValueError(f"zone name {name!r} must be a slug (a-z, 0-9, '-', '_')")
        return value


class AnalysisConfig(Section):
    """The analysis section of a configuration file."""

    enabled: bool = Field(True, description="Analyse the cameras while recording them.")
    fps: float = Field(
        5.0, gt=0, le=60, description="Frames per second decoded for analysis (per camera)."
    )
    prefer_sub_stream: bool = Field(
        True,
        description="Analyse a camera's sub stream when it has one (else the main stream, "
        "downscaled to max_width).",
    )
    max_width: int = Field(
        640, ge=64, le=4096, description="Frames wider than this are downscaled before analysis."
    )
    snapshot_quality: int = Field(
        80, ge=10, le=100, description="JPEG quality of the (redacted) event snapshots."
    )

    motion: MotionConfig = Field(default_factory=MotionConfig, description="Motion settings.")
    tracker: TrackerConfig = Field(default_factory=TrackerConfig, description="Event tracking.")
    detection: DetectionConfig = Field(
        default_factory=DetectionConfig, description="The object-class detector."
    )
    cameras: list[CameraAnalysisConfig] = Field(
        default_factory=list, max_length=100_000, description="Per-camera zones and masks."
    )
