"""Request dependencies: who is asking (session cookie or API token), CSRF, capabilities
and per-camera permission. Pages use :func:`optional_user`; API routes use
:func:`require`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request

from civicam.audit import actions
from civicam.console.accounts import csrf_matches, resolve_session, resolve_token
from civicam.console.audit import record_audit
from civicam.console.roles import Cap, has_cap, may_see_camera
from civicam.console.state import ConsoleState, state_of
from civicam.store.accounts import UserRecord
from civicam.store.registry import CameraRecord, get_camera, list_cameras

SESSION_COOKIE = "civicam_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The signed-in user and how they proved it."""

    user: UserRecord
    via: Literal["session", "token"]
    csrf_token: str | None = None

    @property
    def username(self) -> str:
        """The user name (also ``name`` for pages)."""
        return self.user.username

    @property
    def name(self) -> str:
        """The user name."""
        return self.user.username

    @property
    def role(self) -> str:
        """The user's role."""
        return self.user.role


def client_address(request: Request) -> str:
    """The client's address as the server saw it (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else "unknown"


def optional_user(request: Request) -> Principal | None:
    """The signed-in user, or ``None`` (never raises; pages redirect to /login)."""
    state = state_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = resolve_token(state.db, token.strip())
        return None if user is None else Principal(user, "token")
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    found = resolve_session(state.db, session_id, now=state.clock())
    if found is None:
        return None
    return Principal(found.user, "session", found.csrf_token)


def current_user(request: Request) -> Principal:
    """The signed-in user or 401; a state change over a cookie session needs the CSRF
    token of that session in the ``X-CSRF-Token`` header (403 otherwise)."""
    principal = optional_user(request)
    if principal is None:
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
    if (
        request.method not in SAFE_METHODS
        and principal.via == "session"
        and not csrf_matches(principal.csrf_token or "", request.headers.get(CSRF_HEADER))
    ):
        raise HTTPException(403, "missing or wrong CSRF token")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def deny(
    state: ConsoleState, principal: Principal, what: str, camera: str | None = None
) -> HTTPException:
    """Audit an access denial and return the 403 to raise."""
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.ACCESS_DENIED,
        role=principal.role,
        at=state.clock(),
        camera=camera,
        details={"what": what},
    )
    return HTTPException(403, "not permitted")


def require(cap: Cap) -> Callable[..., Principal]:
    """A dependency: the signed-in user, whose role must grant ``cap`` (403 otherwise)."""

    def dependency(request: Request, principal: CurrentUser) -> Principal:
        if not has_cap(principal.user, cap):
            raise deny(state_of(request), principal, f"{request.method} {request.url.path}")
        return principal

    return dependency


def camera_for(state: ConsoleState, principal: Principal, camera_id: str) -> CameraRecord:
    """A camera the user may see: 404 when unknown, 403 (audited) when not assigned."""
    camera = get_camera(state.db, camera_id)
    if camera is None:
        raise HTTPException(404, "no such camera")
    if not may_see_camera(principal.user, camera):
        raise deny(state, principal, "camera", camera_id)
    return camera


def permitted_cameras(state: ConsoleState, principal: Principal) -> list[CameraRecord]:
    """Every camera within the user's assignment."""
    return [c for c in list_cameras(state.db) if may_see_camera(principal.user, c)]


CamerasUser = Annotated[Principal, Depends(require(Cap.CAMERAS))]
LiveUser = Annotated[Principal, Depends(require(Cap.LIVE))]
PlaybackUser = Annotated[Principal, Depends(require(Cap.PLAYBACK))]
EventsUser = Annotated[Principal, Depends(require(Cap.EVENTS))]
ExportUser = Annotated[Principal, Depends(require(Cap.EXPORT))]
HoldsUser = Annotated[Principal, Depends(require(Cap.HOLDS))]
PlansUser = Annotated[Principal, Depends(require(Cap.PLANS))]
BasemapUser = Annotated[Principal, Depends(require(Cap.BASEMAP))]
AuditUser = Annotated[Principal, Depends(require(Cap.AUDIT))]
UsersAdmin = Annotated[Principal, Depends(require(Cap.USERS))]
