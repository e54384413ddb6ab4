"""``civicam holds``: keep a camera's footage for a case past retention; release it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicam.cli.export import default_operator
from civicam.cli.record import ConfigOpt, load_config, parse_time
from civicam.export.holds import HoldDeniedError, create_hold, release
from civicam.recording.service import open_store
from civicam.store.engine import DatabaseError
from civicam.store.privacy import hold_details

app = typer.Typer(help="Holds: footage kept for a case past its retention.", no_args_is_help=True)

OperatorOpt = Annotated[
    str | None, typer.Option(help="Who acts (default: your login name); logged.")
]
RoleOpt = Annotated[
    str | None, typer.Option(help="The role you act in; must be in privacy.hold_roles.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _who(operator: str | None) -> str:
    who = (operator or default_operator()).strip()
    if not who:
        raise _fail("cannot tell who you are: pass --operator")
    return who


def _iso(t: float | None) -> str:
    if t is None:
        return ""
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


@app.command("add")
def add(
    config: ConfigOpt,
    camera: Annotated[str, typer.Option(help="Camera id.")],
    start: Annotated[str, typer.Option(help="ISO 8601 start (UTC if no zone).")],
    end: Annotated[str, typer.Option(help="ISO 8601 end (UTC if no zone).")],
    reason: Annotated[str, typer.Option(help="Why the footage is kept (logged).")],
    case: Annotated[str | None, typer.Option(help="Case or reference number.")] = None,
    operator: OperatorOpt = None,
    role: RoleOpt = None,
) -> None:
    """Hold a camera's footage in a range: retention keeps it until the hold is released."""
    cfg = load_config(config)
    start_ts, end_ts = parse_time(start), parse_time(end)
    assert start_ts is not None and end_ts is not None
    who = _who(operator)
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    try:
        hold_id = create_hold(
            db,
            camera=camera,
            start=start_ts,
            end=end_ts,
            reason=reason,
            actor=who,
            case=case,
            role=role,
            policy=cfg.privacy,
        )
    except HoldDeniedError as exc:
        raise _fail(str(exc), 1) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"hold {hold_id} created: {camera} {_iso(start_ts)} .. {_iso(end_ts)} UTC")


@app.command("list")
def list_holds(
    config: ConfigOpt,
    include_released: Annotated[
        bool, typer.Option("--all", help="Also list released holds.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Holds in force (and released ones with --all)."""
    cfg = load_config(config)
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    try:
        rows = hold_details(db, include_released=include_released)
    finally:
        db.close()
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in rows], indent=2))
        return
    table = Table(title="Holds")
    for col in ("id", "camera", "start (UTC)", "end (UTC)", "case", "reason", "by", "released"):
        table.add_column(col)
    for r in rows:
        released = f"{_iso(r.released_at)} by {r.released_by}" if r.released_at else ""
        table.add_row(
            str(r.id),
            r.camera_id,
            _iso(r.start),
            _iso(r.end),
            r.case or "",
            r.reason,
            r.created_by,
            released,
        )
    Console().print(table)


@app.command("release")
def release_cmd(
    config: ConfigOpt,
    hold_id: Annotated[int, typer.Argument(help="Hold id (see `civicam holds list`).")],
    reason: Annotated[str, typer.Option(help="Why the hold ends (logged).")],
    operator: OperatorOpt = None,
    role: RoleOpt = None,
) -> None:
    """Release a hold: its footage ages out under normal retention again."""
    cfg = load_config(config)
    who = _who(operator)
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    try:
        info = release(db, hold_id, reason=reason, actor=who, role=role, policy=cfg.privacy)
    except HoldDeniedError as exc:
        raise _fail(str(exc), 1) from None
    except KeyError:
        raise _fail(f"no hold {hold_id}") from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    typer.echo(f"hold {info.id} on {info.camera_id} released")
