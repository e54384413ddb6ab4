"""The recording-and-analysis part of ``civicam demo``: segments, events, a site file."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from civicam.config.loader import load_model
from civicam.config.recording import RecorderFileConfig
from civicam.recording.demo import DEMO_CAMERAS, run_recording_demo
from civicam.recording.service import open_store
from civicam.store.events import search_events

pytestmark = pytest.mark.usefixtures("isolated_user_cache")


def test_demo_records_analyses_and_writes_a_usable_site_file(tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    result = run_recording_demo(tmp_path, console, seconds=9.0, analysis=True)
    assert result.cameras == len(DEMO_CAMERAS) and result.segments >= 3
    cfg = load_model(result.config, RecorderFileConfig)
    assert [c.id for c in cfg.cameras] == [c[0] for c in DEMO_CAMERAS]
    db = open_store(cfg, register=False)
    try:
        found = search_events(db, label="person")
    finally:
        db.close()
    # The footage's cyclist passes 3-5 s in: every camera saw him.
    assert {e.camera_id for e in found} == {c[0] for c in DEMO_CAMERAS}
    assert all(e.snapshot and (cfg.storage.root / e.snapshot).is_file() for e in found)
    assert "Events found while recording" in console.export_text()
