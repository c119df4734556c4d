"""`--verify`: run our modules and upstream's (the `acestep` package, with diffusers and transformers)
on the same random inputs with the real weights, per graph, and refuse to write the pack when any
relative error exceeds 1e-3.

This needs a machine with the weights and `pip install acestep` (ACE-Step's own requirements); it is
not runnable on acejam's CI machines, which have neither. Each comparison is one call on each side, so
it costs a few seconds per graph beyond loading upstream's pipeline once.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .checkpoint import Checkpoint
from .pack import PackError, log

RELATIVE_LIMIT = 1e-3


@dataclass(frozen=True)
class Comparison:
    graph: str
    case: str
    max_abs: float
    relative: float  # ‖ours − theirs‖∞ / ‖theirs‖∞


def compare(graph: str, case: str, ours: torch.Tensor, theirs: torch.Tensor) -> Comparison:
    ours, theirs = ours.detach().double(), theirs.detach().double()
    if ours.shape != theirs.shape:
        raise PackError(f"--verify {graph} ({case}): shape {tuple(ours.shape)} vs upstream {tuple(theirs.shape)}")
    max_abs = float((ours - theirs).abs().max())
    scale = float(theirs.abs().max())
    return Comparison(graph, case, max_abs, max_abs / scale if scale > 0 else max_abs)


def enforce(comparisons: list[Comparison]) -> None:
    for c in comparisons:
        log(f"verify {c.graph:>22} {c.case:<14} max-abs {c.max_abs:.3e}  relative {c.relative:.3e}")
    failed = [c for c in comparisons if not c.relative <= RELATIVE_LIMIT]
    if failed:
        worst = max(failed, key=lambda c: c.relative)
        raise PackError(f"--verify: {len(failed)} comparison(s) exceed relative error {RELATIVE_LIMIT} (worst {worst.graph} {worst.case}: {worst.relative:.3e}); pack not written")


def verify_against_upstream(checkpoint: Checkpoint, components: dict) -> None:
    if checkpoint.layout != "hf-folder":
        raise PackError("--verify needs the Hugging Face folder layout (upstream's loaders read that layout)")
    try:
        from acestep.models.ace_step_transformer import ACEStepTransformer2DModel  # type: ignore[import-not-found]
        from acestep.music_dcae.music_dcae_pipeline import MusicDCAE  # type: ignore[import-not-found]
        from transformers import UMT5EncoderModel  # type: ignore[import-not-found]
    except ImportError as error:
        raise PackError(f"--verify needs ACE-Step's own package and its requirements installed ({error})") from error
    root = checkpoint.root
    generator = torch.Generator().manual_seed(1234)
    results: list[Comparison] = []
    with torch.no_grad():
        # UMT5: plain and with ERG (upstream multiplies SelfAttention.q's output by 0.01 with hooks).
        theirs_text = UMT5EncoderModel.from_pretrained(root / "umt5-base").float().eval()
        ours = components["umt5"]
        inputs = ours.example_inputs("umt5_encoder", batch=2, length=24, generator=generator)
        inputs["q_scale"] = torch.ones_like(inputs["q_scale"])
        ref = theirs_text(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).last_hidden_state
        results.append(compare("umt5_encoder", "plain", ours.wrapper("umt5_encoder")(*inputs.values()), ref))
        hooks = [theirs_text.encoder.block[i].layer[0].SelfAttention.q.register_forward_hook(lambda m, i, o: o * 0.01) for i in ours.erg_layers()]
        inputs["q_scale"][:, ours.erg_layers()] = 0.01
        ref = theirs_text(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).last_hidden_state
        results.append(compare("umt5_encoder", "erg", ours.wrapper("umt5_encoder")(*inputs.values()), ref))
        for hook in hooks:
            hook.remove()
        del theirs_text

        # Condition encoder and DiT decoder.
        theirs_dit = ACEStepTransformer2DModel.from_pretrained(root / "ace_step_transformer").float().eval()
        ours = components["transformer"]
        cond = ours.example_inputs("ace_condition_encoder", batch=2, length=16, generator=generator)
        cond["lyric_q_scale"] = torch.ones_like(cond["lyric_q_scale"])
        ref_h, ref_m = theirs_dit.encode(cond["text_hidden_states"], cond["text_attention_mask"], cond["speaker_embeds"], cond["lyric_token_ids"], cond["lyric_mask"])
        got_h, got_m = ours.wrapper("ace_condition_encoder")(*cond.values())
        results += [compare("ace_condition_encoder", "hidden", got_h, ref_h), compare("ace_condition_encoder", "mask", got_m, ref_m.float())]
        dit = ours.example_inputs("ace_dit_decoder", batch=2, length=32, generator=generator)
        dit["encoder_hidden_states"], dit["encoder_hidden_mask"] = got_h, got_m
        dit["cross_attn_q_scale"] = torch.ones_like(dit["cross_attn_q_scale"])
        ref = theirs_dit.decode(dit["hidden_states"], dit["attention_mask"], ref_h, ref_m.float(), dit["timestep"], output_length=dit["hidden_states"].shape[-1]).sample
        results.append(compare("ace_dit_decoder", "plain", ours.wrapper("ace_dit_decoder")(*dit.values()), ref))
        del theirs_dit

        # DCAE and vocoder, with the pipeline's constants applied on upstream's side.
        pipeline = MusicDCAE(dcae_checkpoint_path=str(root / "music_dcae_f8c8"), vocoder_checkpoint_path=str(root / "music_vocoder")).float().eval()
        ours = components["dcae"]
        latents = ours.example_inputs("dcae_decoder", batch=1, length=16, generator=generator)["latents"]
        ref_mel = pipeline.dcae.decoder(latents / 0.1786 - 1.9091) * 0.5 + 0.5
        ref_mel = ref_mel * 14 - 11
        results.append(compare("dcae_decoder", "plain", ours.wrapper("dcae_decoder")(latents), ref_mel))
        mel = ours.example_inputs("dcae_encoder", batch=1, length=128, generator=generator)["mel"]
        ref_z = (pipeline.dcae.encoder(((mel + 11) / 14 - 0.5) / 0.5) + 1.9091) * 0.1786
        results.append(compare("dcae_encoder", "plain", ours.wrapper("dcae_encoder")(mel), ref_z))
        ours = components["vocoder"]
        voc_mel = ours.example_inputs("vocoder", batch=2, length=64, generator=generator)["mel"]
        results.append(compare("vocoder", "plain", ours.wrapper("vocoder")(voc_mel), pipeline.vocoder.decode(voc_mel)))
    enforce(results)
