"""Account services: users, argon2 passwords, browser sessions, API tokens, throttling.

Session ids and API tokens are random 256-bit values; only their SHA-256 is stored, so a
copy of the database signs nobody in. There is no default password anywhere: every user
is created with a password someone typed or one :func:`generate_password` printed once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from civicam.config.console import ConsoleConfig
from civicam.console.roles import validate_role
from civicam.store.accounts import (
    SessionRecord,
    TokenInfo,
    UserRecord,
    delete_expired_sessions,
    delete_session,
    failures_since,
    find_session,
    find_token_user,
    get_user,
    insert_session,
    insert_token,
    insert_user,
    password_hash_of,
    prune_attempts,
    record_attempt,
    revoke_token,
    set_password_hash,
)
from civicam.store.engine import Database

USERNAME_RE = re.compile(r"^[\w.@-]{1,64}$")
TOKEN_NAME_RE = re.compile(r"^[\w.@ -]{1,100}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "cvc_"  # noqa: S105 (a public marker in front of every API token)
HASHER = PasswordHasher()
# Verified when the user name is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class PasswordPolicyError(ValueError):
    """A password that is too short or too long."""


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login: a user, or why not."""

    user: UserRecord | None
    throttled: bool = False


@dataclass(frozen=True)
class NewSession:
    """A session just started: the id goes to the cookie, never anywhere else."""

    session_id: str
    csrf_token: str
    expires_at: float


def digest(secret: str) -> str:
    """SHA-256 hex of a session id or token (what the database keeps)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def validate_username(username: str) -> str:
    """``username`` if it is 1-64 letters, digits, '.', '_', '@' or '-'."""
    if not USERNAME_RE.fullmatch(username):
        raise ValueError("user name: 1-64 letters, digits, '.', '_', '@' or '-'")
    return username


def check_password_policy(password: str) -> None:
    """Reject passwords shorter than 12 or longer than 1024 characters."""
    if len(password) < MIN_PASSWORD:
        raise PasswordPolicyError(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise PasswordPolicyError(f"password must have at most {MAX_PASSWORD} characters")


def generate_password() -> str:
    """A one-time password with about 120 bits of entropy (shown once, never stored)."""
    return secrets.token_urlsafe(15)


def create_user(
    db: Database,
    username: str,
    role: str,
    password: str,
    *,
    districts: Sequence[str] = (),
    cameras: Sequence[str] = (),
    all_cameras: bool = False,
    now: float | None = None,
) -> UserRecord:
    """Create a user with an argon2 password hash."""
    validate_username(username)
    validate_role(role)
    check_password_policy(password)
    return insert_user(
        db,
        username,
        role,
        HASHER.hash(password),
        districts=districts,
        cameras=cameras,
        all_cameras=all_cameras,
        now=time.time() if now is None else now,
    )


def set_password(db: Database, username: str, password: str, *, now: float | None = None) -> None:
    """Give a user a new password."""
    check_password_policy(password)
    set_password_hash(db, username, HASHER.hash(password), now=time.time() if now is None else now)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(
    db: Database, cfg: ConsoleConfig, username: str, password: str, address: str, *, now: float
) -> LoginResult:
    """Check a user name and password, throttled per user name and per client address.

    While throttled the password is not even checked, so guessing gains nothing.
    """
    since = now - cfg.login_window_s
    if (
        failures_since(db, since=since, username=username) >= cfg.login_max_failures_per_user
        or failures_since(db, since=since, address=address) >= cfg.login_max_failures_per_address
    ):
        return LoginResult(None, throttled=True)
    found = password_hash_of(db, username) if len(password) <= MAX_PASSWORD else None
    if found is None:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD])
        record_attempt(db, username, address, at=now, success=False)
        return LoginResult(None)
    user, stored = found
    if not _verify(stored, password) or user.disabled:
        record_attempt(db, username, address, at=now, success=False)
        return LoginResult(None)
    if HASHER.check_needs_rehash(stored):
        set_password_hash(db, username, HASHER.hash(password), now=now)
    record_attempt(db, username, address, at=now, success=True)
    # Housekeeping on the (rare) successful login: attempts past any window and dead
    # sessions serve nothing; the audit log keeps the history of sign-ins.
    prune_attempts(db, before=now - max(cfg.login_window_s, 86_400.0))
    delete_expired_sessions(db, now=now)
    return LoginResult(user)


def start_session(
    db: Database, user: UserRecord, *, ttl_s: float, address: str, now: float
) -> NewSession:
    """A new browser session for ``user``."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    insert_session(
        db,
        id_hash=digest(session_id),
        user_id=user.id,
        csrf_token=csrf,
        now=now,
        expires_at=now + ttl_s,
        address=address,
    )
    return NewSession(session_id, csrf, now + ttl_s)


def resolve_session(db: Database, session_id: str, *, now: float) -> SessionRecord | None:
    """The live session with this id, if its user is still enabled."""
    if not session_id or len(session_id) > 200:
        return None
    found = find_session(db, digest(session_id), now=now)
    if found is None or found.user.disabled:
        return None
    return found


def end_session(db: Database, session_id: str) -> None:
    """Sign a browser session out."""
    delete_session(db, digest(session_id))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the request's."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def create_token(
    db: Database, username: str, name: str, *, now: float | None = None
) -> tuple[TokenInfo, str]:
    """A new API token for ``username``: its facts and the token itself (show it once)."""
    if not TOKEN_NAME_RE.fullmatch(name):
        raise ValueError("token name: 1-100 letters, digits, spaces, '.', '_', '@' or '-'")
    if get_user(db, username) is None:
        raise ValueError(f"no user named {username!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    info = insert_token(db, username, name, digest(token), now=time.time() if now is None else now)
    return info, token


def resolve_token(db: Database, token: str) -> UserRecord | None:
    """The enabled user of an unrevoked API token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    user = find_token_user(db, digest(token))
    return None if user is None or user.disabled else user


def revoke(db: Database, username: str, name: str, *, now: float | None = None) -> TokenInfo:
    """Revoke a user's API token by name."""
    return revoke_token(db, username, name, now=time.time() if now is None else now)
