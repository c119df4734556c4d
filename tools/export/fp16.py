"""Make the fp16 (GPU) variant of an exported fp32 graph, autocast-style.

Weights of MatMul / Gemm / Conv / ConvTranspose and embedding tables (Gather) are stored in fp16 and
those ops compute in fp16; everything else (norms, softmax, the linear-attention sums and normaliser,
RoPE angles from positions, masks, timestep sinusoids) stays fp32, as torch.autocast would do and as
spec §9.1 asks ("keep the linear-attention matmuls/normaliser in fp32"). Activation-only MatMuls (the
attention products) are not weight ops, so they stay fp32 automatically. Graph inputs and outputs keep
their fp32 dtypes, so the engine feeds both variants the same tensors. Graphs that overflow in fp16
(UMT5) are not converted at all (GraphSpec.fp16_allowed).

Big graphs (the DiT: 10 GB fp32) are converted tensor by tensor: weights are read through a memory
map of the fp32 side file and written straight to the fp16 side file, so memory stays near one tensor.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .onnx_export import EXTERNAL_DATA_THRESHOLD

_WEIGHT_OPS = {"MatMul": (1,), "Gemm": (1, 2), "Conv": (1, 2), "ConvTranspose": (1, 2)}
_ACTIVATION_INPUT = {"MatMul": 0, "Gemm": 0, "Conv": 0, "ConvTranspose": 0}


class _TensorSink:
    """Makes initializers: inline, or appended to one external data file when the model is big."""

    def __init__(self, data_file: Path | None):
        self.data_file = data_file
        self.handle = data_file.open("wb") if data_file else None
        self.offset = 0

    def make(self, array: np.ndarray, name: str) -> TensorProto:
        if self.handle is None:
            return numpy_helper.from_array(np.ascontiguousarray(array), name)
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        tensor = TensorProto(name=name, data_type=onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype.newbyteorder("=")], dims=list(array.shape))
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in (("location", self.data_file.name), ("offset", str(self.offset)), ("length", str(len(data)))):
            tensor.external_data.add(key=key, value=value)
        self.handle.write(data)
        self.offset += len(data)
        return tensor

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def _reader(base_dir: Path) -> Callable[[TensorProto], np.ndarray]:
    def read(tensor: TensorProto) -> np.ndarray:
        if tensor.data_location != TensorProto.EXTERNAL:
            return numpy_helper.to_array(tensor)
        info = {entry.key: entry.value for entry in tensor.external_data}
        dtype = np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[tensor.data_type]).newbyteorder("<")
        offset, length = int(info.get("offset", 0)), int(info["length"])
        raw = np.memmap(base_dir / info["location"], dtype=np.uint8, mode="r", offset=offset, shape=(length,))
        return raw.view(dtype).reshape(tuple(tensor.dims))
    return read


def convert_file_to_fp16(src: Path, dst: Path) -> Path:
    """Convert the fp32 graph `src` into the fp16 graph `dst` (with `dst.data` when src is external)."""
    model = onnx.load(str(src), load_external_data=False)
    big = any(init.data_location == TensorProto.EXTERNAL for init in model.graph.initializer) or model.ByteSize() > EXTERNAL_DATA_THRESHOLD
    sink = _TensorSink(dst.parent / f"{dst.name}.data" if big else None)
    try:
        convert_to_fp16(model, _reader(src.parent), sink)
    finally:
        sink.close()
    onnx.save_model(model, str(dst))
    onnx.checker.check_model(str(dst))
    return dst


def convert_to_fp16(model: onnx.ModelProto, read: Callable[[TensorProto], np.ndarray] = numpy_helper.to_array, sink: _TensorSink | None = None) -> onnx.ModelProto:
    """Convert `model` in place (see the module docstring) and return it."""
    sink = sink or _TensorSink(None)
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    half_of: dict[str, str] = {}  # fp32 initializer -> its fp16 copy
    fp16_source: dict[str, str] = {}  # fp32 tensor -> fp16 tensor it was cast from (skip double casts)
    cast_cache: dict[str, str] = {}  # fp32 activation -> its Cast-to-fp16 output
    new_nodes: list[onnx.NodeProto] = []
    new_initializers: list[onnx.TensorProto] = []

    def half_initializer(name: str) -> str:
        if name not in half_of:
            half_name = f"{name}__fp16"
            new_initializers.append(sink.make(read(initializers[name]).astype(np.float16), half_name))
            half_of[name] = half_name
        return half_of[name]

    def as_fp16(name: str) -> str:
        if name in fp16_source:
            return fp16_source[name]
        if name not in cast_cache:
            cast_name = f"{name}__to_fp16"
            new_nodes.append(helper.make_node("Cast", [name], [cast_name], to=TensorProto.FLOAT16, name=f"{cast_name}_cast"))
            cast_cache[name] = cast_name
        return cast_cache[name]

    def is_float_initializer(name: str) -> bool:
        return name in initializers and initializers[name].data_type == TensorProto.FLOAT

    for node in graph.node:
        weight_slots = _WEIGHT_OPS.get(node.op_type, ())
        converts = any(i < len(node.input) and is_float_initializer(node.input[i]) for i in weight_slots[:1])
        if node.op_type == "Gather" and is_float_initializer(node.input[0]):
            node.input[0] = half_initializer(node.input[0])
            _retype_output(node, new_nodes, fp16_source)
            continue
        if not converts:
            new_nodes.append(node)
            continue
        for slot, name in enumerate(node.input):
            if not name:
                continue
            if slot in weight_slots and is_float_initializer(name):
                node.input[slot] = half_initializer(name)
            elif slot == _ACTIVATION_INPUT[node.op_type] or node.op_type == "MatMul":
                node.input[slot] = as_fp16(name)
        _retype_output(node, new_nodes, fp16_source)

    del graph.node[:]
    graph.node.extend(new_nodes)
    used = {name for node in graph.node for name in node.input}
    # Unconverted initializers still in use (biases, norms, constants) move to the new side file too.
    kept = [init if sink.handle is None or init.data_location != TensorProto.EXTERNAL and init.ByteSize() < 1024
            else sink.make(read(init), init.name)
            for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_initializers)
    del graph.value_info[:]
    return model


def _retype_output(node: onnx.NodeProto, new_nodes: list, fp16_source: dict[str, str]) -> None:
    """The node now yields fp16: rename its output and cast back to fp32 under the original name, so
    every other consumer is unchanged; fp16 consumers use the fp16 tensor directly."""
    original = node.output[0]
    half_name = f"{original}__fp16"
    node.output[0] = half_name
    new_nodes.append(node)
    new_nodes.append(helper.make_node("Cast", [half_name], [original], to=TensorProto.FLOAT, name=f"{original}_to_fp32"))
    fp16_source[original] = half_name
