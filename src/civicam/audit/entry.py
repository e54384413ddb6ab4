"""Audit entries and their canonical form (pure).

An entry's leaf data is its canonical JSON: UTF-8, keys sorted, no spaces, times as
JSON numbers exactly as stored (float). The position ``index`` is part of the data, so
an entry moved to another place no longer matches its leaf hash.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civicam.audit.actions import ACTIONS
from civicam.audit.merkle import leaf_hash

MAX_ACTOR = 200
MAX_CAMERA = 64
MAX_REASON = 2000
MAX_DETAILS = 16_000


@dataclass(frozen=True)
class Entry:
    """One audit entry; ``details`` holds JSON values only."""

    index: int
    at: float
    actor: str
    action: str
    camera: str | None = None
    start: float | None = None
    end: float | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain JSON data."""
        return entry_dict(
            self.index,
            self.at,
            self.actor,
            self.action,
            self.camera,
            self.start,
            self.end,
            self.reason,
            self.details,
        )


def entry_dict(
    index: int,
    at: float,
    actor: str,
    action: str,
    camera: str | None,
    start: float | None,
    end: float | None,
    reason: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    """The JSON data of an entry from its fields (the one definition of the leaf's keys)."""
    return {
        "index": index,
        "at": at,
        "actor": actor,
        "action": action,
        "camera": camera,
        "start": start,
        "end": end,
        "reason": reason,
        "details": details,
    }


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: object) -> str:
    """Deterministic JSON text: sorted keys, no whitespace, no NaN or infinity."""
    return _ENCODER.encode(value)


def canonical_bytes(entry: Entry) -> bytes:
    """The leaf data of an entry."""
    return canonical_json(entry.as_dict()).encode("utf-8")


def entry_leaf_hash(entry: Entry) -> bytes:
    """The RFC 6962 leaf hash of an entry."""
    return leaf_hash(canonical_bytes(entry))


def _time(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"audit {name} must be a number of seconds")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"audit {name} must be finite")
    # -0.0 becomes 0.0: SQLite stores a whole-number REAL without its sign, and the
    # entry must hash the same before and after the database round trip.
    return out + 0.0


def _text(name: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise ValueError(f"audit {name} is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"audit {name} must be text")
    if required and not value.strip():
        raise ValueError(f"audit {name} must not be empty")
    if len(value) > limit:
        raise ValueError(f"audit {name} is longer than {limit} characters")
    if "\x00" in value:
        raise ValueError(f"audit {name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"audit {name} is not valid Unicode text") from exc
    return value


def normalise_details(details: Mapping[str, object] | None) -> dict[str, Any]:
    """JSON-only details as they will read back from the database (tuples become lists)."""
    if details is None:
        return {}
    if not isinstance(details, Mapping) or not all(isinstance(k, str) for k in details):
        raise ValueError("audit details must be a mapping with text keys")
    try:
        text = canonical_json(dict(details))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit details must be plain JSON values ({exc})") from exc
    if len(text) > MAX_DETAILS:
        raise ValueError(f"audit details are longer than {MAX_DETAILS} characters of JSON")
    if "\x00" in text:
        raise ValueError("audit details contain a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("audit details are not valid Unicode text") from exc
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def make_entry(
    index: int,
    *,
    at: float,
    actor: str,
    action: str,
    camera: str | None = None,
    start: float | None = None,
    end: float | None = None,
    reason: str | None = None,
    details: Mapping[str, object] | None = None,
) -> Entry:
    """A validated entry; :class:`ValueError` names the first bad field."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    when = _time("time", at)
    if when is None:
        raise ValueError("audit time is required")
    start_f, end_f = _time("start", start), _time("end", end)
    if start_f is not None and end_f is not None and end_f < start_f:
        raise ValueError("audit range ends before it starts")
    return Entry(
        index=index,
        at=when,
        actor=_text("actor", actor, MAX_ACTOR, required=True) or "",
        action=action,
        camera=_text("camera", camera, MAX_CAMERA),
        start=start_f,
        end=end_f,
        reason=_text("reason", reason, MAX_REASON),
        details=normalise_details(details),
    )
