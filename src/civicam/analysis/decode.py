"""Decoding video to BGR arrays at the analysis rate (PyAV + OpenCV).

Frames are converted with ``cv2.cvtColor`` from the decoder's yuv420p planes, which
is several times faster than PyAV's own BGR conversion, and downscaled to at most
``max_width`` before anything else looks at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]


class DecodeError(ValueError):
    """A file or stream that cannot be decoded; the message is safe to show."""


@dataclass
class FrameSampler:
    """Keeps frames at most ``fps`` times a second of stream time (pure).

    A frame is kept when its time reaches the next slot; slots advance by whole
    periods so the rate holds on average, and a jump (a reconnect, a file loop)
    restarts the schedule instead of letting a burst of frames through.
    """

    fps: float
    _next: float | None = None

    def __post_init__(self) -> None:
        if not self.fps > 0:
            raise ValueError("fps must be positive")

    def keep(self, t: float) -> bool:
        """Whether the frame at ``t`` seconds is analysed."""
        period = 1.0 / self.fps
        if self._next is None or t < self._next - 2 * period or t > self._next + 2 * period:
            self._next = t + period
            return True
        if t + 1e-6 >= self._next:
            self._next += period
            return True
        return False


def to_bgr(frame: av.VideoFrame, max_width: int) -> Frame:
    """A decoded frame as a (H, W, 3) BGR array no wider than ``max_width``."""
    if frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0:
        planes = frame.to_ndarray()  # (H * 3 / 2, W): Y, then U and V quarter planes
        bgr = cv2.cvtColor(planes, cv2.COLOR_YUV2BGR_I420)
    else:
        bgr = frame.to_ndarray(format="bgr24")
    h, w = bgr.shape[:2]
    if w > max_width:
        new_h = max(2, round(h * max_width / w))
        bgr = cv2.resize(bgr, (max_width, new_h), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(bgr, dtype=np.uint8)


def file_frames(
    path: Path, fps: float, max_width: int = 640, *, limit_seconds: float | None = None
) -> Iterator[tuple[float, Frame]]:
    """``(seconds from the start, BGR frame)`` of a video file, sampled at ``fps``.

    Decodes as fast as it can (no real-time pacing). Raises :class:`DecodeError`
    naming the problem for a missing, unreadable or video-less file.
    """
    if not path.is_file():
        raise DecodeError(f"{path}: no such file")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError) as exc:
        raise DecodeError(f"{path}: not a readable video ({type(exc).__name__})") from None
    try:
        if not container.streams.video:
            raise DecodeError(f"{path}: holds no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        sampler = FrameSampler(fps)
        base: float | None = None
        try:
            for frame in container.decode(stream):
                t = _frame_time(frame, stream.time_base)
                if t is None:
                    continue
                if base is None:
                    base = t
                t -= base
                if limit_seconds is not None and t > limit_seconds:
                    break
                if sampler.keep(t):
                    yield t, to_bgr(frame, max_width)
        except av.error.FFmpegError as exc:
            raise DecodeError(f"{path}: decoding failed ({type(exc).__name__})") from None
    finally:
        container.close()


def _frame_time(frame: av.VideoFrame, time_base: Fraction | None) -> float | None:
    if frame.time is not None:
        return float(frame.time)
    if frame.pts is not None and time_base is not None:
        return float(frame.pts * time_base)
    return None


class PacketDecoder:
    """Decodes packets handed over by a recorder (the shared stream) at ``fps``.

    The recorder remuxes packets without decoding them; analysis gets a copy of each
    packet's bytes and decodes here, in its own thread, so the camera is read once.
    """

    def __init__(self, codec_name: str, extradata: bytes | None, fps: float, max_width: int):
        self._ctx: Any = av.CodecContext.create(codec_name, "r")
        if extradata:
            self._ctx.extradata = extradata
        # One decoding thread per camera: many cameras already use every core, and a
        # frame-threaded context left open can hang the interpreter at exit.
        self._sampler = FrameSampler(fps)
        self._max_width = max_width
        self.errors = 0

    def decode(self, data: bytes, t: float, keyframe: bool) -> list[tuple[float, Frame]]:
        """Frames (at most one per packet here) due for analysis, stamped ``t``."""
        packet = av.Packet(data)
        packet.pts = packet.dts = round(t * 90_000)
        packet.time_base = Fraction(1, 90_000)
        if keyframe:
            packet.is_keyframe = True
        try:
            frames = self._ctx.decode(packet)
        except av.error.FFmpegError:
            # A damaged packet (or the first ones before a keyframe): skip, keep going.
            self.errors += 1
            return []
        out: list[tuple[float, Frame]] = []
        for frame in frames:
            ft = float(frame.pts) / 90_000 if frame.pts is not None else t
            if self._sampler.keep(ft):
                out.append((ft, to_bgr(frame, self._max_width)))
        return out
