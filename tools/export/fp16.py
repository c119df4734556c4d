"""Make the fp16 (GPU) variant of an exported fp32 graph, autocast-style.

Weights of MatMul / Gemm / Conv / ConvTranspose and embedding tables (Gather) are stored in fp16 and
those ops compute in fp16; everything else (norms, softmax, the linear-attention sums and normaliser,
RoPE angles from positions, masks, timestep sinusoids) stays fp32, as torch.autocast would do and as
spec §9.1 asks ("keep the linear-attention matmuls/normaliser in fp32"). Activation-only MatMuls (the
attention products) are not weight ops, so they stay fp32 automatically. Graph inputs and outputs keep
their fp32 dtypes, so the engine feeds both variants the same tensors. Graphs that overflow in fp16
(UMT5) are not converted at all (GraphSpec.fp16_allowed).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

_WEIGHT_OPS = {"MatMul": (1,), "Gemm": (1, 2), "Conv": (1, 2), "ConvTranspose": (1, 2)}
_ACTIVATION_INPUT = {"MatMul": 0, "Gemm": 0, "Conv": 0, "ConvTranspose": 0}


def convert_to_fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    model_copy = onnx.ModelProto()
    model_copy.CopyFrom(model)
    graph = model_copy.graph
    initializers = {init.name: init for init in graph.initializer}
    half_of: dict[str, str] = {}  # fp32 initializer -> its fp16 copy
    fp16_source: dict[str, str] = {}  # fp32 tensor -> fp16 tensor it was cast from (skip double casts)
    cast_cache: dict[str, str] = {}  # fp32 activation -> its Cast-to-fp16 output
    new_nodes: list[onnx.NodeProto] = []
    new_initializers: list[onnx.TensorProto] = []

    def half_initializer(name: str) -> str:
        if name not in half_of:
            array = numpy_helper.to_array(initializers[name]).astype(np.float16)
            half_name = f"{name}__fp16"
            new_initializers.append(numpy_helper.from_array(array, half_name))
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
            elif slot == _ACTIVATION_INPUT[node.op_type] or (node.op_type == "MatMul"):
                node.input[slot] = as_fp16(name)
        _retype_output(node, new_nodes, fp16_source)

    del graph.node[:]
    graph.node.extend(new_nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_initializers)
    del graph.value_info[:]
    onnx.checker.check_model(model_copy)
    return model_copy


def _retype_output(node: onnx.NodeProto, new_nodes: list, fp16_source: dict[str, str]) -> None:
    """The node now yields fp16: rename its output and cast back to fp32 under the original name, so
    every other consumer is unchanged; fp16 consumers use the fp16 tensor directly."""
    original = node.output[0]
    half_name = f"{original}__fp16"
    node.output[0] = half_name
    new_nodes.append(node)
    new_nodes.append(helper.make_node("Cast", [half_name], [original], to=TensorProto.FLOAT, name=f"{original}_to_fp32"))
    fp16_source[original] = half_name
