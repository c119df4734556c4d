"""Merge a PEFT LoRA into a module's weights before export (spec §4.1).

W' = W + weight · s · (B @ A), with PEFT's scaling s = alpha / r, or alpha / √r under rsLoRA. ACE-Step's
LoRAs target the speaker embedder, the lyric encoder's linear_q/k/v and the DiT's to_q/k/v/to_out.0;
every target is a Linear, so the merge is one matrix product per target.

Accepted files: diffusers/PEFT `pytorch_lora_weights.safetensors` with keys `<module>.lora_A.weight` /
`<module>.lora_B.weight` (optionally prefixed `transformer.`, `base_model.model.`, or with `.default` adapter
names), alpha either per module (`<module>.alpha`, written with `with_alpha=True`) or from an
`adapter_config.json` beside the file (`lora_alpha`, `r`, `use_rslora`, `alpha_pattern`, `rank_pattern`).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import torch

from . import safetensors_io

_PREFIXES = ("base_model.model.", "transformer.", "model.diffusion_model.", "diffusion_model.")
_KEY = re.compile(r"^(?P<module>.+?)\.lora_(?P<part>[AB])(?:\.default)?\.weight$")
_ALPHA = re.compile(r"^(?P<module>.+?)\.alpha$")


class LoraError(ValueError):
    pass


@dataclass(frozen=True)
class LoraTarget:
    module: str
    down: torch.Tensor  # A [r, in]
    up: torch.Tensor  # B [out, r]
    scaling: float  # alpha / r or alpha / sqrt(r)


def _strip(key: str) -> str:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def read_lora(path: Path) -> list[LoraTarget]:
    path = Path(path)
    if path.is_dir():
        path = path / "pytorch_lora_weights.safetensors"
    if not path.exists():
        raise LoraError(f"LoRA file not found: {path}")
    tensors = {_strip(k): v for k, v in safetensors_io.load(path).items()}
    config_file = path.with_name("adapter_config.json")
    config = json.loads(config_file.read_text()) if config_file.exists() else {}
    parts: dict[str, dict[str, torch.Tensor]] = {}
    alphas: dict[str, float] = {}
    for key, tensor in tensors.items():
        if match := _KEY.match(key):
            parts.setdefault(match["module"], {})[match["part"]] = tensor
        elif match := _ALPHA.match(key):
            alphas[match["module"]] = float(tensor.reshape(-1)[0])
        else:
            raise LoraError(f"{path}: unexpected key {key!r} (expected <module>.lora_A.weight, .lora_B.weight or .alpha)")
    targets = []
    for module, pair in sorted(parts.items()):
        if set(pair) != {"A", "B"}:
            raise LoraError(f"{path}: module {module} has lora_{''.join(pair)} but not both lora_A and lora_B")
        rank = pair["A"].shape[0]
        if pair["B"].shape[1] != rank:
            raise LoraError(f"{path}: {module}: lora_B {tuple(pair['B'].shape)} does not match lora_A rank {rank}")
        alpha = alphas.get(module, _pattern_value(config.get("alpha_pattern", {}), module, config.get("lora_alpha")))
        if alpha is None:
            raise LoraError(f"{path}: no alpha for {module}: neither a {module}.alpha tensor nor lora_alpha in adapter_config.json")
        rank = _pattern_value(config.get("rank_pattern", {}), module, rank)
        scaling = alpha / math.sqrt(rank) if config.get("use_rslora", False) else alpha / rank
        targets.append(LoraTarget(module=module, down=pair["A"].float(), up=pair["B"].float(), scaling=float(scaling)))
    if not targets:
        raise LoraError(f"{path}: no LoRA weights in file")
    return targets


def _pattern_value(patterns: Mapping[str, float], module: str, default):
    for pattern, value in patterns.items():
        if re.search(pattern, module):
            return value
    return default


def merge_into(state: dict[str, torch.Tensor], targets: list[LoraTarget], weight: float) -> list[str]:
    """Add weight · s · B·A to each target's `.weight` in `state` (in place). Every target must exist in
    this module: a LoRA made for another model is an error, never a silent partial merge."""
    missing = [t.module for t in targets if f"{t.module}.weight" not in state]
    if missing:
        raise LoraError(f"LoRA targets not in the model: {', '.join(missing[:10])}" + (" …" if len(missing) > 10 else ""))
    merged = []
    for target in targets:
        key = f"{target.module}.weight"
        base = state[key]
        delta = (target.up.double() @ target.down.double()) * (weight * target.scaling)
        if delta.shape != base.shape:
            raise LoraError(f"LoRA {target.module}: B·A is {tuple(delta.shape)}, the weight is {tuple(base.shape)}")
        state[key] = (base.double() + delta).to(base.dtype)
        merged.append(key)
    return merged
