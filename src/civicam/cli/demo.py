"""``civicam demo``: the main job on bundled samples."""

from __future__ import annotations


def demo() -> None:
    """Run the demo on the bundled sample."""
