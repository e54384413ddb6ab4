"""Playback of cameras with privacy masks: each segment is decoded, the masks burned in
and re-encoded (``civicam.export.video``), then written as a fragmented MP4 so the same
HLS playlist plays it. The recording on disk stays unmasked.

Results are kept in a small in-memory cache (the player asks for a segment's
initialisation and its fragments separately); nothing masked is written to the storage
root, so retention never has copies to chase.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import av

from civicam.export.video import SourceSegment, reencode_range
from civicam.privacy.masks import MaskCache, Polygon

FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}


def masked_fmp4(path: Path, start: float, end: float, polygons: Sequence[Polygon]) -> bytes:
    """The segment at ``path`` (wall span ``[start, end]``) with ``polygons`` burned in,
    as fragmented MP4 bytes."""
    with tempfile.TemporaryDirectory(prefix="civicam-masked-") as tmp:
        plain = Path(tmp) / "masked.mp4"
        reencode_range(
            [SourceSegment(path, start)],
            start,
            end + 1.0,
            plain,
            masks=MaskCache(polygons),
            redactor=None,
        )
        out = Path(tmp) / "fragmented.mp4"
        with (
            av.open(str(plain), "r") as src,
            av.open(str(out), "w", format="mp4", options=FRAGMENTED) as dst,
        ):
            istream = src.streams.video[0]
            ostream = dst.add_stream_from_template(istream)
            for packet in src.demux(istream):
                if packet.dts is None or packet.size == 0:
                    continue
                packet.stream = ostream
                dst.mux(packet)
        return out.read_bytes()


class MaskedSegments:
    """A bounded cache of masked segments, keyed by camera, segment and masks."""

    def __init__(self, capacity: int = 16) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        camera_id: str,
        relpath: str,
        path: Path,
        span: tuple[float, float],
        polygons: Sequence[Polygon],
    ) -> bytes:
        """The masked segment, built on first use."""
        key = (camera_id, relpath, repr([list(p) for p in polygons]))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = masked_fmp4(path, span[0], span[1], polygons)
        with self._lock:
            self._items[key] = data
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return data
