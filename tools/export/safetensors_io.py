"""Read and write safetensors files with numpy alone (Debian has no `safetensors` package).

The format is an 8-byte little-endian header length, a JSON header mapping each tensor name to
{dtype, shape, data_offsets}, then the raw little-endian bytes. BF16 has no numpy dtype: its 16
bits are the top half of an IEEE float32, so it is widened by a shift.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

_NUMPY_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "U16": np.uint16, "U32": np.uint32, "BOOL": np.bool_,
}
_MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """A file that is not a complete safetensors file (wrong format, truncated download)."""


def read_header(path: str | Path) -> dict[str, dict]:
    """Tensor name -> {dtype, shape, data_offsets}, without reading any tensor data."""
    header, _ = _read_header_and_base(Path(path))
    return header


def _read_header_and_base(path: Path) -> tuple[dict[str, dict], int]:
    size = path.stat().st_size
    with path.open("rb") as file:
        prefix = file.read(8)
        if len(prefix) < 8:
            raise SafetensorsError(f"{path}: too short to be a safetensors file ({size} bytes)")
        (header_len,) = struct.unpack("<Q", prefix)
        if header_len > _MAX_HEADER or 8 + header_len > size:
            raise SafetensorsError(f"{path}: header length {header_len} does not fit the file ({size} bytes): not safetensors, or truncated")
        try:
            header = json.loads(file.read(header_len))
        except json.JSONDecodeError as error:
            raise SafetensorsError(f"{path}: header is not JSON ({error})") from error
    header.pop("__metadata__", None)
    base = 8 + header_len
    end = max((entry["data_offsets"][1] for entry in header.values()), default=0)
    if base + end > size:
        raise SafetensorsError(
            f"{path}: the header promises {base + end} bytes but the file has {size}: the download is incomplete; fetch it again"
        )
    return header, base


def shapes(path: str | Path) -> dict[str, tuple[int, ...]]:
    return {name: tuple(entry["shape"]) for name, entry in read_header(path).items()}


def load_arrays(path: str | Path, names: set[str] | None = None) -> dict[str, np.ndarray]:
    """Load tensors (all, or `names`) as numpy arrays in their stored dtype; BF16 is widened to float32."""
    path = Path(path)
    header, base = _read_header_and_base(path)
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    arrays: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        if names is not None and name not in names:
            continue
        start, end = entry["data_offsets"]
        chunk = raw[base + start: base + end]
        dtype = entry["dtype"]
        if dtype == "BF16":
            array = (np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in _NUMPY_DTYPES:
            array = np.frombuffer(chunk, dtype=np.dtype(_NUMPY_DTYPES[dtype]).newbyteorder("<"))
        else:
            raise SafetensorsError(f"{path}: tensor {name} has unsupported dtype {dtype}")
        arrays[name] = np.array(array.reshape(entry["shape"]))
    return arrays


def load(path: str | Path, names: set[str] | None = None) -> dict[str, torch.Tensor]:
    """Load tensors as torch tensors, floating types (F16, BF16, F64) as float32 for export."""
    return {
        name: torch.from_numpy(array.astype(np.float32) if array.dtype.kind == "f" else array)
        for name, array in load_arrays(path, names).items()
    }


_NUMPY_TO_CODE = {np.dtype(v).str[1:]: k for k, v in _NUMPY_DTYPES.items()} | {"u2": "U16", "u4": "U32"}


def save(tensors: Mapping[str, "torch.Tensor | np.ndarray"], path: str | Path, metadata: Mapping[str, str] | None = None) -> None:
    """Write tensors (torch or numpy) in their own dtype (BF16 included), names sorted, so the
    bytes are reproducible."""
    header: dict[str, dict] = {}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        code, shape, data = _encode(tensors[name])
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = dict(metadata)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format aligns tensor data to 8 bytes
    with Path(path).open("wb") as file:
        file.write(struct.pack("<Q", len(encoded)))
        file.write(encoded)
        for blob in blobs:
            file.write(blob)


def _encode(value: "torch.Tensor | np.ndarray") -> tuple[str, list[int], bytes]:
    if isinstance(value, torch.Tensor):
        value = value.detach().contiguous().cpu()
        if value.dtype == torch.bfloat16:
            return "BF16", list(value.shape), value.view(torch.int16).numpy().astype("<i2").tobytes()
        value = value.numpy()
    array = np.ascontiguousarray(value)
    code = _NUMPY_TO_CODE[array.dtype.str[1:]]
    return code, list(array.shape), array.astype(array.dtype.newbyteorder("<")).tobytes()


def read_metadata(path: str | Path) -> dict[str, str]:
    path = Path(path)
    with path.open("rb") as file:
        (header_len,) = struct.unpack("<Q", file.read(8))
        return json.loads(file.read(header_len)).get("__metadata__", {})
