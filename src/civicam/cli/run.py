"""``civicam run``: recording, analysis and the console in one process tree."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from civicam.cli.record import ConfigOpt, load_config
from civicam.config.recording import RecorderFileConfig
from civicam.recording.service import Companion, open_store, run_recording
from civicam.store.engine import Database, DatabaseError

log = logging.getLogger(__name__)


def _analysis(cfg: RecorderFileConfig) -> Callable[[Database], Companion]:
    """A companion factory starting live analysis beside the recorders."""
    from civicam.analysis.detectors import load_detector
    from civicam.analysis.live import build_analysis_unit

    detector = load_detector(cfg.analysis.detection)

    def build(db: Database) -> Companion:
        return build_analysis_unit(cfg.analysis, db, cfg.storage.root, detector, cfg.privacy.masks)

    return build


def run_site(
    cfg: RecorderFileConfig,
    *,
    host: str | None = None,
    port: int | None = None,
    duration: float | None = None,
    analysis: bool = True,
    console: bool = True,
    on_ready: Any = None,
) -> None:
    """Record and analyse every enabled camera and serve the console until stopped."""
    from civicam.audit.log import start_signer

    db = open_store(cfg)
    # Signed tree heads while the site runs (and a final one at shutdown).
    signer = start_signer(db, cfg.audit)
    stop = threading.Event()
    companion = None
    if analysis and cfg.analysis.enabled:
        from civicam.analysis.detectors.base import DetectorError

        try:
            companion = _analysis(cfg)
        except DetectorError as exc:
            # Recording matters more than events: run without analysis, loudly.
            log.error("analysis disabled, recording goes on: detector: %s", exc)
    recorder = threading.Thread(
        target=run_recording,
        args=(cfg, stop),
        kwargs={"companion": companion, "db": db},
        name="recording",
    )
    recorder.start()
    try:
        if console:
            import uvicorn

            from civicam.console.app import create_app

            server = uvicorn.Server(
                uvicorn.Config(
                    create_app(cfg, db),
                    host=host or cfg.console.host,
                    port=port or cfg.console.port,
                    log_level="warning",
                    access_log=False,
                )
            )
            if duration is not None:
                timer = threading.Timer(duration, lambda: setattr(server, "should_exit", True))
                timer.daemon = True
                timer.start()
            if on_ready is not None:
                on_ready()
            server.run()  # returns on ^C / SIGTERM (uvicorn handles both) or the timer
        else:
            if on_ready is not None:
                on_ready()

            def _stop(_sig: int, _frame: Any) -> None:
                stop.set()

            previous = signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGTERM, _stop)
            try:
                stop.wait(duration)
            finally:
                signal.signal(signal.SIGINT, previous)
    finally:
        stop.set()
        recorder.join()
        signer.stop()
        db.close()


def run(
    config: ConfigOpt,
    host: Annotated[str | None, typer.Option(help="Console address (default: config).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Console port (default: config).")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(min=0, help="Stop after this many seconds (default: ^C).")
    ] = None,
    analysis: Annotated[bool, typer.Option(help="Analyse cameras for events.")] = True,
    console: Annotated[bool, typer.Option(help="Serve the web console.")] = True,
) -> None:
    """Record, analyse and serve the console for a site config until ^C."""
    cfg = load_config(config)
    out = Console(stderr=True)
    h = host or cfg.console.host
    p = port or cfg.console.port

    def ready() -> None:
        cams = len(cfg.cameras)
        parts = ["recording"] + (["analysis"] if analysis and cfg.analysis.enabled else [])
        where = f"; console at http://{h}:{p}/" if console else ""
        out.print(f"civicam: {' + '.join(parts)} of {cams} configured cameras{where} (^C stops)")

    try:
        run_site(
            cfg,
            host=host,
            port=port,
            duration=duration,
            analysis=analysis,
            console=console,
            on_ready=ready,
        )
    except DatabaseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
