"""The four checkpoint components, each bound to its module file, behind one interface the pack
builder uses: build with random weights (tiny pack, tests) or load strictly from a checkpoint."""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import torch

from .checkpoint import Checkpoint, ComponentSource, check_and_load_state
from .modules import dcae, transformer, umt5, vocoder

# Graphs in pipeline order (spec §9.1); the manifest lists them in this order.
GRAPH_ORDER = ("umt5_encoder", "ace_condition_encoder", "ace_dit_decoder", "dcae_encoder", "dcae_decoder", "vocoder")


@dataclass(frozen=True)
class ModuleBinding:
    module: ModuleType
    config_cls: type
    model_cls: type
    # Checkpoint keys the module can rebuild when a file lacks them (deterministic buffers only).
    recomputable: tuple[str, ...] = ()


BINDINGS: dict[str, ModuleBinding] = {
    "umt5": ModuleBinding(umt5, umt5.UMT5Config, umt5.UMT5Model),
    "transformer": ModuleBinding(transformer, transformer.TransformerConfig, transformer.ACEStepTransformer),
    "dcae": ModuleBinding(dcae, dcae.DCAEConfig, dcae.MusicDCAE),
    "vocoder": ModuleBinding(vocoder, vocoder.VocoderConfig, vocoder.MusicVocoder, recomputable=(r"mel_transform\..*",)),
}


@dataclass
class LoadedComponent:
    name: str
    config: Any
    model: torch.nn.Module
    lora_targets: list[str] = field(default_factory=list)
    skipped_dead_weights: list[str] = field(default_factory=list)
    _prepared: bool = False

    @property
    def binding(self) -> ModuleBinding:
        return BINDINGS[self.name]

    def graph_specs(self):
        module = self.binding.module
        return module.graph_specs(self.config) if hasattr(module, "graph_specs") else module.GRAPHS

    def fp16_allowed(self) -> bool:
        return any(spec.fp16_allowed for spec in self.graph_specs())

    def wrapper(self, graph: str) -> torch.nn.Module:
        if not self._prepared:
            self.binding.module.prepare_for_export(self.model)
            self._prepared = True
        return self.binding.module.export_wrappers(self.model)[graph]

    def example_inputs(self, graph: str, batch: int, length: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        return self.binding.module.example_inputs(graph, self.config, batch, length, generator)

    def release(self) -> None:
        """Drop the weights once every graph of this module is written; config stays usable."""
        self.model = None  # type: ignore[assignment]

    def config_json(self) -> dict:
        return self.config.to_json()

    def erg_layers(self) -> list[int] | None:
        module = self.binding.module
        return list(module.erg_layers(self.config)) if hasattr(module, "erg_layers") else None

    def lyric_erg_layers(self) -> list[int]:
        return list(transformer.lyric_erg_layers(self.config))

    def mel_tables(self):
        return vocoder.mel_filterbank(self.model).detach().numpy(), vocoder.hann_window(self.model).detach().numpy()


def seeded_init(model: torch.nn.Module, seed: int) -> None:
    """Deterministic random weights, each parameter from its own generator (seed ⊕ crc32(name)), so
    the tiny pack is byte-identical on regeneration and independent of parameter order. Scales keep
    activations O(1): weights N(0, 1/fan_in), norm weights ≈ 1, layer-scales 0.1, biases small."""
    with torch.no_grad():
        for name, parameter in sorted(model.named_parameters()):
            generator = torch.Generator().manual_seed((seed * 1_000_003) ^ zlib.crc32(name.encode()))
            leaf = name.rsplit(".", 1)[-1]
            if parameter.dim() >= 2:
                fan_in = max(1, parameter[0].numel())
                parameter.copy_(torch.randn(parameter.shape, generator=generator) / fan_in ** 0.5)
            elif leaf == "gamma":
                parameter.fill_(0.1)
            elif leaf == "bias":
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.02)
            else:
                parameter.copy_(1.0 + torch.randn(parameter.shape, generator=generator) * 0.02)


def build_random(name: str, config: Any, seed: int) -> LoadedComponent:
    model = BINDINGS[name].model_cls(config)
    seeded_init(model, seed)
    return LoadedComponent(name, config, model.eval())


def load_component(checkpoint: Checkpoint, name: str, lora=None, lora_weight: float = 1.0) -> LoadedComponent:
    """Strictly load one component; merge a LoRA's targets that belong to it."""
    binding = BINDINGS[name]
    source: ComponentSource = checkpoint.components[name]
    config = binding.config_cls.from_checkpoint(source.config_json, source.shapes)
    # Dead weights (spec §1.6: SSL projectors, unused add_* projections) are skipped by name before
    # reading, so their ~0.7 B parameters never reach memory.
    dead = sorted(key for key in source.locations if binding.module.is_dead_weight(key))
    live = set(source.locations) - set(dead)
    state = binding.module.checkpoint_to_module_state(source.load(live), config)
    model = binding.model_cls(config)
    recomputable = [re.compile(p) for p in binding.recomputable]
    check_and_load_state(name, state, model, binding.module.is_dead_weight, lambda key: any(p.fullmatch(key) for p in recomputable))
    component = LoadedComponent(name, config, model.eval(), skipped_dead_weights=dead)
    if lora:
        from .lora import merge_into
        own = [t for t in lora if f"{t.module}.weight" in model.state_dict()]
        if own:
            merged_state = {k: v.clone() for k, v in model.state_dict().items()}
            component.lora_targets = merge_into(merged_state, own, lora_weight)
            model.load_state_dict(merged_state)
    return component
