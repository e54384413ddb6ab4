"""``/api/users``: admins list users, disable or enable them and set their cameras.

Users are created with ``civicam users add`` (a password typed or printed once), never
over the API, so no password ever travels in an API response.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request

from civicam.audit import actions
from civicam.console.accounts import USERNAME_RE
from civicam.console.audit import record_audit
from civicam.console.deps import Principal, UsersAdmin
from civicam.console.schemas import ScopeIn, UserListOut, UserOut
from civicam.console.state import state_of
from civicam.store.accounts import AccountError, UserRecord, UserSort, list_users, set_disabled
from civicam.store.accounts import set_scope as store_set_scope

router = APIRouter(prefix="/api/users", tags=["users"])

UserPath = Annotated[str, Path(pattern=USERNAME_RE.pattern, max_length=64)]


def user_out(u: UserRecord) -> UserOut:
    """A user as the API shows it."""
    return UserOut(
        username=u.username,
        role=u.role,
        disabled=u.disabled,
        all_cameras=u.all_cameras,
        districts=list(u.districts),
        cameras=list(u.cameras),
        created_at=u.created_at,
        updated_at=u.updated_at,
    )


@router.get("", response_model=UserListOut)
def users(
    request: Request,
    principal: UsersAdmin,
    sort: Annotated[UserSort, Query(description="Sort field (allowlisted).")] = "username",
) -> UserListOut:
    """Every console user."""
    return UserListOut(items=[user_out(u) for u in list_users(state_of(request).db, sort=sort)])


def _disable(request: Request, principal: Principal, username: str, disabled: bool) -> UserOut:
    state = state_of(request)
    if username == principal.username:
        raise HTTPException(409, "you cannot disable or enable yourself")
    try:
        user = set_disabled(state.db, username, disabled, now=state.clock())
    except AccountError:
        raise HTTPException(404, "no such user") from None
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.USER_CHANGE,
        role=principal.role,
        at=state.clock(),
        details={"user": username, "disabled": disabled},
    )
    return user_out(user)


@router.post("/{username}/disable", response_model=UserOut)
def disable(username: UserPath, request: Request, principal: UsersAdmin) -> UserOut:
    """Disable a user (their sessions end; their tokens stop working)."""
    return _disable(request, principal, username, True)


@router.post("/{username}/enable", response_model=UserOut)
def enable(username: UserPath, request: Request, principal: UsersAdmin) -> UserOut:
    """Enable a disabled user."""
    return _disable(request, principal, username, False)


@router.put("/{username}/scope", response_model=UserOut)
def set_scope(
    username: UserPath,
    body: ScopeIn,
    request: Request,
    principal: UsersAdmin,
) -> UserOut:
    """Replace a user's assigned districts and cameras (audited)."""
    state = state_of(request)
    try:
        user = store_set_scope(
            state.db,
            username,
            districts=body.districts,
            cameras=body.cameras,
            all_cameras=body.all_cameras,
            now=state.clock(),
        )
    except AccountError:
        raise HTTPException(404, "no such user") from None
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.PERMISSION_CHANGE,
        role=principal.role,
        at=state.clock(),
        details={
            "user": username,
            "districts": body.districts,
            "cameras": body.cameras,
            "all_cameras": body.all_cameras,
        },
    )
    return user_out(user)
