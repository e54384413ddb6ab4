"""The per-camera recorder loop and the recorder unit that hosts N cameras.

A unit owns its cameras and exposes start / stop / status; it keeps no global
state, so a cluster mode can host units as Ray actors with PostgreSQL as the index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from civicam.config.recording import RecordingConfig
from civicam.recording.health import CameraHealth, Status
from civicam.recording.paths import segment_path, segment_relpath
from civicam.recording.segmenter import Action, Segmenter, StreamClock, gap_between
from civicam.recording.source import Source, StreamError, VideoPacket, open_source
from civicam.recording.urls import Credentials, StreamUrlError, validate_url
from civicam.recording.writer import SegmentWriter
from civicam.store.engine import Database
from civicam.store.index import GapInfo, SegmentInfo, add_gap, add_segment, last_segment_end

log = logging.getLogger(__name__)


#: Receives every recorded packet (source, packet, wall time) in the recorder's thread;
#: it must return at once (analysis copies the bytes and decodes elsewhere).
PacketTap = Callable[[Source, VideoPacket, float], None]


@dataclass(frozen=True)
class CameraSpec:
    """What a recorder needs to know about a camera."""

    camera_id: str
    url: str  # credential-free
    credentials: Credentials | None = None


class CameraRecorder:
    """Records one camera in its own thread until stopped."""

    def __init__(
        self,
        spec: CameraSpec,
        root: Path,
        db: Database,
        cfg: RecordingConfig,
        *,
        opener: Callable[..., Source] = open_source,
        tap: PacketTap | None = None,
    ) -> None:
        self.spec = spec
        self.tap = tap
        self.root = root
        self.db = db
        self.cfg = cfg
        self.opener = opener
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.status: Status = "starting"
        self.last_error: str | None = None
        self.last_packet_at: float | None = None
        self.segments = 0
        self.gap_count = 0
        self.reconnects = 0
        self.bytes_written = 0
        self.dropped_packets = 0
        self._window: list[tuple[float, int]] = []  # (monotonic time, packet bytes)
        self._writer: SegmentWriter | None = None
        self._seg_start = 0.0
        self._seg_end = 0.0
        self._last_end: float | None = None
        self._fail_reason = "recorder not running"

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the recording thread."""
        self._thread = threading.Thread(
            target=self._run, name=f"rec-{self.spec.camera_id}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop (returns at once)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    def health(self) -> CameraHealth:
        """A snapshot of this camera's health."""
        now = time.monotonic()
        with self._lock:
            window = [(t, n) for t, n in self._window if now - t <= 5.0]
            status = self.status
        span = (now - window[0][0]) if len(window) > 1 else 0.0
        bitrate = 8 * sum(n for _, n in window) / span if span > 0 else 0.0
        fps = (len(window) - 1) / span if span > 0 else 0.0
        return CameraHealth(
            camera_id=self.spec.camera_id,
            status=status,
            last_packet_at=self.last_packet_at,
            bitrate_bps=bitrate,
            fps=fps,
            segments=self.segments,
            gaps=self.gap_count,
            reconnects=self.reconnects,
            bytes_written=self.bytes_written,
            last_error=self.last_error,
        )

    # -- the loop ---------------------------------------------------------------------
    def _set(self, status: Status, error: str | None = None) -> None:
        with self._lock:
            self.status = status
            if error is not None:
                self.last_error = error

    def _run(self) -> None:
        try:
            validate_url(self.spec.url)
        except StreamUrlError as exc:
            self._set("offline", str(exc))
            return
        self._last_end = last_segment_end(self.db, self.spec.camera_id)
        delay = self.cfg.reconnect_initial_s
        attempt = 0
        while not self._stop.is_set():
            transport = "udp" if self.cfg.rtsp_transport == "udp" else "tcp"
            if self.cfg.rtsp_transport == "auto" and attempt % 4 == 3:
                transport = "udp"  # every fourth try: the camera may only speak UDP
            try:
                source = self.opener(
                    self.spec.url,
                    self.spec.credentials,
                    transport=transport,
                    open_timeout=self.cfg.open_timeout_s,
                    read_timeout=self.cfg.stall_timeout_s,
                )
            except StreamError as exc:
                self._failed(exc)
                attempt += 1
                self.reconnects += 1
                self._stop.wait(delay)
                delay = min(delay * 2, self.cfg.reconnect_max_s)
                continue
            try:
                got = self._record(source)
            except StreamError as exc:
                got = self._close_segment()
                self._failed(exc)
            except Exception as exc:  # a bug or a muxer error must not kill the camera
                log.exception("camera %s: recorder error", self.spec.camera_id)
                self._close_segment()
                self._failed(StreamError("offline", f"recorder error: {type(exc).__name__}"))
                got = False
            finally:
                source.close()
            if got:
                delay, attempt = self.cfg.reconnect_initial_s, 0
            else:
                attempt += 1
            if not self._stop.is_set():
                self.reconnects += 1
                self._stop.wait(delay)
                delay = min(delay * 2, self.cfg.reconnect_max_s)
        self._set("stopped")

    def _failed(self, exc: StreamError) -> None:
        status: Status = "stalled" if exc.kind == "stalled" else "offline"
        self._fail_reason = f"{status}: {exc.reason}"
        self._set(status, exc.reason)

    def _record(self, source: Source) -> bool:
        """Record until the stream fails or stop is asked; True if anything was written."""
        segmenter = Segmenter(self.cfg.segment_seconds)
        clock = StreamClock()
        wrote = False
        last_video = time.monotonic()
        for vp in source.packets():
            now_m = time.monotonic()
            if self._stop.is_set():
                break
            # Only time spent waiting for the source counts: a slow disk write of ours
            # must not be mistaken for a stalled camera.
            if now_m - last_video > self.cfg.stall_timeout_s:
                raise StreamError("stalled", "no video packets within the stall timeout")
            now = time.time()
            wall = clock.to_wall(vp.t, now)
            wall_end = wall + max(0.0, vp.end - vp.t)
            action = segmenter.push(vp.t, vp.keyframe)
            if action is Action.DROP:
                last_video = time.monotonic()
                continue
            if action is Action.CUT:
                self._close_segment()
            if action in (Action.OPEN, Action.CUT):
                self._open_segment(source, wall)
            assert self._writer is not None
            if self._writer.write(vp.packet):
                wrote = True
                self._seg_end = max(self._seg_end, wall_end)
                self._last_end = self._seg_end
                size = vp.packet.size
                self.bytes_written += size
                with self._lock:
                    self.status = "online"
                    self.last_packet_at = now
                    self._window.append((now_m, size))
                    if len(self._window) > 512 or now_m - self._window[0][0] > 5.0:
                        self._window = [(t, n) for t, n in self._window if now_m - t <= 5.0]
            else:
                self.dropped_packets += 1
            if self.tap is not None:
                try:
                    self.tap(source, vp, wall)
                except Exception:  # analysis trouble must never stop recording
                    log.exception("camera %s: packet tap failed", self.spec.camera_id)
                    self.tap = None
            last_video = time.monotonic()
        self._close_segment()
        return wrote

    def _open_segment(self, source: Source, wall: float) -> None:
        if gap_between(self._last_end, wall, self.cfg.min_gap_seconds):
            assert self._last_end is not None
            add_gap(self.db, GapInfo(self.spec.camera_id, self._last_end, wall, self._fail_reason))
            self.gap_count += 1
        start = wall
        if self._last_end is not None and start < self._last_end:
            start = self._last_end  # never overlap the previous segment's name/time
        path = segment_path(self.root, self.spec.camera_id, start)
        if path.exists():
            start += 0.001
            path = segment_path(self.root, self.spec.camera_id, start)
        self._writer = SegmentWriter(path, source.stream, self.cfg.fragment_seconds)
        self._seg_start = start
        self._seg_end = start

    def _close_segment(self) -> bool:
        writer, self._writer = self._writer, None
        if writer is None:
            return False
        if writer.packets == 0:
            writer.abort()
            writer.path.unlink(missing_ok=True)
            return False
        size, digest = writer.close()
        rel = segment_relpath(self.spec.camera_id, self._seg_start)
        add_segment(
            self.db,
            SegmentInfo(
                self.spec.camera_id,
                self._seg_start,
                self._seg_end,
                rel,
                size,
                digest,
                writer.keyframes,
            ),
        )
        self.segments += 1
        return True


class RecorderUnit:
    """N camera recorders in one process, with start / stop / status."""

    def __init__(
        self,
        cameras: list[CameraSpec],
        root: Path,
        db: Database,
        cfg: RecordingConfig,
        *,
        opener: Callable[..., Source] = open_source,
        taps: Mapping[str, PacketTap] | None = None,
    ) -> None:
        taps = taps or {}
        self.recorders = {
            c.camera_id: CameraRecorder(c, root, db, cfg, opener=opener, tap=taps.get(c.camera_id))
            for c in cameras
        }

    def start(self) -> None:
        """Start every camera."""
        for rec in self.recorders.values():
            rec.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every camera and wait (bounded) for open segments to close."""
        for rec in self.recorders.values():
            rec.stop()
        deadline = time.monotonic() + timeout
        for rec in self.recorders.values():
            rec.join(max(0.0, deadline - time.monotonic()))

    def status(self) -> list[CameraHealth]:
        """Health of every camera."""
        return [rec.health() for rec in self.recorders.values()]
