"""The exporter end to end from a (synthetic, tiny) real-layout checkpoint: a base pack with the
real lyric vocabulary and langid model, a LoRA variant sharing the base's unchanged graphs, clear
errors for bad input, the disk estimate, ONNX external data, and --verify's acceptance rule."""
import contextlib
import io
import json
import math
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import numpy as np
import torch

from tools.export import manifest, onnx_export, safetensors_io
from tools.export.__main__ import main
from tools.export.components import load_component
from tools.export.checkpoint import open_checkpoint
from tools.export.ort import run_onnx
from tools.export.pack import PackError
from tools.export.tests import synthetic
from tools.export.verify import Comparison, enforce

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
VOCAB = SHARED / "acestep-v1" / "vocab.json"
LANGID = SHARED / "py3langid" / "model.plzma"


def run_cli(*args: str) -> tuple[int, str]:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main([str(a) for a in args])
    return code, stderr.getvalue()


@unittest.skipUnless(VOCAB.exists() and LANGID.exists(), f"shared upstream data not found under {SHARED}")
class ExportFromCheckpointTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = Path(cls.tmp.name)
        cls.components = synthetic.tiny_components(seed=21)
        cls.stored = synthetic.stored_states(cls.components)
        cls.checkpoint = synthetic.write_hf(cls.root / "ACE-Step-v1-3.5B", cls.components, cls.stored)
        cls.models = cls.root / "models"
        code, log = run_cli("--checkpoint", cls.checkpoint, "--out", cls.models / "base", "--precision", "fp32",
                            "--lyric-vocab", VOCAB, "--langid-model", LANGID)
        assert code == 0, log
        cls.base = manifest.read(cls.models / "base")
        cls.lora_dir = cls.root / "lora"
        cls.lora_dir.mkdir()
        generator = torch.Generator().manual_seed(9)
        state = cls.components["transformer"].model.state_dict()
        cls.lora_modules = ["transformer_blocks.0.cross_attn.to_q", "lyric_encoder.encoders.0.self_attn.linear_q", "speaker_embedder"]
        tensors = {}
        for module in cls.lora_modules:
            out_features, in_features = state[f"{module}.weight"].shape
            tensors[f"{module}.lora_A.weight"] = torch.randn(4, in_features, generator=generator) * 0.3
            tensors[f"{module}.lora_B.weight"] = torch.randn(out_features, 4, generator=generator) * 0.3
        safetensors_io.save(tensors, cls.lora_dir / "pytorch_lora_weights.safetensors")
        (cls.lora_dir / "adapter_config.json").write_text(json.dumps({"r": 4, "lora_alpha": 8, "use_rslora": True}))
        code, log = run_cli("--checkpoint", cls.checkpoint, "--out", cls.models / "base+lora", "--precision", "fp32",
                            "--lyric-vocab", VOCAB, "--langid-model", LANGID, "--lora", cls.lora_dir, "--lora-weight", "0.5",
                            "--base-pack", cls.models / "base")
        assert code == 0, log
        cls.variant = manifest.read(cls.models / "base+lora")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_base_pack_carries_the_real_vocabulary_langid_and_provenance(self):
        self.assertEqual((self.models / "base" / "vocab.json").read_bytes(), VOCAB.read_bytes())
        self.assertEqual(self.base["langid"]["classes"], 97)
        self.assertTrue((self.models / "base" / "langid.safetensors").exists())
        files = {f["path"]: f for f in self.base["provenance"]["source"]["files"]}
        dit = "ace_step_transformer/diffusion_pytorch_model.safetensors"
        self.assertEqual(files[dit]["sha256"], manifest.sha256_file(self.checkpoint / dit))
        self.assertEqual(self.base["provenance"]["source"]["layout"], "hf-folder")
        self.assertEqual(manifest.verify_files(self.models / "base", self.base), [])
        self.assertIsNone(self.base["lora"])

    def test_base_pack_graphs_compute_the_checkpoint_weights(self):
        # The pack's DiT must compute what a torch module holding the stored (bf16) weights computes.
        loaded = load_component(open_checkpoint(self.checkpoint), "transformer")
        inputs = loaded.example_inputs("ace_dit_decoder", batch=2, length=7, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            expected = loaded.wrapper("ace_dit_decoder")(*inputs.values()).numpy()
        got = run_onnx(self.models / "base" / "ace_dit_decoder.onnx", {k: v.numpy() for k, v in inputs.items()})["velocity"]
        self.assertLess(float(np.abs(got - expected).max()), 1e-4)

    def test_lora_variant_references_the_base_graphs_it_does_not_change(self):
        for graph in ("umt5_encoder", "dcae_encoder", "dcae_decoder", "vocoder"):
            self.assertEqual(self.variant["graphs"][graph]["precisions"]["fp32"]["file"], f"../base/{graph}.onnx")
            self.assertFalse((self.models / "base+lora" / f"{graph}.onnx").exists(), f"{graph} duplicated")
        for graph in ("ace_condition_encoder", "ace_dit_decoder"):
            self.assertEqual(self.variant["graphs"][graph]["precisions"]["fp32"]["file"], f"{graph}.onnx")
        self.assertEqual(manifest.verify_files(self.models / "base+lora", self.variant), [])
        self.assertEqual(self.variant["lora"]["weight"], 0.5)
        self.assertEqual(self.variant["lora"]["targets"], 3)
        self.assertEqual(self.variant["lora"]["scaling"], [8 / math.sqrt(4)])

    def test_lora_variant_computes_the_merged_weights(self):
        loaded = load_component(open_checkpoint(self.checkpoint), "transformer")
        state = {k: v.clone() for k, v in loaded.model.state_dict().items()}
        lora = safetensors_io.load(self.lora_dir / "pytorch_lora_weights.safetensors")
        for module in self.lora_modules:
            delta = lora[f"{module}.lora_B.weight"].double() @ lora[f"{module}.lora_A.weight"].double()
            state[f"{module}.weight"] = (state[f"{module}.weight"].double() + 0.5 * (8 / 2) * delta).float()
        loaded.model.load_state_dict(state)
        inputs = loaded.example_inputs("ace_condition_encoder", batch=2, length=5, generator=torch.Generator().manual_seed(2))
        feeds = {k: v.numpy() for k, v in inputs.items()}
        with torch.no_grad():
            expected = loaded.wrapper("ace_condition_encoder")(*inputs.values())[0].numpy()
        variant = run_onnx(self.models / "base+lora" / "ace_condition_encoder.onnx", feeds)["encoder_hidden_states"]
        base = run_onnx(self.models / "base" / "ace_condition_encoder.onnx", feeds)["encoder_hidden_states"]
        self.assertLess(float(np.abs(variant - expected).max()), 1e-4)
        self.assertGreater(float(np.abs(variant - base).max()), 1e-2, "the LoRA changed nothing")

    def test_a_lora_for_another_model_is_refused(self):
        other = self.root / "other-lora"
        other.mkdir(exist_ok=True)
        safetensors_io.save({"down_blocks.0.to_q.lora_A.weight": torch.zeros(2, 4), "down_blocks.0.to_q.lora_B.weight": torch.zeros(4, 2),
                             "down_blocks.0.to_q.alpha": torch.tensor(2.0)}, other / "pytorch_lora_weights.safetensors")
        code, log = run_cli("--checkpoint", self.checkpoint, "--out", self.root / "bad", "--lyric-vocab", VOCAB,
                            "--langid-model", LANGID, "--lora", other)
        self.assertEqual(code, 2)
        self.assertIn("down_blocks.0.to_q", log)


class ExportErrorsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_wrong_path_is_a_clear_error(self):
        code, log = run_cli("--checkpoint", self.root / "nope", "--out", self.root / "out", "--lyric-vocab", VOCAB)
        self.assertEqual(code, 2)
        self.assertIn("checkpoint not found", log)

    def test_a_comfyui_file_needs_a_text_tokenizer(self):
        components = synthetic.tiny_components()
        file = synthetic.write_comfy(self.root / "ace.safetensors", synthetic.stored_states(components))
        code, log = run_cli("--checkpoint", file, "--out", self.root / "out", "--lyric-vocab", VOCAB)
        self.assertEqual(code, 2)
        self.assertIn("--text-tokenizer", log)

    def test_lora_needs_a_real_checkpoint(self):
        code, log = run_cli("--tiny", "--out", self.root / "out", "--lora", self.root)
        self.assertEqual(code, 2)
        self.assertIn("--lora", log)

    def test_too_little_disk_is_refused_before_writing(self):
        from tools.export import build
        fake_usage = mock.Mock(return_value=mock.Mock(free=1_000_000))
        with mock.patch("tools.export.pack.shutil.disk_usage", fake_usage), self.assertRaisesRegex(PackError, "not enough disk space"):
            build.tiny_pack(self.root / "tiny")
        self.assertFalse(any((self.root / "tiny").glob("*.onnx")))

    def test_large_graphs_use_one_external_data_file_that_onnxruntime_loads(self):
        from tools.export.graph_spec import GraphSpec
        components = synthetic.tiny_components()
        dit = components["transformer"]
        spec = next(s for s in dit.graph_specs() if s.name == "ace_dit_decoder")
        inputs = dit.example_inputs("ace_dit_decoder", batch=1, length=6, generator=torch.Generator().manual_seed(3))
        with mock.patch.object(onnx_export, "EXTERNAL_DATA_THRESHOLD", 10_000):
            path = onnx_export.export_graph(dit.wrapper("ace_dit_decoder"), spec, inputs, self.root / "dit.onnx")
        self.assertEqual(sorted(p.name for p in self.root.iterdir()), ["dit.onnx", "dit.onnx.data"])
        self.assertLess(path.stat().st_size, 200_000)
        got = run_onnx(path, {k: v.numpy() for k, v in inputs.items()})["velocity"]
        with torch.no_grad():
            expected = dit.wrapper("ace_dit_decoder")(*inputs.values()).numpy()
        self.assertLess(float(np.abs(got - expected).max()), 1e-4)


    def test_fp16_conversion_of_an_external_data_graph_streams_into_its_own_side_file(self):
        from tools.export.fp16 import convert_file_to_fp16
        dit = synthetic.tiny_components()["transformer"]
        spec = next(s for s in dit.graph_specs() if s.name == "ace_dit_decoder")
        inputs = dit.example_inputs("ace_dit_decoder", batch=2, length=9, generator=torch.Generator().manual_seed(4))
        with mock.patch.object(onnx_export, "EXTERNAL_DATA_THRESHOLD", 10_000):
            full = onnx_export.export_graph(dit.wrapper("ace_dit_decoder"), spec, inputs, self.root / "dit.onnx")
        half = convert_file_to_fp16(full, self.root / "dit.fp16.onnx")
        self.assertTrue((self.root / "dit.fp16.onnx.data").exists())
        self.assertLess((self.root / "dit.fp16.onnx.data").stat().st_size, 0.6 * (self.root / "dit.onnx.data").stat().st_size)
        feeds = {k: v.numpy() for k, v in inputs.items()}
        want, got = run_onnx(full, feeds)["velocity"], run_onnx(half, feeds)["velocity"]
        self.assertLess(float(np.abs(want - got).max() / np.abs(want).max()), 1e-2)


class VerifyRuleTest(unittest.TestCase):
    def test_passes_within_and_refuses_beyond_relative_1e_3(self):
        enforce([Comparison("vocoder", "plain", 1e-4, 9e-4)])
        with self.assertRaisesRegex(PackError, "ace_dit_decoder plain"):
            enforce([Comparison("vocoder", "plain", 1e-4, 9e-4), Comparison("ace_dit_decoder", "plain", 0.1, 2e-3)])
        with self.assertRaises(PackError):
            enforce([Comparison("umt5_encoder", "erg", float("nan"), float("nan"))])


if __name__ == "__main__":
    unittest.main()
