"""The contract between a re-implemented module and the exporter: which graphs it yields and their IO.

Every module file (`modules/*.py`) describes its graphs with `GraphSpec`s. Dims are ints or symbolic
names (`B`, `Lt`, `Ll`, `S`, `T`, `Tm`, `N`, `F`); symbolic dims become ONNX dynamic axes and are written
to the manifest as they are, so the engine knows which dims it may vary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

Dim = Union[int, str]


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str  # "float32" | "int64"
    dims: tuple[Dim, ...]

    def to_json(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "dims": list(self.dims)}


@dataclass(frozen=True)
class GraphSpec:
    """One ONNX graph: `name` is its manifest key and file stem (`name.onnx`, `name.fp16.onnx`)."""

    name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    # Graphs whose numerics overflow in fp16 (UMT5, spec §9.1) stay fp32 in fp16 packs.
    fp16_allowed: bool = True
    description: str = ""
    notes: dict = field(default_factory=dict)

    def dynamic_axes(self) -> dict[str, dict[int, str]]:
        axes: dict[str, dict[int, str]] = {}
        for tensor in self.inputs + self.outputs:
            symbolic = {i: d for i, d in enumerate(tensor.dims) if isinstance(d, str)}
            if symbolic:
                axes[tensor.name] = symbolic
        return axes
