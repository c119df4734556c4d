"""Convert py3langid's language-identification model into the pack's `langid.safetensors`.

ACE-Step picks each lyric line's language token with py3langid 0.3.0 (spec §1.3, §13). Its model is an
LZMA-compressed pickle, which only Python can read; the pack carries the same numbers in safetensors,
which the engine reads directly. Layout (docs/pack-format.md):

* `nb_ptc` F32 [features, classes]: per-feature, per-class log-probabilities;
* `nb_pc` F32 [classes]: class log-priors;
* `tk_nextmove` U16 [states·256]: the byte-level state machine (next state = tk_nextmove[state·256 + byte]);
* `tk_output_states` U32 [n], `tk_output_offsets` U32 [n+1], `tk_output_features` U32 [m]: the state →
  feature-indices table in CSR form (states that emit nothing are left out);
* metadata `classes`: the JSON list of language codes, in `nb_pc` order; `format`: "py3langid-nb/1".
"""
from __future__ import annotations

import array
import hashlib
import json
import lzma
import pickle
from pathlib import Path

import numpy as np

from . import safetensors_io

FORMAT = "py3langid-nb/1"


class LangidModelError(ValueError):
    pass


def default_model_path() -> Path | None:
    """py3langid's own model.plzma, when the package is installed (a user's machine)."""
    try:
        import py3langid  # type: ignore[import-not-found]
    except ImportError:
        return None
    candidate = Path(py3langid.__file__).with_name("data") / "model.plzma"
    return candidate if candidate.exists() else None


def read_plzma(path: Path) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray, dict[int, tuple[int, ...]]]:
    try:
        nb_ptc, nb_pc, nb_classes, tk_nextmove, tk_output = pickle.loads(lzma.decompress(Path(path).read_bytes()))
    except (lzma.LZMAError, pickle.UnpicklingError, ValueError, EOFError) as error:
        raise LangidModelError(f"{path} is not a py3langid model.plzma: {error}") from error
    classes = list(nb_classes)
    prior = np.frombuffer(array.array(nb_pc.typecode, nb_pc).tobytes(), dtype=np.float32 if nb_pc.typecode == "f" else np.float64)
    per_feature = np.asarray(nb_ptc, dtype=np.float32).reshape(-1, len(classes))
    return per_feature, prior.astype(np.float32), classes, np.asarray(tk_nextmove, dtype=np.uint16), dict(tk_output)


def convert(plzma_path: Path, out_path: Path) -> dict:
    """Write `langid.safetensors`; returns its manifest entry."""
    nb_ptc, nb_pc, classes, tk_nextmove, tk_output = read_plzma(plzma_path)
    states = sorted(state for state, features in tk_output.items() if features)
    offsets = [0]
    features: list[int] = []
    for state in states:
        features.extend(tk_output[state])
        offsets.append(len(features))
    safetensors_io.save(
        {
            "nb_ptc": nb_ptc, "nb_pc": nb_pc, "tk_nextmove": tk_nextmove,
            "tk_output_states": np.asarray(states, dtype=np.uint32),
            "tk_output_offsets": np.asarray(offsets, dtype=np.uint32),
            "tk_output_features": np.asarray(features, dtype=np.uint32),
        },
        out_path,
        metadata={"format": FORMAT, "classes": json.dumps(classes)},
    )
    return {
        "file": out_path.name, "format": FORMAT, "classes": len(classes), "features": int(nb_ptc.shape[0]),
        "source": {"file": Path(plzma_path).name, "sha256": hashlib.sha256(Path(plzma_path).read_bytes()).hexdigest()},
    }


def classify(model_path: Path, text: str) -> tuple[str, np.ndarray]:
    """py3langid's `classify`, over the converted file: the reference the engine's port is tested against."""
    arrays = safetensors_io.load_arrays(model_path)
    classes = json.loads(safetensors_io.read_metadata(model_path)["classes"])
    nextmove = arrays["tk_nextmove"].astype(np.int64)
    state = 0
    visits: dict[int, int] = {}
    for byte in text.encode("utf8"):
        state = int(nextmove[(state << 8) + byte])
        visits[state] = visits.get(state, 0) + 1
    emitting = {int(s): i for i, s in enumerate(arrays["tk_output_states"])}
    counts = np.zeros(arrays["nb_ptc"].shape[0], dtype=np.uint32)
    for visited, times in visits.items():
        row = emitting.get(visited)
        if row is None:
            continue
        start, end = arrays["tk_output_offsets"][row], arrays["tk_output_offsets"][row + 1]
        for feature in arrays["tk_output_features"][start:end]:
            counts[feature] += times
    scores = counts @ arrays["nb_ptc"] + arrays["nb_pc"]
    return classes[int(np.argmax(scores))], scores
