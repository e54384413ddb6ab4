"""ONNX Runtime sessions behind a small typed surface (onnxruntime ships no type hints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import onnxruntime as ort  # type: ignore[import-untyped]

from civicam.analysis.detectors.base import DetectorError


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output: name, element type (``tensor(float)``...) and shape.

    Dimensions the model leaves open are ``None``.
    """

    name: str
    type: str
    shape: tuple[int | None, ...]


def _info(arg: Any) -> TensorInfo:
    shape = tuple(d if isinstance(d, int) and d > 0 else None for d in (arg.shape or []))
    return TensorInfo(str(arg.name), str(arg.type), shape)


class Session:
    """One ONNX model on the CPU with a fixed number of threads."""

    def __init__(self, model: bytes, threads: int) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ONNX Runtime raises its own exception types
            raise DetectorError(f"ONNX Runtime cannot load the model: {exc}") from exc
        self.inputs = [_info(i) for i in self._session.get_inputs()]
        self.outputs = [_info(o) for o in self._session.get_outputs()]

    def run(self, feeds: dict[str, npt.NDArray[Any]]) -> list[npt.NDArray[np.float32]]:
        """All outputs, in the model's output order, as float32 arrays."""
        try:
            results = self._session.run(None, feeds)
        except Exception as exc:
            raise DetectorError(f"the model failed to run: {exc}") from exc
        return [np.asarray(r, dtype=np.float32) for r in results]
