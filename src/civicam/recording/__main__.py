"""``python -m civicam.recording CONFIG``: the recorder alone, without the CLI's imports.

Meant for supervisors (systemd, a cluster scheduler) and the crash tests; stops on
SIGINT/SIGTERM. ``civicam record`` is the same with a status display.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from civicam.config.loader import ConfigError, load_model
from civicam.config.recording import RecorderFileConfig
from civicam.recording.service import run_recording


def main(argv: list[str] | None = None) -> int:
    """Run recording until a signal arrives (or ``--duration`` passes)."""
    parser = argparse.ArgumentParser(prog="python -m civicam.recording")
    parser.add_argument("config", type=Path)
    parser.add_argument("--duration", type=float, default=None)
    args = parser.parse_args(argv)
    try:
        cfg = load_model(args.config, RecorderFileConfig)
    except ConfigError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    stop = threading.Event()

    def _stop(_sig: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    if args.duration is not None:
        timer = threading.Timer(args.duration, stop.set)
        timer.daemon = True
        timer.start()
    run_recording(cfg, stop, status_interval=0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
