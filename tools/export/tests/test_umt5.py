"""Tests of the UMT5 encoder module (tools/export/modules/umt5.py).

Run: cd /work/main && /usr/bin/python3 -m unittest tools.export.tests.test_umt5 -v
"""
from __future__ import annotations

import dataclasses
import json
import math
import sys
import unittest
from pathlib import Path

import torch

from tools.export.modules import umt5
from tools.export.modules.umt5 import ERG_TAU, UMT5Config, UMT5Model, erg_layers, relative_position_bucket
from tools.export.tests.parity import assert_parity

KEYS_FILE = Path(__file__).resolve().parents[4] / "shared/data/acestep-v1/checkpoint-keys/umt5_base.json"
GRAPH = "umt5_encoder"


def randomise(model: UMT5Model, seed: int) -> UMT5Model:
    """Weights that exercise the maths: linear layers ~N(0, 1/fan_in) keep activations O(1) (so unscaled
    T5 scores are a few units, neither uniform nor one-hot), embeddings ~N(0, 1), bias tables ~N(0, 0.5)
    (comparable to content scores), norm weights near 1."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("layer_norm.weight"):
                param.copy_(1.0 + 0.1 * torch.randn(param.shape, generator=generator))
            elif name.endswith("relative_attention_bias.weight"):
                param.copy_(0.5 * torch.randn(param.shape, generator=generator))
            elif name == "shared.weight":
                param.copy_(torch.randn(param.shape, generator=generator))
            else:
                param.copy_(torch.randn(param.shape, generator=generator) / math.sqrt(param.shape[1]))
    return model.eval()


def erg_q_scale(config: UMT5Config, batch: int) -> torch.Tensor:
    q_scale = torch.ones(batch, config.num_layers)
    q_scale[:, erg_layers(config)] = ERG_TAU
    return q_scale


def reference_encoder(state: dict, config: UMT5Config, input_ids, attention_mask, q_scale) -> torch.Tensor:
    """The UMT5 encoder written out in float64 from the maths (einsum, direct bucket formula), sharing
    nothing with the module but parameter names and the bucket function tested by hand below."""
    sd = {k: v.double() for k, v in state.items()}
    batch, length = input_ids.shape
    heads, d_kv = config.num_heads, config.d_kv

    def rms(x, weight):
        return weight * x / torch.sqrt((x * x).mean(-1, keepdim=True) + config.layer_norm_epsilon)

    position = torch.arange(length)
    buckets = relative_position_bucket(position[None, :] - position[:, None], True, config.relative_attention_num_buckets, config.relative_attention_max_distance)
    mask = torch.where(attention_mask.bool(), 0.0, float(torch.finfo(torch.float32).min)).double()[:, None, None, :]
    x = sd["shared.weight"][input_ids]
    for i in range(config.num_layers):
        p = f"encoder.block.{i}.layer."
        h = rms(x, sd[p + "0.layer_norm.weight"])
        q = (h @ sd[p + "0.SelfAttention.q.weight"].T) * q_scale.double()[:, i, None, None]
        k = h @ sd[p + "0.SelfAttention.k.weight"].T
        v = h @ sd[p + "0.SelfAttention.v.weight"].T
        q, k, v = (t.reshape(batch, length, heads, d_kv) for t in (q, k, v))
        bias = sd[p + "0.SelfAttention.relative_attention_bias.weight"][buckets].permute(2, 0, 1)[None]
        attention = torch.softmax(torch.einsum("bqhd,bkhd->bhqk", q, k) + bias + mask, dim=-1)
        x = x + torch.einsum("bhqk,bkhd->bqhd", attention, v).reshape(batch, length, heads * d_kv) @ sd[p + "0.SelfAttention.o.weight"].T
        h = rms(x, sd[p + "1.layer_norm.weight"])
        g = h @ sd[p + "1.DenseReluDense.wi_0.weight"].T
        gelu = 0.5 * g * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (g + 0.044715 * g**3)))
        x = x + (gelu * (h @ sd[p + "1.DenseReluDense.wi_1.weight"].T)) @ sd[p + "1.DenseReluDense.wo.weight"].T
    return rms(x, sd["encoder.final_layer_norm.weight"])


def inputs(config: UMT5Config, batch: int, length: int, seed: int) -> dict[str, torch.Tensor]:
    return umt5.example_inputs(GRAPH, config, batch, length, torch.Generator().manual_seed(seed))


class CheckpointTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.manifest = json.loads(KEYS_FILE.read_text())
        cls.json_shapes = {k: tuple(v) for k, v in cls.manifest["keys"].items()}

    def test_full_size_key_manifest_on_meta(self) -> None:
        model = UMT5Model(UMT5Config.full(), device="meta")
        ours = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        self.assertTrue(all(v.is_meta for v in model.state_dict().values()))
        self.assertEqual({k: v for k, v in self.json_shapes.items() if not umt5.is_dead_weight(k)}, ours)
        self.assertEqual(set(self.json_shapes) - set(ours), {k for k in self.json_shapes if umt5.is_dead_weight(k)})
        self.assertEqual(sum(math.prod(s) for s in ours.values()), self.manifest["num_params"])

    def test_from_checkpoint(self) -> None:
        self.assertEqual(UMT5Config.from_checkpoint(self.manifest["config"], self.json_shapes), UMT5Config.full())
        self.assertEqual(UMT5Config.from_checkpoint(None, self.json_shapes), UMT5Config.full())  # shapes alone
        for config in (UMT5Config.tiny(), UMT5Config.mid()):
            shapes = {k: tuple(v.shape) for k, v in UMT5Model(config, device="meta").state_dict().items()}
            self.assertEqual(UMT5Config.from_checkpoint(None, shapes), config)
            self.assertEqual(UMT5Config.from_checkpoint({}, shapes), config)
        # A config.json that contradicts the tensors is reported, not silently obeyed.
        with self.assertRaises(ValueError):
            UMT5Config.from_checkpoint(dict(self.manifest["config"], num_heads=16), self.json_shapes)
        self.assertEqual(UMT5Config.full().to_json()["d_model"], 768)
        json.dumps(UMT5Config.full().to_json())

    def test_checkpoint_to_module_state_tied_embedding(self) -> None:
        config = UMT5Config.tiny()
        source = randomise(UMT5Model(config), seed=1).state_dict()
        target = UMT5Model(config)
        # save_pretrained format (the real file): shared.weight only.
        target.load_state_dict(umt5.checkpoint_to_module_state(dict(source), config), strict=True)
        # state_dict() format: with the tied duplicate, which is dropped.
        both = dict(source, **{"encoder.embed_tokens.weight": source["shared.weight"].clone()})
        converted = umt5.checkpoint_to_module_state(both, config)
        self.assertNotIn("encoder.embed_tokens.weight", converted)
        target.load_state_dict(converted, strict=True)
        self.assertTrue(torch.equal(target.shared.weight, source["shared.weight"]))
        # Only the alias saved: it becomes shared.weight.
        alias_only = {("encoder.embed_tokens.weight" if k == "shared.weight" else k): v for k, v in source.items()}
        target.load_state_dict(umt5.checkpoint_to_module_state(alias_only, config), strict=True)
        # A differently-shaped "tied" matrix is not tied: refuse.
        with self.assertRaises(ValueError):
            umt5.checkpoint_to_module_state(dict(source, **{"encoder.embed_tokens.weight": torch.zeros(3, 3)}), config)
        # Unknown keys are left for the loader's strictness check, not dropped.
        self.assertIn("decoder.final_layer_norm.weight", umt5.checkpoint_to_module_state(dict(source, **{"decoder.final_layer_norm.weight": torch.ones(32)}), config))

    def test_erg_layers(self) -> None:
        self.assertEqual(erg_layers(UMT5Config.full()), [8, 9])  # upstream's absolute indices (spec §1.2)
        self.assertEqual(erg_layers(dataclasses.replace(UMT5Config.full(), num_layers=10)), [8, 9])
        self.assertEqual(erg_layers(dataclasses.replace(UMT5Config.full(), num_layers=24)), [8, 9])
        self.assertEqual(erg_layers(UMT5Config.mid()), [2, 3])  # tiny-model fallback: the last two
        self.assertEqual(erg_layers(dataclasses.replace(UMT5Config.full(), num_layers=9)), [7, 8])
        self.assertEqual(erg_layers(UMT5Config.tiny()), [0, 1])
        self.assertEqual(erg_layers(dataclasses.replace(UMT5Config.tiny(), num_layers=1)), [0])

    def test_graph_spec(self) -> None:
        (spec,) = umt5.GRAPHS
        self.assertEqual(spec.name, GRAPH)
        self.assertFalse(spec.fp16_allowed)
        self.assertEqual([(t.name, t.dtype, t.dims) for t in spec.inputs], [
            ("input_ids", "int64", ("B", "Lt")), ("attention_mask", "int64", ("B", "Lt")), ("q_scale", "float32", ("B", 12))])
        self.assertEqual([(t.name, t.dtype, t.dims) for t in spec.outputs], [("last_hidden_state", "float32", ("B", "Lt", 768))])
        (tiny_spec,) = umt5.graph_specs(UMT5Config.tiny())
        self.assertEqual(tiny_spec.inputs[2].dims, ("B", 2))
        self.assertEqual(tiny_spec.outputs[0].dims, ("B", "Lt", 32))

    def test_example_inputs(self) -> None:
        config = UMT5Config.tiny()
        case = inputs(config, batch=3, length=12, seed=0)
        self.assertEqual(case["input_ids"].dtype, torch.int64)
        self.assertEqual(case["attention_mask"].dtype, torch.int64)
        self.assertEqual(case["q_scale"].dtype, torch.float32)
        self.assertTrue(torch.equal(case["q_scale"], torch.ones(3, config.num_layers)))
        self.assertTrue(bool(case["attention_mask"][0].all()))
        for row in range(3):
            valid = int(case["attention_mask"][row].sum())
            self.assertEqual(int(case["input_ids"][row, valid - 1]), config.eos_token_id)
            self.assertTrue(bool((case["input_ids"][row, valid:] == config.pad_token_id).all()))
            self.assertTrue(bool((case["attention_mask"][row, :valid] == 1).all()))
        self.assertLess(int(case["attention_mask"][1].sum()), 12)  # later rows are padded


class BucketTests(unittest.TestCase):
    def test_hand_computed_buckets(self) -> None:
        # T5, bidirectional, 32 buckets, max distance 128. relative = key - query.
        #   half = 32 // 2 = 16; keys after the query (relative > 0) add 16; n = |relative|.
        #   max_exact = 16 // 2 = 8: n < 8 -> bucket n.
        #   n >= 8 -> 8 + floor(log(n/8) / log(128/8) * (16 - 8)) = 8 + floor(2·log2(n/8)), capped at 15.
        #   n=8:   2·log2(1)     = 0      -> 8
        #   n=11:  2·log2(1.375) = 0.919  -> 8       n=12: 2·log2(1.5)    = 1.170 -> 9
        #   n=16:  2·log2(2)     = 2 (exact: float32 gives 2.0)   -> 10
        #   n=22:  2·log2(2.75)  = 2.919  -> 10      n=23: 2·log2(2.875)  = 3.047 -> 11
        #   n=32:  2·log2(4)     = 4      -> 12      n=64: 2·log2(8)      = 6     -> 14
        #   n=90:  2·log2(11.25) = 6.984  -> 14      n=91: 2·log2(11.375) = 7.016 -> 15
        #   n=127: 2·log2(15.875)= 7.977  -> 15      n=128: 8 -> 16 -> capped 15; n=1000 -> 15
        cases = {
            0: 0, -1: 1, 1: 17, -7: 7, 7: 23, -8: 8, 8: 24, -11: 8, -12: 9, 12: 25,
            -16: 10, 16: 26, -22: 10, -23: 11, 23: 27, -32: 12, 32: 28, -64: 14, 64: 30,
            -90: 14, 90: 30, -91: 15, 91: 31, -127: 15, -128: 15, 128: 31, -1000: 15, 1000: 31,
        }
        relative = torch.tensor(list(cases), dtype=torch.long)
        got = relative_position_bucket(relative, True, 32, 128)
        self.assertEqual(dict(zip(cases, got.tolist())), cases)

    def test_in_graph_table_equals_formula(self) -> None:
        # The module gathers buckets from a distance table; it must equal the formula at every relative
        # position, including beyond max_distance, for umt5's and other valid bucket configs.
        for buckets, max_distance in ((32, 128), (32, 20), (64, 256), (8, 3), (32, 9)):
            config = dataclasses.replace(UMT5Config.tiny(), relative_attention_num_buckets=buckets, relative_attention_max_distance=max_distance)
            model = UMT5Model(config, device="meta")
            position = torch.arange(300)
            want = relative_position_bucket(position[None, :] - position[:, None], True, buckets, max_distance)
            self.assertTrue(torch.equal(model.position_buckets(300, torch.device("cpu")), want), (buckets, max_distance))
        # max_distance <= max_exact (num_buckets/4) makes T5's formula give negative buckets: refused.
        with self.assertRaises(ValueError):
            UMT5Model(dataclasses.replace(UMT5Config.tiny(), relative_attention_max_distance=8), device="meta")


class ForwardTests(unittest.TestCase):
    def test_matches_float64_reference(self) -> None:
        for config, length in ((UMT5Config.tiny(), 40), (UMT5Config.mid(), 150)):
            model = randomise(UMT5Model(config), seed=2)
            case = inputs(config, batch=2, length=length, seed=3)
            case["q_scale"][1] = erg_q_scale(config, 1)[0]  # row 0 plain, row 1 ERG
            with torch.no_grad():
                got = model(case["input_ids"], case["attention_mask"], case["q_scale"])
            want = reference_encoder(model.state_dict(), config, case["input_ids"], case["attention_mask"], case["q_scale"])
            error = float((got.double() - want).abs().max())
            print(f"\n  umt5 vs float64 reference d_model={config.d_model} L={length}: max-abs {error:.3g}", file=sys.stderr)
            self.assertLess(error, 1e-4)

    def test_q_scale(self) -> None:
        config = UMT5Config.mid()
        model = randomise(UMT5Model(config), seed=4)
        case = inputs(config, batch=2, length=30, seed=5)
        ids, mask = case["input_ids"], case["attention_mask"]
        erg = erg_q_scale(config, 2)
        with torch.no_grad():
            plain = model(ids, mask)  # no scaling in the graph at all
            ones = model(ids, mask, torch.ones(2, config.num_layers))
            scaled = model(ids, mask, erg)
            mixed = model(ids, mask, torch.stack([torch.ones(config.num_layers), erg[1]]))
            # Upstream's mechanism: forward hooks multiplying the q projection's output by τ.
            hooks = [model.encoder.block[i].layer[0].SelfAttention.q.register_forward_hook(lambda _m, _i, out: out * ERG_TAU) for i in erg_layers(config)]
            try:
                hooked = model(ids, mask)
            finally:
                for hook in hooks:
                    hook.remove()
        self.assertTrue(torch.equal(ones, plain))  # ×1.0 is exact in fp32
        change = float((scaled - plain).abs().max())
        self.assertGreater(change, 0.1, "q_scale 0.01 at the ERG layers must change the output")
        self.assertLess(float((scaled - hooked).abs().max()), 1e-5)
        # Per-row scales: row 0 plain, row 1 ERG, as when the host batches both calls.
        self.assertLess(float((mixed[0] - plain[0]).abs().max()), 1e-5)
        self.assertLess(float((mixed[1] - scaled[1]).abs().max()), 1e-5)

    def test_padding_does_not_reach_valid_tokens(self) -> None:
        # A right-padded row gives, at its valid positions, what the unpadded sequence gives alone.
        config = UMT5Config.mid()
        model = randomise(UMT5Model(config), seed=6)
        case = inputs(config, batch=2, length=33, seed=7)
        valid = int(case["attention_mask"][1].sum())
        self.assertLess(valid, 33)
        with torch.no_grad():
            padded = model(case["input_ids"], case["attention_mask"], case["q_scale"])
            alone = model(case["input_ids"][1:, :valid], case["attention_mask"][1:, :valid], case["q_scale"][1:])
        self.assertFalse(bool(torch.isnan(padded).any()))
        self.assertLess(float((padded[1, :valid] - alone[0]).abs().max()), 1e-5)


class ParityTests(unittest.TestCase):
    def _parity(self, config: UMT5Config, lengths: tuple[int, int], seed: int) -> None:
        model = randomise(UMT5Model(config), seed=seed)
        umt5.prepare_for_export(model)
        wrapper = umt5.export_wrappers(model)[GRAPH]
        (spec,) = umt5.graph_specs(config)
        cases, labels = [], []
        for length in lengths:
            for batch in (1, 2):
                for erg in (False, True):
                    case = inputs(config, batch, length, seed=seed + length + batch)
                    if erg:
                        case["q_scale"] = erg_q_scale(config, batch)
                    cases.append(case)
                    labels.append(f"L={length} B={batch} {'erg' if erg else 'ones'}")
        mixed = inputs(config, 2, lengths[1], seed=seed + 99)
        mixed["q_scale"][1] = erg_q_scale(config, 1)[0]
        cases.append(mixed)
        labels.append(f"L={lengths[1]} B=2 row0 ones/row1 erg")
        export_example = inputs(config, 2, lengths[0], seed=seed)  # traced once, at the first length
        errors = assert_parity(self, wrapper, spec, cases, export_example=export_example)
        print(f"\n  umt5 parity d_model={config.d_model} layers={config.num_layers}:", file=sys.stderr)
        for label, error in zip(labels, errors):
            print(f"    {label:32s} max-abs {error['last_hidden_state']:.3g}", file=sys.stderr)

    def test_parity_tiny(self) -> None:
        self._parity(UMT5Config.tiny(), lengths=(9, 40), seed=10)

    def test_parity_mid(self) -> None:
        self._parity(UMT5Config.mid(), lengths=(24, 150), seed=20)


if __name__ == "__main__":
    unittest.main()
