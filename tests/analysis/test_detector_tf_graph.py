"""GraphDef -> ONNX conversion on small synthetic TensorFlow graphs, checked against NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import pytest
from tensorboard.compat.proto import graph_pb2, types_pb2  # type: ignore[import-untyped]

from civicam.analysis.detectors.runtime import Session
from civicam.analysis.detectors.tf_graph import (
    ConversionError,
    const_array,
    convert,
    read_graph,
)

F = npt.NDArray[np.float64]


class Graph:
    """A tiny GraphDef builder."""

    def __init__(self) -> None:
        self.g = graph_pb2.GraphDef()

    def const(self, name: str, value: npt.ArrayLike, int32: bool = False) -> str:
        arr = np.asarray(value, dtype=np.int32 if int32 else np.float32)
        n = self.g.node.add()
        n.name, n.op = name, "Const"
        t = n.attr["value"].tensor
        t.dtype = types_pb2.DT_INT32 if int32 else types_pb2.DT_FLOAT
        for d in arr.shape:
            t.tensor_shape.dim.add().size = d
        t.tensor_content = arr.tobytes()
        return name

    def op(self, name: str, op: str, inputs: list[str], **attrs: Any) -> str:
        n = self.g.node.add()
        n.name, n.op = name, op
        n.input.extend(inputs)
        for key, value in attrs.items():
            if isinstance(value, bytes):
                n.attr[key].s = value
            elif isinstance(value, bool):
                n.attr[key].b = value
            elif isinstance(value, float):
                n.attr[key].f = value
            elif isinstance(value, int):
                n.attr[key].i = value
            else:
                n.attr[key].list.i.extend(value)
        return name

    def conv(self, name: str, x: str, kernel: F, stride: int, padding: bytes, dw: bool) -> str:
        k = self.const(name + "/weights", kernel)
        op = "DepthwiseConv2dNative" if dw else "Conv2D"
        return self.op(name, op, [x, k], strides=[1, stride, stride, 1], padding=padding)

    def batch_norm(self, name: str, x: str, channels: int, rng: np.random.Generator) -> str:
        params = [
            self.const(f"{name}/gamma", rng.uniform(0.5, 1.5, channels)),
            self.const(f"{name}/beta", rng.normal(0, 0.5, channels)),
            self.const(f"{name}/mean", rng.normal(0, 0.5, channels)),
            self.const(f"{name}/var", rng.uniform(0.5, 2.0, channels)),
        ]
        return self.op(name, "FusedBatchNorm", [x, *params], epsilon=1e-3, is_training=False)


def np_conv(x: F, k: F, stride: int, padding: bytes, depthwise: bool) -> F:
    """NHWC convolution with TensorFlow's SAME/VALID padding, written plainly."""
    n, h, w, c = x.shape
    kh, kw, _, cm = k.shape
    if padding == b"SAME":
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, c * cm if depthwise else cm))
    for i in range(kh):
        for j in range(kw):
            patch = x[
                :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride
            ]
            if depthwise:
                out += (patch[..., None] * k[i, j]).reshape(n, oh, ow, c * cm)
            else:
                out += patch @ k[i, j]
    return out


def np_bn(x: F, g: Graph, name: str) -> F:
    vals = {
        n.name.rsplit("/", 1)[1]: const_array(n.attr["value"].tensor).astype(np.float64)
        for n in g.g.node
        if n.name.startswith(name + "/")
    }
    return (x - vals["mean"]) / np.sqrt(vals["var"] + 1e-3) * vals["gamma"] + vals["beta"]


def run(model: onnx.ModelProto, x: F) -> list[npt.NDArray[np.float32]]:
    onnx.checker.check_model(model)
    return Session(model.SerializeToString(), threads=1).run({"input": x.astype(np.float32)})


def test_conv_bn_relu6_depthwise_bias_reshape_concat() -> None:
    rng = np.random.default_rng(0)
    g = Graph()
    g.op("image", "Placeholder", [])
    k1 = rng.normal(0, 0.5, (3, 3, 3, 4))
    k2 = rng.normal(0, 0.5, (3, 3, 4, 2))  # depthwise, multiplier 2
    bias = rng.normal(0, 0.1, 8)
    scaled = g.op("mul", "Mul", [g.const("two", 2.0), "image"])
    shifted = g.op("sub", "Sub", [scaled, g.const("one", 1.0)])
    c1 = g.conv("c1", shifted, k1, 2, b"SAME", dw=False)
    bn = g.batch_norm("bn", c1, 4, rng)
    r1 = g.op("relu", "Relu6", [g.op("bn_id", "Identity", [bn])])
    c2 = g.conv("c2", r1, k2, 1, b"SAME", dw=True)
    b2 = g.op("bias", "BiasAdd", [c2, g.const("b", bias)])
    # The reshape target is computed in-graph from the tensor's shape, as TF's SSDs do.
    shape = g.op("shape", "Shape", [b2])
    batch = g.op(
        "batch",
        "StridedSlice",
        [shape, g.const("s0", [0], True), g.const("s1", [1], True), g.const("s2", [1], True)],
        shrink_axis_mask=1,
    )
    target = g.op("target", "Pack", [batch, g.const("m1", -1, True), g.const("four", 4, True)])
    flat = g.op("flat", "Reshape", [b2, target])
    other = g.op("other", "Reshape", [r1, g.const("t2", [1, -1, 4], True)])
    cat = g.op("cat", "ConcatV2", [flat, other, g.const("axis", 1, True)])
    out = g.op("sig", "Sigmoid", [cat])

    x = rng.uniform(0, 1, (1, 7, 6, 3))
    converted = convert(g.g, {"image": (1, 7, 6, 3)}, {"out": out})
    (got,) = run(converted.model, x)

    y1 = np.clip(np_bn(np_conv(2 * x - 1, k1, 2, b"SAME", False), g, "bn"), 0, 6)
    y2 = np_conv(y1, k2, 1, b"SAME", True) + bias
    expected = 1 / (1 + np.exp(-np.concatenate([y2.reshape(1, -1, 4), y1.reshape(1, -1, 4)], 1)))
    assert got.shape == expected.shape == (1, 4 * 3 * 8 // 4 + 4 * 3 * 4 // 4, 4)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert converted.shapes["c1"] == (1, 4, 3, 4)
    # Batch norm and bias were folded into the convolutions: two Conv, no Mul/Add on them.
    ops = [n.op_type for n in converted.model.graph.node]
    assert ops.count("Conv") == 2
    assert "BatchNormalization" not in ops and "Add" not in ops


def test_a_convolution_read_twice_is_not_folded() -> None:
    rng = np.random.default_rng(1)
    g = Graph()
    g.op("image", "Placeholder", [])
    k = rng.normal(0, 0.5, (1, 1, 3, 3))
    c = g.conv("c", "image", k, 1, b"VALID", dw=False)
    bn = g.batch_norm("bn", c, 3, rng)
    summed = g.op("sum", "AddV2", [bn, c])  # reads the raw convolution too
    out = g.op("scaled", "Mul", [summed, g.const("per_channel", [1.0, 2.0, 3.0])])
    x = rng.uniform(0, 1, (1, 4, 5, 3))
    (got,) = run(convert(g.g, {"image": (1, 4, 5, 3)}, {"out": out}).model, x)
    y = np_conv(x, k, 1, b"VALID", False)
    np.testing.assert_allclose(got, (np_bn(y, g, "bn") + y) * [1, 2, 3], atol=1e-5)


def test_squeeze_and_valid_stride() -> None:
    rng = np.random.default_rng(2)
    g = Graph()
    g.op("image", "Placeholder", [])
    k = rng.normal(0, 0.5, (2, 2, 3, 1))
    c = g.conv("c", "image", k, 2, b"VALID", dw=False)
    out = g.op("sq", "Squeeze", [c], squeeze_dims=[3])
    x = rng.uniform(0, 1, (1, 6, 5, 3))
    converted = convert(g.g, {"image": (1, 6, 5, 3)}, {"out": out})
    (got,) = run(converted.model, x)
    np.testing.assert_allclose(got, np_conv(x, k, 2, b"VALID", False)[..., 0], atol=1e-5)
    assert converted.shapes["sq"] == (1, 3, 2)


def test_unsupported_ops_and_bad_graphs_are_refused_by_name() -> None:
    g = Graph()
    g.op("image", "Placeholder", [])
    out = g.op("pool", "MaxPool", ["image"], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1])
    with pytest.raises(ConversionError, match="unsupported TensorFlow op MaxPool"):
        convert(g.g, {"image": (1, 4, 4, 3)}, {"out": out})
    with pytest.raises(ConversionError, match="no node 'missing'"):
        convert(g.g, {"image": (1, 4, 4, 3)}, {"out": "missing"})
    with pytest.raises(ConversionError, match="not a TensorFlow GraphDef"):
        read_graph(b"\xff\xff\xff\xff not protobuf")
    with pytest.raises(ConversionError, match="no nodes"):
        read_graph(b"")

    rng = np.random.default_rng(3)
    g = Graph()
    g.op("image", "Placeholder", [])
    bn = g.batch_norm(
        "bn", g.conv("c", "image", rng.normal(size=(1, 1, 3, 2)), 1, b"SAME", False), 2, rng
    )
    g.g.node[-1].attr["is_training"].b = True
    with pytest.raises(ConversionError, match="training mode"):
        convert(g.g, {"image": (1, 4, 4, 3)}, {"out": bn})


def test_constants_decode_from_content_and_repeated_fields() -> None:
    g = Graph()
    g.const("a", [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(const_array(g.g.node[0].attr["value"].tensor), [[1, 2], [3, 4]])
    t = g.g.node[0].attr["value"].tensor
    t.tensor_content = b""
    t.float_val.append(7.0)  # one value fills the shape
    np.testing.assert_array_equal(const_array(t), np.full((2, 2), 7.0))
