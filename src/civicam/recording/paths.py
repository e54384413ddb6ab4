"""Segment file paths: built only from a validated camera id and a UTC time.

Layout: ``<root>/<camera>/<YYYY-MM-DD>/<HH>/<YYYYMMDDTHHMMSS.mmmZ>.mp4``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from civicam.config.recording import validate_camera_id

_NAME_RE = re.compile(r"^(\d{8}T\d{6})\.(\d{3})Z\.mp4$")
QUARANTINE_DIR = "_quarantine"


def segment_relpath(camera_id: str, start: float) -> str:
    """The path of a segment starting at ``start`` (UTC seconds), relative to the root."""
    validate_camera_id(camera_id)
    if not (0 <= start < 253_402_300_800):  # years 1970..9999
        raise ValueError("segment start out of range")
    ms = round(start * 1000)
    when = datetime.fromtimestamp(ms // 1000, tz=UTC)
    name = f"{when:%Y%m%dT%H%M%S}.{ms % 1000:03d}Z.mp4"
    return f"{camera_id}/{when:%Y-%m-%d}/{when:%H}/{name}"


def segment_path(root: Path, camera_id: str, start: float) -> Path:
    """Absolute path of a segment under ``root``."""
    return root / segment_relpath(camera_id, start)


def parse_relpath(relpath: str) -> tuple[str, float] | None:
    """Camera id and start time of a segment path, or ``None`` if it is not one of ours."""
    parts = PurePosixPath(relpath).parts
    if len(parts) != 4:
        return None
    camera_id, day, hour, name = parts
    match = _NAME_RE.fullmatch(name)
    if match is None:
        return None
    try:
        validate_camera_id(camera_id)
        when = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    start = when.timestamp() + int(match.group(2)) / 1000
    if segment_relpath(camera_id, start) != relpath or (day, hour) != (
        f"{when:%Y-%m-%d}",
        f"{when:%H}",
    ):
        return None
    return camera_id, start


def quarantine_relpath(relpath: str) -> str:
    """Where an unreadable file found on disk is moved (kept, never deleted)."""
    return f"{QUARANTINE_DIR}/{relpath}"


#: Event snapshots (redacted JPEGs) live apart from segments; camera ids never start
#: with "_", so the directory cannot collide with a camera's.
SNAPSHOT_DIR = "_snapshots"


def snapshot_relpath(camera_id: str, event_id: int) -> str:
    """Where an event's snapshot lives, relative to the storage root."""
    validate_camera_id(camera_id)
    if isinstance(event_id, bool) or not isinstance(event_id, int) or event_id < 1:
        raise ValueError("event id must be a positive integer")
    # Buckets of 10,000 keep directories small at millions of events.
    return f"{SNAPSHOT_DIR}/{camera_id}/{event_id // 10_000:05d}/{event_id}.jpg"


def snapshot_path(root: Path, camera_id: str, event_id: int) -> Path:
    """Absolute path of an event's snapshot under ``root``."""
    return root / snapshot_relpath(camera_id, event_id)
