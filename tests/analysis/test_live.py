"""Live analysis beside recording: packets shared with the recorder (or a sub stream
read by analysis) become person events with redacted snapshots; a slow analysis drops
packets up to the next keyframe instead of holding the recorder up."""

from __future__ import annotations

import threading
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from civicam.analysis.detectors import load_detector
from civicam.analysis.live import StreamAnalysis, build_analysis_unit
from civicam.analysis.service import AnalysisWorker, MemoryEventSink, camera_settings
from civicam.config.analysis import AnalysisConfig
from civicam.config.recording import RecorderFileConfig
from civicam.recording.footage import bikes_mp4
from civicam.recording.service import open_store, run_recording
from civicam.recording.source import VideoPacket
from civicam.store.events import search_events
from civicam.store.index import segments
from tests.analysis.test_pipeline import SquareDetector
from tests.recording.conftest import RtspServer, rtsp_server, wait_for

pytestmark = pytest.mark.usefixtures("isolated_user_cache")

__all__ = ["rtsp_server"]  # the fixture, imported for use here


class FakeSource:
    """What a tap reads of a recorder's Source: the stream (and its codec parameters)."""

    def __init__(self, stream: object) -> None:
        self.stream = stream


def _packets() -> tuple[FakeSource, list[VideoPacket]]:
    container = av.open(str(bikes_mp4()))
    stream = container.streams.video[0]
    out = []
    for pkt in container.demux(stream):
        if pkt.size == 0 or pkt.pts is None:
            continue
        assert stream.time_base is not None
        t = float(pkt.pts * stream.time_base)
        out.append(VideoPacket(pkt, t, t + 0.04, bool(pkt.is_keyframe)))
    source = FakeSource(stream)
    source.container = container  # type: ignore[attr-defined]  # keeps the file open
    return source, out


def test_tapped_packets_are_decoded_and_analysed_at_the_configured_rate() -> None:
    source, packets = _packets()
    cfg = AnalysisConfig()
    worker = AnalysisWorker(camera_settings(cfg, "bikes"), cfg, SquareDetector(), MemoryEventSink())
    live = StreamAnalysis(worker, fps=5.0, max_width=640)
    live.start()
    for vp in packets:
        live.tap(source, vp, 1_700_000_000 + vp.t)  # type: ignore[arg-type]
    assert wait_for(lambda: live.stats.frames >= 45, timeout=30)
    live.stop()
    assert live.stats.dropped_packets == 0 and live.stats.packets == len(packets)
    assert 45 <= worker.stats.analysed <= 50


def test_a_full_queue_drops_up_to_the_next_keyframe_and_never_blocks() -> None:
    source, packets = _packets()
    cfg = AnalysisConfig()
    worker = AnalysisWorker(camera_settings(cfg, "bikes"), cfg, SquareDetector(), MemoryEventSink())
    live = StreamAnalysis(worker, fps=5.0, max_width=640, queue=20)
    # Not started: nothing drains the queue, as when analysis falls far behind.
    for vp in packets:
        live.tap(source, vp, vp.t)  # type: ignore[arg-type]
    kept = len(packets) - live.stats.dropped_packets
    assert live.stats.dropped_packets > 0 and kept <= 20
    # A connection that starts mid-GOP: packets before its first keyframe are dropped
    # (a decoder cannot start there), the keyframe and what follows are kept.
    keys = [i for i, vp in enumerate(packets) if vp.keyframe]
    assert len(keys) >= 2, "bikes.mp4 has more than one GOP"
    live2 = StreamAnalysis(worker, fps=5.0, max_width=640)
    other = FakeSource(source.stream)
    for vp in packets[1 : keys[1] + 3]:
        live2.tap(other, vp, vp.t)  # type: ignore[arg-type]
    assert live2.stats.dropped_packets == keys[1] - 1
    assert live2.stats.packets - live2.stats.dropped_packets == 3


def _edges(img: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Fraction of pixels on a sharp edge: 0.005-0.17 in this footage's person boxes,
    under 0.001 once blurred."""
    x0, y0, x1, y1 = box
    grey = cv2.cvtColor(img[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    return float((np.abs(cv2.Laplacian(grey, cv2.CV_64F)) > 12).mean())


def test_rtsp_camera_serving_bikes_produces_person_events_with_blurred_snapshots(
    tmp_path: Path, rtsp_server: RtspServer
) -> None:
    url = rtsp_server.url("bikes")
    root = tmp_path / "store"
    cfg = RecorderFileConfig.model_validate(
        {
            "storage": {"root": str(root)},
            "cameras": [
                # Main stream shared with the recorder...
                {
                    "id": "shared",
                    "name": "Shared",
                    "url": url,
                    "purpose": "test camera",
                    "owner": "tests",
                },
                # ...and a camera whose sub stream analysis reads itself.
                {
                    "id": "sub",
                    "name": "Sub",
                    "url": url,
                    "sub_url": url,
                    "purpose": "test camera",
                    "owner": "tests",
                },
            ],
        }
    )
    detector = load_detector(cfg.analysis.detection)
    db = open_store(cfg)  # registers the cameras
    stop = threading.Event()
    thread = threading.Thread(
        target=run_recording,
        args=(cfg, stop),
        kwargs={
            "companion": lambda d: build_analysis_unit(cfg.analysis, d, root, detector),
            "db": db,
            "status_interval": 0.5,
        },
    )
    thread.start()
    try:

        def both_have_people() -> bool:
            return all(
                any(e.snapshot for e in search_events(db, cameras=[cam], label="person"))
                for cam in ("shared", "sub")
            )

        # bikes.mp4 shows its cyclist about 3-5 s in; events end once the track is lost.
        assert wait_for(both_have_people, timeout=90, interval=0.5)
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()
    assert segments(db, "shared"), "recording went on beside analysis"
    checked = 0
    for event in search_events(db, label="person"):
        assert event.snapshot is not None and event.peak_score >= cfg.analysis.detection.min_score
        snap = cv2.imread(str(root / event.snapshot))
        assert snap is not None
        # The snapshot is taken where the person scored best, one of the track's
        # points: inside that box (within the outline) the picture is blurred flat.
        # Only tall boxes: a small one may hold too little detail to tell.
        inner = [
            _edges(snap, (x0 + 4, y0 + 4, x1 - 4, y1 - 4))
            for _, x0, y0, x1, y1 in event.track
            if y1 - y0 >= 100
        ]
        if inner:
            checked += 1
            assert min(inner) < 0.002, (event, inner)
    assert checked >= 2
    db.close()
