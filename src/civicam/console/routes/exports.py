"""``/api/exports``: request an export, follow it, download it."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import FileResponse

from civicam.audit import actions
from civicam.console.audit import record_audit
from civicam.console.deps import ExportUser, Principal, camera_for, deny
from civicam.console.files import contained_file
from civicam.console.roles import UNSCOPED_ROLES, may_see_camera
from civicam.console.schemas import ExportIn, ExportListOut, ExportOut, ExportStatus
from civicam.console.state import ConsoleState, state_of
from civicam.console.timeline import check_range
from civicam.store.privacy import ExportInfo
from civicam.store.registry import get_camera

router = APIRouter(prefix="/api/exports", tags=["exports"])

JobId = Annotated[int, Path(ge=1, le=2**62)]
_STATUS: dict[str, ExportStatus] = {s: s for s in ("queued", "running", "ready", "failed")}


def export_out(state: ConsoleState, job: ExportInfo) -> ExportOut:
    """A job as the API shows it (never its path on disk)."""
    size: int | None = None
    if job.status == "ready" and job.path:
        try:
            size = FsPath(job.path).stat().st_size
        except OSError:
            size = None
    return ExportOut(
        id=job.id,
        status=_STATUS.get(job.status, "failed"),
        camera_ids=job.cameras,
        start=job.start,
        end=job.end,
        reason=job.reason,
        recipient=job.recipient or "",
        requested_by=job.operator,
        created_at=job.created_at,
        finished_at=job.finished_at,
        bytes=size,
        sha256=job.sha256,
        download_url=f"/api/exports/{job.id}/download" if job.status == "ready" else None,
        error=job.error,
        progress=state.exports.progress_of(job),
        redacted=job.redacted,
    )


def _visible(state: ConsoleState, principal: Principal, job: ExportInfo) -> bool:
    if principal.role not in UNSCOPED_ROLES and job.operator != principal.username:
        return False
    for camera_id in job.cameras:
        cam = get_camera(state.db, camera_id)
        if cam is None or not may_see_camera(principal.user, cam):
            return False
    return True


def _job(state: ConsoleState, principal: Principal, job_id: int) -> ExportInfo:
    job = state.exports.get(job_id)
    if job is None:
        raise HTTPException(404, "no such export")
    if not _visible(state, principal, job):
        raise deny(state, principal, f"export {job.id}")
    return job


@router.post("", response_model=ExportOut, status_code=202)
def request_export(body: ExportIn, request: Request, principal: ExportUser) -> ExportOut:
    """Queue a signed, redacted export of cameras' recordings in ``[start, end]``; the
    package builder writes the ``export`` audit entry once the package exists."""
    state = state_of(request)
    cameras = list(dict.fromkeys(camera_for(state, principal, c).id for c in body.camera_ids))
    check_range(body.start, body.end, state.cfg.console.max_range_s)
    job = state.exports.submit(
        cameras=cameras,
        start=body.start,
        end=body.end,
        reason=body.reason,
        recipient=body.recipient,
        operator=principal.username,
        role=principal.role,
    )
    return export_out(state, job)


@router.get("", response_model=ExportListOut)
def list_exports(request: Request, principal: ExportUser) -> ExportListOut:
    """Exports the user may see (their own; admins all), newest first."""
    state = state_of(request)
    return ExportListOut(
        items=[export_out(state, j) for j in state.exports.all() if _visible(state, principal, j)]
    )


@router.get("/{job_id}", response_model=ExportOut)
def get_export(job_id: JobId, request: Request, principal: ExportUser) -> ExportOut:
    """One export job."""
    state = state_of(request)
    return export_out(state, _job(state, principal, job_id))


@router.get(
    "/{job_id}/download",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def download_export(job_id: JobId, request: Request, principal: ExportUser) -> FileResponse:
    """The finished package (audited)."""
    state = state_of(request)
    job = _job(state, principal, job_id)
    if job.status != "ready" or not job.path:
        raise HTTPException(409, f"export is {job.status}")
    try:
        path = contained_file(state.exports.directory, FsPath(job.path))
    except FileNotFoundError:
        raise HTTPException(404, "package file missing") from None
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.EXPORT_DOWNLOAD,
        role=principal.role,
        at=state.clock(),
        camera=job.cameras[0] if len(job.cameras) == 1 else None,
        start=job.start,
        end=job.end,
        reason=job.reason,
        details={"export": job.id, "cameras": job.cameras, "sha256": job.sha256},
    )
    return FileResponse(
        path,
        media_type="application/zip",
        filename=path.name,
        headers={"Cache-Control": "private, no-store"},
    )
