"""Stream sources through PyAV (its bundled FFmpeg): RTSP(S), HTTP(S) and local files.

No shell and no ffmpeg command lines: URLs are allowlisted and handed to
libavformat directly. Local files loop at real-time pace (demos, tests, benchmarks).
"""

from __future__ import annotations

import errno
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import av.error
from av.container import InputContainer
from av.packet import Packet
from av.video.stream import VideoStream

from civicam.recording.urls import Credentials, StreamUrlError, file_path, scrub, with_credentials

FailureKind = Literal["offline", "stalled", "unauthorized", "invalid", "ended"]


class StreamError(Exception):
    """A stream that failed; ``kind`` drives the camera status, ``reason`` is safe to show."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind: FailureKind = kind
        self.reason = reason


def classify(exc: BaseException, creds: Credentials | None) -> StreamError:
    """Turn a PyAV/OS error into a credential-free :class:`StreamError`."""
    if isinstance(exc, StreamError):
        return exc
    code = getattr(exc, "errno", None)
    # FFmpeg's own message, never str(exc): that one quotes the URL.
    text = scrub(str(getattr(exc, "strerror", None) or type(exc).__name__), creds)
    if isinstance(exc, av.error.ExitError) or code in (errno.ETIMEDOUT, errno.EAGAIN):
        return StreamError("stalled", f"no data within the timeout ({text})")
    if code == errno.ECONNREFUSED:
        return StreamError("offline", "connection refused")
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENOENT, errno.EIO):
        return StreamError("offline", f"unreachable ({text})")
    if "401" in text or "Unauthorized" in text or "403" in text or "Forbidden" in text:
        return StreamError("unauthorized", "the stream refused the credentials")
    if isinstance(exc, av.error.InvalidDataError):
        return StreamError("invalid", f"not a readable stream ({text})")
    if isinstance(exc, av.error.EOFError):
        return StreamError("ended", "stream ended")
    return StreamError("offline", text)


@dataclass
class VideoPacket:
    """A video packet with its stream time (seconds) and keyframe flag."""

    packet: Packet[Any]
    t: float
    end: float
    keyframe: bool


class Source:
    """An open video stream yielding packets with monotonic stream times."""

    def __init__(
        self,
        container: InputContainer,
        stream: VideoStream,
        *,
        loop: bool,
        creds: Credentials | None,
        stall_timeout: float = 5.0,
    ) -> None:
        self.stall_timeout = stall_timeout
        self.container = container
        self.stream = stream
        self.loop = loop
        self.creds = creds
        self.time_base: Fraction = stream.time_base or Fraction(1, 90_000)
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        self.frame_ticks = max(1, round(1 / (float(rate) * float(self.time_base))))

    def packets(self) -> Iterator[VideoPacket]:
        """Video packets; files loop forever at real-time pace, networks until they fail."""
        self._offset = 0  # ticks added on each file loop so timestamps stay monotonic
        self._last_end = 0
        self._pace: tuple[float, float] | None = None
        while True:
            self._got = 0
            self._first_dts: int | None = None
            try:
                yield from self._one_pass()
            except av.error.FFmpegError as exc:
                raise classify(exc, self.creds) from None
            if not self.loop:
                raise StreamError("ended", "stream ended")
            if self._got == 0:
                raise StreamError("invalid", "file holds no video packets")
            # The next loop continues right after the last packet of this one.
            self._offset = self._last_end - (self._first_dts or 0)
            try:
                self.container.seek(0)
            except av.error.FFmpegError as exc:
                raise classify(exc, self.creds) from None

    def _one_pass(self) -> Iterator[VideoPacket]:
        # Files: only video is read. Networks: every stream, so a camera that sends
        # only audio or data counts as stalled instead of blocking quietly.
        demuxed = self.container.demux(self.stream) if self.loop else self.container.demux()
        last_video = time.monotonic()
        pending: Packet[Any] | None = None
        for pkt in demuxed:
            if pkt.stream_index != self.stream.index:
                if time.monotonic() - last_video > self.stall_timeout:
                    raise StreamError("stalled", "packets arrive but none is video")
                continue
            if pkt.size == 0:
                continue
            last_video = time.monotonic()
            if pkt.dts is None and pkt.pts is None:
                # RTSP's first packet (often the keyframe) can come before the RTP clock
                # is known: hold it and stamp it one frame before the next packet.
                pending = pkt
                continue
            if pkt.dts is None:
                pkt.dts = pkt.pts
            if pkt.pts is None:
                pkt.pts = pkt.dts
            if pending is not None:
                assert pkt.dts is not None
                pending.dts = pending.pts = pkt.dts - self.frame_ticks
                yield self._stamp(pending)
                pending = None
            yield self._stamp(pkt)

    def _stamp(self, pkt: Packet[Any]) -> VideoPacket:
        """Apply the loop offset, pace files to real time, compute stream times."""
        assert pkt.dts is not None and pkt.pts is not None
        if self._first_dts is None:
            self._first_dts = pkt.dts
            if self.loop and self._offset == 0 and self._last_end == 0:
                self._offset = -pkt.dts  # files start at 0
        pkt.dts += self._offset
        pkt.pts += self._offset
        duration = pkt.duration or self.frame_ticks
        self._last_end = max(self._last_end, pkt.dts + duration)
        self._got += 1
        tb = float(self.time_base)
        if self.loop:
            dts_s = pkt.dts * tb
            now = time.monotonic()
            if self._pace is None:
                self._pace = (now, dts_s)
            delay = self._pace[0] + (dts_s - self._pace[1]) - now
            if delay > 0:
                time.sleep(delay)
        return VideoPacket(pkt, pkt.pts * tb, (pkt.pts + duration) * tb, bool(pkt.is_keyframe))

    def close(self) -> None:
        """Release the connection or file."""
        self.container.close()


def open_source(
    url: str,
    creds: Credentials | None,
    *,
    transport: Literal["tcp", "udp"] = "tcp",
    open_timeout: float = 10.0,
    read_timeout: float = 5.0,
) -> Source:
    """Open ``url`` (already validated, credential-free) and find its video stream."""
    scheme = url.split(":", 1)[0].lower()
    options: dict[str, str] = {}
    target: str
    loop = False
    if scheme == "file":
        try:
            path = Path(file_path(url))
        except StreamUrlError as exc:
            raise StreamError("invalid", str(exc)) from None
        if not path.is_file():
            raise StreamError("offline", "file not found")
        target, loop = str(path), True
    else:
        target = with_credentials(url, creds)
        if scheme in ("rtsp", "rtsps"):
            options["rtsp_transport"] = transport
        # Probe briefly: a long probe delays the first recorded keyframe after every
        # reconnect, and RTSP cameras announce their parameters in the SDP anyway.
        options["analyzeduration"] = "250000"
        # Bound every socket operation too (microseconds), beside PyAV's interrupt timeout.
        options["timeout"] = str(int(read_timeout * 1_000_000))
    started = time.monotonic()
    try:
        container = av.open(target, "r", options=options, timeout=(open_timeout, read_timeout))
    except (av.error.FFmpegError, OSError) as exc:
        error = classify(exc, creds)
        # An interrupted open surfaces as "invalid data"; if it took the whole timeout,
        # the peer accepted the connection and then sent nothing: that is a stall.
        waited = time.monotonic() - started
        if error.kind in ("invalid", "offline") and waited >= 0.9 * min(open_timeout, read_timeout):
            error = StreamError("stalled", f"connected but no data within {waited:.1f} s")
        raise error from None
    if not container.streams.video:
        container.close()
        raise StreamError("invalid", "no video stream (audio or data only)")
    stream = container.streams.video[0]
    return Source(container, stream, loop=loop, creds=creds, stall_timeout=read_timeout)
