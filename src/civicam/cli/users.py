"""``civicam users``: console accounts and API tokens.

There is no default account and no default password: the first admin is created here,
with a password typed twice or (``--generate``) one printed once and never stored.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicam.audit import actions
from civicam.cli.record import ConfigOpt, load_config
from civicam.console.accounts import (
    PasswordPolicyError,
    create_token,
    create_user,
    generate_password,
    revoke,
    set_password,
)
from civicam.console.audit import record_audit
from civicam.console.roles import ROLES
from civicam.recording.service import open_store
from civicam.store.accounts import AccountError, list_tokens, list_users, set_disabled
from civicam.store.engine import Database

app = typer.Typer(help="Console users and API tokens.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts (shown once).", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _audit(db: Database, action: str, details: dict[str, object]) -> None:
    record_audit(
        db,
        actor=_actor(),
        action=action,
        role="cli",
        at=datetime.now(tz=UTC).timestamp(),
        details=dict(details),
    )


def _password(generate: bool) -> tuple[str, bool]:
    if generate:
        return generate_password(), True
    value = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return str(value), False


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@app.command("add")
def add(
    config: ConfigOpt,
    username: Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    district: Annotated[
        list[str] | None, typer.Option(help="District the user works in (repeatable).")
    ] = None,
    camera: Annotated[list[str] | None, typer.Option(help="Camera id (repeatable).")] = None,
    all_cameras: Annotated[bool, typer.Option(help="Every camera, present and future.")] = False,
    generate: Annotated[
        bool, typer.Option(help="Generate a one-time password and print it once.")
    ] = False,
) -> None:
    """Create a console user (prompts for the password unless --generate)."""
    cfg = load_config(config)
    if role not in ROLES:
        raise _fail(f"role must be one of {', '.join(ROLES)}")
    password, generated = _password(generate)
    db = open_store(cfg, register=False)
    try:
        user = create_user(
            db,
            username,
            role,
            password,
            districts=district or [],
            cameras=camera or [],
            all_cameras=all_cameras,
        )
        _audit(
            db,
            actions.USER_CHANGE,
            {
                "user": user.username,
                "change": "created",
                "user_role": role,
                "districts": list(user.districts),
                "cameras": list(user.cameras),
                "all_cameras": all_cameras,
            },
        )
    except (AccountError, ValueError) as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"created {role} {username}")
    if generated:
        typer.echo(f"one-time password (shown once, change it after signing in): {password}")


@app.command("password")
def password_command(
    config: ConfigOpt,
    username: Annotated[str, typer.Argument(help="User name.")],
    generate: Annotated[bool, typer.Option(help="Generate one and print it once.")] = False,
) -> None:
    """Set a user's password."""
    cfg = load_config(config)
    password, generated = _password(generate)
    db = open_store(cfg, register=False)
    try:
        set_password(db, username, password)
        _audit(db, actions.USER_CHANGE, {"user": username, "change": "password"})
    except (AccountError, PasswordPolicyError) as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"password of {username} changed")
    if generated:
        typer.echo(f"one-time password (shown once): {password}")


@app.command("list")
def list_command(config: ConfigOpt) -> None:
    """Users with role, state and assignment (never passwords)."""
    cfg = load_config(config)
    db = open_store(cfg, register=False)
    try:
        users = list_users(db)
    finally:
        db.close()
    table = Table(title="Console users")
    for col in ("user", "role", "state", "districts", "cameras"):
        table.add_column(col)
    for u in users:
        cams = "all" if u.all_cameras or u.role in ("admin", "auditor") else ", ".join(u.cameras)
        table.add_row(
            u.username,
            u.role,
            "disabled" if u.disabled else "enabled",
            ", ".join(u.districts),
            cams,
        )
    Console().print(table, markup=False)


def _set_disabled(config: ConfigOpt, username: str, disabled: bool) -> None:
    cfg = load_config(config)
    db = open_store(cfg, register=False)
    try:
        set_disabled(db, username, disabled, now=datetime.now(tz=UTC).timestamp())
        _audit(db, actions.USER_CHANGE, {"user": username, "disabled": disabled})
    except AccountError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"{username} {'disabled' if disabled else 'enabled'}")


@app.command("disable")
def disable(config: ConfigOpt, username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user: sessions end at once, tokens stop working."""
    _set_disabled(config, username, True)


@app.command("enable")
def enable(config: ConfigOpt, username: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled user."""
    _set_disabled(config, username, False)


@token_app.command("create")
def token_create(
    config: ConfigOpt,
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Argument(help="A name for it (unique per user).")],
) -> None:
    """Create an API token and print it once (use as 'Authorization: Bearer TOKEN')."""
    cfg = load_config(config)
    db = open_store(cfg, register=False)
    try:
        info, token = create_token(db, username, name)
        _audit(db, actions.USER_CHANGE, {"user": username, "token": name, "change": "created"})
    except (AccountError, ValueError) as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"token {info.name} of {username} (shown once): {token}")


@token_app.command("revoke")
def token_revoke(
    config: ConfigOpt,
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Argument(help="The token's name.")],
) -> None:
    """Revoke an API token."""
    cfg = load_config(config)
    db = open_store(cfg, register=False)
    try:
        revoke(db, username, name)
        _audit(db, actions.USER_CHANGE, {"user": username, "token": name, "change": "revoked"})
    except AccountError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"token {name} of {username} revoked")


@token_app.command("list")
def token_list(
    config: ConfigOpt,
    username: Annotated[str | None, typer.Argument(help="Only this user's.")] = None,
) -> None:
    """API tokens (names and dates; the tokens themselves are not stored)."""
    cfg = load_config(config)
    db = open_store(cfg, register=False)
    try:
        tokens = list_tokens(db, username)
    finally:
        db.close()
    table = Table(title="API tokens")
    for col in ("user", "name", "created", "revoked"):
        table.add_column(col)

    def iso(t: float | None) -> str:
        return "" if t is None else datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="seconds")

    for t in tokens:
        table.add_row(t.username, t.name, iso(t.created_at), iso(t.revoked_at))
    Console().print(table, markup=False)
