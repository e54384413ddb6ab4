"""Live view: the newest decodable frame of a camera as a JPEG.

The recorder flushes a fragment at least every ``recording.fragment_seconds`` (1 s), so
the newest frame on disk is at most about a second old; decoding starts at the last
keyframe of the newest segment (the one still being written, when there is one).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt
from av.packet import Packet

from civicam.recording.paths import parse_relpath, segment_path


def newest_segment_on_disk(root: Path, camera_id: str, now: float) -> Path | None:
    """The newest segment file of the camera in this hour's or the last hour's
    directory (it may still be growing)."""
    found: list[Path] = []
    for t in (now, now - 3600):
        if t < 0:
            continue
        directory = segment_path(root, camera_id, t).parent
        try:
            names = [p for p in directory.iterdir() if p.suffix == ".mp4"]
        except OSError:
            continue
        found.extend(p for p in names if parse_relpath(p.relative_to(root).as_posix()) is not None)
    return max(found, key=lambda p: p.name, default=None)


def latest_frame(path: Path) -> npt.NDArray[np.uint8] | None:
    """The last frame that decodes (BGR), or ``None``."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError):
        return None
    with container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        tail: list[Packet[Any]] = []
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                if packet.is_keyframe:
                    tail = [packet]
                elif tail:
                    tail.append(packet)
        except (av.error.FFmpegError, OSError):
            pass  # a file being written ends in a partial fragment
        frame = None
        try:
            for packet in tail:
                for decoded in stream.codec_context.decode(packet):
                    frame = decoded
            for decoded in stream.codec_context.decode(None):
                frame = decoded
        except av.error.FFmpegError:
            pass
        if frame is None:
            return None
        image: npt.NDArray[np.uint8] = np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
        return image


def encode_jpeg(image: npt.NDArray[np.uint8], quality: int = 80) -> bytes:
    """JPEG bytes of a BGR image."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf.tobytes())


class FrameCache:
    """The newest JPEG per camera and view (masked or not) for ``ttl_s`` seconds, so a
    grid watched by many users decodes each camera about once a second, not once per
    viewer."""

    def __init__(self, ttl_s: float = 0.5) -> None:
        self.ttl_s = ttl_s
        self._items: dict[tuple[str, bool], tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, camera_id: str, masked: bool, now: float) -> bytes | None:
        """A fresh cached frame, or ``None``."""
        with self._lock:
            item = self._items.get((camera_id, masked))
        if item is None or not 0 <= now - item[0] < self.ttl_s:
            return None
        return item[1]

    def put(self, camera_id: str, masked: bool, now: float, data: bytes) -> None:
        """Remember a frame."""
        with self._lock:
            self._items[(camera_id, masked)] = (now, data)
