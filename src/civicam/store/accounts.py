"""Console accounts: users and their camera scope, browser sessions, API tokens and login
attempts. Only hashes of session ids and tokens are stored; password hashes never leave
this module except through :func:`password_hash_of`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from civicam.store.engine import Database
from civicam.store.models import Base

UserSort = Literal["username", "role", "created", "updated"]
_USER_SORT = {
    "username": "username",
    "role": "role",
    "created": "created_at",
    "updated": "updated_at",
}


class AccountError(ValueError):
    """An account operation that cannot be done (duplicate user, unknown user...)."""


class User(Base):
    """A console account."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    all_cameras: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class UserScope(Base):
    """A district or camera a user is assigned to."""

    __tablename__ = "console_user_scopes"
    __table_args__ = (UniqueConstraint("user_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # "district" or "camera"
    value: Mapped[str] = mapped_column(String(200))


class BrowserSession(Base):
    """A signed-in browser; the id itself is only ever in the user's cookie."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(64))


class ApiToken(Base):
    """A named, revocable token for scripts (``Authorization: Bearer``)."""

    __tablename__ = "console_api_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class LoginAttempt(Base):
    """One login attempt, for throttling per user name and per client address."""

    __tablename__ = "console_login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
    success: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True)
class UserRecord:
    """A user as the console sees it (never the password hash)."""

    id: int
    username: str
    role: str
    disabled: bool
    all_cameras: bool
    districts: tuple[str, ...]
    cameras: tuple[str, ...]
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class SessionRecord:
    """A live browser session."""

    user: UserRecord
    csrf_token: str
    expires_at: float


@dataclass(frozen=True)
class TokenInfo:
    """An API token's public facts (never the token)."""

    id: int
    username: str
    name: str
    created_at: float
    revoked_at: float | None


def _user(session: Session, row: User) -> UserRecord:
    scopes = session.scalars(
        select(UserScope).where(UserScope.user_id == row.id).order_by(UserScope.value)
    ).all()
    return UserRecord(
        id=row.id,
        username=row.username,
        role=row.role,
        disabled=row.disabled,
        all_cameras=row.all_cameras,
        districts=tuple(s.value for s in scopes if s.kind == "district"),
        cameras=tuple(s.value for s in scopes if s.kind == "camera"),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _by_name(session: Session, username: str) -> User:
    row = session.scalars(select(User).where(User.username == username)).first()
    if row is None:
        raise AccountError(f"no user named {username!r}")
    return row


def _replace_scope(
    session: Session, user_id: int, districts: Sequence[str], cameras: Sequence[str]
) -> None:
    session.execute(delete(UserScope).where(UserScope.user_id == user_id))
    for kind, values in (("district", districts), ("camera", cameras)):
        for value in sorted(set(values)):
            session.add(UserScope(user_id=user_id, kind=kind, value=value))


def insert_user(
    db: Database,
    username: str,
    role: str,
    password_hash: str,
    *,
    districts: Sequence[str] = (),
    cameras: Sequence[str] = (),
    all_cameras: bool = False,
    now: float,
) -> UserRecord:
    """Add a user; :class:`AccountError` if the name is taken."""
    try:
        with db.write() as session:
            row = User(
                username=username,
                role=role,
                password_hash=password_hash,
                disabled=False,
                all_cameras=all_cameras,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            _replace_scope(session, row.id, districts, cameras)
            session.flush()
            return _user(session, row)
    except IntegrityError as exc:
        raise AccountError(f"user {username!r} already exists") from exc


def get_user(db: Database, username: str) -> UserRecord | None:
    """A user by name, or ``None``."""
    with db.read() as session:
        row = session.scalars(select(User).where(User.username == username)).first()
        return None if row is None else _user(session, row)


def password_hash_of(db: Database, username: str) -> tuple[UserRecord, str] | None:
    """A user and their stored password hash (for verification only)."""
    with db.read() as session:
        row = session.scalars(select(User).where(User.username == username)).first()
        return None if row is None else (_user(session, row), row.password_hash)


def set_password_hash(db: Database, username: str, password_hash: str, *, now: float) -> None:
    """Replace a user's password hash (a new password, or a rehash with newer parameters)."""
    with db.write() as session:
        row = _by_name(session, username)
        row.password_hash, row.updated_at = password_hash, now


def list_users(db: Database, *, sort: UserSort = "username") -> list[UserRecord]:
    """Every user, ordered by an allowlisted field."""
    column = getattr(User, _USER_SORT[sort])
    with db.read() as session:
        rows = session.scalars(select(User).order_by(column, User.id)).all()
        return [_user(session, row) for row in rows]


def set_disabled(db: Database, username: str, disabled: bool, *, now: float) -> UserRecord:
    """Disable (or re-enable) a user; disabling ends their sessions."""
    with db.write() as session:
        row = _by_name(session, username)
        row.disabled, row.updated_at = disabled, now
        if disabled:
            session.execute(delete(BrowserSession).where(BrowserSession.user_id == row.id))
        session.flush()
        return _user(session, row)


def set_scope(
    db: Database,
    username: str,
    *,
    districts: Sequence[str],
    cameras: Sequence[str],
    all_cameras: bool,
    now: float,
) -> UserRecord:
    """Replace a user's assigned districts and cameras."""
    with db.write() as session:
        row = _by_name(session, username)
        row.all_cameras, row.updated_at = all_cameras, now
        _replace_scope(session, row.id, districts, cameras)
        session.flush()
        return _user(session, row)


def insert_session(
    db: Database,
    *,
    id_hash: str,
    user_id: int,
    csrf_token: str,
    now: float,
    expires_at: float,
    address: str,
) -> None:
    """Store a new browser session (by the hash of its id)."""
    with db.write() as session:
        session.add(
            BrowserSession(
                id_hash=id_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=expires_at,
                address=address[:64],
            )
        )


def find_session(db: Database, id_hash: str, *, now: float) -> SessionRecord | None:
    """The unexpired session with this id hash, with its user."""
    with db.read() as session:
        row = session.get(BrowserSession, id_hash)
        if row is None or row.expires_at <= now:
            return None
        user = session.get(User, row.user_id)
        if user is None:
            return None
        return SessionRecord(_user(session, user), row.csrf_token, row.expires_at)


def delete_session(db: Database, id_hash: str) -> None:
    """End a session."""
    with db.write() as session:
        session.execute(delete(BrowserSession).where(BrowserSession.id_hash == id_hash))


def delete_expired_sessions(db: Database, *, now: float) -> int:
    """Remove expired sessions; returns how many."""
    with db.write() as session:
        result = session.execute(delete(BrowserSession).where(BrowserSession.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)


def insert_token(
    db: Database, username: str, name: str, token_hash: str, *, now: float
) -> TokenInfo:
    """Store a new API token (by its hash); names are unique per user."""
    try:
        with db.write() as session:
            user = _by_name(session, username)
            row = ApiToken(user_id=user.id, name=name, token_hash=token_hash, created_at=now)
            session.add(row)
            session.flush()
            return TokenInfo(row.id, username, name, now, None)
    except IntegrityError as exc:
        raise AccountError(f"{username!r} already has a token named {name!r}") from exc


def find_token_user(db: Database, token_hash: str) -> UserRecord | None:
    """The user of an unrevoked token."""
    with db.read() as session:
        row = session.scalars(
            select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        user = session.get(User, row.user_id)
        return None if user is None else _user(session, user)


def list_tokens(db: Database, username: str | None = None) -> list[TokenInfo]:
    """API tokens (public facts only), optionally of one user."""
    with db.read() as session:
        stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
        if username is not None:
            stmt = stmt.where(User.username == username)
        return [
            TokenInfo(t.id, name, t.name, t.created_at, t.revoked_at)
            for t, name in session.execute(stmt.order_by(ApiToken.id))
        ]


def revoke_token(db: Database, username: str, name: str, *, now: float) -> TokenInfo:
    """Revoke a user's token by name."""
    with db.write() as session:
        user = _by_name(session, username)
        row = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name)
        ).first()
        if row is None:
            raise AccountError(f"{username!r} has no token named {name!r}")
        if row.revoked_at is None:
            row.revoked_at = now
        return TokenInfo(row.id, username, row.name, row.created_at, row.revoked_at)


def record_attempt(db: Database, username: str, address: str, *, at: float, success: bool) -> None:
    """Remember a login attempt."""
    with db.write() as session:
        session.add(
            LoginAttempt(username=username[:64], address=address[:64], at=at, success=success)
        )


def failures_since(
    db: Database, *, since: float, username: str | None = None, address: str | None = None
) -> int:
    """Failed attempts since ``since`` for a user name or a client address (after the last
    success of that user name, so a good login resets its count)."""
    stmt = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    )
    with db.read() as session:
        if username is not None:
            last_ok = session.scalar(
                select(func.max(LoginAttempt.at)).where(
                    LoginAttempt.username == username[:64], LoginAttempt.success.is_(True)
                )
            )
            stmt = stmt.where(LoginAttempt.username == username[:64])
            if last_ok is not None:
                stmt = stmt.where(LoginAttempt.at > last_ok)
        if address is not None:
            stmt = stmt.where(LoginAttempt.address == address[:64])
        return int(session.scalar(stmt) or 0)


def prune_attempts(db: Database, *, before: float) -> None:
    """Forget attempts older than ``before``."""
    with db.write() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
