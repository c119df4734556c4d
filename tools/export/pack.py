"""Write a model pack: ONNX graphs (fp32 and/or fp16), tokenizer files, mel filterbank, langid model
and `manifest.json`, from loaded modules. Used for real checkpoints and for the tiny pack alike."""
from __future__ import annotations

import json
import platform
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import torch

from . import EXPORTER_VERSION, manifest, safetensors_io
from .components import GRAPH_ORDER, LoadedComponent
from .fp16 import convert_file_to_fp16
from .onnx_export import OPSET, export_graph

PRECISIONS = ("fp32", "fp16")
# Length each graph is traced at: any valid length works (axes are dynamic); small keeps export fast.
TRACE_LENGTH = 8


class PackError(RuntimeError):
    pass


@dataclass
class PackRequest:
    name: str
    out_dir: Path
    components: dict[str, LoadedComponent]
    precisions: tuple[str, ...]
    text_tokenizer: tuple[dict | Path, dict | Path]  # tokenizer.json, tokenizer_config.json (content or file)
    lyric_vocab: dict | Path
    langid: Path | None = None  # py3langid model.plzma to convert into the pack
    provenance: dict = field(default_factory=dict)
    lora: dict | None = None
    base_pack: Path | None = None  # reuse this pack's files for graphs the LoRA leaves unchanged
    description: str = ""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def estimate_bytes(components: dict[str, LoadedComponent], precisions: tuple[str, ...], reused: set[str]) -> int:
    total = 0
    for component in components.values():
        if all(spec.name in reused for spec in component.graph_specs()):
            continue
        params = sum(t.numel() for t in component.model.state_dict().values())
        total += params * 4 * (1 if "fp32" in precisions else 0)
        if "fp16" in precisions:
            total += params * (2 if component.fp16_allowed() else 0)
    return int(total * 1.05) + (16 << 20)


def build_pack(request: PackRequest) -> dict:
    out_dir = Path(request.out_dir)
    reused = _reusable_graphs(request)
    needed = estimate_bytes(request.components, request.precisions, set(reused))
    out_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(out_dir).free
    if free < needed:
        raise PackError(f"not enough disk space in {out_dir}: the pack needs about {needed / 1e9:.1f} GB, {free / 1e9:.1f} GB free")

    # The mel tables come from the vocoder's weights, which are released once its graph is written.
    mel = _write_mel_frontend(request, out_dir)
    graphs: dict[str, dict] = {}
    fp32_files: dict[str, Path] = {}
    for graph_name in GRAPH_ORDER:
        component = next(c for c in request.components.values() if graph_name in [s.name for s in c.graph_specs()])
        spec = next(s for s in component.graph_specs() if s.name == graph_name)
        entry = {"component": component.name, "description": spec.description,
                 "inputs": [t.to_json() for t in spec.inputs], "outputs": [t.to_json() for t in spec.outputs], "precisions": {}}
        graphs[graph_name] = entry
        if graph_name in reused:
            entry["precisions"] = reused[graph_name]
            log(f"[{graph_name}] unchanged by the LoRA: reusing {request.base_pack}")
        else:
            fp32_file = out_dir / f"{graph_name}.onnx"
            log(f"[{graph_name}] exporting fp32 …")
            example = component.example_inputs(graph_name, batch=1, length=TRACE_LENGTH, generator=torch.Generator().manual_seed(0))
            export_graph(component.wrapper(graph_name), spec, example, fp32_file)
            entry["precisions"]["fp32"] = _graph_files(out_dir, fp32_file)
            fp32_files[graph_name] = fp32_file
        if graph_name == _last_graph_of(component):
            component.release()  # frees the torch weights before the next module (peak memory = one module)
        log(f"[{graph_name}] done")

    # fp16 variants are converted from the written fp32 graphs, after every torch module is released.
    for graph_name, fp32_file in fp32_files.items():
        entry = graphs[graph_name]
        spec = next(s for c in request.components.values() for s in c.graph_specs() if s.name == graph_name)
        if "fp16" in request.precisions:
            if spec.fp16_allowed:
                log(f"[{graph_name}] converting to fp16 …")
                half_file = out_dir / f"{graph_name}.fp16.onnx"
                convert_file_to_fp16(fp32_file, half_file)
                entry["precisions"]["fp16"] = _graph_files(out_dir, half_file)
            else:
                entry["precisions"]["fp16"] = entry["precisions"]["fp32"]  # stays fp32 (overflow, spec §9.1)
        if "fp32" not in request.precisions:
            for name in entry["precisions"]["fp32"]["files"]:
                if name not in entry["precisions"]["fp16"]["files"]:
                    (out_dir / name).unlink()
            del entry["precisions"]["fp32"]
    files: list[str] = [f for entry in graphs.values() for precision in entry["precisions"].values() for f in precision["files"]]
    files.append(mel["file"])

    tokenizers = _write_tokenizers(request, out_dir)
    files.extend(tokenizers["files"])
    langid_entry = None
    if request.langid is not None:
        from . import langid
        langid_entry = langid.convert(request.langid, out_dir / "langid.safetensors")
        files.append(langid_entry["file"])

    transformer = request.components["transformer"]
    umt5 = request.components["umt5"]
    data = {
        "schema": manifest.SCHEMA,
        "name": request.name,
        "family": manifest.FAMILY,
        "description": request.description,
        "graphs": graphs,
        "constants": {**manifest.CONSTANTS, "speaker_embedding_dim": transformer.config_json()["speaker_embedding_dim"],
                      "lyric_vocab_size": transformer.config_json()["lyric_encoder_vocab_size"],
                      "text_hidden_size": umt5.config_json()["d_model"]},
        "mel_frontend": mel,
        "tokenizers": tokenizers["entry"],
        "langid": langid_entry,
        "sampling_defaults": manifest.SAMPLING_DEFAULTS,
        "erg": _erg_entry(request),
        "lora": request.lora,
        "modules": {name: c.config_json() for name, c in sorted(request.components.items())},
        "files": [manifest.file_entry(out_dir, f) for f in sorted(set(files))],
        "provenance": {
            **request.provenance,
            "exporter": f"acejam-export {EXPORTER_VERSION}",
            "torch": torch.__version__.split("+")[0],
            "onnx": onnx.__version__,
            "opset": OPSET,
            "python": platform.python_version(),
        },
    }
    manifest.write(out_dir, data)
    log(f"pack {request.name} written to {out_dir}")
    return data


def _last_graph_of(component) -> str:
    names = [spec.name for spec in component.graph_specs()]
    return max(names, key=GRAPH_ORDER.index)


def _graph_files(out_dir: Path, graph_file: Path) -> dict:
    names = [graph_file.name]
    if (out_dir / f"{graph_file.name}.data").exists():
        names.append(f"{graph_file.name}.data")
    return {"file": graph_file.name, "files": names, "external_data": len(names) > 1}


def _reusable_graphs(request: PackRequest) -> dict[str, dict]:
    """Graphs a LoRA variant can take from its base pack (identical weights), with paths relative to
    the new pack, so a variant never duplicates multi-GB files."""
    if request.base_pack is None:
        return {}
    base_dir = Path(request.base_pack)
    base = manifest.read(base_dir)
    source = request.provenance.get("source", {})
    if base.get("provenance", {}).get("source", {}).get("files") != source.get("files"):
        raise PackError(f"--base-pack {base_dir} was exported from other checkpoint files; a variant can only share graphs with its own base")
    touched = {c.name for c in request.components.values() if c.lora_targets}
    reused = {}
    for graph_name, entry in base["graphs"].items():
        if entry["component"] in touched:
            continue
        relative = Path("..") / base_dir.name if base_dir.parent.resolve() == Path(request.out_dir).resolve().parent else base_dir.resolve()
        reused[graph_name] = {
            precision: {**files, "file": str(relative / files["file"]), "files": [str(relative / f) for f in files["files"]]}
            for precision, files in entry["precisions"].items() if precision in request.precisions
        }
    return reused


def _write_tokenizers(request: PackRequest, out_dir: Path) -> dict:
    def place(content: dict | Path, name: str) -> str:
        if isinstance(content, Path):
            shutil.copyfile(content, out_dir / name)
        else:
            (out_dir / name).write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n")
        return name

    text_json = place(request.text_tokenizer[0], "tokenizer.json")
    text_config = place(request.text_tokenizer[1], "tokenizer_config.json")
    lyric = place(request.lyric_vocab, "vocab.json")
    entry = {
        "text": {"file": text_json, "config": text_config, "max_tokens": 256, "eos_id": 1, "pad_id": 0},
        "lyric": {"file": lyric, "start_id": 261, "space_id": 2, "stop_id": 0, "unk_id": 1},
    }
    return {"entry": entry, "files": [text_json, text_config, lyric]}


def _write_mel_frontend(request: PackRequest, out_dir: Path) -> dict:
    """The mel front end (encoding uploaded audio) is engine code, not a graph: an STFT graph needs
    opset-17 STFT or a 16 MB DFT-matrix conv, while the engine does the FFT in a few lines. The pack
    ships the vocoder checkpoint's own filterbank and window so the engine's mel equals upstream's."""
    vocoder = request.components["vocoder"]
    filterbank, window = vocoder.mel_tables()
    name = "mel_filterbank.safetensors"
    safetensors_io.save({"filterbank": np.ascontiguousarray(filterbank, dtype=np.float32), "window": np.ascontiguousarray(window, dtype=np.float32)},
                        out_dir / name, metadata={"layout": "filterbank [n_fft/2+1, n_mels], window [n_fft]"})
    return {"implementation": "engine", "file": name, "reason": "an FFT is simpler and exact in the engine; the pack carries upstream's filterbank and window"}


def _erg_entry(request: PackRequest) -> dict:
    layers = {name: c.erg_layers() for name, c in request.components.items() if c.erg_layers() is not None}
    umt5, transformer = request.components["umt5"], request.components["transformer"]
    upstream = umt5.erg_layers() == [8, 9] and transformer.erg_layers() == list(range(15, 20)) and transformer.lyric_erg_layers() == [4, 5]
    return {
        "tau": 0.01,
        "umt5_layers": umt5.erg_layers(),
        "lyric_layers": transformer.lyric_erg_layers(),
        "dit_layers": transformer.erg_layers(),
        "upstream_indices": upstream,
        "note": "upstream's absolute indices (UMT5 8–9, lyric 4–5, DiT 15–19) when the model has those layers; otherwise the model's last layers",
    }
