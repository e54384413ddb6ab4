"""Labels files of object-class detectors, refusing classes civicam must not detect.

A labels file has one class name per line (blank lines and ``#`` comments
ignored; a leading ``N:``/``N `` index is dropped). Loading refuses labels that
would turn a detector into a face, licence-plate or identity recogniser: civicam
detects object classes only.
"""

from __future__ import annotations

import re

# Words that mark a class as biometric or identifying; matched as whole words
# after lower-casing and turning '_' and '-' into spaces.
FORBIDDEN_WORDS = frozenset(
    {
        "face",
        "faces",
        "plate",
        "plates",
        "licence",
        "license",
        "numberplate",
        "identity",
        "iris",
        "fingerprint",
        "gait",
        "reid",
    }
)

_INDEX = re.compile(r"^\d+\s*[: ]\s*")


def forbidden(label: str) -> bool:
    """Whether ``label`` names a face, plate or identity class."""
    words = re.split(r"[\s_\-/]+", label.lower())
    return any(w in FORBIDDEN_WORDS for w in words)


def parse_labels(text: str) -> tuple[str, ...]:
    """Class names from a labels file's text; raises ``ValueError`` on refused classes."""
    labels: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        labels.append(_INDEX.sub("", line).strip())
    if not labels:
        raise ValueError("the labels file names no classes")
    refused = [label for label in labels if forbidden(label)]
    if refused:
        raise ValueError(
            f"refused classes {refused}: civicam detects object classes only, "
            "never faces, plates or identities"
        )
    if len(set(labels)) != len(labels):
        raise ValueError("the labels file repeats a class")
    return tuple(labels)
