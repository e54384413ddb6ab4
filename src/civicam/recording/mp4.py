"""Fragmented MP4 structure (pure): find the end of the last complete fragment.

A segment is ``ftyp moov (moof mdat)*``; a crash can leave a partial box at the end.
Keeping the file up to the last complete ``mdat`` that follows a ``moof`` keeps
every complete fragment, so a kill loses at most one fragment (<= 1 s).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Scan:
    """Where the valid part of a file ends and how many fragments it holds."""

    valid_bytes: int
    fragments: int
    has_moov: bool


def scan_boxes(f: BinaryIO, size: int) -> Scan:
    """Walk top-level boxes; ``valid_bytes`` is the end of the last complete fragment."""
    pos = 0
    valid = 0
    fragments = 0
    has_moov = False
    pending_moof = False
    while pos + 8 <= size:
        f.seek(pos)
        header = f.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        header_len = 8
        if box_size == 1:
            if len(header) < 16:
                break
            box_size = struct.unpack(">Q", header[8:16])[0]
            header_len = 16
        elif box_size == 0:  # "to end of file": only legal for a final box, never ours
            break
        if box_size < header_len or pos + box_size > size:
            break  # truncated or corrupt box: stop before it
        kind = box_type.decode("latin-1")
        pos += box_size
        if kind == "moov":
            has_moov = True
            valid = pos
        elif kind == "ftyp":
            valid = pos
        elif kind == "moof":
            pending_moof = True
        elif kind == "mdat" and pending_moof:
            pending_moof = False
            fragments += 1
            valid = pos
        elif kind in ("mfra", "free", "skip", "styp", "sidx") and not pending_moof:
            valid = pos
    return Scan(valid_bytes=valid if has_moov else 0, fragments=fragments, has_moov=has_moov)
