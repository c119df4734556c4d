"""Tests for the Music-DCAE re-implementation (tools/export/modules/dcae.py).

Run: cd /work/main && /usr/bin/python3 -m unittest tools.export.tests.test_dcae -v
"""
from __future__ import annotations

import json
import math
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from tools.export.modules import dcae
from tools.export.modules.dcae import DCAEConfig, MusicDCAE
from tools.export.onnx_export import export_graph
from tools.export.ort import run_onnx
from tools.export.tests.parity import assert_parity

KEYS_FILE = Path(__file__).resolve().parents[4] / "shared/data/acestep-v1/checkpoint-keys/music_dcae_f8c8.json"


def load_key_manifest() -> dict:
    return json.loads(KEYS_FILE.read_text())


def randomized(config: DCAEConfig, seed: int) -> MusicDCAE:
    """A model whose activations stay O(1): fan-in-scaled normal weights, norm weights near 1, small
    biases. (PyTorch's default init leaves the residual branches too small to test the maths.)"""
    torch.manual_seed(seed)
    model = MusicDCAE(config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight") or name.endswith("norm_out.weight"):
                param.copy_(1.0 + 0.1 * torch.randn_like(param))
            elif param.dim() == 1:
                param.copy_(0.1 * torch.randn_like(param))
            else:
                param.copy_(torch.randn_like(param) / math.sqrt(param[0].numel()))
    return model.eval()


# --------------------------------------------------------------------------------------------------
# A literal reference: diffusers 0.32's op sequence (channels-last Linear/RMSNorm via movedim, unflatten,
# repeat_interleave, F.pixel_(un)shuffle, F.interpolate, torch.chunk), run on the module's parameters. The
# module rewrites all of these for export; this checks the rewrites change nothing.


def ref_rms(norm, x_last: torch.Tensor) -> torch.Tensor:
    variance = x_last.to(torch.float32).pow(2).mean(-1, keepdim=True)
    return x_last * torch.rsqrt(variance + 1e-5) * norm.weight + norm.bias


def ref_channel_rms(norm, x: torch.Tensor) -> torch.Tensor:
    return ref_rms(norm, x.movedim(1, -1)).movedim(-1, 1)


def ref_attention(attn, x: torch.Tensor) -> torch.Tensor:
    b, _, h, w = x.shape
    x_last = x.movedim(1, -1)
    qkv = torch.cat([F.linear(x_last, attn.to_q.weight), F.linear(x_last, attn.to_k.weight), F.linear(x_last, attn.to_v.weight)], dim=3).movedim(-1, 1)
    qkv = torch.cat([qkv] + [proj.proj_out(proj.proj_in(qkv)) for proj in attn.to_qkv_multiscale], dim=1).to(torch.float32)
    qkv = qkv.reshape(b, -1, 3 * attn.head_dim, h * w)
    q, k, v = qkv.chunk(3, dim=2)
    q, k = F.relu(q), F.relu(k)
    v = F.pad(v, (0, 0, 0, 1), mode="constant", value=1)
    out = torch.matmul(torch.matmul(v, k.transpose(-1, -2)), q)
    out = out[:, :, :-1] / (out[:, :, -1:] + 1e-15)
    out = torch.reshape(out, (b, -1, h, w))
    out = F.linear(out.movedim(1, -1), attn.to_out.weight).movedim(-1, 1)
    return ref_channel_rms(attn.norm_out, out) + x


def ref_glumbconv(glu, x: torch.Tensor) -> torch.Tensor:
    y = F.silu(glu.conv_inverted(x))
    y, gate = torch.chunk(glu.conv_depth(y), 2, dim=1)
    y = glu.conv_point(y * F.silu(gate))
    return ref_channel_rms(glu.norm, y) + x


def ref_block(block, x: torch.Tensor) -> torch.Tensor:
    if isinstance(block, dcae.ResBlock):
        y = block.conv2(block.act(block.conv1(x)))
        return ref_channel_rms(block.norm, y) + x
    if isinstance(block, dcae.EfficientViTBlock):
        return ref_glumbconv(block.conv_out, ref_attention(block.attn, x))
    if isinstance(block, dcae.DownBlock):
        y = block.conv(x)
        if block.unshuffle_conv:
            y = F.pixel_unshuffle(y, 2)
        return y + F.pixel_unshuffle(x, 2).unflatten(1, (-1, block.group)).mean(dim=2)
    if isinstance(block, dcae.UpBlock):
        y = block.conv(F.interpolate(x, scale_factor=2, mode="nearest")) if block.interpolate else F.pixel_shuffle(block.conv(x), 2)
        return y + F.pixel_shuffle(x.repeat_interleave(block.repeats, dim=1), 2)
    raise TypeError(type(block))


def ref_encoder(encoder, x: torch.Tensor) -> torch.Tensor:
    x = encoder.conv_in(x)
    for stage in encoder.down_blocks:
        for block in stage:
            x = ref_block(block, x)
    return encoder.conv_out(x) + x.unflatten(1, (-1, encoder.out_group)).mean(dim=2)


def ref_decoder(decoder, z: torch.Tensor) -> torch.Tensor:
    x = decoder.conv_in(z) + z.repeat_interleave(decoder.in_repeats, dim=1)
    for stage in reversed(decoder.up_blocks):
        for block in stage:
            x = ref_block(block, x)
    return decoder.conv_out(torch.relu(ref_channel_rms(decoder.norm_out, x)))


# --------------------------------------------------------------------------------------------------


class TestConfigAndKeys(unittest.TestCase):
    def test_full_key_manifest(self) -> None:
        manifest = load_key_manifest()
        model = MusicDCAE(DCAEConfig.full(), device="meta")
        ours = {name: list(t.shape) for name, t in model.state_dict().items()}
        self.assertEqual(ours, manifest["keys"])
        # No dead weights: every checkpoint tensor is a module parameter.
        self.assertEqual([k for k in manifest["keys"] if dcae.is_dead_weight(k)], [])
        self.assertEqual(sum(math.prod(s) for s in ours.values()), manifest["num_params"])
        self.assertEqual(len(list(model.buffers())), 0)

    def test_from_checkpoint_full(self) -> None:
        manifest = load_key_manifest()
        self.assertEqual(DCAEConfig.from_checkpoint(manifest["config"], manifest["keys"]), DCAEConfig.full())
        self.assertEqual(DCAEConfig.from_checkpoint(None, manifest["keys"]), DCAEConfig.full())  # shapes alone
        self.assertEqual(DCAEConfig.from_checkpoint(manifest["config"], {}), DCAEConfig.full())  # config alone

    def test_from_checkpoint_tiny_mid(self) -> None:
        for config in (DCAEConfig.tiny(), DCAEConfig.mid()):
            shapes = {k: tuple(v.shape) for k, v in MusicDCAE(config, device="meta").state_dict().items()}
            self.assertEqual(DCAEConfig.from_checkpoint(None, shapes), config)
            self.assertEqual(DCAEConfig.from_checkpoint(json.loads(json.dumps(config.to_json())), shapes), config)

    def test_from_checkpoint_rejects_contradiction(self) -> None:
        manifest = load_key_manifest()
        bad = dict(manifest["config"], encoder_block_out_channels=[128, 256, 512, 512])
        with self.assertRaises(ValueError):
            DCAEConfig.from_checkpoint(bad, manifest["keys"])

    def test_spec_constants_and_graph_io(self) -> None:
        config = DCAEConfig.full()
        self.assertEqual((config.scale_factor, config.shift_factor, config.mel_min, config.mel_max), (0.1786, -1.9091, -11.0, 3.0))
        self.assertEqual(config.compression, 8)
        encoder, decoder = dcae.GRAPHS
        self.assertEqual((encoder.name, decoder.name), ("dcae_encoder", "dcae_decoder"))
        self.assertEqual(encoder.inputs[0].dims, ("B", 2, 128, "Tm"))
        self.assertEqual(encoder.outputs[0].dims, ("B", 8, 16, "T"))
        self.assertEqual(decoder.inputs[0].dims, ("B", 8, 16, "T"))
        self.assertEqual(decoder.outputs[0].dims, ("B", 2, 128, "Tm"))
        self.assertEqual(encoder.notes["min_latent_frames"], 3)  # 16·T > 32 ⇔ T ≥ 3: upstream's linear branch


class TestMaths(unittest.TestCase):
    def test_rearrangements_equal_torch_ops(self) -> None:
        x = torch.randn(2, 12, 6, 10)
        self.assertTrue(torch.equal(dcae.pixel_unshuffle(x), F.pixel_unshuffle(x, 2)))
        self.assertTrue(torch.equal(dcae.pixel_shuffle(x), F.pixel_shuffle(x, 2)))
        self.assertTrue(torch.equal(dcae.repeat_channels(x, 3), x.repeat_interleave(3, dim=1)))
        self.assertTrue(torch.equal(dcae.nearest_up2(x), F.interpolate(x, scale_factor=2, mode="nearest")))
        self.assertTrue(torch.allclose(dcae.mean_channel_groups(x, 4), x.unflatten(1, (-1, 4)).mean(dim=2)))

    def test_matches_literal_diffusers_sequence(self) -> None:
        for config, seed in ((DCAEConfig.tiny(), 1), (DCAEConfig.mid(), 2)):
            model = randomized(config, seed)
            gen = torch.Generator().manual_seed(seed)
            x = torch.randn(2, 2, 128, 48, generator=gen)
            z = torch.randn(2, 8, 16, 6, generator=gen)
            with torch.no_grad():
                torch.testing.assert_close(model.encoder(x), ref_encoder(model.encoder, x), atol=2e-5, rtol=1e-5)
                torch.testing.assert_close(model.decoder(z), ref_decoder(model.decoder, z), atol=2e-5, rtol=1e-5)

    def test_pixel_unshuffle_downsample_variant(self) -> None:
        # The other diffusers block types (not used by ACE-Step) also build and match the reference.
        config = DCAEConfig(**{**DCAEConfig.tiny().__dict__, "downsample_block_type": "pixel_unshuffle", "upsample_block_type": "pixel_shuffle"})
        model = randomized(config, 3)
        shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        self.assertEqual(DCAEConfig.from_checkpoint(None, shapes), config)
        x = torch.randn(1, 2, 128, 32)
        z = torch.randn(1, 8, 16, 4)
        with torch.no_grad():
            torch.testing.assert_close(model.encoder(x), ref_encoder(model.encoder, x), atol=2e-5, rtol=1e-5)
            torch.testing.assert_close(model.decoder(z), ref_decoder(model.decoder, z), atol=2e-5, rtol=1e-5)

    def test_round_trip_shapes(self) -> None:
        config = DCAEConfig.tiny()
        model = randomized(config, 4)
        gen = torch.Generator().manual_seed(4)
        mel = dcae.example_inputs("dcae_encoder", config, 2, 40, gen)["mel"]
        with torch.no_grad():
            latents = model.encode_mel(mel)
            self.assertEqual(tuple(latents.shape), (2, 8, 16, 5))
            self.assertEqual(tuple(model.decode_latents(latents).shape), (2, 2, 128, 40))

    def test_folded_constants(self) -> None:
        """Graph outputs (torch wrapper and ONNX) equal the spec's affine maps applied by hand around the
        bare encoder/decoder: latent = (z + 1.9091)·0.1786, z = latent/0.1786 − 1.9091,
        m' = ((mel + 11)/14 − 0.5)/0.5, mel = (x·0.5 + 0.5)·14 − 11."""
        config = DCAEConfig.tiny()
        model = randomized(config, 5)
        wrappers = dcae.export_wrappers(model)
        gen = torch.Generator().manual_seed(5)
        mel = dcae.example_inputs("dcae_encoder", config, 1, 32, gen)["mel"]
        latents = dcae.example_inputs("dcae_decoder", config, 1, 4, gen)["latents"]
        with torch.no_grad():
            want_latents = (model.encoder(((mel + 11.0) / 14.0 - 0.5) / 0.5) + 1.9091) * 0.1786
            want_mel = (model.decoder(latents / 0.1786 - 1.9091) * 0.5 + 0.5) * 14.0 - 11.0
            torch.testing.assert_close(wrappers["dcae_encoder"](mel), want_latents, atol=1e-6, rtol=1e-6)
            torch.testing.assert_close(wrappers["dcae_decoder"](latents), want_mel, atol=1e-5, rtol=1e-6)
        encoder_spec, decoder_spec = dcae.graph_specs(config)
        with tempfile.TemporaryDirectory(prefix="acejam-dcae-") as tmp:
            enc = export_graph(wrappers["dcae_encoder"], encoder_spec, {"mel": mel}, Path(tmp) / "enc.onnx")
            dec = export_graph(wrappers["dcae_decoder"], decoder_spec, {"latents": latents}, Path(tmp) / "dec.onnx")
            got_latents = run_onnx(enc, {"mel": mel.numpy()})["latents"]
            got_mel = run_onnx(dec, {"latents": latents.numpy()})["mel"]
        self.assertLess(np.abs(got_latents - want_latents.numpy()).max(), 1e-5)
        self.assertLess(np.abs(got_mel - want_mel.numpy()).max(), 1e-4)


class TestParity(unittest.TestCase):
    """Both graphs at tiny and mid sizes: traced once at a short length, run at two other lengths,
    batch 1 and 2, torch vs onnxruntime-node."""

    # graph -> (trace length, case lengths): Tm mel frames for the encoder, T latent frames for the decoder.
    LENGTHS = {"dcae_encoder": (32, (64, 96)), "dcae_decoder": (4, (8, 12))}
    measured: dict[str, float] = {}

    @classmethod
    def tearDownClass(cls) -> None:
        for key, error in sorted(cls.measured.items()):
            print(f"  dcae parity {key}: max-abs {error:.3g}", file=sys.stderr)

    def check(self, name: str, config: DCAEConfig, seed: int) -> None:
        model = randomized(config, seed)
        wrappers = dcae.export_wrappers(model)
        gen = torch.Generator().manual_seed(seed)
        for spec in dcae.graph_specs(config):
            trace_length, lengths = self.LENGTHS[spec.name]
            trace = dcae.example_inputs(spec.name, config, 1, trace_length, gen)
            cases = [dcae.example_inputs(spec.name, config, batch, length, gen) for length in lengths for batch in (1, 2)]
            errors = assert_parity(self, wrappers[spec.name], spec, cases, export_example=trace)
            for output in spec.outputs:
                self.measured[f"{name} {spec.name}"] = max(e[output.name] for e in errors)

    def test_tiny(self) -> None:
        self.check("tiny", DCAEConfig.tiny(), 10)

    def test_mid(self) -> None:
        self.check("mid", DCAEConfig.mid(), 11)


if __name__ == "__main__":
    unittest.main()
