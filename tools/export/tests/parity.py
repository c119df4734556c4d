"""Shared parity check: export a graph, run it in onnxruntime-node, compare with the torch module."""
from __future__ import annotations

import tempfile
import unittest
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch

from tools.export.graph_spec import GraphSpec
from tools.export.onnx_export import export_graph
from tools.export.ort import run_onnx

PARITY_TOLERANCE = 1e-4


def max_abs_error_per_output(
    wrapper: torch.nn.Module, spec: GraphSpec, cases: Sequence[Mapping[str, torch.Tensor]], export_example: Mapping[str, torch.Tensor] | None = None
) -> list[dict[str, float]]:
    """Exports `wrapper` once (traced on `export_example` or the first case) and runs every case
    through both torch and onnxruntime-node. Returns, per case, max-abs error per output. NaN in
    either side counts as an infinite error."""
    wrapper = wrapper.eval()
    with tempfile.TemporaryDirectory(prefix="acejam-parity-") as tmp:
        path = export_graph(wrapper, spec, export_example or cases[0], Path(tmp) / f"{spec.name}.onnx")
        errors = []
        for case in cases:
            with torch.no_grad():
                expected = wrapper(*(case[t.name] for t in spec.inputs))
            if isinstance(expected, torch.Tensor):
                expected = (expected,)
            got = run_onnx(path, {t.name: case[t.name].numpy() for t in spec.inputs})
            case_errors = {}
            for tensor, want in zip(spec.outputs, expected):
                have = got[tensor.name]
                want_np = want.numpy()
                if have.shape != want_np.shape:
                    raise AssertionError(f"{spec.name}.{tensor.name}: ORT shape {have.shape} != torch {want_np.shape}")
                if np.isnan(have).any() or np.isnan(want_np).any():
                    case_errors[tensor.name] = float("inf")
                else:
                    case_errors[tensor.name] = float(np.abs(have.astype(np.float64) - want_np.astype(np.float64)).max())
            errors.append(case_errors)
        return errors


def assert_parity(test: unittest.TestCase, wrapper, spec, cases, tolerance: float = PARITY_TOLERANCE, export_example=None) -> list[dict[str, float]]:
    errors = max_abs_error_per_output(wrapper, spec, cases, export_example)
    for index, case_errors in enumerate(errors):
        for name, error in case_errors.items():
            test.assertLessEqual(error, tolerance, f"{spec.name}.{name} case {index}: max-abs {error:.3g} > {tolerance}")
    return errors
