"""HLS over recorded fMP4 segments (pure).

Every segment file is ``ftyp moov (moof mdat)*`` with its own initialisation and
timestamps starting at zero, so a playlist gives each segment its own ``EXT-X-MAP``
(the ``ftyp moov`` part) and a discontinuity before it; the media part is the
``moof mdat`` pairs. hls.js and Safari play such VOD playlists.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO


@dataclass(frozen=True)
class Fmp4Layout:
    """Byte ranges of a segment file: ``[0, init_end)`` and ``[init_end, media_end)``."""

    init_end: int
    media_end: int


def fmp4_layout(f: BinaryIO, size: int) -> Fmp4Layout | None:
    """Where the initialisation ends and the last complete fragment ends; ``None`` when
    the file has no ``moov`` or no complete fragment."""
    pos = 0
    init_end = 0
    media_end = 0
    pending_moof = False
    while pos + 8 <= size:
        f.seek(pos)
        header = f.read(16)
        if len(header) < 8:
            break
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_len = 8
        if box_size == 1:
            if len(header) < 16:
                break
            box_size = struct.unpack(">Q", header[8:16])[0]
            header_len = 16
        if box_size < header_len or pos + box_size > size:
            break
        pos += box_size
        if box_type == b"moov":
            init_end = pos
        elif box_type == b"moof" and init_end:
            pending_moof = True
        elif box_type == b"mdat" and pending_moof:
            pending_moof = False
            media_end = pos
    if not init_end or media_end <= init_end:
        return None
    return Fmp4Layout(init_end, media_end)


@dataclass(frozen=True)
class PlaylistItem:
    """A segment in a playlist: its name (the file stem) and UTC span."""

    name: str
    start: float
    end: float


def _iso(t: float) -> str:
    return (
        datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def vod_playlist(
    items: Sequence[PlaylistItem],
    init_uri: Callable[[PlaylistItem], str],
    media_uri: Callable[[PlaylistItem], str],
) -> str:
    """A VOD media playlist (``EXT-X-ENDLIST``) over ``items`` in order."""
    target = max((math.ceil(i.end - i.start) for i in items), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{max(1, target)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for n, item in enumerate(items):
        if n:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f'#EXT-X-MAP:URI="{init_uri(item)}"')
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_iso(item.start)}")
        lines.append(f"#EXTINF:{max(item.end - item.start, 0.001):.3f},")
        lines.append(media_uri(item))
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
