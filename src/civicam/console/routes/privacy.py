"""Unmasking a camera: a privileged role, a reason, a time limit, an audit entry
(``civicam.privacy.unmask`` decides and logs; this only checks the camera first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request

from civicam.config.ids import CAMERA_ID_PATTERN
from civicam.console.deps import PlaybackUser, camera_for
from civicam.console.schemas import UnmaskEndOut, UnmaskIn, UnmaskOut
from civicam.console.state import state_of
from civicam.privacy.unmask import UnmaskDeniedError, grant, revoke

router = APIRouter(prefix="/api/cameras", tags=["privacy"])

CameraPath = Annotated[str, Path(pattern=CAMERA_ID_PATTERN, max_length=64)]


@router.post("/{camera_id}/unmask", response_model=UnmaskOut)
def unmask(
    camera_id: CameraPath, body: UnmaskIn, request: Request, principal: PlaybackUser
) -> UnmaskOut:
    """See this camera without privacy masks for ``minutes`` (roles in
    ``privacy.unmask_roles`` only; audited as ``unmask``)."""
    state = state_of(request)
    cam = camera_for(state, principal, camera_id)
    try:
        info = grant(
            state.db,
            principal.username,
            principal.role,
            cam.id,
            body.reason,
            body.minutes,
            policy=state.cfg.privacy,
            now=state.clock(),
        )
    except UnmaskDeniedError:
        # civicam.privacy.unmask has already written the access_denied entry.
        raise HTTPException(403, "not permitted") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return UnmaskOut(camera_id=cam.id, expires_at=info.expires_at)


@router.post("/{camera_id}/unmask/end", response_model=UnmaskEndOut)
def end_unmask(camera_id: CameraPath, request: Request, principal: PlaybackUser) -> UnmaskEndOut:
    """End one's own unmasking of this camera early (audited)."""
    state = state_of(request)
    cam = camera_for(state, principal, camera_id)
    ended = revoke(state.db, principal.username, cam.id, by=principal.username, now=state.clock())
    return UnmaskEndOut(camera_id=cam.id, ended=ended)
