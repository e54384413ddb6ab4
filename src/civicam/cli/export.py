"""``civicam export`` and ``civicam verify``: signed footage packages, checked offline."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from civicam.audit.keys import load_public_key, public_key_bytes
from civicam.cli.record import ConfigOpt, load_config, parse_time
from civicam.export.package import ExportError, build_export
from civicam.export.verify import verify_package
from civicam.recording.service import open_store
from civicam.store.engine import DatabaseError


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def default_operator() -> str:
    """The login name running the command (the operator named in the audit log)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def export(
    config: ConfigOpt,
    camera: Annotated[
        list[str], typer.Option("--camera", help="Camera id (repeat for several cameras).")
    ],
    start: Annotated[str, typer.Option(help="ISO 8601 start (UTC if no zone).")],
    end: Annotated[str, typer.Option(help="ISO 8601 end (UTC if no zone).")],
    reason: Annotated[str, typer.Option(help="Why the footage is exported (logged, signed).")],
    out: Annotated[Path, typer.Option("--out", help="Package to write (.zip).")],
    recipient: Annotated[
        str | None, typer.Option(help="Who receives the package (logged, signed).")
    ] = None,
    operator: Annotated[
        str | None, typer.Option(help="Who exports (default: your login name).")
    ] = None,
    no_redact: Annotated[
        bool,
        typer.Option(
            "--no-redact",
            help="Do not blur people. Needs --role with the unmask privilege "
            "(privacy.unmask_roles); stated in the manifest and the audit log.",
        ),
    ] = False,
    role: Annotated[
        str | None, typer.Option(help="The role you act in (required with --no-redact).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Export cameras' footage over a range as a signed package (people blurred by default)."""
    cfg = load_config(config)
    start_ts, end_ts = parse_time(start), parse_time(end)
    assert start_ts is not None and end_ts is not None
    who = (operator or default_operator()).strip()
    if not who:
        raise _fail("cannot tell who you are: pass --operator")
    if no_redact:
        if role is None:
            raise _fail("--no-redact needs --role naming a role with the unmask privilege")
        if not cfg.privacy.may_unmask(role):
            raise _fail(
                f"role {role!r} may not export without redaction "
                f"(privacy.unmask_roles: {', '.join(cfg.privacy.unmask_roles)})"
            )
    console = Console(stderr=True)
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    try:
        with Progress(
            TextColumn("[bold]export[/] {task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=1.0)

            def progress(message: str, fraction: float) -> None:
                bar.update(task, completed=fraction, description=message)

            result = build_export(
                cfg,
                db,
                cameras=camera,
                start=start_ts,
                end=end_ts,
                reason=reason,
                operator=who,
                recipient=recipient,
                out=out,
                redact=not no_redact,
                progress=progress,
                force=force,
                role=role,
            )
    except ExportError as exc:
        raise _fail(str(exc)) from None
    finally:
        db.close()
    gaps = sum(len(c["gaps"]) for c in result.manifest["cameras"])
    redaction = "people blurred" if result.redacted else "NOT redacted"
    typer.echo(
        f"wrote {result.path} ({result.bytes / 1e6:.1f} MB, {len(result.cameras)} camera(s), "
        f"{gaps} gap(s) listed, {redaction}); signed by key {result.key_id}; "
        f"sha256 {result.sha256}"
    )


def verify(
    package: Annotated[Path, typer.Argument(help="An export package (.zip).")],
    key: Annotated[
        str | None,
        typer.Option(
            help="The expected public key: 64 hex digits, or a file (hex, raw or PEM). "
            "Without it the package is checked against the key it names."
        ),
    ] = None,
) -> None:
    """Check a package offline: signature, manifest and every file. Exit 0 verified, 1 not."""
    expected: bytes | None = None
    if key is not None:
        try:
            source: Path | bytes = (
                key.encode("ascii")
                if len(key.strip()) == 64 and not Path(key).exists()
                else Path(key)
            )
            expected = public_key_bytes(load_public_key(source))
        except ValueError as exc:  # SigningKeyError and UnicodeEncodeError included
            raise _fail(f"--key: {exc}") from None
    report = verify_package(package, public_key=expected)
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)
