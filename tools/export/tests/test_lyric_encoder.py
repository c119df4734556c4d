"""Tests for modules/lyric_encoder.py: checkpoint names, derived sizes, rel-pos maths, ONNX parity.

Run: cd /work/main && /usr/bin/python3 -m unittest tools.export.tests.test_lyric_encoder -v
"""
from __future__ import annotations

import json
import math
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tools.export.graph_spec import GraphSpec, TensorSpec
from tools.export.modules.lyric_encoder import (
    CHECKPOINT_PREFIX,
    LyricEncoder,
    LyricEncoderConfig,
    StandaloneWrapper,
    erg_layers,
    example_inputs,
    is_dead_weight,
    rel_shift,
    relative_position_table,
    standalone_graph_spec,
)
from tools.export.onnx_export import export_graph
from tools.export.ort import run_onnx
from tools.export.tests.parity import assert_parity

CHECKPOINT_KEYS = Path(__file__).resolve().parents[4] / "shared/data/acestep-v1/checkpoint-keys/ace_step_transformer.json"
ERG_TAU = 0.01  # spec §2.4


def randomize(model: nn.Module, seed: int) -> nn.Module:
    """Weights large enough to exercise the maths (default init leaves attention nearly uniform)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            is_norm = ".norm" in name or "after_norm" in name or "embed.out.1" in name
            if is_norm and name.endswith("weight"):
                param.copy_(1.0 + 0.1 * torch.randn_like(param))
            elif is_norm or name.endswith("bias"):
                param.copy_(0.1 * torch.randn_like(param))
            else:
                param.copy_(0.15 * torch.randn_like(param))
    return model.eval()


def q_scale(config: LyricEncoderConfig, batch: int, erg: bool) -> torch.Tensor:
    scale = torch.ones(batch, config.num_blocks)
    if erg:
        scale[:, erg_layers(config)] = ERG_TAU
    return scale


def shapes_of(model: nn.Module, prefix: str = CHECKPOINT_PREFIX) -> dict[str, tuple[int, ...]]:
    return {prefix + name: tuple(t.shape) for name, t in model.state_dict().items()}


def upstream_style_table(d_model: int, max_len: int = 5000) -> np.ndarray:
    """Upstream's whole table, built independently in numpy: rows for positions max_len-1 ... 0 (the
    positive part, flipped), then -1 ... -(max_len-1) (the negative part without its zero row)."""
    position = np.arange(max_len, dtype=np.float32)[:, None]
    div = np.exp(np.arange(0, d_model, 2, dtype=np.float32) * np.float32(-(math.log(10000.0) / d_model))).astype(np.float32)
    positive = np.zeros((max_len, d_model), np.float32)
    negative = np.zeros((max_len, d_model), np.float32)
    positive[:, 0::2], positive[:, 1::2] = np.sin(position * div), np.cos(position * div)
    negative[:, 0::2], negative[:, 1::2] = np.sin(-position * div), np.cos(-position * div)
    return np.concatenate([positive[::-1], negative[1:]], axis=0)


class ConfigAndKeys(unittest.TestCase):
    def setUp(self) -> None:
        manifest = json.loads(CHECKPOINT_KEYS.read_text())
        self.config_json = manifest["config"]
        self.checkpoint = {k: tuple(v) for k, v in manifest["keys"].items() if k.startswith(CHECKPOINT_PREFIX)}

    def test_full_size_key_manifest(self) -> None:
        model = LyricEncoder(LyricEncoderConfig.full(), device="meta")
        ours = shapes_of(model)
        dead = {k for k in self.checkpoint if is_dead_weight(k)}
        self.assertEqual(dead, set(), "every lyric encoder tensor is used")
        self.assertEqual(sorted(ours), sorted(set(self.checkpoint) - dead))
        for name, shape in ours.items():
            self.assertEqual(shape, self.checkpoint[name], name)
        self.assertEqual(len(ours), 120)
        # No buffers at all: the pe table is computed in-graph, never stored.
        self.assertEqual(list(model.buffers()), [])

    def test_from_shapes(self) -> None:
        self.assertEqual(LyricEncoderConfig.from_shapes(self.checkpoint), LyricEncoderConfig.full())
        self.assertEqual(LyricEncoderConfig.from_checkpoint(self.config_json, self.checkpoint), LyricEncoderConfig.full())
        for config in (LyricEncoderConfig.tiny(), LyricEncoderConfig.mid()):
            model = LyricEncoder(config, device="meta")
            self.assertEqual(LyricEncoderConfig.from_shapes(shapes_of(model)), config)
            self.assertEqual(LyricEncoderConfig.from_shapes(shapes_of(model, ""), prefix=""), config)
        with self.assertRaises(ValueError):
            LyricEncoderConfig.from_shapes(self.checkpoint, prefix="nope.")
        self.assertEqual(LyricEncoderConfig.tiny().to_json()["num_blocks"], 2)

    def test_erg_layers(self) -> None:
        self.assertEqual(erg_layers(LyricEncoderConfig.full()), [4, 5])
        self.assertEqual(erg_layers(LyricEncoderConfig.mid()), [4, 5])
        self.assertEqual(erg_layers(LyricEncoderConfig.tiny()), [0, 1])


class RelativePositions(unittest.TestCase):
    def test_table_matches_upstream_layout(self) -> None:
        d_model = 32
        table = upstream_style_table(d_model)
        centre = table.shape[0] // 2
        for length in (1, 2, 7, 23):
            want = table[centre - length + 1 : centre + length]  # upstream's position_encoding slice
            got = relative_position_table(length, d_model).numpy()
            self.assertEqual(got.shape, want.shape)
            np.testing.assert_allclose(got, want, rtol=0, atol=2e-6)

    def test_rel_shift_against_naive(self) -> None:
        torch.manual_seed(1)
        for length in (1, 2, 5, 9):
            x = torch.randn(2, 3, length, 2 * length - 1)
            naive = torch.empty(2, 3, length, length)
            for i in range(length):
                for j in range(length):
                    # table column k holds relative distance T-1-k; distance i-j lives at k = T-1-i+j
                    naive[:, :, i, j] = x[:, :, i, length - 1 - i + j]
            self.assertTrue(torch.equal(rel_shift(x), naive), f"T={length}")

    def test_scores_against_naive_transformer_xl(self) -> None:
        """scores[i, j] = ((q_i+u)·k_j + (q_i+v)·W_pos pe(i-j)) / sqrt(d_k), computed pair by pair."""
        config = LyricEncoderConfig.tiny()
        attn = randomize(LyricEncoder(config), seed=2).encoders[0].self_attn
        heads, d_k = config.attention_heads, config.head_dim
        length, scale = 11, torch.tensor([1.0, 0.3])
        x = torch.randn(2, length, config.output_size)

        def pe_row(r: int) -> torch.Tensor:  # sinusoid for relative distance r, written out directly
            w = torch.exp(torch.arange(0, config.output_size, 2, dtype=torch.float32) * -(math.log(10000.0) / config.output_size))
            row = torch.empty(config.output_size)
            row[0::2], row[1::2] = torch.sin(r * w), torch.cos(r * w)
            return row

        with torch.no_grad():
            q = (attn.linear_q(x) * scale[:, None, None]).reshape(2, length, heads, d_k)
            k = attn.linear_k(x).reshape(2, length, heads, d_k)
            naive = torch.empty(2, heads, length, length)
            for i in range(length):
                for j in range(length):
                    p = attn.linear_pos(pe_row(i - j)).reshape(heads, d_k)
                    content = ((q[:, i] + attn.pos_bias_u) * k[:, j]).sum(-1)
                    position = ((q[:, i] + attn.pos_bias_v) * p).sum(-1)
                    naive[:, :, i, j] = (content + position) / math.sqrt(d_k)
            got = attn.scores(x, relative_position_table(length, config.output_size), scale)
        torch.testing.assert_close(got, naive, rtol=1e-5, atol=1e-5)


class AttentionOnly(nn.Module):
    """Test graph: block 0's attention alone, with linear_out's bias zeroed so that an all-masked row's
    attention output must be exactly zero (probabilities zero-filled, not NaN)."""

    def __init__(self, model: LyricEncoder):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pos_table = relative_position_table(x.shape[1], self.model.config.output_size)
        scale = torch.ones(x.shape[0], dtype=x.dtype)
        return self.model.encoders[0].self_attn(x, pos_table, mask != 0, scale)


class MaskedRows(unittest.TestCase):
    def test_all_masked_row_gives_zero_attention(self) -> None:
        config = LyricEncoderConfig.tiny()
        model = randomize(LyricEncoder(config), seed=3)
        with torch.no_grad():
            model.encoders[0].self_attn.linear_out.bias.zero_()
        wrapper = AttentionOnly(model).eval()
        spec = GraphSpec(
            name="lyric_attention",
            inputs=(TensorSpec("x", "float32", ("B", "Ll", config.output_size)), TensorSpec("mask", "int64", ("B", "Ll"))),
            outputs=(TensorSpec("attention", "float32", ("B", "Ll", config.output_size)),),
        )
        x = torch.randn(2, 9, config.output_size)
        mask = torch.ones(2, 9, dtype=torch.int64)
        mask[1] = 0
        with torch.no_grad():
            want = wrapper(x, mask)
        with tempfile.TemporaryDirectory(prefix="acejam-lyric-") as tmp:
            path = export_graph(wrapper, spec, {"x": x, "mask": mask}, Path(tmp) / "lyric_attention.onnx")
            got = run_onnx(path, {"x": x.numpy(), "mask": mask.numpy()})["attention"]
        self.assertTrue(torch.equal(want[1], torch.zeros_like(want[1])), "torch: all-masked row not zero")
        self.assertTrue(np.array_equal(got[1], np.zeros_like(got[1])), "ORT: all-masked row not zero")
        self.assertGreater(float(want[0].abs().max()), 0.1)
        np.testing.assert_allclose(got, want.numpy(), rtol=0, atol=1e-5)

    def test_padding_does_not_leak(self) -> None:
        """Valid positions of a tail-padded row equal the same row encoded alone without the padding."""
        config = LyricEncoderConfig.tiny()
        model = randomize(LyricEncoder(config), seed=4)
        xs = torch.randn(1, 10, config.input_size)
        padded = torch.cat([xs, torch.randn(1, 6, config.input_size)], dim=1)
        mask = torch.tensor([[1] * 10 + [0] * 6])
        with torch.no_grad():
            alone = model(xs, torch.ones(1, 10, dtype=torch.int64), q_scale(config, 1, erg=False))
            with_pad = model(padded, mask, q_scale(config, 1, erg=False))
        torch.testing.assert_close(with_pad[:, :10], alone, rtol=1e-5, atol=1e-5)


class Parity(unittest.TestCase):
    """Export once per config (traced at length 7), then run lengths 7, 23 and 1 against the same file."""

    errors: dict[str, list[dict[str, float]]] = {}

    def _cases(self, config: LyricEncoderConfig) -> list[dict[str, torch.Tensor]]:
        generator = torch.Generator().manual_seed(5)
        cases = []
        for batch, length, erg in ((1, 7, False), (2, 7, True), (1, 23, True), (2, 23, False), (1, 1, True)):
            case = example_inputs("lyric_encoder", config, batch, length, generator)
            case["q_scale"] = q_scale(config, batch, erg)
            cases.append(case)
        # batch 2, length 23: row 0 padded at the tail, row 1 fully masked (no NaN, same as torch)
        special = example_inputs("lyric_encoder", config, 2, 23, generator)
        special["mask"][0, 15:] = 0
        special["mask"][1] = 0
        special["q_scale"] = q_scale(config, 2, erg=True)
        cases.append(special)
        # mixed ERG per batch row (cond and uncond in one call)
        mixed = example_inputs("lyric_encoder", config, 2, 23, generator)
        mixed["q_scale"] = torch.cat([q_scale(config, 1, erg=False), q_scale(config, 1, erg=True)])
        cases.append(mixed)
        return cases

    def _check(self, name: str, config: LyricEncoderConfig, seed: int) -> None:
        model = randomize(LyricEncoder(config), seed)
        cases = self._cases(config)
        with torch.no_grad():  # the special case really has a fully masked row, and torch keeps it finite
            out = model(cases[-2]["xs"], cases[-2]["mask"], cases[-2]["q_scale"])
        self.assertFalse(torch.isnan(out).any())
        errors = assert_parity(self, StandaloneWrapper(model), standalone_graph_spec(config), cases)
        print(f"\n  lyric_encoder {name} max-abs per case: " + ", ".join(f"{e['encoded']:.2e}" for e in errors))

    def test_parity_tiny(self) -> None:
        self._check("tiny", LyricEncoderConfig.tiny(), seed=6)

    def test_parity_mid(self) -> None:
        self._check("mid", LyricEncoderConfig.mid(), seed=7)


if __name__ == "__main__":
    unittest.main()
