"""Tests for modules/vocoder.py: checkpoint names, config derivation, the mel front end tables,
weight-norm folding and torch-vs-onnxruntime-node parity of the `vocoder` graph.

Run: cd /work/main && /usr/bin/python3 -m unittest tools.export.tests.test_vocoder -v
"""
from __future__ import annotations

import json
import math
import unittest
from pathlib import Path

import numpy as np
import torch

from tools.export.modules import vocoder as V
from tools.export.tests.parity import assert_parity

_KEYS_FILE = Path(__file__).resolve().parents[4] / "shared/data/acestep-v1/checkpoint-keys/music_vocoder.json"


def _manifest() -> dict:
    return json.loads(_KEYS_FILE.read_text())


def _shapes(model: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def _randomise(model: V.MusicVocoder, seed: int) -> V.MusicVocoder:
    """Weights at scales that keep every stage's activations O(0.1..1) and the tanh mostly
    unsaturated (output std ≈ 0.2-0.3), so parity exercises the whole network, not a flat line.
    The gains on `ups`/`conv_post` make up for the transposed convs spreading each input over k/u taps."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("weight_g"):  # per-row norm of the effective weight
                gain = 1.8 if ".ups." in name else 2.0 if "conv_post" in name else 1.0
                p.copy_((torch.rand(p.shape, generator=g) * 0.8 + 0.6) * gain)
            elif name.endswith("weight_v"):
                p.copy_(torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
            elif name.endswith("gamma"):  # layer scale
                p.copy_(torch.rand(p.shape, generator=g) * 0.4 + 0.1)
            elif p.dim() == 1:  # LayerNorm weights
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))
    return model


# ----------------------------------------------------------------------------------------------


class CheckpointNamesTest(unittest.TestCase):
    def test_full_size_state_dict_matches_checkpoint_keys(self) -> None:
        manifest = _manifest()
        model = V.MusicVocoder(V.VocoderConfig.full(), device="meta")
        ours = {k: list(v) for k, v in _shapes(model).items()}
        theirs = manifest["keys"]
        self.assertEqual(set(theirs) - set(ours), {k for k in theirs if V.is_dead_weight(k)})
        self.assertEqual(set(ours) - set(theirs), set())
        for key, shape in ours.items():
            self.assertEqual(shape, theirs[key], key)
        self.assertEqual(sum(math.prod(s) for s in ours.values()), manifest["num_params"])
        # the mel tables are persistent buffers, as in upstream's state dict
        self.assertEqual(ours["mel_transform.mel_scale.fb"], [1025, 128])
        self.assertEqual(ours["mel_transform.spectrogram.window"], [2048])

    def test_from_checkpoint(self) -> None:
        manifest = _manifest()
        full = V.VocoderConfig.full()
        self.assertEqual(V.VocoderConfig.from_checkpoint(manifest["config"], manifest["keys"]), full)
        self.assertEqual(V.VocoderConfig.from_checkpoint(None, {}), full)
        self.assertEqual(V.VocoderConfig.from_checkpoint(full.to_json(), {}), full)
        # a diffusers config.json: upstream's constructor names plus bookkeeping keys, which are ignored
        upstream_json = {"_class_name": "ADaMoSHiFiGANV1", "_diffusers_version": "0.32.2", "drop_path_rate": 0.0, "use_template": False,
                         **{k: v for k, v in full.to_json().items() if k != "stem_kernel_size"}}
        self.assertEqual(V.VocoderConfig.from_checkpoint(upstream_json, manifest["keys"]), full)
        for config in (V.VocoderConfig.tiny(), V.VocoderConfig.mid()):
            shapes = _shapes(V.MusicVocoder(config, device="meta"))
            self.assertEqual(V.VocoderConfig.from_checkpoint(None, shapes), config)
            self.assertEqual(V.VocoderConfig.from_checkpoint(config.to_json(), shapes), config)
        # config.json wins over shape-derived guesses (strides are not in any shape)
        odd = V.VocoderConfig.from_checkpoint({"upsample_rates": [4, 4, 4, 2, 2, 2], "upsample_kernel_sizes": [12, 12, 12, 6, 6, 6]},
                                              _shapes(V.MusicVocoder(V.VocoderConfig.mid(), device="meta")))
        self.assertEqual(odd.upsample_rates, (4, 4, 4, 2, 2, 2))

    def test_config_validation(self) -> None:
        with self.assertRaisesRegex(ValueError, "hop_length"):
            V.VocoderConfig(upsample_rates=(4, 4, 2, 2, 2, 2), upsample_kernel_sizes=(8, 8, 4, 4, 4, 4))
        with self.assertRaisesRegex(ValueError, "num_mels"):
            V.VocoderConfig(num_mels=256)
        with self.assertRaises(NotImplementedError):
            V.VocoderConfig.from_checkpoint({"use_template": True}, {})

    def test_parametrized_weight_norm_names_are_renamed(self) -> None:
        raw = {"head.conv_pre.parametrizations.weight.original0": torch.ones(2, 1, 1),
               "head.conv_pre.parametrizations.weight.original1": torch.ones(2, 3, 5), "head.conv_pre.bias": torch.zeros(2)}
        state = V.checkpoint_to_module_state(raw, V.VocoderConfig.full())
        self.assertEqual(set(state), {"head.conv_pre.weight_g", "head.conv_pre.weight_v", "head.conv_pre.bias"})
        self.assertEqual(tuple(state["head.conv_pre.weight_v"].shape), (2, 3, 5))


# ----------------------------------------------------------------------------------------------


class MelTablesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.model = V.MusicVocoder(V.VocoderConfig.tiny())  # tables are full size in every config
        cls.fb = V.mel_filterbank(cls.model).double()
        cls.bin_hz = np.arange(1025) * 22050.0 / 1024.0
        # Filter edges in float64: Slaney mel is 3f/200 below 1 kHz, 15 + 27·ln(f/1000)/ln(6.4) above.
        step = math.log(6.4) / 27.0
        mel_max = 15.0 + math.log(16.0) / step
        mels = np.linspace(0.6, mel_max, 130)  # 0.6 = mel(40 Hz)
        cls.edges = np.where(mels < 15.0, mels * 200.0 / 3.0, 1000.0 * np.exp(step * (mels - 15.0)))

    def test_shape_and_dtype(self) -> None:
        self.assertEqual(tuple(self.fb.shape), (1025, 128))
        self.assertEqual(V.mel_filterbank(self.model).dtype, torch.float32)

    def test_zero_outside_band(self) -> None:
        fb = self.fb.numpy()
        self.assertTrue(np.all(fb[self.bin_hz <= 40.0] == 0.0))
        self.assertTrue(np.all(fb[self.bin_hz >= 16000.0] == 0.0))
        self.assertTrue(np.all(fb >= 0.0))
        self.assertTrue(np.all(fb.max(axis=0) > 0.0))  # no empty filter

    def test_triangles(self) -> None:
        fb = self.fb.numpy()
        for m in range(128):
            lower, centre, upper = self.edges[m], self.edges[m + 1], self.edges[m + 2]
            support = np.nonzero(fb[:, m])[0]
            # non-zero only strictly inside (lower, upper) — 0.01 Hz slack for the fp32 edges
            self.assertTrue(np.all(self.bin_hz[support] > lower - 0.01) and np.all(self.bin_hz[support] < upper + 0.01), m)
            # the peak bin is one of the two bins around the centre
            self.assertLess(abs(self.bin_hz[fb[:, m].argmax()] - centre), 22050.0 / 1024.0, m)
            # the triangle's peak height (at the centre itself) is 2/(upper - lower): Slaney area norm
            self.assertLessEqual(fb[:, m].max(), 2.0 / (upper - lower) * (1 + 1e-5), m)
            if upper - lower > 20 * 22050.0 / 1024.0:  # wide filters: area in Hz ≈ 1
                self.assertAlmostEqual(fb[:, m].sum() * 22050.0 / 1024.0, 1.0, delta=0.01, msg=str(m))

    def test_hand_computed_values(self) -> None:
        # mel(40) = 0.6, mel(16000) = 15 + 27·ln16/ln6.4 = 55.327521; 130 edges, step d = 54.727521/129 = 0.4242443.
        # Filter 0: edges 40, (0.6+d)·200/3 = 68.282956, (0.6+2d)·200/3 = 96.565913 Hz; area norm 2/56.565913 = 0.03535699.
        # Bin k sits at k·22050/1024 = 21.533203·k Hz.
        #   fb[2,0]: rising (43.066406-40)/28.282956 = 0.1084191  -> ·0.03535699 = 0.0038334
        #   fb[3,0]: rising (64.599609-40)/28.282956 = 0.8697676, falling (96.565913-64.599609)/28.282956 = 1.1302324
        #            -> min 0.8697676 ·0.03535699 = 0.0307524
        #   fb[4,0]: falling (96.565913-86.132813)/28.282956 = 0.3688829 -> ·0.03535699 = 0.0130426
        # Filter 127: edges 1000·exp(ln6.4/27·(m-15)) = 15093.340, 15540.059, 16000.000 Hz; norm 2/906.660 = 0.00220590.
        #   fb[730,127]: 15719.238 Hz, falling (16000-15719.238)/459.941 = 0.6104304 -> 0.0013465
        expected = {(2, 0): 0.0038334, (3, 0): 0.0307524, (4, 0): 0.0130426, (730, 127): 0.0013465}
        for (k, m), value in expected.items():
            self.assertAlmostEqual(self.fb[k, m].item() / value, 1.0, delta=2e-4, msg=f"fb[{k},{m}]")
        self.assertEqual(self.fb[1, 0].item(), 0.0)  # 21.5 Hz: below f_min
        self.assertEqual(self.fb[5, 0].item(), 0.0)  # 107.7 Hz: past filter 0's upper edge

    def test_matches_float64_closed_form(self) -> None:
        lower, centre, upper = self.edges[:-2], self.edges[1:-1], self.edges[2:]
        f = self.bin_hz[:, None]
        tri = np.maximum(0.0, np.minimum((f - lower) / (centre - lower), (upper - f) / (upper - centre)))
        want = tri * 2.0 / (upper - lower)
        # fp32 edges near 16 kHz move by ~1e-3 Hz; relative to the largest entry that is far below 1e-4
        self.assertLess(np.abs(self.fb.numpy() - want).max() / want.max(), 1e-4)

    def test_hann_window(self) -> None:
        window = V.hann_window(self.model)
        self.assertEqual(tuple(window.shape), (2048,))
        # periodic Hann: 0.5 - 0.5·cos(2πn/2048): w[0] = 0, w[512] = 0.5, w[1024] = 1, w[2047] = w[1]
        self.assertEqual(window[0].item(), 0.0)
        self.assertAlmostEqual(window[512].item(), 0.5, places=6)
        self.assertAlmostEqual(window[1024].item(), 1.0, places=6)
        self.assertAlmostEqual(window[2047].item(), window[1].item(), places=7)
        self.assertTrue(torch.equal(window, torch.hann_window(2048)))


class LogMelReferenceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.model = V.MusicVocoder(V.VocoderConfig.tiny())

    def test_length(self) -> None:
        for frames in (2, 7, 16):
            audio = torch.randn(2, 512 * frames, generator=torch.Generator().manual_seed(frames)) * 0.3
            mel = V.log_mel_reference(self.model, audio)
            self.assertEqual(tuple(mel.shape), (2, 128, frames))
            self.assertTrue(torch.isfinite(mel).all())

    def test_matches_numpy_front_end(self) -> None:
        # The same recipe the TS front end follows, in float64 numpy: reflect pad 768/768, frames of
        # 2048 every 512, Hann, rfft, sqrt(re²+im²+1e-6), filterbank, log(max(x, 1e-5)).
        audio = (torch.randn(2, 4096, generator=torch.Generator().manual_seed(3)) * 0.3).numpy().astype(np.float64)
        padded = np.pad(audio, ((0, 0), (768, 768)), mode="reflect")
        frames = np.stack([padded[:, i * 512 : i * 512 + 2048] for i in range(8)], axis=1)  # [C, F, 2048]
        spec = np.fft.rfft(frames * V.hann_window(self.model).double().numpy(), axis=-1)
        magnitude = np.sqrt(spec.real**2 + spec.imag**2 + 1e-6)
        want = np.log(np.maximum(magnitude @ V.mel_filterbank(self.model).double().numpy(), 1e-5)).transpose(0, 2, 1)
        got = V.log_mel_reference(self.model, torch.from_numpy(audio).float()).double().numpy()
        self.assertLess(np.abs(got - want).max(), 1e-3)

    def test_sine_lands_in_its_filter(self) -> None:
        t = torch.arange(8192, dtype=torch.float64) / 44100.0
        audio = (0.5 * torch.sin(2 * math.pi * 1000.0 * t)).float()[None]
        mel = V.log_mel_reference(self.model, audio)
        # filter m is centred on edge m+1; edge 34 = 1001.67 Hz is the one nearest 1 kHz -> filter 33
        self.assertEqual(int(mel[0, :, 8].argmax()), 33)


# ----------------------------------------------------------------------------------------------


class WeightNormTest(unittest.TestCase):
    def test_matches_torch_weight_norm(self) -> None:
        # torch's own (old-style) weight_norm on CPU defines the semantics: dim 0 of the stored weight,
        # which is the input channel for ConvTranspose1d.
        torch.manual_seed(0)
        x = torch.randn(2, 6, 20)
        cases = [  # (torch reference, ours, shape of weight_g)
            (torch.nn.ConvTranspose1d(6, 3, 8, 4, padding=2), V._WeightNormConv1d(6, 3, 8, stride=4, padding=2, transposed=True), (6, 1, 1)),
            (torch.nn.Conv1d(6, 3, 5, dilation=3, padding=6), V._WeightNormConv1d(6, 3, 5, dilation=3, padding=6), (3, 1, 1)),
        ]
        for reference, ours, g_shape in cases:
            reference = torch.nn.utils.weight_norm(reference)
            with torch.no_grad():
                reference.weight_g.mul_(torch.rand_like(reference.weight_g) + 0.5)
            self.assertEqual(tuple(ours.weight_g.shape), g_shape)
            ours.load_state_dict(reference.state_dict())
            with torch.no_grad():
                torch.testing.assert_close(ours(x), reference(x), rtol=1e-5, atol=1e-6)
                ours.fold()
                torch.testing.assert_close(ours(x), reference(x), rtol=1e-5, atol=1e-6)

    def test_fold_keeps_output(self) -> None:
        model = _randomise(V.MusicVocoder(V.VocoderConfig.mid()), seed=1)
        mel = V.example_inputs("vocoder", model.config, 1, 13, torch.Generator().manual_seed(2))["mel"]
        with torch.no_grad():
            before = model(mel)
            V.prepare_for_export(model)
            after = model(mel)
        keys = set(model.state_dict())
        self.assertFalse(any(k.endswith(("weight_g", "weight_v")) for k in keys))
        self.assertIn("head.ups.0.weight", keys)
        self.assertLessEqual((before - after).abs().max().item(), 1e-5)
        V.prepare_for_export(model)  # idempotent
        self.assertEqual(set(model.state_dict()), keys)


# ----------------------------------------------------------------------------------------------


class ParityTest(unittest.TestCase):
    """Export once per config (traced at batch 1, F=8), run batch 1 and 2 at F=8 and F=13."""

    def _check(self, config: V.VocoderConfig, seed: int) -> None:
        model = _randomise(V.MusicVocoder(config), seed)
        V.prepare_for_export(model)
        (spec,) = V.GRAPHS
        wrapper = V.export_wrappers(model)[spec.name]
        cases = [V.example_inputs(spec.name, config, batch, frames, torch.Generator().manual_seed(100 * batch + frames))
                 for frames in (8, 13) for batch in (1, 2)]
        for case in cases:
            with torch.no_grad():
                audio = wrapper(case["mel"])
            self.assertEqual(tuple(audio.shape), (case["mel"].shape[0], 1, 512 * case["mel"].shape[2]))
            self.assertGreater(audio.std().item(), 0.05)  # the random weights really produce a signal
        errors = assert_parity(self, wrapper, spec, cases)
        print(f"\n  vocoder parity {config.dims}: " + ", ".join(f"{e['audio']:.2e}" for e in errors))

    def test_tiny(self) -> None:
        self._check(V.VocoderConfig.tiny(), seed=10)

    def test_mid(self) -> None:
        self._check(V.VocoderConfig.mid(), seed=11)


if __name__ == "__main__":
    unittest.main()
