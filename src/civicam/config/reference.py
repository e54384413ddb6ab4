"""Render the configuration reference (docs/configuration.md) from the models.

Run ``python -m civicam.config.reference > docs/configuration.md``; a test
fails when the committed page and the models disagree.
"""

from __future__ import annotations

import sys
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from civicam.config import analysis as analysis_config
from civicam.config.audit import AuditConfig
from civicam.config.base import Section
from civicam.config.catalog import CameraModelConfig, CatalogConfig
from civicam.config.city import CityModelConfig
from civicam.config.console import ConsoleConfig
from civicam.config.optimizer import OptimizerConfig
from civicam.config.plans import PlansConfig
from civicam.config.privacy import PrivacyConfig
from civicam.config.recording import (
    CameraConfig,
    DatabaseConfig,
    RecorderFileConfig,
    RecordingConfig,
    StorageConfig,
)

SECTIONS: list[tuple[str, type[Section], str]] = [
    ("optimizer", OptimizerConfig, "How the coverage optimizer searches and certifies."),
    ("city model", CityModelConfig, "How a city becomes demand points and candidate poses."),
    ("camera catalog", CatalogConfig, "A catalog file: the camera models a plan may use."),
    ("camera model", CameraModelConfig, "One entry of the catalog's list of models."),
    ("plans", PlansConfig, "Existing cameras, earlier plans and rollouts (--plan-settings)."),
    (
        "site file",
        RecorderFileConfig,
        "A site configuration file (`civicam record|run -c FILE`): the sections below.",
    ),
    ("storage", StorageConfig, "Where segments live and how much disk they may use."),
    ("database", DatabaseConfig, "The camera registry and segment index."),
    ("recording", RecordingConfig, "How the recorder segments, reconnects and watches streams."),
    ("cameras[]", CameraConfig, "One camera of the registry (`cameras:` list entries)."),
    ("analysis", analysis_config.AnalysisConfig, "The analysis section: the sections below."),
    ("motion", analysis_config.MotionConfig, "Motion detection on downscaled grey frames."),
    ("tracker", analysis_config.TrackerConfig, "How detections become one event per object."),
    ("detection", analysis_config.DetectionConfig, "The object-class detector and its cap."),
    ("analysis cameras[]", analysis_config.CameraAnalysisConfig, "Zones and ignore masks."),
    ("console", ConsoleConfig, "The web console and its HTTP API."),
    ("audit", AuditConfig, "The tamper-evident audit log and its signing key."),
    ("privacy", PrivacyConfig, "Privacy masks, person redaction and unmasking."),
]


def _type_name(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{v}`" for v in get_args(annotation))
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("civicam.config.", "")


def _bounds(field: FieldInfo) -> str:
    parts = []
    for meta in field.metadata:
        if isinstance(meta, Ge):
            parts.append(f">= {meta.ge}")
        elif isinstance(meta, Gt):
            parts.append(f"> {meta.gt}")
        elif isinstance(meta, Le):
            parts.append(f"<= {meta.le}")
        elif isinstance(meta, Lt):
            parts.append(f"< {meta.lt}")
        elif isinstance(meta, MinLen):
            parts.append(f"length >= {meta.min_length}")
        elif isinstance(meta, MaxLen):
            parts.append(f"length <= {meta.max_length}")
    return ", ".join(parts)


def _default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined:
        return "required" if field.default_factory is None else "(computed)"
    return f"`{field.default!r}`"


def render() -> str:
    """The whole reference page as Markdown."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from the Pydantic models by "
        "`python -m civicam.config.reference > docs/configuration.md`; do not edit by hand.",
        "Every section rejects unknown keys, and errors name the YAML file, line and column.",
        "",
    ]
    for title, model, about in SECTIONS:
        lines += [f"## {title} (`{model.__name__}`)", "", about, ""]
        lines += ["| key | type | default | bounds | description |", "|---|---|---|---|---|"]
        for name, field in model.model_fields.items():
            desc = (field.description or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| `{name}` | {_type_name(field.annotation).replace('|', 'or')} | "
                f"{_default(field)} | {_bounds(field)} | {desc} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
