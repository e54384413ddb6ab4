"""What every request handler needs: config, database, clock, grant signer, export jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from civicam.config.recording import RecorderFileConfig
from civicam.console.exports import ExportJobs
from civicam.console.grants import GrantSigner
from civicam.console.live import FrameCache
from civicam.console.masked import MaskedSegments
from civicam.store.engine import Database


@dataclass
class ConsoleState:
    """Shared by the routes of one app (no module-level state)."""

    cfg: RecorderFileConfig
    db: Database
    clock: Callable[[], float]
    signer: GrantSigner
    exports: ExportJobs
    masked: MaskedSegments = field(default_factory=MaskedSegments)
    frames: FrameCache = field(default_factory=FrameCache)

    @property
    def root(self) -> Path:
        """The storage root (segments, snapshots)."""
        return self.cfg.storage.root


def state_of(request: Request) -> ConsoleState:
    """The console state of the app serving ``request``."""
    state: ConsoleState = request.app.state.console
    return state
