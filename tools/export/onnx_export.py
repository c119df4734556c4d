"""torch → ONNX for one graph, with the settings every acejam graph shares (opset 17, dynamic axes)."""
from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Mapping

import onnx
import torch

from .graph_spec import GraphSpec

OPSET = 17
# Protobuf cannot hold a model over 2 GiB; past this size weights go to a side file (ONNX external data).
EXTERNAL_DATA_THRESHOLD = 1_800_000_000


def export_graph(wrapper: torch.nn.Module, spec: GraphSpec, example: Mapping[str, torch.Tensor], out_file: Path) -> Path:
    """Export `wrapper` (forward takes spec.inputs in order, returns spec.outputs in order) to `out_file`.

    Writes deterministic bytes for the same weights and inputs, so a regenerated pack is byte-identical.
    """
    wrapper = wrapper.eval()
    args = tuple(example[t.name] for t in spec.inputs)
    # Export to a file in a scratch folder: torch writes models over 2 GiB as external data there,
    # which onnx.load reads back whole before the final, single-weights-file save.
    with tempfile.TemporaryDirectory(prefix="acejam-export-") as scratch:
        traced_file = Path(scratch) / "graph.onnx"
        # torch 1.13's exporter warns about constant folding and shape inference on every graph;
        # the parity tests are the real check, so keep the progress output readable.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                args,
                str(traced_file),
                input_names=[t.name for t in spec.inputs],
                output_names=[t.name for t in spec.outputs],
                dynamic_axes=spec.dynamic_axes(),
                opset_version=OPSET,
                do_constant_folding=True,
            )
        model = onnx.load(str(traced_file))
    model.producer_name = "acejam-export"
    model.doc_string = spec.description
    _declare_io_shapes(model, spec)
    return save_model(model, Path(out_file))


def _declare_io_shapes(model: onnx.ModelProto, spec: GraphSpec) -> None:
    """Write the spec's dims into the graph's IO: torch's shape inference loses some fixed dims (a
    decoder's 128 mel bins come out as a generated symbol) and names symbolic ones at random. The
    engine checks each graph against the manifest, so the file must say exactly what the spec says."""
    declared = {t.name: t for t in spec.inputs + spec.outputs}
    for value in list(model.graph.input) + list(model.graph.output):
        tensor = declared[value.name]
        shape = value.type.tensor_type.shape
        if len(shape.dim) != len(tensor.dims):
            raise ValueError(f"{spec.name}: {value.name} has rank {len(shape.dim)} in the traced graph, the spec says {len(tensor.dims)}")
        for dim, wanted in zip(shape.dim, tensor.dims):
            if isinstance(wanted, int):
                if dim.HasField("dim_value") and dim.dim_value != wanted:
                    raise ValueError(f"{spec.name}: {value.name} has {dim.dim_value} where the spec says {wanted}")
                dim.dim_value = wanted
            else:
                dim.dim_param = wanted


def save_model(model: onnx.ModelProto, out_file: Path) -> Path:
    """Save in one file, or with one `<name>.data` side file when protobuf's 2 GiB limit requires it."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    if model.ByteSize() > EXTERNAL_DATA_THRESHOLD:
        data_name = out_file.name + ".data"
        (out_file.parent / data_name).unlink(missing_ok=True)
        onnx.save_model(model, str(out_file), save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=1024)
    else:
        onnx.save_model(model, str(out_file))
    return out_file
