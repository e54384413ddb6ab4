"""Fragmented MP4 segment writer: packets remuxed without re-encoding."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

import av
from av.container import OutputContainer
from av.packet import Packet
from av.video.stream import VideoStream


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class SegmentWriter:
    """One open segment. Fragments of at most ``fragment_seconds`` reach the file as they
    complete, so a killed process leaves every complete fragment readable."""

    def __init__(self, path: Path, template: VideoStream, fragment_seconds: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.container: OutputContainer = av.open(
            str(path),
            "w",
            format="mp4",
            options={
                "movflags": "frag_keyframe+empty_moov+default_base_moof",
                "frag_duration": str(int(fragment_seconds * 1_000_000)),
                "flush_packets": "1",
            },
        )
        self.stream = self.container.add_stream_from_template(template)
        self.base: int | None = None
        self.last_dts: int | None = None
        self.keyframes = 0
        self.packets = 0

    def write(self, packet: Packet[Any]) -> bool:
        """Append a packet; returns False when it had to be dropped (non-monotonic time)."""
        assert packet.dts is not None and packet.pts is not None
        if self.base is None:
            self.base = packet.dts
        dts = packet.dts - self.base
        if self.last_dts is not None and dts <= self.last_dts:
            return False
        self.last_dts = dts
        packet.dts = dts
        packet.pts = packet.pts - self.base
        packet.stream = self.stream
        if packet.is_keyframe:
            self.keyframes += 1
        self.packets += 1
        self.container.mux(packet)
        return True

    def close(self) -> tuple[int, str]:
        """Finish the file; return its size and SHA-256."""
        self.container.close()
        return self.path.stat().st_size, sha256_file(self.path)

    def abort(self) -> None:
        """Close without caring about errors (the file stays for reconciliation)."""
        # Best effort on a broken stream: whatever reached the disk is repaired by reconcile.
        with contextlib.suppress(Exception):
            self.container.close()
