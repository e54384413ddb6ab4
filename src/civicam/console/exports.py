"""Export jobs of the console: a row in the export table (``civicam.store.privacy``),
built one at a time in a background thread by ``civicam.export.jobs.run_export_job``
(the signed, redacted package, which writes the ``export`` audit entry itself).

Jobs survive restarts as rows; one left queued or running by a stopped process is
marked failed when the console starts, so nothing waits forever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from civicam.config.recording import RecorderFileConfig
from civicam.export.jobs import run_export_job
from civicam.store.engine import Database
from civicam.store.privacy import (
    ExportInfo,
    create_export,
    get_export,
    list_exports,
    update_export,
)

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the console stopped before the export finished"


@dataclass
class ExportJobs:
    """Queues export jobs and remembers their progress (0..1) while they run."""

    cfg: RecorderFileConfig
    db: Database
    clock: Callable[[], float]
    progress: dict[int, float] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: ThreadPoolExecutor | None = None

    @property
    def directory(self) -> Path:
        """Where packages are written."""
        return self.cfg.console.export_dir or self.cfg.storage.root / "_exports"

    def recover(self) -> int:
        """Mark jobs a stopped process left queued or running as failed; returns how many."""
        stale = [j for j in list_exports(self.db, limit=1000) if j.status in ("queued", "running")]
        for job in stale:
            update_export(self.db, job.id, status="failed", error=INTERRUPTED)
        return len(stale)

    def submit(
        self,
        *,
        cameras: Sequence[str],
        start: float,
        end: float,
        reason: str,
        recipient: str | None,
        operator: str,
        role: str,
    ) -> ExportInfo:
        """Queue a redacted export; returns the queued job."""
        info = create_export(
            self.db,
            cameras=list(cameras),
            start=start,
            end=end,
            reason=reason,
            recipient=recipient or None,
            operator=operator,
            redacted=True,
        )
        with self._lock:
            self.progress[info.id] = 0.0
            self.roles[info.id] = role
        self._executor().submit(self._run, info.id)
        return info

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="civicam-export")
            return self._pool

    def _run(self, export_id: int) -> None:
        def progress(_message: str, fraction: float) -> None:
            with self._lock:
                self.progress[export_id] = round(fraction, 3)

        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            run_export_job(
                self.cfg,
                self.db,
                export_id,
                self.directory,
                role=self.roles.get(export_id),
                progress=progress,
            )
        except (KeyError, ValueError, OSError):
            log.exception("export %s could not run", export_id)
            update_export(self.db, export_id, status="failed", error="internal error")

    def get(self, export_id: int) -> ExportInfo | None:
        """One job."""
        return get_export(self.db, export_id)

    def all(self) -> list[ExportInfo]:
        """The newest jobs first."""
        return list_exports(self.db, limit=1000)

    def progress_of(self, job: ExportInfo) -> float:
        """0..1 while running; 1 when ready."""
        if job.status == "ready":
            return 1.0
        with self._lock:
            return self.progress.get(job.id, 0.0)

    def wait(self, timeout: float | None = None) -> None:
        """Block until queued jobs finish (tests, shutdown)."""
        self._executor().submit(lambda: None).result(timeout=timeout)

    def shutdown(self) -> None:
        """Stop the worker after the running job (a later submit starts a new one)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
