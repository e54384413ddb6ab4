"""Export jobs for the console: a queued row, built in the background, ready or failed."""

from __future__ import annotations

import logging
from pathlib import Path

from civicam.analysis.detectors.base import Detector
from civicam.config.recording import RecorderFileConfig
from civicam.export.package import ExportError, ProgressFn, build_export
from civicam.store.engine import Database
from civicam.store.privacy import ExportInfo, get_export, update_export

log = logging.getLogger(__name__)


def export_filename(export_id: int) -> str:
    """The package file name of a job (built from the id only, never from user text)."""
    return f"civicam-export-{int(export_id):06d}.zip"


def run_export_job(
    cfg: RecorderFileConfig,
    db: Database,
    export_id: int,
    out_dir: Path,
    *,
    role: str | None = None,
    detector: Detector | None = None,
    progress: ProgressFn | None = None,
) -> ExportInfo:
    """Build the package of queued job ``export_id`` into ``out_dir``; returns the final row.

    The job moves to ``running``, then ``ready`` (with path and SHA-256) or ``failed``
    (with the reason). Whether the requester may export unredacted was decided when
    the job was queued (its ``redacted`` flag).
    """
    job = get_export(db, export_id)
    if job is None:
        raise KeyError(f"no export {export_id}")
    if job.status != "queued":
        raise ValueError(f"export {export_id} is {job.status}, not queued")
    update_export(db, export_id, status="running")
    out = out_dir / export_filename(export_id)
    try:
        result = build_export(
            cfg,
            db,
            cameras=job.cameras,
            start=job.start,
            end=job.end,
            reason=job.reason,
            operator=job.operator,
            recipient=job.recipient,
            out=out,
            redact=job.redacted,
            detector=detector,
            progress=progress,
            role=role,
        )
    except ExportError as exc:
        return update_export(db, export_id, status="failed", error=str(exc))
    except Exception:
        # The job must not stay "running" forever; the details go to the log only.
        log.exception("export %s failed", export_id)
        return update_export(db, export_id, status="failed", error="internal error")
    return update_export(db, export_id, status="ready", path=str(result.path), sha256=result.sha256)
