"""Object-class detectors: one module per detector type, all behind :class:`Detector`."""

from civicam.analysis.detectors.base import Detector, RawDetection

__all__ = ["Detector", "RawDetection"]
