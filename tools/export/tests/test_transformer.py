"""Tests for modules/transformer.py: key manifest, config round trips, spec §1.6 / §2.4 behaviour
checked against independent naive formulas, and torch-vs-onnxruntime-node parity of both graphs.

Run: cd /work/main && /usr/bin/python3 -m unittest tools.export.tests.test_transformer -v
"""
from __future__ import annotations

import json
import math
import sys
import unittest
from pathlib import Path

import torch

from tools.export.modules import transformer as tm
from tools.export.modules.transformer import ACEStepTransformer, TransformerConfig
from tools.export.tests.parity import assert_parity

KEYS_FILE = Path(__file__).resolve().parents[4] / "shared/data/acestep-v1/checkpoint-keys/ace_step_transformer.json"


def load_key_manifest() -> dict:
    return json.loads(KEYS_FILE.read_text())


def randomize(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Re-initialise every parameter so activations stay O(1) through the stack (default init leaves
    some paths near zero, e.g. nothing would test the gates): fan-in scaled weights, small biases,
    norm weights near 1, O(1) lyric embeddings."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=generator)
            if name == "lyric_embs.weight":
                param.copy_(noise)
            elif name.endswith("scale_shift_table"):
                param.copy_(0.2 * noise)
            elif param.ndim >= 2:  # Linear / Conv weights, pos_bias_u/v
                param.copy_(noise / math.sqrt(param[0].numel()))
            elif name.endswith("weight"):  # LayerNorm / GroupNorm scales
                param.copy_(1.0 + 0.1 * noise)
            else:
                param.copy_(0.1 * noise)
    return model.eval()


def build(config: TransformerConfig, seed: int = 0) -> ACEStepTransformer:
    torch.manual_seed(seed)
    return randomize(ACEStepTransformer(config), seed)


def ordered(graph: str, config: TransformerConfig, inputs: dict) -> list[torch.Tensor]:
    """A graph's inputs in its GraphSpec order (the wrappers' positional order)."""
    spec = {s.name: s for s in tm.graph_specs(config)}[graph]
    return [inputs[t.name] for t in spec.inputs]


# --------------------------------------------------------------------------------------------------
# Independent references, written from spec §1.6 (not from the module's code)
# --------------------------------------------------------------------------------------------------


def naive_rope(x: torch.Tensor, theta: float) -> torch.Tensor:
    """x [B, H, L, D] in float64. cos[j] = cos(pos * theta^(-2(j mod D/2)/D)); for each pair (2i, 2i+1):
    out[2i] = x[2i]cos[2i] - x[2i+1]sin[2i]; out[2i+1] = x[2i+1]cos[2i+1] + x[2i]sin[2i+1]."""
    x = x.double()
    out = torch.empty_like(x)
    d = x.shape[-1]
    for pos in range(x.shape[2]):
        angle = [pos * theta ** (-2.0 * (j % (d // 2)) / d) for j in range(d)]
        for i in range(d // 2):
            a, b = 2 * i, 2 * i + 1
            out[:, :, pos, a] = x[:, :, pos, a] * math.cos(angle[a]) - x[:, :, pos, b] * math.sin(angle[a])
            out[:, :, pos, b] = x[:, :, pos, b] * math.cos(angle[b]) + x[:, :, pos, a] * math.sin(angle[b])
    return out


def naive_linear_self_attention(attn: tm.LinearSelfAttention, x: torch.Tensor, mask: torch.Tensor, theta: float) -> torch.Tensor:
    """O(T²) float64 reference: per head, out_t = Σ_s (q_t·k_s) v_s / (Σ_s q_t·k_s + 1e-15) with
    q, k = ReLU(RoPE(proj) · mask) and v = proj · mask."""
    def project(linear: torch.nn.Linear) -> torch.Tensor:
        y = x.double() @ linear.weight.double().T + linear.bias.double()
        return y.reshape(x.shape[0], x.shape[1], attn.heads, -1).permute(0, 2, 1, 3)  # [B, H, T, D]

    m = mask.double()[:, None, :, None]
    q = torch.relu(naive_rope(project(attn.to_q), theta) * m)
    k = torch.relu(naive_rope(project(attn.to_k), theta) * m)
    v = project(attn.to_v) * m
    weights = q @ k.transpose(-1, -2)  # [B, H, T, T]: the full quadratic matrix
    out = (weights @ v) / (weights.sum(-1, keepdim=True) + 1e-15)
    out = out.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[1], -1)
    return out @ attn.to_out[0].weight.double().T + attn.to_out[0].bias.double()


# --------------------------------------------------------------------------------------------------
# Checkpoint layout and config
# --------------------------------------------------------------------------------------------------


class KeyManifestTest(unittest.TestCase):
    def test_full_size_keys_and_shapes(self) -> None:
        manifest = load_key_manifest()
        expected = {name: tuple(shape) for name, shape in manifest["keys"].items()}
        model = ACEStepTransformer(TransformerConfig.full(), device="meta")
        self.assertTrue(all(p.is_meta for p in model.parameters()), "full-size build must not allocate")
        ours = {name: tuple(t.shape) for name, t in model.state_dict().items()}

        self.assertEqual(set(ours) - set(expected), set(), "keys the checkpoint does not have")
        only_checkpoint = set(expected) - set(ours)
        self.assertEqual(only_checkpoint, {name for name in expected if tm.is_dead_weight(name)})
        self.assertFalse(any(tm.is_dead_weight(name) for name in ours))
        mismatched = {name: (ours[name], expected[name]) for name in ours if ours[name] != expected[name]}
        self.assertEqual(mismatched, {})

        # The dead set is exactly the SSL projectors and the four unused cross-attention projections.
        kinds = {name.split(".")[0] if name.startswith("projectors") else name.split(".")[3] for name in only_checkpoint}
        self.assertEqual(kinds, {"projectors", "add_q_proj", "add_k_proj", "add_v_proj", "to_add_out"})
        dead_params = sum(math.prod(expected[name]) for name in only_checkpoint)
        lean_params = sum(math.prod(shape) for shape in ours.values())
        self.assertEqual(dead_params + lean_params, manifest["num_params"])
        # Spec §1.6 / §12: 87.8 M + 629.4 M dead, 2492.7 M (decode) + 95.7 M (condition) kept.
        self.assertAlmostEqual(dead_params / 1e6, 87.8 + 629.4, delta=0.2)
        self.assertAlmostEqual(lean_params / 1e6, 2492.7 + 95.7, delta=0.2)

    def test_checkpoint_to_module_state_drops_only_dead_weights(self) -> None:
        raw = {"projectors.0.0.weight": torch.zeros(1), "transformer_blocks.3.cross_attn.add_k_proj.bias": torch.zeros(1),
               "transformer_blocks.3.cross_attn.to_k.bias": torch.zeros(1), "transformer_blocks.3.attn.to_q.weight": torch.zeros(1)}  # fmt: skip
        kept = tm.checkpoint_to_module_state(raw, TransformerConfig.tiny())
        self.assertEqual(set(kept), {"transformer_blocks.3.cross_attn.to_k.bias", "transformer_blocks.3.attn.to_q.weight"})


class ConfigTest(unittest.TestCase):
    def test_from_checkpoint_full(self) -> None:
        manifest = load_key_manifest()
        shapes = {name: tuple(shape) for name, shape in manifest["keys"].items()}
        self.assertEqual(TransformerConfig.from_checkpoint(manifest["config"], shapes), TransformerConfig.full())
        # Without config.json every size still follows from shapes + defaults.
        self.assertEqual(TransformerConfig.from_checkpoint(None, shapes), TransformerConfig.full())

    def test_from_checkpoint_tiny_and_mid(self) -> None:
        for config in (TransformerConfig.tiny(), TransformerConfig.mid()):
            shapes = {name: tuple(t.shape) for name, t in ACEStepTransformer(config, device="meta").state_dict().items()}
            self.assertEqual(TransformerConfig.from_checkpoint(config.to_config_json(), shapes), config)
            self.assertEqual(TransformerConfig.from_json(json.loads(json.dumps(config.to_json()))), config)

    def test_from_checkpoint_rejects_disagreeing_config(self) -> None:
        config = TransformerConfig.tiny()
        shapes = {name: tuple(t.shape) for name, t in ACEStepTransformer(config, device="meta").state_dict().items()}
        with self.assertRaises(ValueError):
            TransformerConfig.from_checkpoint({**config.to_config_json(), "num_layers": 3}, shapes)

    def test_sizes(self) -> None:
        tiny, mid = TransformerConfig.tiny(), TransformerConfig.mid()
        self.assertEqual((tiny.inner_dim, tiny.num_layers, tiny.ffn_hidden, tiny.lyric_encoder.output_size), (64, 2, 160, 32))
        self.assertEqual((mid.inner_dim, mid.num_layers, mid.text_embedding_dim, mid.lyric_encoder.num_blocks), (128, 4, 256, 6))

    def test_erg_layers(self) -> None:
        self.assertEqual(tm.erg_layers(TransformerConfig.full()), [15, 16, 17, 18, 19])
        self.assertEqual(tm.erg_layers(TransformerConfig.tiny()), [0, 1])
        self.assertEqual(tm.erg_layers(TransformerConfig.mid()), [2, 3])
        self.assertEqual(tm.lyric_erg_layers(TransformerConfig.full()), [4, 5])
        self.assertEqual(tm.lyric_erg_layers(TransformerConfig.mid()), [4, 5])
        self.assertEqual(tm.lyric_erg_layers(TransformerConfig.tiny()), [0, 1])

    def test_graph_specs(self) -> None:
        condition, decoder = tm.GRAPHS
        self.assertEqual((condition.name, decoder.name), ("ace_condition_encoder", "ace_dit_decoder"))
        self.assertEqual(condition.inputs[-1].dims, ("B", 6))
        self.assertEqual(condition.outputs[0].dims, ("B", "S", 2560))
        self.assertEqual(decoder.inputs[0].dims, ("B", 8, 16, "T"))
        self.assertEqual(decoder.inputs[-1].dims, ("B", 24))
        self.assertEqual(decoder.outputs[0].dims, ("B", 8, 16, "T"))


# --------------------------------------------------------------------------------------------------
# Spec behaviour
# --------------------------------------------------------------------------------------------------


class NumericsTest(unittest.TestCase):
    def test_rope_matches_naive_formula(self) -> None:
        x = torch.randn(2, 3, 40, 16, generator=torch.Generator().manual_seed(0))
        for theta in (1e6, 1e4):
            cos, sin = tm.rope_tables(x.shape[2], x.shape[3], theta)
            got = tm.apply_rope(x, cos, sin)
            torch.testing.assert_close(got.double(), naive_rope(x, theta), atol=2e-5, rtol=0)
        # The quirk is real: pair members use different frequencies, so pair norms are not preserved.
        pair_norm = lambda t: t.reshape(*t.shape[:-1], -1, 2).norm(dim=-1)  # noqa: E731
        self.assertGreater((pair_norm(got) - pair_norm(x)).abs().max().item(), 1e-2)

    def test_timestep_sinusoid(self) -> None:
        t = torch.tensor([0.0, 1.0, 37.5, 999.0])
        got = tm.timestep_sinusoid(t).double()
        freqs = torch.tensor([math.exp(-math.log(10000) * i / 128) for i in range(128)], dtype=torch.float64)
        angles = t.double()[:, None] * freqs
        torch.testing.assert_close(got, torch.cat([angles.cos(), angles.sin()], dim=-1), atol=3e-4, rtol=0)

    def test_linear_self_attention_matches_quadratic_reference(self) -> None:
        config = TransformerConfig.tiny()
        attn = randomize(tm.LinearSelfAttention(config), seed=3)
        generator = torch.Generator().manual_seed(4)
        x = torch.randn(2, 11, config.inner_dim, generator=generator)
        mask = torch.ones(2, 11)
        mask[1, 7:] = 0  # padded frames in row 2
        rope = tm.rope_tables(11, config.attention_head_dim, config.rope_theta)
        with torch.no_grad():
            got = attn(x, rope, mask)
            want = naive_linear_self_attention(attn, x, mask, config.rope_theta)
        torch.testing.assert_close(got.double(), want, atol=1e-4, rtol=1e-4)

    def test_erg_on_self_attention_query_is_a_no_op(self) -> None:
        """Spec §2.4: scaling attn.to_q's output by τ > 0 leaves ReLU linear attention unchanged
        (ReLU and RoPE are positively homogeneous; numerator and normaliser both scale by τ), while
        the same scaling of cross_attn.to_q flattens the softmax."""
        config = TransformerConfig.tiny()
        block = build(config, seed=5).transformer_blocks[0]
        generator = torch.Generator().manual_seed(6)
        x = torch.randn(2, 9, config.inner_dim, generator=generator)
        context = torch.randn(2, 7, config.inner_dim, generator=generator)
        rope = tm.rope_tables(9, config.attention_head_dim, config.rope_theta)
        context_rope = tm.rope_tables(7, config.attention_head_dim, config.rope_theta)
        mask, valid, ones = torch.ones(2, 9), torch.ones(2, 9, 7, dtype=torch.bool), torch.ones(2)
        with torch.no_grad():
            before = block.attn(x, rope, mask)
            cross_before = block.cross_attn(x, context, rope, context_rope, valid, ones)
            block.attn.to_q.weight.mul_(0.01)  # what upstream's hook does to to_q's output
            block.attn.to_q.bias.mul_(0.01)
            after = block.attn(x, rope, mask)
            cross_after = block.cross_attn(x, context, rope, context_rope, valid, 0.01 * ones)
        self.assertLess((after - before).abs().max().item(), 1e-5 * before.abs().max().item() + 1e-6)
        self.assertGreater((cross_after - cross_before).abs().max().item(), 1e-2)

    def test_erg_cross_attention_scale_is_per_batch_row(self) -> None:
        config = TransformerConfig.tiny()
        model = build(config, seed=7)
        inputs = tm.example_inputs(tm.DECODER_GRAPH, config, 2, 6, torch.Generator().manual_seed(8))
        scaled = dict(inputs, cross_attn_q_scale=inputs["cross_attn_q_scale"].clone())
        scaled["cross_attn_q_scale"][1, tm.erg_layers(config)] = 0.01
        wrapper = tm.export_wrappers(model)[tm.DECODER_GRAPH]
        with torch.no_grad():
            plain = wrapper(*ordered(tm.DECODER_GRAPH, config, inputs))
            erg = wrapper(*ordered(tm.DECODER_GRAPH, config, scaled))
        self.assertTrue(torch.equal(plain[0], erg[0]))
        self.assertGreater((plain[1] - erg[1]).abs().max().item(), 1e-3)

    def test_encode_layout_and_mask(self) -> None:
        config = TransformerConfig.tiny()
        model = build(config, seed=9)
        inputs = tm.example_inputs(tm.CONDITION_GRAPH, config, 2, 4, torch.Generator().manual_seed(10))
        inputs["lyric_mask"][1] = 0
        with torch.no_grad():
            hidden, mask = tm.export_wrappers(model)[tm.CONDITION_GRAPH](*ordered(tm.CONDITION_GRAPH, config, inputs))
            speaker = model.speaker_embedder(inputs["speaker_embeds"])
            text = model.genre_embedder(inputs["text_hidden_states"])
        lt, ll = inputs["text_attention_mask"].shape[1], inputs["lyric_mask"].shape[1]
        self.assertEqual(tuple(hidden.shape), (2, 1 + lt + ll, config.inner_dim))
        self.assertEqual(mask.dtype, torch.float32)
        expected_mask = torch.cat([torch.ones(2, 1), inputs["text_attention_mask"].float(), inputs["lyric_mask"].float()], dim=1)
        self.assertTrue(torch.equal(mask, expected_mask))
        self.assertTrue(torch.equal(hidden[:, 0], speaker))
        self.assertTrue(torch.equal(hidden[:, 1 : 1 + lt], text))
        self.assertTrue(torch.isfinite(hidden).all())

    def test_fully_masked_cross_attention_rows_are_finite(self) -> None:
        """A padded latent frame (attention_mask 0) has no valid key in upstream's cross-attention (NaN
        there); ours stays finite, and valid frames are unaffected by the padded ones' values."""
        config = TransformerConfig.tiny()
        model = build(config, seed=11)
        inputs = tm.example_inputs(tm.DECODER_GRAPH, config, 1, 8, torch.Generator().manual_seed(12))
        inputs["attention_mask"][0, 5:] = 0
        with torch.no_grad():
            velocity = tm.export_wrappers(model)[tm.DECODER_GRAPH](*ordered(tm.DECODER_GRAPH, config, inputs))
        self.assertTrue(torch.isfinite(velocity).all())


# --------------------------------------------------------------------------------------------------
# ONNX parity (onnxruntime-node)
# --------------------------------------------------------------------------------------------------


class ParityTest(unittest.TestCase):
    """Each graph at tiny and mid: exported once (traced at another length), then batch 1 and 2 at
    two lengths, with ERG scales off / on (also per row), padded text and a fully masked lyric row."""

    def _condition_cases(self, config: TransformerConfig) -> tuple[dict, list[dict]]:
        gen = torch.Generator().manual_seed(100)
        graph = tm.CONDITION_GRAPH
        erg = tm.lyric_erg_layers(config)
        export_example = tm.example_inputs(graph, config, 2, 5, gen)
        short1 = tm.example_inputs(graph, config, 1, 4, gen)  # Lt 4, Ll 6
        long2 = tm.example_inputs(graph, config, 2, 9, gen)  # Lt 9, Ll 13; row 2 text padded
        long2["lyric_mask"][1] = 0  # ... and its lyric fully masked
        short2_erg = tm.example_inputs(graph, config, 2, 4, gen)
        short2_erg["lyric_q_scale"][1, erg] = 0.01  # uncond row only, as a batched cond+uncond call
        long1_erg = tm.example_inputs(graph, config, 1, 9, gen)
        long1_erg["lyric_q_scale"][:, erg] = 0.01
        return export_example, [short1, long2, short2_erg, long1_erg]

    def _decoder_cases(self, config: TransformerConfig) -> tuple[dict, list[dict]]:
        gen = torch.Generator().manual_seed(200)
        graph = tm.DECODER_GRAPH
        erg = tm.erg_layers(config)
        export_example = tm.example_inputs(graph, config, 2, 9, gen)
        short1 = tm.example_inputs(graph, config, 1, 5, gen)
        long2 = tm.example_inputs(graph, config, 2, 17, gen)  # row 2 with padded text tokens
        short2_erg = tm.example_inputs(graph, config, 2, 5, gen)
        short2_erg["cross_attn_q_scale"][1, erg] = 0.01
        long1_erg = tm.example_inputs(graph, config, 1, 17, gen)
        long1_erg["cross_attn_q_scale"][:, erg] = 0.01
        # Row 2: only the speaker token valid, and padded latent frames (fully masked cross rows).
        masked2 = tm.example_inputs(graph, config, 2, 5, gen)
        masked2["encoder_hidden_mask"][1, 1:] = 0
        masked2["attention_mask"][1, 3:] = 0
        return export_example, [short1, long2, short2_erg, long1_erg, masked2]

    def _check(self, config_name: str) -> None:
        config = getattr(TransformerConfig, config_name)()
        model = build(config, seed=42)
        wrappers = tm.export_wrappers(model)
        specs = {spec.name: spec for spec in tm.graph_specs(config)}
        for graph, make_cases in ((tm.CONDITION_GRAPH, self._condition_cases), (tm.DECODER_GRAPH, self._decoder_cases)):
            export_example, cases = make_cases(config)
            errors = assert_parity(self, wrappers[graph], specs[graph], cases, export_example=export_example)
            worst = {name: max(case[name] for case in errors) for name in errors[0]}
            with torch.no_grad():
                first_outputs = [wrappers[graph](*ordered(graph, config, case)) for case in cases]
            scale = max((out[0] if isinstance(out, tuple) else out).abs().max().item() for out in first_outputs)
            print(f"\n  parity {config_name} {graph}: max-abs {worst} (output max |x| {scale:.2f})", file=sys.stderr)

    def test_parity_tiny(self) -> None:
        self._check("tiny")

    def test_parity_mid(self) -> None:
        self._check("mid")


if __name__ == "__main__":
    unittest.main()
