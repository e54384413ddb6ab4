"""A TensorFlow frozen graph's convolutional part as an ONNX model, without TensorFlow.

The GraphDef is read with the protobuf classes the ``tensorboard`` package ships.
The converter walks back from the requested output tensors to a given input
tensor and writes one ONNX node per TensorFlow op, reading weights from the
graph's ``Const`` nodes. Batch normalisation and bias additions are folded into
the convolution before them. Shapes are static (batch 1, a fixed input size), so
the small shape computations TensorFlow keeps in the graph (``Shape`` ->
``StridedSlice`` -> ``Pack`` -> ``Reshape``) are evaluated here in NumPy.

TensorFlow works in NHWC and ONNX convolutions in NCHW. Each converted tensor
records which of the two it is stored in; a transpose is inserted only where an
op needs the other one (into the first convolution, out of the last).

Supported ops are those of convolutional detector backbones and box predictors
(see :data:`SUPPORTED_OPS`); anything else is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import helper, numpy_helper
from tensorboard.compat.proto import (  # type: ignore[import-untyped]
    graph_pb2,
    node_def_pb2,
    tensor_pb2,
    types_pb2,
)

#: Bump when the converter's output changes, so cached conversions are rebuilt.
CONVERTER_VERSION = 1
#: ONNX opset written (Squeeze and Clip take their parameters as inputs from 13 on).
OPSET = 13
#: An IR version that ONNX Runtime releases since 1.10 read.
IR_VERSION = 8

_TO_NCHW = (0, 3, 1, 2)
_TO_NHWC = (0, 2, 3, 1)

_DTYPES: dict[int, type[np.generic]] = {
    types_pb2.DT_FLOAT: np.float32,
    types_pb2.DT_DOUBLE: np.float64,
    types_pb2.DT_INT32: np.int32,
    types_pb2.DT_INT64: np.int64,
    types_pb2.DT_UINT8: np.uint8,
    types_pb2.DT_BOOL: np.bool_,
}


class ConversionError(ValueError):
    """The graph cannot be converted (unsupported op, missing tensor, bad attribute)."""


def read_graph(data: bytes) -> graph_pb2.GraphDef:
    """Parse a frozen ``GraphDef``; raises :class:`ConversionError` if it is not one."""
    graph = graph_pb2.GraphDef()
    try:
        graph.ParseFromString(data)
    except Exception as exc:  # protobuf raises its own DecodeError
        raise ConversionError(f"not a TensorFlow GraphDef: {exc}") from exc
    if not graph.node:
        raise ConversionError("not a TensorFlow GraphDef: it has no nodes")
    return graph


def const_array(tensor: tensor_pb2.TensorProto) -> npt.NDArray[np.generic]:
    """A ``TensorProto``'s value as a NumPy array."""
    dtype = _DTYPES.get(tensor.dtype)
    if dtype is None:
        raise ConversionError(f"unsupported constant dtype {tensor.dtype}")
    shape = tuple(int(d.size) for d in tensor.tensor_shape.dim)
    if tensor.tensor_content:
        flat = np.frombuffer(tensor.tensor_content, dtype=dtype).copy()
    else:
        values: Sequence[object]
        if dtype is np.float32:
            values = tensor.float_val
        elif dtype is np.float64:
            values = tensor.double_val
        elif dtype is np.int64:
            values = tensor.int64_val
        elif dtype is np.bool_:
            values = tensor.bool_val
        else:
            values = tensor.int_val
        flat = np.array(list(values), dtype=dtype)
    size = int(np.prod(shape)) if shape else 1
    if flat.size == size:
        return flat.reshape(shape)
    if flat.size == 1:
        # Protobuf stores a constant fill as one value.
        return np.full(shape, flat[0], dtype=dtype)
    if flat.size == 0:
        return np.zeros(shape, dtype=dtype)
    raise ConversionError(f"constant has {flat.size} values for shape {shape}")


@dataclass
class _Tensor:
    """A converted runtime tensor: its ONNX name and TensorFlow (NHWC) shape."""

    name: str
    shape: tuple[int, ...]
    nchw: bool = False


@dataclass
class _Conv:
    """A convolution not yet written, so following scale/shift ops can fold into it."""

    input: str
    output: str
    weight: npt.NDArray[np.float32]  # OIHW
    bias: npt.NDArray[np.float32]
    group: int
    strides: tuple[int, int]
    dilations: tuple[int, int]
    pads: tuple[int, int, int, int]


_Value = _Tensor | npt.NDArray[np.generic]
_Node = onnx.NodeProto | _Conv


def _tensor_name(ref: str) -> tuple[str, int]:
    name, _, index = ref.partition(":")
    return name, int(index) if index else 0


def _same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int, int]:
    """Output size and (begin, end) padding of TensorFlow's SAME padding."""
    out = -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return out, total // 2, total - total // 2


@dataclass
class ConvertedGraph:
    """The ONNX model and the static TensorFlow (NHWC) shape of every converted tensor."""

    model: onnx.ModelProto
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)


class _Converter:
    def __init__(self, graph: graph_pb2.GraphDef) -> None:
        self.nodes_by_name = {n.name: n for n in graph.node}
        # Readers of each tensor, looking through Identity ops (which only rename), so a
        # convolution read by anything besides its batch norm is never folded.
        self.consumers: dict[str, int] = {}
        for n in graph.node:
            if n.op == "Identity":
                continue
            for ref in n.input:
                if not ref.startswith("^"):
                    root = self.root(ref)
                    self.consumers[root] = self.consumers.get(root, 0) + 1
        self.values: dict[str, _Value] = {}
        self.nodes: list[_Node] = []
        self.initializers: list[onnx.TensorProto] = []
        self.pending: dict[str, _Conv] = {}
        self.counter = 0

    # -- helpers -------------------------------------------------------------

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}__{self.counter}"

    def constant(self, array: npt.NDArray[np.generic], hint: str) -> str:
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def emit(self, op: str, inputs: Sequence[str], hint: str, **attrs: Any) -> str:
        out = self.fresh(hint)
        self.nodes.append(helper.make_node(op, list(inputs), [out], **attrs))
        return out

    def layout(self, t: _Tensor, nchw: bool) -> str:
        """``t``'s ONNX name in the requested layout (transposing if needed)."""
        if len(t.shape) != 4 or t.nchw == nchw:
            return t.name
        return self.emit("Transpose", [t.name], t.name, perm=list(_TO_NCHW if nchw else _TO_NHWC))

    def tensor(self, ref: str) -> _Tensor:
        value = self.values[ref]
        if not isinstance(value, _Tensor):
            raise ConversionError(f"{ref} is a constant where a tensor is needed")
        return value

    def array(self, ref: str) -> npt.NDArray[np.generic]:
        value = self.values[ref]
        if isinstance(value, _Tensor):
            raise ConversionError(f"{ref} must be constant (static shapes only)")
        return value

    def root(self, ref: str) -> str:
        """``ref`` as ``name:index``, followed back through Identity ops."""
        name, index = _tensor_name(ref)
        node = self.nodes_by_name.get(name)
        seen = 0
        while node is not None and node.op == "Identity" and index == 0 and seen < 10_000:
            name, index = _tensor_name(node.input[0])
            node = self.nodes_by_name.get(name)
            seen += 1
        return f"{name}:{index}"

    def foldable(self, ref: str) -> _Conv | None:
        """The pending convolution producing ``ref`` if nothing else reads it."""
        value = self.values.get(ref)
        if not isinstance(value, _Tensor):
            return None
        conv = self.pending.get(value.name)
        if conv is None or self.consumers.get(self.root(ref), 0) != 1:
            return None
        return conv

    # -- the walk --------------------------------------------------------------

    def order(self, outputs: Sequence[str], inputs: set[str]) -> list[node_def_pb2.NodeDef]:
        """Nodes needed for ``outputs``, inputs before their consumers."""
        seen: set[str] = set()
        ordered: list[node_def_pb2.NodeDef] = []
        stack: list[tuple[str, bool]] = [(_tensor_name(o)[0], False) for o in reversed(outputs)]
        while stack:
            name, expanded = stack.pop()
            if expanded:
                ordered.append(self.nodes_by_name[name])
                continue
            if name in seen:
                continue
            seen.add(name)
            node = self.nodes_by_name.get(name)
            if node is None:
                raise ConversionError(f"the graph has no node {name!r}")
            stack.append((name, True))
            if name in inputs:
                continue
            for ref in reversed(node.input):
                if not ref.startswith("^"):
                    dep = _tensor_name(ref)[0]
                    if dep not in seen:
                        stack.append((dep, False))
        return ordered

    def convert(
        self, inputs: dict[str, tuple[int, ...]], outputs: dict[str, str]
    ) -> ConvertedGraph:
        refs = {_tensor_name(i)[0]: i for i in inputs}
        graph_inputs = []
        for ref, shape in inputs.items():
            key = ref if ":" in ref else ref + ":0"
            name = "input" if len(inputs) == 1 else _tensor_name(ref)[0].replace("/", "_")
            self.values[key] = _Tensor(name, tuple(shape))
            graph_inputs.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape))
        for node in self.order(list(outputs.values()), set(refs)):
            if node.name in refs:
                continue
            handler = _HANDLERS.get(node.op)
            if handler is None:
                raise ConversionError(f"unsupported TensorFlow op {node.op} (node {node.name})")
            args = []
            for ref in node.input:
                if ref.startswith("^"):
                    continue
                key = ref if ":" in ref else ref + ":0"
                if key not in self.values:
                    raise ConversionError(f"{node.name} reads {ref}, which was not converted")
                args.append(key)
            result = handler(self, node, args)
            self.values[node.name + ":0"] = result
        graph_outputs = []
        for out_name, ref in outputs.items():
            key = ref if ":" in ref else ref + ":0"
            t = self.tensor(key)
            self.nodes.append(helper.make_node("Identity", [self.layout(t, False)], [out_name]))
            graph_outputs.append(
                helper.make_tensor_value_info(out_name, onnx.TensorProto.FLOAT, list(t.shape))
            )
        onnx_nodes = [self.finish(n) for n in self.nodes]
        graph = helper.make_graph(
            onnx_nodes, "converted", graph_inputs, graph_outputs, self.initializers
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name="civicam",
            producer_version=str(CONVERTER_VERSION),
        )
        model.ir_version = IR_VERSION
        shapes = {
            k.removesuffix(":0"): v.shape for k, v in self.values.items() if isinstance(v, _Tensor)
        }
        return ConvertedGraph(model, shapes)

    def finish(self, node: _Node) -> onnx.NodeProto:
        if isinstance(node, onnx.NodeProto):
            return node
        w = self.constant(node.weight, node.output + "_w")
        b = self.constant(node.bias, node.output + "_b")
        return helper.make_node(
            "Conv",
            [node.input, w, b],
            [node.output],
            group=node.group,
            strides=list(node.strides),
            dilations=list(node.dilations),
            pads=list(node.pads),
            kernel_shape=list(node.weight.shape[2:]),
        )


# -- op handlers ------------------------------------------------------------------

Handler = Callable[[_Converter, node_def_pb2.NodeDef, list[str]], _Value]


def _ints(node: node_def_pb2.NodeDef, key: str, default: Sequence[int]) -> list[int]:
    attr = node.attr.get(key)
    return list(attr.list.i) if attr is not None and attr.list.i else list(default)


def _nhwc_only(node: node_def_pb2.NodeDef) -> None:
    fmt = node.attr["data_format"].s if "data_format" in node.attr else b"NHWC"
    if fmt not in (b"", b"NHWC"):
        raise ConversionError(f"{node.name}: data format {fmt.decode()} (only NHWC)")


def _const(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    return const_array(node.attr["value"].tensor)


def _identity(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    return c.values[args[0]]


def _conv(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    _nhwc_only(node)
    x = c.tensor(args[0])
    kernel = np.asarray(c.array(args[1]), dtype=np.float32)
    if len(x.shape) != 4 or kernel.ndim != 4:
        raise ConversionError(f"{node.name}: a convolution needs 4-D input and kernel")
    strides = _ints(node, "strides", [1, 1, 1, 1])
    dilations = _ints(node, "dilations", [1, 1, 1, 1])
    if strides[0] != 1 or strides[3] != 1 or dilations[0] != 1 or dilations[3] != 1:
        raise ConversionError(f"{node.name}: strides/dilations over batch or channels")
    kh, kw, cin, cout = kernel.shape
    depthwise = node.op == "DepthwiseConv2dNative"
    n, h, w, channels = x.shape
    if depthwise:
        # TF's [H, W, in, multiplier]: output channel c * multiplier + m, as ONNX groups.
        if cin != channels:
            raise ConversionError(f"{node.name}: {channels} channels for a {cin}-channel kernel")
        weight = kernel.reshape(kh, kw, cin * cout, 1).transpose(2, 3, 0, 1)
        out_channels, group = cin * cout, cin
    else:
        if cin != channels:
            raise ConversionError(f"{node.name}: {channels} channels for a {cin}-channel kernel")
        weight = kernel.transpose(3, 2, 0, 1)
        out_channels, group = cout, 1
    padding = node.attr["padding"].s
    if padding == b"SAME":
        oh, top, bottom = _same_pads(h, kh, strides[1], dilations[1])
        ow, left, right = _same_pads(w, kw, strides[2], dilations[2])
    elif padding == b"VALID":
        oh = (h - ((kh - 1) * dilations[1] + 1)) // strides[1] + 1
        ow = (w - ((kw - 1) * dilations[2] + 1)) // strides[2] + 1
        top = bottom = left = right = 0
    else:
        raise ConversionError(f"{node.name}: padding {padding.decode()} (only SAME or VALID)")
    if oh < 1 or ow < 1:
        raise ConversionError(f"{node.name}: the input ({h}x{w}) is too small")
    out = c.fresh(node.name)
    conv = _Conv(
        input=c.layout(x, True),
        output=out,
        weight=np.ascontiguousarray(weight, dtype=np.float32),
        bias=np.zeros(out_channels, dtype=np.float32),
        group=group,
        strides=(strides[1], strides[2]),
        dilations=(dilations[1], dilations[2]),
        pads=(top, left, bottom, right),
    )
    c.nodes.append(conv)
    c.pending[out] = conv
    return _Tensor(out, (n, oh, ow, out_channels), nchw=True)


def _channel_affine(
    c: _Converter,
    node: node_def_pb2.NodeDef,
    ref: str,
    scale: npt.NDArray[np.float32] | None,
    shift: npt.NDArray[np.float32],
) -> _Value:
    """``x * scale + shift`` per channel: folded into the convolution before it if possible."""
    conv = c.foldable(ref)
    x = c.tensor(ref)
    if shift.shape != (x.shape[-1],) or (scale is not None and scale.shape != shift.shape):
        raise ConversionError(f"{node.name}: per-channel values do not match {x.shape[-1]}")
    if conv is not None:
        if scale is not None:
            conv.weight = (conv.weight * scale[:, None, None, None]).astype(np.float32)
            conv.bias = (conv.bias * scale).astype(np.float32)
        conv.bias = (conv.bias + shift).astype(np.float32)
        return x
    bshape = (-1, 1, 1) if x.nchw else (-1,)
    name = x.name
    if scale is not None:
        name = c.emit("Mul", [name, c.constant(scale.reshape(bshape), node.name)], node.name)
    name = c.emit("Add", [name, c.constant(shift.reshape(bshape), node.name)], node.name)
    return _Tensor(name, x.shape, x.nchw)


def _bias_add(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    _nhwc_only(node)
    return _channel_affine(c, node, args[0], None, np.asarray(c.array(args[1]), np.float32))


def _batch_norm(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    _nhwc_only(node)
    if "is_training" in node.attr and node.attr["is_training"].b:
        raise ConversionError(f"{node.name}: batch normalisation in training mode")
    gamma, beta, mean, var = (np.asarray(c.array(a), np.float64) for a in args[1:5])
    eps = node.attr["epsilon"].f if "epsilon" in node.attr else 1e-3
    scale = gamma / np.sqrt(var + eps)
    shift = beta - mean * scale
    return _channel_affine(c, node, args[0], scale.astype(np.float32), shift.astype(np.float32))


def _unary(op: str, **attrs: Any) -> Handler:
    def handle(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
        x = c.tensor(args[0])
        return _Tensor(c.emit(op, [x.name], node.name, **attrs), x.shape, x.nchw)

    return handle


def _relu6(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    x = c.tensor(args[0])
    lo = c.constant(np.array(0.0, np.float32), "zero")
    hi = c.constant(np.array(6.0, np.float32), "six")
    return _Tensor(c.emit("Clip", [x.name, lo, hi], node.name), x.shape, x.nchw)


_NUMPY_BINARY: dict[str, Callable[[npt.NDArray[np.generic], npt.NDArray[np.generic]], object]] = {
    "Add": np.add,
    "AddV2": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "RealDiv": np.divide,
    "Maximum": np.maximum,
    "Minimum": np.minimum,
}
_ONNX_BINARY = {
    "Add": "Add",
    "AddV2": "Add",
    "Sub": "Sub",
    "Mul": "Mul",
    "RealDiv": "Div",
    "Maximum": "Max",
    "Minimum": "Min",
}


def _operand(c: _Converter, value: _Value, nchw: bool, rank: int) -> str:
    if isinstance(value, _Tensor):
        return c.layout(value, nchw)
    arr = np.asarray(value, dtype=np.float32)
    if nchw and arr.ndim >= 1 and arr.size > 1:
        # Broadcasting aligns trailing axes: NHWC's channel axis is NCHW's second.
        arr = arr.reshape((1,) * (rank - arr.ndim) + arr.shape).transpose(_TO_NCHW)
    return c.constant(arr, "k")


def _binary(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    a, b = c.values[args[0]], c.values[args[1]]
    if not isinstance(a, _Tensor) and not isinstance(b, _Tensor):
        return np.asarray(_NUMPY_BINARY[node.op](a, b))
    shape_a = a.shape if isinstance(a, _Tensor) else np.shape(a)
    shape_b = b.shape if isinstance(b, _Tensor) else np.shape(b)
    try:
        shape = tuple(int(d) for d in np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    except ValueError as exc:
        raise ConversionError(f"{node.name}: shapes {shape_a} and {shape_b}") from exc
    tensors = [v for v in (a, b) if isinstance(v, _Tensor)]
    # Stay in NCHW when every 4-D operand already is and the result is 4-D.
    nchw = len(shape) == 4 and all(t.nchw for t in tensors if len(t.shape) == 4)
    nchw = nchw and all(len(t.shape) == 4 for t in tensors)
    inputs = [_operand(c, v, nchw, len(shape)) for v in (a, b)]
    return _Tensor(c.emit(_ONNX_BINARY[node.op], inputs, node.name), shape, nchw)


def _shape(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    value = c.values[args[0]]
    shape = value.shape if isinstance(value, _Tensor) else np.shape(value)
    return np.array(shape, dtype=np.int32)


def _strided_slice(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    x = c.array(args[0])
    begin, end, strides = (np.asarray(c.array(a)).tolist() for a in args[1:4])
    masks = {
        k: node.attr[k].i if k in node.attr else 0
        for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
    }
    if masks["ellipsis_mask"] or masks["new_axis_mask"]:
        raise ConversionError(f"{node.name}: ellipsis and new-axis slices are not supported")
    index: list[slice | int] = []
    for axis, (b0, e0, s0) in enumerate(zip(begin, end, strides, strict=True)):
        if masks["shrink_axis_mask"] >> axis & 1:
            index.append(int(b0))
            continue
        start = None if masks["begin_mask"] >> axis & 1 else int(b0)
        stop = None if masks["end_mask"] >> axis & 1 else int(e0)
        index.append(slice(start, stop, int(s0)))
    return np.asarray(x[tuple(index)])


def _pack(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    axis = node.attr["axis"].i if "axis" in node.attr else 0
    return np.stack([np.asarray(c.array(a)) for a in args], axis=axis)


def _reshape(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    target = [int(v) for v in np.asarray(c.array(args[1])).reshape(-1)]
    value = c.values[args[0]]
    if not isinstance(value, _Tensor):
        return np.asarray(value).reshape(target)
    shape = tuple(int(d) for d in np.empty(value.shape, dtype=np.bool_).reshape(target).shape)
    spec = c.constant(np.array(shape, dtype=np.int64), "shape")
    return _Tensor(c.emit("Reshape", [c.layout(value, False), spec], node.name), shape)


def _squeeze(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    x = c.tensor(args[0])
    axes = _ints(node, "squeeze_dims", [])
    if not axes:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    axes = [a % len(x.shape) for a in axes]
    shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    spec = c.constant(np.array(axes, dtype=np.int64), "axes")
    return _Tensor(c.emit("Squeeze", [c.layout(x, False), spec], node.name), shape)


def _concat(c: _Converter, node: node_def_pb2.NodeDef, args: list[str]) -> _Value:
    axis = int(np.asarray(c.array(args[-1])))
    values = [c.values[a] for a in args[:-1]]
    if not any(isinstance(v, _Tensor) for v in values):
        return np.concatenate([np.asarray(v) for v in values], axis=axis)
    shapes = [v.shape if isinstance(v, _Tensor) else np.shape(v) for v in values]
    rank = len(shapes[0])
    axis %= rank
    shape = list(shapes[0])
    shape[axis] = sum(int(s[axis]) for s in shapes)
    inputs = [_operand(c, v, False, rank) for v in values]
    return _Tensor(c.emit("Concat", inputs, node.name, axis=axis), tuple(shape))


_HANDLERS: dict[str, Handler] = {
    "Const": _const,
    "Identity": _identity,
    "StopGradient": _identity,
    "Conv2D": _conv,
    "DepthwiseConv2dNative": _conv,
    "BiasAdd": _bias_add,
    "FusedBatchNorm": _batch_norm,
    "FusedBatchNormV3": _batch_norm,
    "Relu": _unary("Relu"),
    "Relu6": _relu6,
    "Sigmoid": _unary("Sigmoid"),
    "Tanh": _unary("Tanh"),
    "Shape": _shape,
    "StridedSlice": _strided_slice,
    "Pack": _pack,
    "Reshape": _reshape,
    "Squeeze": _squeeze,
    "ConcatV2": _concat,
    **{op: _binary for op in _ONNX_BINARY},
}

#: TensorFlow ops the converter handles.
SUPPORTED_OPS = frozenset(_HANDLERS)


def convert(
    graph: graph_pb2.GraphDef,
    inputs: dict[str, tuple[int, ...]],
    outputs: dict[str, str],
) -> ConvertedGraph:
    """Convert the part of ``graph`` between ``inputs`` and ``outputs`` to ONNX.

    ``inputs`` maps TensorFlow tensor names to their static NHWC shapes (they
    become float32 ONNX inputs; with one input it is named ``input``);
    ``outputs`` maps ONNX output names to TensorFlow tensor names. Every output
    is written in TensorFlow's layout.
    """
    return _Converter(graph).convert(inputs, outputs)
