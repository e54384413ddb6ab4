"""Analysis configuration: bounds, unknown keys and the object-class-only detector."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from civicam.analysis.motion import MotionParams
from civicam.analysis.tracker import TrackerParams
from civicam.config.analysis import (
    DETECTOR_TYPES,
    AnalysisConfig,
    CameraAnalysisConfig,
    DetectionConfig,
    MotionConfig,
    TrackerConfig,
)
from civicam.config.base import Section


@pytest.mark.parametrize(
    "forbidden",
    ["face", "faces", "face_recognition", "plate", "lpr", "anpr", "reid", "identity", "SSD", ""],
)
def test_detector_type_refuses_anything_but_object_detectors(forbidden: str) -> None:
    with pytest.raises(ValidationError):
        DetectionConfig(type=forbidden)


def test_detector_types_are_object_detectors_only() -> None:
    assert DETECTOR_TYPES == ("ssd", "yolo")
    assert DetectionConfig.model_fields["type"].annotation.__args__ == DETECTOR_TYPES  # type: ignore[union-attr]
    for kind in DETECTOR_TYPES:
        assert DetectionConfig(type=kind).type == kind
    assert DetectionConfig().classes == ["person"]
    assert DetectionConfig(classes=["person", "bicycle", "car"]).classes[2] == "car"


def test_no_model_has_a_way_to_name_a_face_or_identity_model() -> None:
    for model in (AnalysisConfig, MotionConfig, TrackerConfig, DetectionConfig):
        for name in model.model_fields:
            assert not any(word in name for word in ("face", "plate", "ident", "reid"))


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (MotionConfig, {"threshold": 0}),
        (MotionConfig, {"learning_rate": 0}),
        (MotionConfig, {"downscale_width": 8}),
        (TrackerConfig, {"iou_threshold": 1.0}),
        (TrackerConfig, {"max_missed_frames": -1}),
        (DetectionConfig, {"max_per_second": 0}),
        (DetectionConfig, {"model": "faces.onnx"}),
        (DetectionConfig, {"classes": ["person", "face"]}),
        (DetectionConfig, {"classes": ["license_plate"]}),
        (DetectionConfig, {"classes": []}),
        (AnalysisConfig, {"motoin": {}}),
        (CameraAnalysisConfig, {"camera": "../etc"}),
        (CameraAnalysisConfig, {"camera": "c1", "zones": {"Bad Name": [[0, 0], [1, 0], [0, 1]]}}),
        (CameraAnalysisConfig, {"camera": "c1", "zones": {"z": [[0, 0], [1, 0]]}}),
        (CameraAnalysisConfig, {"camera": "c1", "ignore": [[[0, 0], [1, 0], [-1, 1]]]}),
    ],
)
def test_out_of_bounds_and_unknown_keys_are_rejected(
    model: type[Section], data: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(data)


def test_every_field_has_a_description() -> None:
    for model in (
        AnalysisConfig,
        MotionConfig,
        TrackerConfig,
        DetectionConfig,
        CameraAnalysisConfig,
    ):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_configs_convert_to_pure_parameters() -> None:
    cfg = AnalysisConfig.model_validate(
        {
            "motion": {"threshold": 30, "min_area": 100},
            "tracker": {"max_missed_frames": 4},
            "cameras": [{"camera": "c1", "zones": {"door": [[0, 0], [10, 0], [10, 10]]}}],
        }
    )
    assert cfg.motion.params() == MotionParams(threshold=30, min_area=100)
    assert cfg.tracker.params() == TrackerParams(max_missed=4)
    assert cfg.cameras[0].zones["door"][2] == (10.0, 10.0)
