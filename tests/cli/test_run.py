"""``civicam run`` keeps recording when analysis cannot start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from civicam.cli.run import run_site
from civicam.config.recording import RecorderFileConfig
from civicam.recording.footage import bikes_mp4
from civicam.recording.service import open_store
from civicam.store.index import segments


def test_a_detector_that_cannot_load_leaves_recording_running(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("person\n")
    cfg = RecorderFileConfig.model_validate(
        {
            "storage": {"root": str(tmp_path / "store"), "min_free_bytes": 0},
            "recording": {"segment_seconds": 2},
            "audit": {"key_dir": str(tmp_path / "keys")},
            "cameras": [
                {
                    "id": "gate",
                    "name": "Gate",
                    "url": f"file://{bikes_mp4()}",
                    "purpose": "Entrance safety",
                    "owner": "tests",
                }
            ],
            "analysis": {
                "detection": {"model": str(tmp_path / "missing.onnx"), "labels": str(labels)}
            },
        }
    )
    with caplog.at_level(logging.ERROR):
        run_site(cfg, console=False, duration=4.0)
    assert any("analysis disabled" in r.getMessage() for r in caplog.records)
    db = open_store(cfg, register=False)
    try:
        assert segments(db, "gate"), "recording went on without analysis"
    finally:
        db.close()
