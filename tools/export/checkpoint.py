"""Find and strictly load ACE-Step v1 checkpoints in either published layout.

* Hugging Face folder (`ACE-Step/ACE-Step-v1-3.5B`): `ace_step_transformer/`, `music_dcae_f8c8/`,
  `music_vocoder/`, `umt5-base/`, each with `config.json` and safetensors (single or sharded with an index).
* ComfyUI's all-in-one `ace_step_v1_3.5b.safetensors`: one file, components under the prefixes
  `model.diffusion_model.`, `vae.dcae.`, `vae.vocoder.`, `text_encoders.umt5base.transformer.`, and no
  config.json (sizes then come from tensor shapes alone).

Loading is strict (spec §5.1, issue 1/5): every key the module expects must be present with its shape,
and every checkpoint key must be one the module expects or a named dead weight; anything else is an
error listing the keys.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import torch

from . import safetensors_io

COMFY_IGNORED_KEYS = frozenset({
    "text_encoders.umt5base.logit_scale",  # a CLAP-style scale the encoder never uses
    "text_encoders.spiece_model",  # ComfyUI's embedded SentencePiece blob; the pack ships tokenizer.json
})


class CheckpointError(ValueError):
    """A checkpoint that cannot be used as given: wrong path, missing files, wrong or partial keys."""


@dataclass(frozen=True)
class ComponentLayout:
    name: str  # transformer | dcae | vocoder | umt5
    hf_folder: str
    hf_weight_names: tuple[str, ...]
    comfy_prefix: str


LAYOUTS: dict[str, ComponentLayout] = {
    "transformer": ComponentLayout("transformer", "ace_step_transformer", ("diffusion_pytorch_model.safetensors",), "model.diffusion_model."),
    "dcae": ComponentLayout("dcae", "music_dcae_f8c8", ("diffusion_pytorch_model.safetensors",), "vae.dcae."),
    "vocoder": ComponentLayout("vocoder", "music_vocoder", ("diffusion_pytorch_model.safetensors",), "vae.vocoder."),
    "umt5": ComponentLayout("umt5", "umt5-base", ("model.safetensors",), "text_encoders.umt5base.transformer."),
}


@dataclass
class ComponentSource:
    """Where one component's tensors live: (file, key in file) per module-relative key."""

    name: str
    config_json: dict | None
    locations: dict[str, tuple[Path, str]] = field(default_factory=dict)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return sorted({file for file, _ in self.locations.values()})

    def load(self, keys: set[str] | None = None) -> dict[str, torch.Tensor]:
        """Read the tensors (all, or `keys`) as float32 / integer torch tensors."""
        by_file: dict[Path, dict[str, str]] = {}
        for key, (file, stored) in self.locations.items():
            if keys is not None and key not in keys:
                continue
            by_file.setdefault(file, {})[stored] = key
        tensors: dict[str, torch.Tensor] = {}
        for file, names in by_file.items():
            for stored, tensor in safetensors_io.load(file, set(names)).items():
                tensors[names[stored]] = tensor
        return tensors


@dataclass
class Checkpoint:
    layout: str  # "hf-folder" | "comfyui-file"
    root: Path
    components: dict[str, ComponentSource]
    tokenizer_dir: Path | None  # umt5-base folder with tokenizer.json, when the layout carries one


def open_checkpoint(path: str | Path) -> Checkpoint:
    path = Path(path).expanduser()
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path} (give the ACE-Step-v1-3.5B folder or ComfyUI's ace_step_v1_3.5b.safetensors)")
    if path.is_dir():
        return _open_hf_folder(path)
    if path.suffix == ".safetensors":
        return _open_comfy_file(path)
    raise CheckpointError(f"{path}: not a checkpoint folder or a .safetensors file")


def _open_hf_folder(root: Path) -> Checkpoint:
    missing = [layout.hf_folder for layout in LAYOUTS.values() if not (root / layout.hf_folder).is_dir()]
    if missing:
        raise CheckpointError(f"{root}: missing component folder(s) {', '.join(missing)}; expected the Hugging Face layout of ACE-Step/ACE-Step-v1-3.5B")
    components = {}
    for layout in LAYOUTS.values():
        folder = root / layout.hf_folder
        config_file = folder / "config.json"
        config_json = json.loads(config_file.read_text()) if config_file.exists() else None
        source = ComponentSource(layout.name, config_json)
        for file in _weight_files(folder, layout):
            for stored, entry in safetensors_io.read_header(file).items():
                if stored in source.locations:
                    raise CheckpointError(f"{layout.hf_folder}: tensor {stored} appears in two files")
                source.locations[stored] = (file, stored)
                source.shapes[stored] = tuple(entry["shape"])
        components[layout.name] = source
    return Checkpoint("hf-folder", root, components, root / LAYOUTS["umt5"].hf_folder)


def _weight_files(folder: Path, layout: ComponentLayout) -> list[Path]:
    for name in layout.hf_weight_names:
        if (folder / name).exists():
            return [folder / name]
        index = folder / f"{name}.index.json"
        if index.exists():
            shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
            absent = [s for s in shards if not (folder / s).exists()]
            if absent:
                raise CheckpointError(f"{folder}: shard(s) {', '.join(absent)} listed in {index.name} are missing: incomplete download")
            return [folder / s for s in shards]
    found = sorted(p.name for p in folder.glob("*.safetensors"))
    if len(found) == 1:
        return [folder / found[0]]
    raise CheckpointError(f"{folder}: no weights ({' or '.join(layout.hf_weight_names)}); found {found or 'no .safetensors files'}")


def _open_comfy_file(file: Path) -> Checkpoint:
    header = safetensors_io.read_header(file)
    components = {name: ComponentSource(name, None) for name in LAYOUTS}
    unknown = []
    for stored, entry in header.items():
        if stored in COMFY_IGNORED_KEYS:
            continue
        layout = next((l for l in LAYOUTS.values() if stored.startswith(l.comfy_prefix)), None)
        if layout is None:
            unknown.append(stored)
            continue
        key = stored[len(layout.comfy_prefix):]
        components[layout.name].locations[key] = (file, stored)
        components[layout.name].shapes[key] = tuple(entry["shape"])
    if unknown:
        raise CheckpointError(f"{file}: keys outside every ACE-Step component: {_listing(unknown)}")
    empty = [name for name, source in components.items() if not source.locations]
    if empty:
        raise CheckpointError(f"{file}: no tensors for {', '.join(empty)}: not an ACE-Step v1 all-in-one file")
    return Checkpoint("comfyui-file", file, components, None)


def _listing(keys, limit: int = 20) -> str:
    keys = sorted(keys)
    shown = ", ".join(keys[:limit])
    return shown + (f" … and {len(keys) - limit} more" if len(keys) > limit else "")


def check_and_load_state(
    component: str,
    state: Mapping[str, torch.Tensor],
    model: torch.nn.Module,
    is_dead_weight: Callable[[str], bool],
    recomputable: Callable[[str], bool] = lambda key: False,
) -> list[str]:
    """Strictly load `state` (already converted to the module's key names) into `model`.

    Returns the dead-weight keys that were skipped. Raises CheckpointError naming every missing,
    unexpected or wrongly shaped key.
    """
    expected = model.state_dict()
    dead = sorted(k for k in state if k not in expected and is_dead_weight(k))
    unexpected = sorted(k for k in state if k not in expected and not is_dead_weight(k))
    missing = sorted(k for k in expected if k not in state and not recomputable(k))
    wrong_shape = sorted(
        f"{k} {tuple(state[k].shape)} (expected {tuple(expected[k].shape)})"
        for k in expected if k in state and tuple(state[k].shape) != tuple(expected[k].shape)
    )
    problems = []
    if missing:
        problems.append(f"missing keys: {_listing(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_listing(unexpected)}")
    if wrong_shape:
        problems.append(f"wrong shapes: {_listing(wrong_shape)}")
    if problems:
        raise CheckpointError(f"{component}: checkpoint does not match the model ({'; '.join(problems)})")
    model.load_state_dict({k: v for k, v in state.items() if k in expected}, strict=False)
    return dead
