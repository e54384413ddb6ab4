"""Analysis workers: ended events are stored with snapshots in which every person is
blurred, including one the motion crops never looked at."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from civicam.analysis.service import (
    AnalysisWorker,
    DatabaseEventSink,
    MemoryEventSink,
    analyse_frames,
    camera_settings,
)
from civicam.config.analysis import AnalysisConfig
from civicam.recording.paths import snapshot_path
from civicam.store import open_database
from civicam.store.events import get_event, search_events
from tests.analysis.test_pipeline import SquareDetector, background

H, W = 360, 640


def _checker(h: int, w: int) -> np.ndarray:
    ys, xs = np.mgrid[0:h, 0:w]
    board: np.ndarray = (((ys // 2 + xs // 2) % 2) * 255).astype(np.uint8)
    return board


def _scene(walker_x: int | None) -> np.ndarray:
    """Background, a person standing still at the right, and maybe a walking person.

    People are red-channel 255 blobs (what the fake detector finds) with a fine
    checkerboard in green: the detail a blur must destroy.
    """
    img = background()
    img[150:230, 560:590, 2] = 255
    img[150:230, 560:590, 0] = 255
    img[150:230, 560:590, 1] = _checker(80, 30)
    if walker_x is not None:
        img[200:260, walker_x : walker_x + 24, 0] = 255
        img[200:260, walker_x : walker_x + 24, 1] = _checker(60, 24)
    return img


def _walk() -> list[tuple[float, np.ndarray]]:
    frames = [(i * 0.2, _scene(None)) for i in range(5)]
    frames += [(1.0 + i * 0.2, _scene(60 + 15 * i)) for i in range(20)]
    frames += [(5.0 + i * 0.2, _scene(None)) for i in range(20)]
    return frames


def _detail(img: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    return float(np.abs(cv2.Laplacian(img[y0:y1, x0:x1, 1], cv2.CV_64F)).mean())


def test_one_walk_through_is_one_event_with_a_redacted_snapshot() -> None:
    cfg = AnalysisConfig()
    sink = MemoryEventSink()
    worker = AnalysisWorker(camera_settings(cfg, "gate"), cfg, SquareDetector(), sink)
    analyse_frames(_walk(), worker)
    # The walker is one event; the person standing still never moves, so no event.
    assert len(sink.events) == 1
    event = sink.events[0]
    assert event.label == "person" and event.camera == "gate"
    assert 1.0 <= event.start < 1.5 and 4.0 < event.end < 5.0
    jpeg = sink.snapshots[0]
    assert jpeg is not None
    snap = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert snap is not None and snap.shape == (H, W, 3)
    original = _scene(60)
    # Both people lose their fine detail; the still one was found by the full-frame pass.
    still = (562, 152, 588, 228)
    assert _detail(original, still) > 100 and _detail(snap, still) < 15
    x0, y0, x1, y1 = event.track[-1].box
    walker = (x0 + 2, y0 + 2, x1 - 2, y1 - 2)
    assert _detail(snap, walker) < 15
    # Away from people the picture is kept (JPEG noise aside).
    sky = (10, 10, 200, 100)
    assert abs(_detail(snap, sky) - _detail(original, sky)) < 5


def test_database_sink_stores_event_and_snapshot_file(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'i.db'}")
    cfg = AnalysisConfig.model_validate(
        {
            "cameras": [
                {"camera": "gate", "zones": {"path": [[0, 180], [640, 180], [640, 360], [0, 360]]}}
            ]
        }
    )
    worker = AnalysisWorker(
        camera_settings(cfg, "gate"), cfg, SquareDetector(), DatabaseEventSink(db, tmp_path)
    )
    analyse_frames(_walk(), worker)
    (found,) = search_events(db, cameras=["gate"], zone="path", label="person")
    assert found.snapshot is not None
    path = snapshot_path(tmp_path, "gate", found.id)
    assert (tmp_path / found.snapshot) == path and path.read_bytes()[:2] == b"\xff\xd8"
    assert worker.stats.events == 1 and worker.stats.analysed == 45


def test_a_snapshot_that_cannot_be_written_loses_the_picture_not_the_event(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'i.db'}")
    blocked = tmp_path / "root"
    blocked.write_text("a file where the storage directory should be")
    cfg = AnalysisConfig()
    worker = AnalysisWorker(
        camera_settings(cfg, "gate"), cfg, SquareDetector(), DatabaseEventSink(db, blocked)
    )
    analyse_frames(_walk(), worker)
    (found,) = search_events(db)
    assert found.snapshot is None and get_event(db, found.id) == found


def test_masks_are_burned_into_snapshots() -> None:
    cfg = AnalysisConfig()
    sink = MemoryEventSink()

    def mask(img: np.ndarray) -> np.ndarray:
        out = img.copy()
        out[0:50, 0:50] = 0
        return out

    worker = AnalysisWorker(camera_settings(cfg, "gate"), cfg, SquareDetector(), sink, mask=mask)
    analyse_frames(_walk(), worker)
    snap = cv2.imdecode(np.frombuffer(sink.snapshots[0] or b"", np.uint8), cv2.IMREAD_COLOR)
    assert snap is not None and snap[5:45, 5:45].max() < 10


def test_camera_settings_defaults_for_unconfigured_cameras() -> None:
    assert camera_settings(AnalysisConfig(), "x").zones == {}
    with pytest.raises(ValueError):
        camera_settings(AnalysisConfig(), "../x")
