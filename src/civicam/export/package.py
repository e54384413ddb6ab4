"""Signed export packages: footage of cameras over a time range, ready to hand over.

A package is a zip holding, per camera, ``video/<camera>.mp4``; ``manifest.json``
(cameras and their stated purpose, the range, every gap in it, the source segments
and their SHA-256, the exported files and theirs, operator, reason, recipient, time,
software version, what was redacted, the public key); ``manifest.sig`` (Ed25519 over
the manifest's exact bytes, hex); and ``README.txt`` on how to check it. Anyone can
check a package offline with ``civicam verify`` (:mod:`civicam.export.verify`).

Footage is remuxed (the recorded packets, unchanged) where nothing must be hidden,
and decoded, masked, person-blurred and re-encoded where something must.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicam import __version__
from civicam.analysis.detectors import load_detector
from civicam.analysis.detectors.base import Detector
from civicam.audit import actions
from civicam.audit.keys import key_id, load_or_create_signing_key, public_key_bytes
from civicam.audit.log import record
from civicam.config.analysis import DetectionConfig
from civicam.config.ids import validate_camera_id
from civicam.config.recording import RecorderFileConfig
from civicam.export.manifest import (
    FORMAT,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    VERSION,
    Interval,
    gaps_in_range,
    manifest_bytes,
    video_name,
)
from civicam.export.video import (
    Redactor,
    SourceSegment,
    StreamChangedError,
    VideoError,
    VideoResult,
    reencode_range,
    remux_range,
)
from civicam.privacy.masks import MaskCache
from civicam.recording.writer import sha256_file
from civicam.store.engine import Database
from civicam.store.index import SegmentInfo, gaps, segments
from civicam.store.registry import CameraRecord, get_camera

README_NAME = "README.txt"
MAX_TEXT = 500

#: ``progress(message, fraction)`` with ``fraction`` in [0, 1].
ProgressFn = Callable[[str, float], None]


class ExportError(ValueError):
    """An export that cannot be made; the message says why (nothing is written)."""


@dataclass(frozen=True)
class ExportResult:
    """A written package."""

    path: Path
    sha256: str
    bytes: int
    manifest: dict[str, Any]
    key_id: str
    cameras: list[str]
    redacted: bool


def iso(t: float) -> str:
    """UTC ISO 8601 with milliseconds."""
    return datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds")


def _text(name: str, value: str | None, *, required: bool, limit: int = MAX_TEXT) -> str | None:
    if value is None or not value.strip():
        if required:
            raise ExportError(f"an export needs a {name}")
        return None
    text = value.strip()
    if len(text) > limit:
        raise ExportError(f"{name} is longer than {limit} characters")
    if any(ord(c) < 32 and c not in "\t" for c in text):
        raise ExportError(f"{name} contains control characters")
    return text


def load_redaction_detector(cfg: DetectionConfig) -> Detector:
    """The analysis detector, for finding people to blur."""
    return load_detector(cfg)


def _resolve_sources(root: Path, segs: Sequence[SegmentInfo]) -> list[SourceSegment]:
    base = root.resolve()
    out = []
    for seg in segs:
        path = (base / seg.path).resolve()
        if not path.is_relative_to(base):
            raise ExportError(f"segment path {seg.path!r} leaves the storage root")
        if not path.is_file():
            raise ExportError(
                f"segment {seg.path} is indexed but missing on disk (run the recorder's "
                "reconciliation); refusing to export an incomplete record silently"
            )
        if path.stat().st_size != seg.bytes or sha256_file(path) != seg.sha256:
            raise ExportError(
                f"segment {seg.path} does not match its indexed size/SHA-256: the recording "
                "was altered or damaged after it was written"
            )
        out.append(SourceSegment(path, seg.start))
    return out


def _readme(manifest: dict[str, Any]) -> bytes:
    cams = ", ".join(c["id"] for c in manifest["cameras"])
    text = f"""civicam export package
======================

Cameras: {cams}
Range:   {manifest["range"]["start_iso"]} .. {manifest["range"]["end_iso"]} (UTC)
Reason:  {manifest["reason"]}
Signed by key id {manifest["signing"]["key_id"]} (Ed25519).

manifest.json lists every file of this package with its SHA-256, the recorded
segments the videos came from, and every gap in the recording within the range.
manifest.sig is an Ed25519 signature (hex) over the exact bytes of manifest.json,
made with the public key given in manifest.json under "signing".

To check this package offline:   civicam verify THIS.zip --key PUBLIC_KEY
(PUBLIC_KEY: the installation's published public key, 64 hex digits or a file).
Without civicam: verify manifest.sig over manifest.json with any Ed25519 tool,
then compare the SHA-256 of each file with manifest.json.

Each video's time 0 is the wall time "video_start" of its camera in manifest.json;
gaps in the recording appear as jumps in the video's timestamps.
"""
    return text.encode("utf-8")


def build_export(
    cfg: RecorderFileConfig,
    db: Database,
    *,
    cameras: Sequence[str],
    start: float,
    end: float,
    reason: str,
    operator: str,
    recipient: str | None,
    out: Path,
    redact: bool = True,
    detector: Detector | None = None,
    progress: ProgressFn | None = None,
    force: bool = False,
    role: str | None = None,
) -> ExportResult:
    """Build and sign a package of ``cameras`` over [start, end) at ``out`` (a .zip).

    People are blurred when ``redact`` and ``cfg.privacy.redact_persons`` (the caller
    checks that whoever asks for ``redact=False`` holds the privilege, see
    :meth:`PrivacyConfig.may_unmask`); the camera's privacy masks are always burned
    in. ``detector`` defaults to the analysis detector. The zip is written to a
    temporary file and renamed into place; an existing ``out`` is refused unless
    ``force``. The export is written to the audit log (``export``). Raises
    :class:`ExportError` with a clear message, having written nothing.
    """
    reason_text = _text("reason", reason, required=True)
    operator_text = _text("operator", operator, required=True, limit=200)
    recipient_text = _text("recipient", recipient, required=False, limit=200)
    assert reason_text is not None and operator_text is not None
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ExportError("start and end must be finite times")
    if end <= start:
        raise ExportError("the range must end after it starts")
    ids = list(dict.fromkeys(cameras))
    if not ids:
        raise ExportError("name at least one camera")
    records: list[CameraRecord] = []
    for cam in ids:
        try:
            validate_camera_id(cam)
        except ValueError as exc:
            raise ExportError(f"camera {cam!r}: {exc}") from None
        rec = get_camera(db, cam)
        if rec is None:
            raise ExportError(f"unknown camera {cam!r}")
        records.append(rec)
    out = Path(out).expanduser().resolve()
    if out.exists() and not (force and out.is_file()):
        raise ExportError(f"{out} already exists (use --force to replace it)")
    if not out.parent.is_dir():
        raise ExportError(f"directory {out.parent} does not exist")

    found = {cam: segments(db, cam, start, end) for cam in ids}
    if not any(found.values()):
        raise ExportError(
            f"no footage of {', '.join(ids)} between {iso(start)} and {iso(end)}: nothing to export"
        )
    sources = {cam: _resolve_sources(cfg.storage.root, segs) for cam, segs in found.items()}
    persons = redact and cfg.privacy.redact_persons
    redactor: Redactor | None = None
    if persons:
        if detector is None:
            try:
                detector = load_redaction_detector(cfg.analysis.detection)
            except Exception as exc:  # any failure to load must stop the export
                raise ExportError(
                    f"cannot load the person detector needed for redaction ({exc})"
                ) from None
        redactor = Redactor(
            detector,
            min(cfg.privacy.redaction_min_score, cfg.analysis.detection.min_score),
            cfg.privacy.redaction_tiles,
            cfg.privacy.smoothing_frames,
            cfg.privacy.box_dilation,
            cfg.privacy.blur_strength,
            cfg.privacy.redaction_fps,
        )
    try:
        key = load_or_create_signing_key(cfg.audit)
    except ValueError as exc:
        raise ExportError(f"signing key: {exc}") from None
    public = public_key_bytes(key)

    total = sum(end - start for cam in ids if sources[cam])
    done_before = 0.0

    def report(message: str, seconds: float) -> None:
        if progress is not None:
            progress(message, min(1.0, (done_before + max(0.0, seconds)) / total))

    created = time.time()
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise ExportError(f"cannot write in {out.parent} ({exc.strerror})") from None
    try:
        cam_entries: list[dict[str, Any]] = []
        files: list[dict[str, Any]] = []
        for rec in records:
            cam = rec.id
            polygons = cfg.privacy.masks.get(cam, [])
            segs = found[cam]
            gap_list = gaps_in_range(
                start,
                end,
                [Interval(s.start, s.end) for s in segs],
                [Interval(g.start, g.end, g.reason) for g in gaps(db, cam, start, end)],
                cfg.recording.min_gap_seconds,
            )
            entry: dict[str, Any] = {
                "id": cam,
                "name": rec.name,
                "purpose": rec.purpose,
                "owner": rec.owner,
                "district": rec.district,
                "file": None,
                "masks": [[list(p) for p in poly] for poly in polygons],
                "persons_redacted": persons,
                "gaps": [
                    {"start": g.start, "end": g.end, "reason": g.reason, "start_iso": iso(g.start)}
                    for g in gap_list
                ],
                "sources": [
                    {
                        "path": s.path,
                        "start": s.start,
                        "end": s.end,
                        "bytes": s.bytes,
                        "sha256": s.sha256,
                    }
                    for s in segs
                ],
            }
            if segs:
                name = video_name(cam)
                target = work / f"{cam}.mp4"
                result = _camera_video(
                    sources[cam],
                    start,
                    end,
                    target,
                    masks=MaskCache(polygons),
                    redactor=redactor,
                    on_progress=functools.partial(report, cam),
                )
                done_before += end - start
                digest = sha256_file(target)
                files.append({"name": name, "bytes": target.stat().st_size, "sha256": digest})
                entry.update(
                    {
                        "file": name,
                        "method": result.method,
                        "codec": result.codec,
                        "frames": result.frames,
                        "video_start": result.video_start,
                        "video_start_iso": iso(result.video_start),
                        "last_frame": result.last_frame,
                        "redacted_frames": result.redacted_frames,
                        "detector_every_frames": result.detector_stride,
                        "smoothing_window_frames": result.smoothing_window,
                    }
                )
            cam_entries.append(entry)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "created": iso(created),
            "created_ts": created,
            "software": {"name": "civicam", "version": __version__},
            "operator": operator_text,
            "role": role,
            "reason": reason_text,
            "recipient": recipient_text,
            "range": {"start": start, "end": end, "start_iso": iso(start), "end_iso": iso(end)},
            "redaction": {
                "persons": persons,
                "masks": any(e["masks"] for e in cam_entries),
                **(
                    {
                        "detector": cfg.analysis.detection.type,
                        "min_score": redactor.min_score,
                        "tiles": redactor.grid,
                        "detector_fps": redactor.fps,
                        "smoothing_frames": redactor.window,
                        "box_dilation": redactor.dilation,
                        "blur": redactor.strength,
                    }
                    if redactor is not None
                    else {}
                ),
            },
            "cameras": cam_entries,
            "files": [],
            "signing": {
                "algorithm": "Ed25519",
                "public_key": public.hex(),
                "key_id": key_id(public),
            },
        }
        readme = _readme(manifest)
        files.append(
            {
                "name": README_NAME,
                "bytes": len(readme),
                "sha256": hashlib.sha256(readme).hexdigest(),
            }
        )
        manifest["files"] = files
        body = manifest_bytes(manifest)
        signature = key.sign(body).hex().encode("ascii") + b"\n"
        tmp_zip = work / "package.zip"
        stamp = datetime.fromtimestamp(created, tz=UTC).timetuple()[:6]
        with zipfile.ZipFile(tmp_zip, "w") as zf:
            for member, data in ((MANIFEST_NAME, body), (SIGNATURE_NAME, signature)):
                zf.writestr(zipfile.ZipInfo(member, stamp), data, zipfile.ZIP_DEFLATED)
            zf.writestr(zipfile.ZipInfo(README_NAME, stamp), readme, zipfile.ZIP_DEFLATED)
            for rec in records:
                video = work / f"{rec.id}.mp4"
                if video.exists():
                    # Video is already compressed: stored, so a flipped byte stays one byte.
                    info = zipfile.ZipInfo(video_name(rec.id), stamp)
                    info.compress_type = zipfile.ZIP_STORED
                    with video.open("rb") as src, zf.open(info, "w") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
        with tmp_zip.open("rb") as fh:
            os.fsync(fh.fileno())
        package_sha = sha256_file(tmp_zip)
        size = tmp_zip.stat().st_size
        details: dict[str, object] = {
            "cameras": ids,
            "recipient": recipient_text,
            "redacted": persons,
            "masks": bool(manifest["redaction"]["masks"]),
            "package": out.name,
            "package_sha256": package_sha,
            "manifest_sha256": hashlib.sha256(body).hexdigest(),
            "key_id": key_id(public),
        }
        if role is not None:
            details["role"] = role
        # Logged before the package appears: no export exists that the log lacks.
        record(
            db,
            actor=operator_text,
            action=actions.EXPORT,
            camera=ids[0] if len(ids) == 1 else None,
            start=start,
            end=end,
            reason=reason_text,
            details=details,
        )
        tmp_zip.replace(out)
    except OSError as exc:
        raise ExportError(f"cannot write the package ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if progress is not None:
        progress("done", 1.0)
    return ExportResult(out, package_sha, size, manifest, key_id(public), ids, persons)


def _camera_video(
    sources: list[SourceSegment],
    start: float,
    end: float,
    target: Path,
    *,
    masks: MaskCache,
    redactor: Redactor | None,
    on_progress: Callable[[float], None],
) -> VideoResult:
    try:
        if not masks and redactor is None:
            try:
                return remux_range(sources, start, end, target, on_progress)
            except StreamChangedError:
                target.unlink(missing_ok=True)  # parameters changed: re-encode instead
        return reencode_range(
            sources, start, end, target, masks=masks, redactor=redactor, on_progress=on_progress
        )
    except VideoError as exc:
        raise ExportError(str(exc)) from None
