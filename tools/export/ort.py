"""Run an ONNX graph in onnxruntime-node (the runtime the engine uses) from Python tests.

Debian has no onnxruntime for Python, so the exporter's tests hand the graph and its inputs to
`ort_run.mjs` and read the outputs back: both torch and ONNX Runtime really run.
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping

import numpy as np

_RUNNER = Path(__file__).with_name("ort_run.mjs")
_REPO = Path(__file__).resolve().parents[2]
_DTYPES = {"float32": np.float32, "float16": np.float16, "int64": np.int64, "int32": np.int32, "uint8": np.uint8, "bool": np.bool_}


def run_onnx(model: str | Path, inputs: Mapping[str, np.ndarray], optimization: str = "all") -> dict[str, np.ndarray]:
    """Run `model` on `inputs` with onnxruntime-node's CPU provider; returns outputs by name."""
    with tempfile.TemporaryDirectory(prefix="acejam-ort-") as tmp:
        tmp_dir = Path(tmp)
        described = []
        for index, (name, array) in enumerate(inputs.items()):
            array = np.ascontiguousarray(array)
            dtype = {v: k for k, v in _DTYPES.items()}[array.dtype.type]
            file = f"in_{index}.bin"
            (tmp_dir / file).write_bytes(array.astype(array.dtype.newbyteorder("<")).tobytes())
            described.append({"name": name, "dtype": dtype, "dims": list(array.shape), "file": file})
        request = {"model": str(Path(model).resolve()), "inputs": described, "optimization": optimization}
        (tmp_dir / "request.json").write_text(json.dumps(request))
        done = subprocess.run(["node", str(_RUNNER), str(tmp_dir)], cwd=_REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed on {model}:\n{done.stderr.strip()}")
        response = json.loads((tmp_dir / "response.json").read_text())
        outputs = {}
        for output in response["outputs"]:
            data = np.frombuffer((tmp_dir / output["file"]).read_bytes(), dtype=np.dtype(_DTYPES[output["dtype"]]).newbyteorder("<"))
            outputs[output["name"]] = data.reshape(output["dims"]).astype(_DTYPES[output["dtype"]])
        return outputs
