"""The export manifest: its exact bytes, its schema, and the gaps it must list (pure).

The signature covers the manifest's bytes exactly as stored in the package, so the
manifest is serialised once, canonically (sorted keys, UTF-8, no NaN), and verified
from the stored bytes, never re-serialised.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

FORMAT = "civicam-export"
VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
VIDEO_DIR = "video"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ManifestError(ValueError):
    """A manifest that does not follow the schema."""


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """The canonical bytes of ``manifest`` (what is stored and signed)."""
    text = json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def video_name(camera_id: str) -> str:
    """The package member holding a camera's video."""
    return f"{VIDEO_DIR}/{camera_id}.mp4"


def safe_member(name: str) -> bool:
    """Whether an archive member name is a plain relative path (no traversal, no absolute)."""
    if not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(p not in ("", ".", "..") for p in path.parts)


# -- gaps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A stretch of time with a reason (gaps) or without (footage)."""

    start: float
    end: float
    reason: str = ""


def _merge(intervals: Iterable[Interval], tolerance: float) -> list[Interval]:
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: (i.start, i.end)):
        if out and iv.start <= out[-1].end + tolerance:
            last = out[-1]
            reasons = [r for r in (*last.reason.split("; "), *iv.reason.split("; ")) if r]
            reason = "; ".join(dict.fromkeys(reasons))
            out[-1] = Interval(last.start, max(last.end, iv.end), reason)
        else:
            out.append(iv)
    return out


def gaps_in_range(
    start: float,
    end: float,
    footage: Sequence[Interval],
    recorded_gaps: Sequence[Interval],
    min_gap: float,
) -> list[Interval]:
    """Every stretch of [start, end] without footage, longer than ``min_gap``.

    ``footage`` are the segments' spans; ``recorded_gaps`` the interruptions the
    recorder logged (their reasons are attached to the stretches they overlap). A
    logged gap inside the range is listed even if shorter than ``min_gap``.
    """
    if end <= start:
        raise ValueError("range must end after it starts")
    covered = _merge(
        (Interval(max(start, f.start), min(end, f.end)) for f in footage if f.end > start),
        min_gap,
    )
    holes: list[Interval] = []
    cursor = start
    for iv in covered:
        if iv.start >= end:
            break
        if iv.start - cursor > min_gap:
            holes.append(Interval(cursor, iv.start))
        cursor = max(cursor, iv.end)
    if end - cursor > min_gap:
        holes.append(Interval(cursor, end))
    logged = [
        Interval(max(start, g.start), min(end, g.end), g.reason or "interrupted")
        for g in recorded_gaps
        if g.end > start and g.start < end
    ]
    merged = _merge(holes + logged, 0.0)
    return [Interval(g.start, g.end, g.reason or "no recording") for g in merged if g.end > g.start]


# -- schema ---------------------------------------------------------------------------------


def _need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise ManifestError(f"{where}: missing {key!r}")
    value = obj[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ManifestError(f"{where}.{key}: expected a number")
    if not isinstance(value, kind):
        raise ManifestError(f"{where}.{key}: wrong type {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ManifestError(f"{where}.{key}: not a finite number")
    return value


def validate_manifest(manifest: Any) -> list[dict[str, Any]]:
    """Check the schema; returns the ``files`` list. Raises :class:`ManifestError`."""
    if not isinstance(manifest, dict):
        raise ManifestError("manifest is not a JSON object")
    if manifest.get("format") != FORMAT:
        raise ManifestError(f"manifest format is not {FORMAT!r}")
    if manifest.get("version") != VERSION:
        raise ManifestError(f"unsupported manifest version {manifest.get('version')!r}")
    num = (int, float)
    for key in ("operator", "reason", "created"):
        _need(manifest, key, str, "manifest")
    if manifest.get("recipient") is not None:
        _need(manifest, "recipient", str, "manifest")
    rng = _need(manifest, "range", dict, "manifest")
    if _need(rng, "end", num, "range") <= _need(rng, "start", num, "range"):
        raise ManifestError("range: end is not after start")
    _need(_need(manifest, "software", dict, "manifest"), "version", str, "software")
    _need(manifest, "redaction", dict, "manifest")
    signing = _need(manifest, "signing", dict, "manifest")
    if signing.get("algorithm") != "Ed25519":
        raise ManifestError("signing.algorithm is not Ed25519")
    public = _need(signing, "public_key", str, "signing")
    if not _HEX64.fullmatch(public):
        raise ManifestError("signing.public_key is not 64 hex digits")
    _need(signing, "key_id", str, "signing")
    files = _need(manifest, "files", list, "manifest")
    names: set[str] = set()
    for n, entry in enumerate(files):
        where = f"files[{n}]"
        if not isinstance(entry, dict):
            raise ManifestError(f"{where}: not an object")
        name = _need(entry, "name", str, where)
        if not safe_member(name) or name in (MANIFEST_NAME, SIGNATURE_NAME):
            raise ManifestError(f"{where}: unsafe or reserved file name {name!r}")
        if name in names:
            raise ManifestError(f"{where}: {name!r} listed twice")
        names.add(name)
        if not _HEX64.fullmatch(_need(entry, "sha256", str, where)):
            raise ManifestError(f"{where}: sha256 is not 64 hex digits")
        if _need(entry, "bytes", int, where) < 0:
            raise ManifestError(f"{where}: negative size")
    cameras = _need(manifest, "cameras", list, "manifest")
    if not cameras:
        raise ManifestError("manifest lists no camera")
    for n, cam in enumerate(cameras):
        where = f"cameras[{n}]"
        if not isinstance(cam, dict):
            raise ManifestError(f"{where}: not an object")
        for key in ("id", "purpose"):
            _need(cam, key, str, where)
        _need(cam, "gaps", list, where)
        _need(cam, "sources", list, where)
        video = cam.get("file")
        if video is not None and video not in names:
            raise ManifestError(f"{where}: file {video!r} is not in the files list")
    return list(files)
