"""Serving files only from inside a known directory (canonical paths, no symlink escapes)."""

from __future__ import annotations

from pathlib import Path


def contained_file(base: Path, path: Path) -> Path:
    """``path`` resolved, if it is a regular file inside ``base`` (also resolved);
    otherwise :class:`FileNotFoundError` (answered with 404, whatever the reason)."""
    root = base.resolve()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise FileNotFoundError("not found") from exc
    if not real.is_relative_to(root) or not real.is_file():
        raise FileNotFoundError("not found")
    return real
