"""Export benchmark: time per hour of footage, remuxed and redacted.

Builds a site with one camera whose recording is bikes.mp4 scaled to the chosen size
(H.264, 25 fps, a keyframe every second) laid end to end in 2 s segments, then
times ``build_export`` three ways: remuxed (nothing hidden), re-encoded with a
privacy mask only, and redacted (the bundled person detector over the frame and
its tiles, temporal smoothing, blur, mask, H.264). Each is measured on a short
range (``--seconds``, ``--redact-seconds``) and scaled linearly to one hour:
export work is per frame, so it scales with footage length. Wall time depends on
what else the machine runs; CPU time (all threads of this process) much less so.
Prints one JSON object.

    .venv/bin/python benchmarks/export.py --seconds 60 --redact-seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for the tests' recorded-site helpers

from tests.export.site import T0, make_site, record_clip  # noqa: E402

from civicam.config.privacy import PrivacyConfig  # noqa: E402
from civicam.export.package import build_export, load_redaction_detector  # noqa: E402
from civicam.recording.footage import bikes_mp4  # noqa: E402

FPS = 25


def make_clip(path: Path, width: int, height: int) -> Path:
    """bikes.mp4 (10 s) scaled to width x height, H.264, keyframe every second."""
    with av.open(str(bikes_mp4())) as src, av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "g": str(FPS), "keyint_min": str(FPS), "crf": "23"}
        for i, frame in enumerate(src.decode(video=0)):
            img = cv2.resize(frame.to_ndarray(format="bgr24"), (width, height))
            vf = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(img, dtype=np.uint8), format="bgr24"
            )
            vf.pts, vf.time_base = i, Fraction(1, FPS)
            for pkt in stream.encode(vf):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="Footage remuxed / masked.")
    ap.add_argument("--redact-seconds", type=float, default=20.0, help="Footage redacted.")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--tiles", type=int, default=2, help="privacy.redaction_tiles")
    ap.add_argument("--detector-fps", type=float, default=5.0, help="privacy.redaction_fps")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        clip = make_clip(tmp / "clip.mp4", args.width, args.height)
        window = [(0.7, 0.05), (0.95, 0.05), (0.95, 0.4), (0.7, 0.4)]
        privacy = PrivacyConfig.model_validate(
            {"redaction_tiles": args.tiles, "redaction_fps": args.detector_fps}
        )
        site = make_site(tmp / "site", ("cam",), privacy)
        footage = max(args.seconds, args.redact_seconds)
        for n in range(int(np.ceil(footage / 10.0))):
            record_clip(site.root, site.db, "cam", clip, T0 + 10.0 * n)
        detector = load_redaction_detector(site.cfg.analysis.detection)
        results: dict[str, Any] = {}

        def run(name: str, seconds: float, redact: bool, masks: bool) -> None:
            site.cfg.privacy.masks = {"cam": [window]} if masks else {}
            t, cpu = time.perf_counter(), time.process_time()
            res = build_export(
                site.cfg,
                site.db,
                cameras=["cam"],
                start=T0,
                end=T0 + seconds,
                reason="benchmark",
                operator="bench",
                recipient=None,
                out=tmp / f"{name}.zip",
                redact=redact,
                detector=detector,
            )
            wall = time.perf_counter() - t
            cpu_s = time.process_time() - cpu
            cam = res.manifest["cameras"][0]
            results[name] = {
                "footage_s": seconds,
                "wall_s": round(wall, 3),
                "s_per_hour_of_footage": round(wall * 3600.0 / seconds, 1),
                "x_realtime": round(seconds / wall, 2),
                "cpu_s": round(cpu_s, 3),
                "cpu_s_per_hour_of_footage": round(cpu_s * 3600.0 / seconds, 1),
                "frames": cam["frames"],
                "method": cam["method"],
                "package_mb": round(res.bytes / 1e6, 2),
            }
            if redact:
                results[name]["detector_every_frames"] = cam["detector_every_frames"]
                results[name]["redacted_frames"] = cam["redacted_frames"]

        run("remux", args.seconds, redact=False, masks=False)
        run("masks_only", args.redact_seconds, redact=False, masks=True)
        run("redacted", args.redact_seconds, redact=True, masks=True)
        site.db.close()
    print(
        json.dumps(
            {
                "video": f"{args.width}x{args.height} H.264 {FPS} fps",
                "tiles": args.tiles,
                "detector_fps": args.detector_fps,
                "cpus": os.cpu_count(),
                "load_avg_1m": round(os.getloadavg()[0], 2),
                "note": "measured on the footage_s given, scaled linearly to one hour",
                **results,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
