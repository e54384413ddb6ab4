"""One camera's footage over a time range as one MP4: remuxed, or redacted and re-encoded.

Segments carry wall-clock start times; the output's time 0 is the wall time of its
first frame (``video_start`` in the manifest) and a gap in the recording is a jump
in the output's timestamps, so every frame of the export keeps its true time.

* :func:`remux_range` copies the recorded packets unchanged (no re-encode), from the
  last keyframe at or before the range start, so the export is the recording itself.
* :func:`reencode_range` decodes, blurs people and burns in masks, and encodes H.264.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import numpy as np
import numpy.typing as npt
from av.container import InputContainer, OutputContainer
from av.packet import Packet
from av.video.stream import VideoStream

from civicam.analysis.decode import to_bgr
from civicam.analysis.detectors.base import Detector
from civicam.privacy.masks import MaskCache
from civicam.privacy.persons import find_people
from civicam.privacy.redaction import Strength, blur_regions
from civicam.privacy.smoothing import BoxSmoother

#: Encoders tried in order for redacted exports (PyAV's bundled FFmpeg has libx264).
ENCODERS = ("libx264", "libopenh264", "h264", "mpeg4")
#: Output time base of re-encoded video: 90 kHz, the usual video clock.
OUT_TIME_BASE = Fraction(1, 90_000)

SecondsDone = Callable[[float], None]


class VideoError(RuntimeError):
    """Footage that cannot be read or written."""


class StreamChangedError(VideoError):
    """The segments' stream parameters differ, so their packets cannot share one file."""


@dataclass(frozen=True)
class SourceSegment:
    """A recorded segment file and the wall time of its first packet."""

    path: Path
    start: float


@dataclass(frozen=True)
class VideoResult:
    """What was written for one camera."""

    method: Literal["remux", "reencode"]
    codec: str
    frames: int
    video_start: float  # wall time of the output's time 0
    last_frame: float  # wall time of the last frame
    redacted_frames: int = 0  # frames in which at least one person box was blurred
    detector_stride: int = 0  # the detector ran on every n-th frame (0: not at all)
    smoothing_window: int = 0  # frames a box covered before and after its detection
    fps: float = 0.0  # nominal frame rate of the source


@dataclass(frozen=True)
class Redactor:
    """How people are found and hidden (see :class:`civicam.config.privacy.PrivacyConfig`)."""

    detector: Detector
    min_score: float
    grid: int
    window: int
    dilation: float
    strength: Strength
    fps: float = 0.0  # detector runs per second of video; 0: every frame

    def stride(self, video_fps: float) -> int:
        """Run the detector on every n-th frame."""
        if self.fps <= 0 or video_fps <= self.fps:
            return 1
        return max(1, round(video_fps / self.fps))

    def effective_window(self, video_fps: float) -> int:
        """Smoothing window: long enough that every frame sees the detector runs around it."""
        stride = self.stride(video_fps)
        return max(self.window, stride if stride > 1 else 0)

    def find(self, image: npt.NDArray[np.uint8]) -> list[tuple[float, float, float, float]]:
        """Pixel boxes of the people in ``image``."""
        return find_people(self.detector, image, min_score=self.min_score, grid=self.grid)


def _open(path: Path) -> tuple[InputContainer, VideoStream]:
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoError(f"{path.name}: cannot open segment ({exc})") from None
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path.name}: segment holds no video")
    return container, container.streams.video[0]


def _signature(stream: VideoStream) -> tuple[Any, ...]:
    ctx = stream.codec_context
    return (ctx.name, ctx.width, ctx.height, bytes(ctx.extradata or b""))


def remux_range(
    sources: Sequence[SourceSegment],
    start: float,
    end: float,
    out_path: Path,
    on_progress: SecondsDone | None = None,
) -> VideoResult:
    """Copy the packets covering [start, end) into ``out_path`` without re-encoding.

    Raises :class:`StreamChangedError` when segments differ in codec parameters (the
    caller re-encodes instead) and :class:`VideoError` when nothing lies in range.
    """
    out: OutputContainer | None = None
    out_stream: VideoStream | None = None
    sig: tuple[Any, ...] | None = None
    tb0: Fraction | None = None
    t_ref = 0.0
    last_dts: int | None = None
    frames = 0
    last_wall = 0.0
    codec = ""
    try:
        for seg in sources:
            container, stream = _open(seg.path)
            try:
                if sig is None:
                    sig = _signature(stream)
                    codec = stream.codec_context.name
                elif _signature(stream) != sig:
                    raise StreamChangedError(f"{seg.path.name}: stream parameters changed")
                tb = stream.time_base
                if tb is None:
                    raise VideoError(f"{seg.path.name}: stream has no time base")
                pending: list[tuple[Packet[Any], float]] = []
                shift = 0
                done = False
                first_pts: int | None = None
                for pkt in container.demux(stream):
                    if pkt.dts is None or pkt.size == 0:
                        continue
                    if first_pts is None:
                        # The segment's start time is its first packet's presentation time.
                        first_pts = pkt.pts if pkt.pts is not None else pkt.dts
                    wall = seg.start + float((pkt.dts - first_pts) * tb)
                    if wall >= end:
                        done = True
                        break
                    if out is None:
                        if pkt.is_keyframe:
                            pending = []
                        pending.append((pkt, wall))
                        if wall < start:
                            continue
                        if not pending or not pending[0][0].is_keyframe:
                            pending = []
                            continue  # no keyframe yet: nothing decodable to start from
                        out = av.open(str(out_path), "w", format="mp4")
                        out_stream = out.add_stream_from_template(stream)
                        tb0 = tb
                        t_ref = pending[0][1]
                        batch, pending = pending, []
                    else:
                        batch = [(pkt, wall)]
                    assert out is not None and out_stream is not None and tb0 is not None
                    for p, w in batch:
                        dts = round((w - t_ref) / tb0) + shift
                        if last_dts is not None and dts <= last_dts:
                            # Wall clocks of adjacent segments can overlap by a frame.
                            shift += last_dts + 1 - dts
                            dts = last_dts + 1
                        assert p.pts is not None and p.dts is not None
                        p.pts = dts + round((p.pts - p.dts) * tb / tb0)
                        p.dts = dts
                        if p.duration:
                            p.duration = max(1, round(p.duration * tb / tb0))
                        p.time_base = tb0
                        p.stream = out_stream
                        out.mux(p)
                        last_dts = dts
                        frames += 1
                        last_wall = w
                    if on_progress is not None and frames % 250 == 0:
                        on_progress(last_wall - start)
                if done:
                    break
            finally:
                container.close()
    except av.error.FFmpegError as exc:
        raise VideoError(f"remux failed: {exc}") from None
    finally:
        if out is not None:
            out.close()
    if out is None:
        raise VideoError("no decodable footage in the range")
    if on_progress is not None:
        on_progress(end - start)
    return VideoResult("remux", codec, frames, t_ref, last_wall)


def _frames(
    sources: Sequence[SourceSegment], start: float, end: float
) -> Iterator[tuple[npt.NDArray[np.uint8], float]]:
    """Decoded BGR frames with wall times in [start, end)."""
    for seg in sources:
        container, stream = _open(seg.path)
        stream.thread_type = "AUTO"
        try:
            tb = stream.time_base or Fraction(1, 90_000)
            first_pts: int | None = None
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                if first_pts is None:
                    first_pts = frame.pts  # a segment starts on its keyframe's time
                wall = seg.start + float((frame.pts - first_pts) * tb)
                if wall < start:
                    continue
                if wall >= end:
                    return
                # OpenCV's colour conversion: several times faster than PyAV's swscale.
                yield to_bgr(frame, frame.width), wall
        except av.error.FFmpegError as exc:
            raise VideoError(f"{seg.path.name}: cannot decode ({exc})") from None
        finally:
            container.close()


class _Encoder:
    """H.264 (or the best available) at the first frame's size, 90 kHz timestamps."""

    def __init__(self, out_path: Path, width: int, height: int, fps: float) -> None:
        self.width, self.height = width + width % 2, height + height % 2
        self.container: OutputContainer = av.open(str(out_path), "w", format="mp4")
        self.stream: VideoStream | None = None
        for name in ENCODERS:
            try:
                stream = self.container.add_stream(name, rate=max(1, round(fps)))
            except (av.error.FFmpegError, ValueError):
                continue
            if not isinstance(stream, VideoStream):
                continue
            self.stream = stream
            break
        if self.stream is None:
            self.container.close()
            raise VideoError("no H.264 or MPEG-4 encoder in this FFmpeg build")
        self.stream.width, self.stream.height = self.width, self.height
        self.stream.pix_fmt = "yuv420p"
        self.stream.time_base = OUT_TIME_BASE
        self.stream.codec_context.time_base = OUT_TIME_BASE
        if self.stream.codec_context.name == "libx264":
            self.stream.options = {"preset": "veryfast", "crf": "20"}
        self.codec = self.stream.codec_context.name
        self.last_pts: int | None = None

    def write(self, image: npt.NDArray[np.uint8], t: float) -> None:
        assert self.stream is not None
        h, w = image.shape[:2]
        if (w, h) != (self.width, self.height):
            if w + w % 2 == self.width and h + h % 2 == self.height:
                fitted = cv2.copyMakeBorder(image, 0, self.height - h, 0, self.width - w, 1)
            else:
                fitted = cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_AREA)
            image = np.asarray(fitted, dtype=np.uint8)
        # Hand the encoder yuv420p converted by OpenCV (far cheaper than swscale from BGR).
        yuv = np.asarray(
            cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2YUV_I420), dtype=np.uint8
        )
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        pts = round(t / OUT_TIME_BASE)
        if self.last_pts is not None and pts <= self.last_pts:
            pts = self.last_pts + 1
        self.last_pts = pts
        frame.pts = pts
        frame.time_base = OUT_TIME_BASE
        for pkt in self.stream.encode(frame):
            self.container.mux(pkt)

    def close(self) -> None:
        assert self.stream is not None
        for pkt in self.stream.encode():
            self.container.mux(pkt)
        self.container.close()


def _nominal_fps(sources: Sequence[SourceSegment]) -> float:
    container, stream = _open(sources[0].path)
    try:
        rate = stream.average_rate or stream.base_rate or 25
        return float(rate)
    finally:
        container.close()


def reencode_range(
    sources: Sequence[SourceSegment],
    start: float,
    end: float,
    out_path: Path,
    *,
    masks: MaskCache,
    redactor: Redactor | None,
    on_progress: SecondsDone | None = None,
) -> VideoResult:
    """Decode [start, end), blur people (when ``redactor``), burn in ``masks``, encode."""
    if not sources:
        raise VideoError("no footage in the range")
    fps = _nominal_fps(sources)
    stride = redactor.stride(fps) if redactor else 1
    window = redactor.effective_window(fps) if redactor else 0
    smoother: BoxSmoother[tuple[npt.NDArray[np.uint8], float]] = BoxSmoother(
        window, redactor.dilation if redactor else 0.0
    )
    seen = 0
    encoder: _Encoder | None = None
    t_ref = 0.0
    frames = redacted = 0
    last_wall = 0.0

    def emit(item: tuple[npt.NDArray[np.uint8], float], boxes: list[Any]) -> None:
        nonlocal encoder, t_ref, frames, redacted, last_wall
        image, wall = item
        if boxes and redactor is not None:
            image = blur_regions(image, boxes, pad=0.0, strength=redactor.strength)
            redacted += 1
        image = masks.apply(image)
        if encoder is None:
            encoder = _Encoder(out_path, image.shape[1], image.shape[0], fps)
            t_ref = wall
        encoder.write(image, wall - t_ref)
        frames += 1
        last_wall = wall
        if on_progress is not None and frames % 50 == 0:
            on_progress(wall - start)

    try:
        for image, wall in _frames(sources, start, end):
            run = redactor is not None and seen % stride == 0
            seen += 1
            boxes = redactor.find(image) if run and redactor is not None else []
            for item, smoothed in smoother.push((image, wall), boxes):
                emit(item, smoothed)
        for item, smoothed in smoother.flush():
            emit(item, smoothed)
    except av.error.FFmpegError as exc:
        raise VideoError(f"re-encode failed: {exc}") from None
    finally:
        if encoder is not None:
            encoder.close()
    if encoder is None:
        raise VideoError("no decodable footage in the range")
    if on_progress is not None:
        on_progress(end - start)
    return VideoResult(
        "reencode",
        encoder.codec,
        frames,
        t_ref,
        last_wall,
        redacted,
        stride if redactor else 0,
        window,
        fps,
    )
