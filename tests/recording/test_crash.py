"""``kill -9`` of the recorder mid-segment, restarted, repeated: nothing closed is lost."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civicam.recording.reconcile import reconcile
from civicam.store import open_database
from civicam.store.index import gaps, segments
from tests.recording.helpers import check_index_matches_disk

KILLS = int(os.environ.get("CIVICAM_CRASH_KILLS", "10"))


def _config(tmp_path: Path, bikes: Path) -> Path:
    cfg = tmp_path / "rec.yaml"
    cfg.write_text(
        f"storage: {{root: '{tmp_path / 'store'}', min_free_bytes: 0}}\n"
        "recording: {segment_seconds: 2}\n"
        "cameras:\n"
        f"  - {{id: cam-a, name: A, url: 'file://{bikes}', purpose: crash test, owner: tests}}\n"
        f"  - {{id: cam-b, name: B, url: 'file://{bikes}', purpose: crash test, owner: tests}}\n",
        encoding="utf-8",
    )
    return cfg


def _wait_for_files(root: Path, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(root.rglob("*.mp4"))) >= count:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_kill_9_repeatedly_loses_at_most_a_fragment(tmp_path: Path, bikes: Path) -> None:
    cfg = _config(tmp_path, bikes)
    root = tmp_path / "store"
    rng = random.Random(5)
    kill_times: list[float] = []
    for n in range(KILLS):
        before = len(list(root.rglob("*.mp4"))) if root.exists() else 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "civicam.recording", str(cfg)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            # Wait until this run writes (reconciliation done, recording on), then
            # kill at a random point inside a segment.
            assert _wait_for_files(root, before + 2, timeout=60), f"run {n} wrote nothing"
            time.sleep(rng.uniform(1.2, 3.5))
        finally:
            kill_times.append(time.time())
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()
    db = open_database(f"sqlite:///{root / 'index.db'}")
    try:
        report = reconcile(root, db, {"cam-a", "cam-b"})
        assert report.quarantined == [] and report.missing == []
        check_index_matches_disk(root, db)
        for cam in ("cam-a", "cam-b"):
            segs = segments(db, cam)
            ends = [s.end for s in segs]
            for killed in kill_times:
                last = max(e for e in ends if e <= killed + 0.5)
                # A fragment is at most 1 s; allow pacing and timer slack on a busy CI box.
                assert killed - last <= 1.6, f"{cam}: lost {killed - last:.2f} s at a kill"
            # Every hole longer than the minimum gap (1 s) between segments has a gap row.
            holes = gaps(db, cam)
            for a, b in itertools.pairwise(segs):
                assert b.start >= a.end - 0.01
                if b.start - a.end > 1.0:
                    assert any(
                        abs(g.start - a.end) < 0.01 and abs(g.end - b.start) < 0.01 for g in holes
                    ), f"{cam}: unexplained hole of {b.start - a.end:.2f} s"
    finally:
        db.close()
