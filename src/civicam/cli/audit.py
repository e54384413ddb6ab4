"""``civicam audit``: verify the tamper-evident log, sign heads, export and check bundles."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from civicam.audit.bundle import BundleError, build_bundle, verify_bundle, write_bundle
from civicam.audit.keys import (
    SigningKeyError,
    key_id,
    key_path,
    load_or_create_signing_key,
    load_public_key,
    load_signing_key,
    public_key_bytes,
)
from civicam.audit.log import sign_head
from civicam.audit.verify import verify_log
from civicam.cli.record import ConfigOpt, load_config
from civicam.recording.service import open_store
from civicam.store.engine import DatabaseError

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def parse_time(value: str) -> float:
    """ISO 8601 (UTC when no zone is given) to POSIX seconds."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def verify(
    config: ConfigOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Recompute the log and check every signed head; exit 1 naming the first bad entry."""
    cfg = load_config(config)
    public = None
    try:
        public = load_signing_key(cfg.audit).public_key()
    except SigningKeyError as exc:
        if key_path(cfg.audit).exists():
            raise _fail(str(exc)) from None
        # No key yet: entries are still checked; any head then counts as a problem.
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    console = Console(stderr=True)
    try:
        with Progress(
            TextColumn("[bold]verifying audit log"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task("verify", total=None)

            def update(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = verify_log(db, public, progress=update)
    finally:
        db.close()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "entries": report.entries,
                    "heads": report.heads,
                    "signed_size": report.signed_size,
                    "root_hash": report.root.hex(),
                    "first_bad_entry": report.first_bad,
                    "problems": [{"index": p.index, "message": p.message} for p in report.problems],
                },
                indent=2,
            )
        )
    else:
        out = Console()
        for p in report.problems:
            out.print(f"FAIL {p.message}", markup=False)
        if report.more_problems:
            out.print(f"... and {report.more_problems} more problems", markup=False)
        if report.ok:
            out.print(
                f"intact: {report.entries} entries, {report.heads} signed heads, "
                f"root {report.root.hex()}",
                markup=False,
            )
            if report.signed_size < report.entries:
                out.print(
                    f"note: entries {report.signed_size}..{report.entries - 1} are not yet "
                    "covered by a signed head (run `civicam audit sign`)",
                    markup=False,
                )
        elif report.first_bad is not None:
            out.print(f"TAMPERED: first bad entry is {report.first_bad}", markup=False)
        else:
            out.print("TAMPERED: a signed head does not verify", markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def sign(
    config: ConfigOpt,
    force: Annotated[
        bool, typer.Option(help="Sign even when the latest head covers the log.")
    ] = False,
) -> None:
    """Sign the current tree head now."""
    cfg = load_config(config)
    try:
        key = load_or_create_signing_key(cfg.audit)
        db = open_store(cfg, register=False)
    except (SigningKeyError, DatabaseError, OSError) as exc:
        raise _fail(str(exc)) from None
    try:
        head = sign_head(db, key, force=force)
    finally:
        db.close()
    if head is None:
        typer.echo("the latest signed head already covers the log")
    else:
        typer.echo(f"signed head: {head.tree_size} entries, root {head.root.hex()}")


@app.command()
def key(config: ConfigOpt) -> None:
    """Print the installation's public key and its id (to publish for auditors)."""
    cfg = load_config(config)
    try:
        public = public_key_bytes(load_or_create_signing_key(cfg.audit))
    except (SigningKeyError, OSError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"key id: {key_id(public)}\npublic key: {public.hex()}")


@app.command()
def export(
    config: ConfigOpt,
    since: Annotated[str, typer.Option(help="ISO 8601 time (UTC if no zone): first entry.")],
    out: Annotated[Path, typer.Option("--out", help="Bundle file to write (JSON).")],
    sign_first: Annotated[
        bool,
        typer.Option("--sign/--no-sign", help="Sign a head first so every entry is covered."),
    ] = True,
) -> None:
    """Write entries since a time with signed heads and proofs, for outside auditors."""
    cfg = load_config(config)
    t0 = parse_time(since)
    try:
        signing = (
            load_or_create_signing_key(cfg.audit) if sign_first else load_signing_key(cfg.audit)
        )
        db = open_store(cfg, register=False)
    except (SigningKeyError, DatabaseError, OSError) as exc:
        raise _fail(str(exc)) from None
    try:
        if sign_first:
            sign_head(db, signing)
        bundle = build_bundle(db, signing.public_key(), t0)
    except BundleError as exc:
        raise _fail(str(exc), 1) from None
    finally:
        db.close()
    write_bundle(bundle, out)
    typer.echo(
        f"wrote {len(bundle['entries'])} entries and {len(bundle['heads'])} signed heads "
        f"to {out} (key id {bundle['key_id']})"
    )


@app.command()
def check(
    bundle: Annotated[Path, typer.Argument(help="Audit bundle written by `audit export`.")],
    key_file: Annotated[
        Path | None,
        typer.Option("--key", help="The installation's published public key (hex, raw or PEM)."),
    ] = None,
) -> None:
    """Check an audit bundle without any database; exit 1 when anything fails."""
    expected = None
    if key_file is not None:
        try:
            expected = public_key_bytes(load_public_key(key_file))
        except SigningKeyError as exc:
            raise _fail(str(exc)) from None
    report = verify_bundle(bundle, expected)
    for problem in report.problems:
        typer.echo(f"FAIL {problem}")
    if not report.ok:
        raise typer.Exit(1)
    typer.echo(
        f"verified: {report.entries} entries included in the signed head of "
        f"{report.tree_size} entries, {report.heads} heads consistent, key id {report.key_id}"
    )
    if report.key_from_bundle:
        typer.echo("note: the key came from the bundle; compare its id with the published one")
