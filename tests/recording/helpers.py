"""Checks shared by the recording tests."""

from __future__ import annotations

from pathlib import Path

import av

from civicam.recording.writer import sha256_file
from civicam.store import Database
from civicam.store.index import segments


def decode_frames(path: Path) -> int:
    """Decode every frame of a file (raises on corrupt data); returns the count."""
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def check_index_matches_disk(root: Path, db: Database) -> int:
    """Every indexed segment exists, hashes right and decodes; every file is indexed."""
    segs = segments(db)
    for seg in segs:
        path = root / seg.path
        assert path.is_file(), seg.path
        assert path.stat().st_size == seg.bytes
        assert sha256_file(path) == seg.sha256
        assert decode_frames(path) > 0
        assert seg.end > seg.start
    on_disk = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.mp4")
        if not p.relative_to(root).as_posix().startswith("_quarantine/")
    }
    assert on_disk == {s.path for s in segs}
    return len(segs)
