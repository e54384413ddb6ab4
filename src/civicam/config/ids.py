"""Identifiers that become parts of file paths and URLs."""

from __future__ import annotations

import re

# A camera id is part of every file path, so it is held to a strict slug: lower-case
# ASCII letters, digits and single dashes/underscores, never "." or "/".
CAMERA_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$"
_CAMERA_ID_RE = re.compile(CAMERA_ID_PATTERN)


def validate_camera_id(value: str) -> str:
    """Return ``value`` if it is a valid camera id, else raise ``ValueError``."""
    if not isinstance(value, str) or not _CAMERA_ID_RE.fullmatch(value):
        raise ValueError(
            "camera id must be 1-64 characters of a-z, 0-9, '-' or '_', "
            "starting and ending with a letter or digit"
        )
    return value
