"""Recording benchmark: N cameras at 4 Mbit/s recorded at once by one recorder unit.

Packets are replayed from a file at real-time pace (generated once: 1280x720, 25 fps,
4 Mbit/s H.264, a keyframe every second), plus a smaller N over the real RTSP
server when GStreamer is installed. Reports CPU per stream, memory and lost
segments (index vs disk, SHA-256, demux of every segment, recorded vs wall time).

    .venv/bin/python benchmarks/recording.py --cameras 200 --seconds 60 --rtsp-cameras 20
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from civicam.config.recording import RecordingConfig
from civicam.recording.footage import bikes_mp4
from civicam.recording.reconcile import probe_segment
from civicam.recording.recorder import CameraSpec, RecorderUnit
from civicam.recording.writer import sha256_file
from civicam.store import open_database
from civicam.store.index import gaps, segments

REPO = Path(__file__).resolve().parents[1]
SERVER = REPO / "tests" / "recording" / "rtsp_server.py"


def make_clip(path: Path, seconds: float = 10.0, bitrate: int = 4_000_000) -> Path:
    """A 720p H.264 clip at ``bitrate`` from bikes.mp4 plus grain (so it really is 4 Mbit/s)."""
    if path.exists():
        return path
    rng = np.random.default_rng(0)
    kbit = bitrate // 1000
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(bikes_mp4())) as src, av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.bit_rate = bitrate
        stream.options = {
            "preset": "veryfast",
            "g": "25",
            "keyint_min": "25",
            "sc_threshold": "0",
            "x264-params": f"nal-hrd=cbr:vbv-maxrate={kbit}:vbv-bufsize={kbit}",
            "bf": "0",
        }
        frames = 0
        while frames < seconds * 25:
            src.seek(0)
            for frame in src.decode(video=0):
                img = frame.to_ndarray(format="rgb24")
                big = np.repeat(np.repeat(img, 2, axis=0), 2, axis=1)[:720, :1280]
                pad = np.zeros((720, 1280, 3), np.uint8)
                pad[: big.shape[0], : big.shape[1]] = big
                noisy = np.clip(pad.astype(np.int16) + rng.integers(-12, 13, pad.shape), 0, 255)
                vf = av.VideoFrame.from_ndarray(noisy.astype(np.uint8), format="rgb24")
                vf.pts = frames
                vf.time_base = Fraction(1, 25)
                for pkt in stream.encode(vf.reformat(format="yuv420p")):
                    out.mux(pkt)
                frames += 1
                if frames >= seconds * 25:
                    break
        for pkt in stream.encode(None):
            out.mux(pkt)
    tmp.replace(path)
    return path


def run(
    specs: list[CameraSpec], root: Path, seconds: float, cfg: RecordingConfig
) -> dict[str, Any]:
    """Record ``specs`` for ``seconds``; CPU, memory and loss figures."""
    db = open_database(f"sqlite:///{root / 'index.db'}")
    from civicam.config.recording import CameraConfig
    from civicam.store.registry import upsert_cameras

    upsert_cameras(
        db,
        [
            CameraConfig(
                id=s.camera_id, name=s.camera_id, url=s.url, purpose="benchmark", owner="benchmark"
            )
            for s in specs
        ],
    )
    unit = RecorderUnit(specs, root, db, cfg)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    unit.start()
    time.sleep(seconds)
    health = unit.status()
    unit.stop(timeout=120)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    segs = segments(db, include_missing=True)
    bad = 0
    for seg in segs:
        path = root / seg.path
        if (
            seg.status != "ok"
            or not path.is_file()
            or path.stat().st_size != seg.bytes
            or sha256_file(path) != seg.sha256
            or probe_segment(path) is None
        ):
            bad += 1
    indexed = {s.path for s in segs}
    unindexed = [p for p in root.rglob("*.mp4") if p.relative_to(root).as_posix() not in indexed]
    recorded = sum(s.end - s.start for s in segs)
    all_gaps = [g for s in specs for g in gaps(db, s.camera_id)]
    db.close()
    return {
        "streams": len(specs),
        "seconds": round(wall, 1),
        "online_at_end": sum(h.status == "online" for h in health),
        "mean_fps": round(sum(h.fps for h in health) / len(health), 2),
        "mean_mbit_s": round(sum(h.bitrate_bps for h in health) / len(health) / 1e6, 2),
        "cpu_seconds": round(cpu, 1),
        "cpu_percent_per_stream": round(100 * cpu / wall / len(specs), 3),
        "cpu_cores_total": round(cpu / wall, 2),
        "max_rss_mib": round(r1.ru_maxrss / 1024, 1),
        "segments": len(segs),
        "segments_lost_or_bad": bad + len(unindexed),
        "gaps": len(all_gaps),
        "gap_seconds": round(sum(g.end - g.start for g in all_gaps), 1),
        "gap_reasons": sorted({g.reason for g in all_gaps})[:5],
        "recorded_fraction": round(recorded / (len(specs) * wall), 3),
        "bytes_written": sum(s.bytes for s in segs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rtsp-cameras", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="civicam-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cfg = RecordingConfig(segment_seconds=10)
    results: dict[str, Any] = {}
    try:
        clip = make_clip(Path(tempfile.gettempdir()) / "civicam-bench-720p-4mbit.mp4")
        url = f"file://{clip}"
        specs = [CameraSpec(f"file-{i:04d}", url) for i in range(args.cameras)]
        if args.cameras:
            results["file_replay"] = run(specs, work / "files", args.seconds, cfg)
            print(json.dumps({"file_replay": results["file_replay"]}), flush=True)
            if args.workdir is None:
                shutil.rmtree(work / "files", ignore_errors=True)
        if args.rtsp_cameras and Path("/usr/bin/python3").is_file():
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server = subprocess.Popen(
                ["/usr/bin/python3", str(SERVER), "--port", str(port), "--file", str(clip)],
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                assert server.stdout is not None
                if server.stdout.readline().strip() == "READY":
                    rtsp = [
                        CameraSpec(f"rtsp-{i:03d}", f"rtsp://127.0.0.1:{port}/live")
                        for i in range(args.rtsp_cameras)
                    ]
                    results["rtsp"] = run(rtsp, work / "rtsp", args.seconds, cfg)
                    print(json.dumps({"rtsp": results["rtsp"]}), flush=True)
            finally:
                server.kill()
                server.wait()
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
