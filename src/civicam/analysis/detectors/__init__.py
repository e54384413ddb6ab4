"""Object-class detectors: the bundled person model and plug-in ONNX models.

:func:`load_detector` turns the ``analysis.detection`` configuration into a
:class:`Detector`: with no ``model`` the bundled SSDLite-MobileNetV2 person
detector (:mod:`.ssdlite`), otherwise an ONNX file with a labels file, SSD-style
or YOLO-style (:mod:`.onnx_model`). Every label is checked against civicam's
object-class vocabulary, and the configured ``classes`` must be among the model's.
"""

from __future__ import annotations

from civicam.analysis.detectors.base import Detector, DetectorError, RawDetection
from civicam.config.analysis import DetectionConfig

#: Detectors report scores down to this (or ``min_score`` if lower); callers threshold
#: (redaction, for one, blurs people below the event threshold).
SCORE_FLOOR = 0.1


def load_detector(cfg: DetectionConfig | None = None) -> Detector:
    """The detector ``cfg`` describes (default: the bundled person model).

    Raises :class:`DetectorError` with a plain reason for a missing or unreadable
    model, outputs of the wrong shape, or labels outside the object-class vocabulary.
    """
    # Imported on use: ONNX Runtime and the converter are slow to import, and code
    # that only needs the Detector protocol should not pay for them.
    from civicam.analysis.detectors import onnx_model, ssdlite

    cfg = cfg or DetectionConfig()
    floor = min(cfg.min_score, SCORE_FLOOR)
    detector: ssdlite.SsdLiteDetector | onnx_model.OnnxDetector
    if cfg.model is None:
        if cfg.type != "ssd":
            raise DetectorError(
                "the bundled person model is SSD-style; a YOLO-style detector needs "
                "detection.model and detection.labels"
            )
        detector = ssdlite.load(cfg.cache_dir, cfg.input_size, cfg.threads, floor)
    else:
        if cfg.labels is None:
            raise DetectorError("detection.model needs detection.labels")
        detector = onnx_model.load(
            cfg.model,
            cfg.labels,
            cfg.type,
            cfg.input_size,
            cfg.input_range,
            cfg.box_order,
            cfg.threads,
            floor,
        )
    missing = sorted(set(cfg.classes) - set(detector.labels))
    if missing:
        raise DetectorError(
            f"detection.classes {missing} are not among the model's labels {list(detector.labels)}"
        )
    return detector


__all__ = ["SCORE_FLOOR", "Detector", "DetectorError", "RawDetection", "load_detector"]
