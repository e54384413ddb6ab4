"""Fixtures shared across the test packages."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def _detector_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture()
def isolated_user_cache(_detector_cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user cache (converted detector models) at a per-session temp folder,
    so tests never write into the real ``~/.cache/civicam``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(_detector_cache_root))
    return _detector_cache_root
