"""Live analysis of recorded cameras: packets in (shared with the recorder), events out.

Each camera has one thread that decodes its packets and analyses the frames due at
the configured rate. Packets reach it in two ways:

- **shared stream**: the recorder hands over a copy of each packet it records (the
  camera is read once; :meth:`StreamAnalysis.tap` never blocks the recorder);
- **sub stream**: when a camera has a lower-resolution sub stream, analysis reads it
  itself (cheaper to decode), reconnecting with back-off like the recorder.

When analysis cannot keep up, the packet queue fills and packets are dropped up to
the next keyframe (a decoder cannot resume mid-GOP); drops are counted, never waited
for.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from civicam.analysis.decode import PacketDecoder
from civicam.analysis.detectors.base import Detector
from civicam.analysis.service import AnalysisWorker, DatabaseEventSink, camera_settings
from civicam.config.analysis import AnalysisConfig
from civicam.privacy.masks import Polygon, burn_masks
from civicam.recording.recorder import PacketTap
from civicam.recording.segmenter import StreamClock
from civicam.recording.source import Source, StreamError, VideoPacket, open_source
from civicam.recording.urls import Credentials
from civicam.store.engine import Database
from civicam.store.registry import get_credentials, list_cameras

log = logging.getLogger(__name__)


@dataclass
class _Reset:
    codec: str
    extradata: bytes | None


@dataclass
class LiveStats:
    """Counters of one camera's live analysis."""

    packets: int = 0
    dropped_packets: int = 0
    decode_errors: int = 0
    frames: int = 0


class StreamAnalysis:
    """One camera's decode-and-analyse thread fed by :meth:`tap`."""

    def __init__(self, worker: AnalysisWorker, fps: float, max_width: int, *, queue: int = 500):
        self.worker = worker
        self.fps = fps
        self.max_width = max_width
        self.stats = LiveStats()
        self._queue: deque[_Reset | tuple[bytes, float, bool]] = deque()
        self._limit = queue
        self._skipping = False  # dropping until the next keyframe
        self._source: weakref.ref[Source] | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def tap(self, source: Source, vp: VideoPacket, wall: float) -> None:
        """Take a copy of a packet (called in the reader's thread; never blocks)."""
        with self._cond:
            self.stats.packets += 1
            # A weak reference, not id(): a new connection's Source may reuse a freed address.
            if self._source is None or self._source() is not source:
                # A new connection: a new decoder with that stream's parameters.
                self._source = weakref.ref(source)
                ctx = source.stream.codec_context
                extradata = bytes(ctx.extradata) if ctx.extradata else None
                self._queue.append(_Reset(ctx.name, extradata))
                self._skipping = True
            if self._skipping and not vp.keyframe:
                self.stats.dropped_packets += 1
                return
            if len(self._queue) >= self._limit:
                self._skipping = True
                self.stats.dropped_packets += 1
                return
            self._skipping = False
            self._queue.append((bytes(vp.packet), wall, vp.keyframe))
            self._cond.notify()

    def start(self) -> None:
        """Start the analysis thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"analysis-{self.worker.camera_id}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the packet in hand; end and store open events."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.worker.flush()

    def _run(self) -> None:
        decoder: PacketDecoder | None = None
        while True:
            with self._cond:
                while not self._queue and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                item = self._queue.popleft()
            try:
                if isinstance(item, _Reset):
                    decoder = PacketDecoder(item.codec, item.extradata, self.fps, self.max_width)
                    continue
                if decoder is None:
                    continue
                data, wall, keyframe = item
                for t, frame in decoder.decode(data, wall, keyframe):
                    self.stats.frames += 1
                    self.worker.process(t, frame)
                self.stats.decode_errors = decoder.errors
            except Exception:  # one bad packet must not end the camera's analysis
                log.exception("camera %s: analysis error", self.worker.camera_id)


class SubStreamReader:
    """Reads a camera's sub stream for analysis only, reconnecting with back-off."""

    def __init__(
        self,
        url: str,
        creds: Credentials | None,
        analysis: StreamAnalysis,
        *,
        open_timeout: float = 10.0,
        read_timeout: float = 5.0,
        max_backoff: float = 30.0,
    ) -> None:
        self.url = url
        self.creds = creds
        self.analysis = analysis
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        self.max_backoff = max_backoff
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start reading."""
        self._thread = threading.Thread(target=self._run, name="substream", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop reading."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                source = open_source(
                    self.url,
                    self.creds,
                    open_timeout=self.open_timeout,
                    read_timeout=self.read_timeout,
                )
            except StreamError as exc:
                self.last_error = exc.reason
                self._stop.wait(delay)
                delay = min(2 * delay, self.max_backoff)
                continue
            clock = StreamClock()
            try:
                for vp in source.packets():
                    if self._stop.is_set():
                        break
                    self.analysis.tap(source, vp, clock.to_wall(vp.t, time.time()))
                    delay = 1.0
            except StreamError as exc:
                self.last_error = exc.reason
            finally:
                source.close()
            self._stop.wait(delay)


class AnalysisUnit:
    """Live analysis of N cameras: taps for the recorder, sub-stream readers, stop."""

    def __init__(
        self,
        cfg: AnalysisConfig,
        db: Database,
        root: Path,
        detector: Detector,
        cameras: list[tuple[str, str | None, Credentials | None]],
        masks: Mapping[str, Sequence[Polygon]] | None = None,
    ) -> None:
        """``cameras``: ``(camera id, sub stream URL or None, credentials)``; ``masks``:
        privacy mask polygons (normalised) per camera, burned into snapshots."""
        sink = DatabaseEventSink(db, root)
        self.streams: dict[str, StreamAnalysis] = {}
        self.readers: list[SubStreamReader] = []
        self._taps: dict[str, PacketTap] = {}
        for camera_id, sub_url, creds in cameras:
            polygons = list((masks or {}).get(camera_id, ()))
            worker = AnalysisWorker(
                camera_settings(cfg, camera_id),
                cfg,
                detector,
                sink,
                mask=partial(burn_masks, polygons=polygons) if polygons else None,
            )
            stream = StreamAnalysis(worker, cfg.fps, cfg.max_width)
            self.streams[camera_id] = stream
            if sub_url and cfg.prefer_sub_stream:
                self.readers.append(SubStreamReader(sub_url, creds, stream))
            else:
                self._taps[camera_id] = stream.tap

    def taps(self) -> dict[str, PacketTap]:
        """Per camera, the tap to hand the recorder (cameras read from their main stream)."""
        return dict(self._taps)

    def start(self) -> None:
        """Start every camera's analysis (and sub-stream readers)."""
        for stream in self.streams.values():
            stream.start()
        for reader in self.readers:
            reader.start()

    def stop(self) -> None:
        """Stop readers, then analysis (storing the events still open)."""
        for reader in self.readers:
            reader.stop()
        for stream in self.streams.values():
            stream.stop()

    def status(self) -> dict[str, dict[str, float]]:
        """Per camera: packets, drops, frames analysed, events."""
        return {
            cam: {
                "packets": s.stats.packets,
                "dropped_packets": s.stats.dropped_packets,
                "frames": s.stats.frames,
                "events": s.worker.stats.events,
                "busy_seconds": round(s.worker.stats.busy_seconds, 3),
            }
            for cam, s in self.streams.items()
        }


def build_analysis_unit(
    cfg: AnalysisConfig,
    db: Database,
    root: Path,
    detector: Detector,
    masks: Mapping[str, Sequence[Polygon]] | None = None,
) -> AnalysisUnit:
    """Live analysis for every enabled camera of the registry (``masks``: privacy masks)."""
    cameras = [
        (cam.id, cam.sub_url, get_credentials(db, cam.id))
        for cam in list_cameras(db, enabled_only=True)
    ]
    return AnalysisUnit(cfg, db, root, detector, cameras, masks)
