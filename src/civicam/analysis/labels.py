"""Labels files of object-class detectors, checked against civicam's class vocabulary.

A labels file has one class name per line (blank lines and ``#`` comments
ignored; a leading ``N:``/``N `` index is dropped). Every class must be one of
:data:`OBJECT_CLASSES`, the object categories civicam detects: people as a
class, vehicles, animals and everyday objects. A class outside the vocabulary is
refused, so a model can only ever be loaded as a detector of object classes.
"""

from __future__ import annotations

import re

# The COCO object categories, plus a few classes that city vehicle and mobility
# models commonly use. An allowlist rather than a list of refusals: the
# vocabulary says what civicam detects, and nothing else gets in.
OBJECT_CLASSES = frozenset(
    {
        # people and mobility
        "person",
        "pedestrian",
        "cyclist",
        "wheelchair",
        "stroller",
        "scooter",
        # vehicles
        "vehicle",
        "bicycle",
        "car",
        "van",
        "motorcycle",
        "airplane",
        "bus",
        "train",
        "tram",
        "truck",
        "boat",
        # street furniture
        "traffic light",
        "fire hydrant",
        "stop sign",
        "parking meter",
        "bench",
        # animals
        "animal",
        "bird",
        "cat",
        "dog",
        "horse",
        "sheep",
        "cow",
        "elephant",
        "bear",
        "zebra",
        "giraffe",
        # carried and everyday objects
        "backpack",
        "umbrella",
        "handbag",
        "tie",
        "suitcase",
        "frisbee",
        "skis",
        "snowboard",
        "sports ball",
        "kite",
        "baseball bat",
        "baseball glove",
        "skateboard",
        "surfboard",
        "tennis racket",
        "bottle",
        "wine glass",
        "cup",
        "fork",
        "knife",
        "spoon",
        "bowl",
        "banana",
        "apple",
        "sandwich",
        "orange",
        "broccoli",
        "carrot",
        "hot dog",
        "pizza",
        "donut",
        "cake",
        "chair",
        "couch",
        "potted plant",
        "bed",
        "dining table",
        "toilet",
        "tv",
        "laptop",
        "mouse",
        "remote",
        "keyboard",
        "cell phone",
        "microwave",
        "oven",
        "toaster",
        "sink",
        "refrigerator",
        "book",
        "clock",
        "vase",
        "scissors",
        "teddy bear",
        "hair drier",
        "toothbrush",
    }
)

# Unused slots some label maps keep so indices line up with model outputs.
PLACEHOLDERS = frozenset({"background", "n/a", "???", "unused"})

_INDEX = re.compile(r"^\d+\s*[: ]\s*")


def normalise(label: str) -> str:
    """Lower case, ``_``/``-`` as spaces, single spaces."""
    return " ".join(re.split(r"[\s_\-]+", label.strip().lower()))


def is_object_class(label: str) -> bool:
    """Whether ``label`` is in civicam's object-class vocabulary."""
    return normalise(label) in OBJECT_CLASSES


def parse_labels(text: str) -> tuple[str, ...]:
    """Class names from a labels file's text; raises ``ValueError`` outside the vocabulary."""
    labels: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        labels.append(_INDEX.sub("", line).strip())
    if not labels:
        raise ValueError("the labels file names no classes")
    refused = [
        label
        for label in labels
        if not is_object_class(label) and normalise(label) not in PLACEHOLDERS
    ]
    if refused:
        raise ValueError(
            f"refused classes {refused}: civicam detects object classes only "
            "(see civicam.analysis.labels.OBJECT_CLASSES)"
        )
    if len(set(labels)) != len(labels):
        raise ValueError("the labels file repeats a class")
    return tuple(labels)
