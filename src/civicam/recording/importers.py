"""Cameras from CSV or a plan's ``plan.geojson`` (the config YAML is read by the loader)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from civicam.config.loader import ConfigError
from civicam.config.recording import CameraConfig, validate_camera_id


def _problems(where: str, exc: ValidationError) -> str:
    return "; ".join(
        f"{where}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
    )


def cameras_from_csv(path: Path) -> list[CameraConfig]:
    """One camera per row; the header names :class:`CameraConfig` fields (empty = default)."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: cannot read CSV ({exc})") from exc
    out: list[CameraConfig] = []
    errors: list[str] = []
    for n, row in enumerate(rows, start=2):  # line 1 is the header
        data = {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip()}
        try:
            out.append(CameraConfig.model_validate(data))
        except ValidationError as exc:
            errors.append(_problems(f"{path}:{n}", exc))
    if errors:
        raise ConfigError("\n".join(errors))
    return out


def slug_from_plan_id(raw: object) -> str:
    """A valid camera id from a plan's camera id.

    Plan ids are free text (a merged plan's are ``source:ID``); recording ids
    must be path-safe slugs. Lowercase, runs of other characters become ``-``,
    and an id longer than 64 characters keeps a hash of the whole so that two
    long ids cannot collide by truncation.
    """
    text = re.sub(r"[^a-z0-9_-]+", "-", str(raw).strip().lower()).strip("-_")
    if len(text) > 64:
        digest = hashlib.sha256(str(raw).encode("utf-8")).hexdigest()[:8]
        text = f"{text[:55].rstrip('-_')}-{digest}"
    return validate_camera_id(text)


def cameras_from_plan(
    path: Path, *, url_template: str, purpose: str, owner: str, id_prefix: str = ""
) -> list[CameraConfig]:
    """Cameras of a plan's ``plan.geojson``: ``url_template`` may use ``{id}``."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable GeoJSON file ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ConfigError(f"{path}: not a GeoJSON FeatureCollection")
    out: list[CameraConfig] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, feat in enumerate(features):
        props = feat.get("properties") or {} if isinstance(feat, dict) else {}
        geom = feat.get("geometry") or {} if isinstance(feat, dict) else {}
        coords = geom.get("coordinates") if geom.get("type") == "Point" else None
        try:
            plan_id = props.get("id", "")
            cam_id = slug_from_plan_id(f"{id_prefix}{plan_id}")
            if cam_id in seen:
                raise ValueError(
                    f"camera id {cam_id!r} (from plan id {plan_id!r}) repeats feature "
                    f"{seen[cam_id]}; give the cameras distinct ids"
                )
            seen[cam_id] = n
            out.append(
                CameraConfig(
                    id=cam_id,
                    name=str(props.get("name") or plan_id or cam_id),
                    # str.replace, not str.format: a template must not reach attributes.
                    url=url_template.replace("{id}", cam_id),
                    purpose=purpose,
                    owner=owner,
                    lon=float(coords[0]) if coords else None,
                    lat=float(coords[1]) if coords else None,
                    heading=props.get("heading_deg"),
                    model=props.get("model"),
                )
            )
        except ValidationError as exc:
            errors.append(_problems(f"{path}: feature {n}", exc))
        except (ValueError, TypeError, IndexError) as exc:
            errors.append(f"{path}: feature {n}: {exc}")
    if errors:
        raise ConfigError("\n".join(errors))
    return out
