"""``/api/session``: sign in, sign out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from civicam.audit import actions
from civicam.console.accounts import authenticate, end_session, start_session
from civicam.console.audit import record_audit
from civicam.console.deps import (
    SESSION_COOKIE,
    CurrentUser,
    Principal,
    client_address,
)
from civicam.console.roles import ROLE_CAPS
from civicam.console.schemas import LoginIn, MeOut
from civicam.console.state import ConsoleState, state_of

router = APIRouter(prefix="/api/session", tags=["session"])


def me_of(state: ConsoleState, user: Principal, csrf: str | None) -> MeOut:
    """The ``me`` document of a user."""
    u = user.user
    return MeOut(
        username=u.username,
        name=u.username,
        role=u.role,
        capabilities=sorted(str(c) for c in ROLE_CAPS.get(u.role, frozenset())),
        all_cameras=u.all_cameras,
        districts=list(u.districts),
        cameras=list(u.cameras),
        csrf_token=csrf,
        playback_reason_required=state.cfg.console.playback_reason_required,
    )


@router.post("/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response) -> MeOut:
    """Sign in with a user name and password; sets an HttpOnly, SameSite=Strict cookie.

    Repeated failures for one user name or from one address are answered with 429.
    """
    state = state_of(request)
    now = state.clock()
    address = client_address(request)
    result = authenticate(
        state.db, state.cfg.console, body.username, body.password, address, now=now
    )
    if result.user is None:
        record_audit(
            state.db,
            actor=body.username,
            action=actions.LOGIN_FAILED,
            role=None,
            at=now,
            details={"address": address, "throttled": result.throttled},
        )
        if result.throttled:
            raise HTTPException(
                429,
                "too many failed sign-ins; try again later",
                headers={"Retry-After": str(int(state.cfg.console.login_window_s))},
            )
        raise HTTPException(401, "wrong user name or password")
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        end_session(state.db, old)
    ttl = state.cfg.console.session_ttl_s
    new = start_session(state.db, result.user, ttl_s=ttl, address=address, now=now)
    response.set_cookie(
        SESSION_COOKIE,
        new.session_id,
        max_age=int(ttl),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    record_audit(
        state.db,
        actor=result.user.username,
        action=actions.LOGIN,
        role=result.user.role,
        at=now,
        details={"address": address},
    )
    return me_of(state, Principal(result.user, "session", new.csrf_token), new.csrf_token)


@router.post("/logout", status_code=204)
def logout(request: Request, principal: CurrentUser) -> Response:
    """Sign out (ends the cookie session; API tokens are revoked with the CLI)."""
    state = state_of(request)
    session_id = request.cookies.get(SESSION_COOKIE)
    if principal.via == "session" and session_id:
        end_session(state.db, session_id)
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.LOGOUT,
        role=principal.role,
        at=state.clock(),
        details={"via": principal.via},
    )
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/me", response_model=MeOut)
def me(request: Request, principal: CurrentUser) -> MeOut:
    """The signed-in user, their capabilities and (for cookie sessions) the CSRF token."""
    return me_of(state_of(request), principal, principal.csrf_token)
