"""Synthetic ACE-Step v1 checkpoints for tests: the real key names and storage dtypes at tiny sizes,
written in the Hugging Face folder layout or as ComfyUI's all-in-one file."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from tools.export import safetensors_io, tiny_tokenizers
from tools.export.components import BINDINGS, LoadedComponent, build_random

# Real storage (spec §12): DiT in 16-bit (bf16 here), DCAE and vocoder 16-bit (f16 here), UMT5 fp32.
STORED_DTYPES = {"transformer": torch.bfloat16, "dcae": torch.float16, "vocoder": torch.float16, "umt5": torch.float32}
FOLDERS = {"transformer": "ace_step_transformer", "dcae": "music_dcae_f8c8", "vocoder": "music_vocoder", "umt5": "umt5-base"}
COMFY_PREFIXES = {"transformer": "model.diffusion_model.", "dcae": "vae.dcae.", "vocoder": "vae.vocoder.", "umt5": "text_encoders.umt5base.transformer."}


def tiny_components(seed: int = 7) -> dict[str, LoadedComponent]:
    return {name: build_random(name, BINDINGS[name].config_cls.tiny(), seed=seed + i) for i, name in enumerate(BINDINGS)}


def dead_transformer_weights(config) -> dict[str, torch.Tensor]:
    """The named dead weights a real DiT checkpoint carries (spec §1.6), at this config's sizes."""
    inner = config.inner_dim
    dead = {}
    for index, ssl_dim in enumerate(config.ssl_latent_dims):  # SSL projectors: Linear, SiLU, Linear, SiLU, Linear
        for layer, (rows, cols) in {0: (2 * inner, inner), 2: (2 * inner, 2 * inner), 4: (ssl_dim, 2 * inner)}.items():
            dead[f"projectors.{index}.{layer}.weight"] = torch.randn(rows, cols)
            dead[f"projectors.{index}.{layer}.bias"] = torch.randn(rows)
    for block in range(config.num_layers):
        for name in ("add_q_proj", "add_k_proj", "add_v_proj", "to_add_out"):
            dead[f"transformer_blocks.{block}.cross_attn.{name}.weight"] = torch.randn(inner, inner)
            dead[f"transformer_blocks.{block}.cross_attn.{name}.bias"] = torch.randn(inner)
    return dead


def stored_states(components: dict[str, LoadedComponent]) -> dict[str, dict[str, torch.Tensor]]:
    """Each component's state dict as a checkpoint stores it (real dtypes, dead weights included)."""
    stored = {}
    for name, component in components.items():
        state = {k: v.to(STORED_DTYPES[name]) for k, v in component.model.state_dict().items()}
        if name == "transformer":
            state.update({k: v.to(torch.bfloat16) for k, v in dead_transformer_weights(component.config).items()})
        stored[name] = state
    return stored


def config_json(component: LoadedComponent) -> dict:
    config = component.config
    return config.to_config_json() if hasattr(config, "to_config_json") else config.to_json()


def write_hf(root: Path, components: dict[str, LoadedComponent], stored: dict, drop: str | None = None, add: str | None = None) -> Path:
    for name, state in stored.items():
        folder = root / FOLDERS[name]
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v for k, v in state.items() if k != drop}
        if add and name == "dcae":
            state[add] = torch.zeros(3)
        file = "model.safetensors" if name == "umt5" else "diffusion_pytorch_model.safetensors"
        safetensors_io.save(state, folder / file)
        (folder / "config.json").write_text(json.dumps(config_json(components[name])))
    umt5 = root / FOLDERS["umt5"]
    (umt5 / "tokenizer.json").write_text(json.dumps(tiny_tokenizers.text_tokenizer_json(components["umt5"].config.vocab_size)))
    (umt5 / "tokenizer_config.json").write_text(json.dumps(tiny_tokenizers.text_tokenizer_config()))
    return root


def write_comfy(file: Path, stored: dict) -> Path:
    everything = {"text_encoders.umt5base.logit_scale": torch.tensor(1.0), "text_encoders.spiece_model": torch.zeros(16, dtype=torch.uint8)}
    for name, state in stored.items():
        if name == "vocoder":
            state = fused_weight_norm(state)  # ComfyUI's file may ship the head already folded
        everything.update({COMFY_PREFIXES[name] + k: v for k, v in state.items()})
    safetensors_io.save(everything, file)
    return file


def fused_weight_norm(state: dict) -> dict:
    fused = {}
    for key, value in state.items():
        if key.endswith(".weight_v"):
            stem = key[: -len(".weight_v")]
            v = value.double()
            g = state[f"{stem}.weight_g"].double()
            norm = v.flatten(1).norm(dim=1).reshape((-1,) + (1,) * (v.dim() - 1))
            fused[f"{stem}.weight"] = (g * v / norm).to(value.dtype)
        elif not key.endswith(".weight_g"):
            fused[key] = value
    return fused
