"""The committed tiny pack: regenerated from its seed it is byte-identical, its manifest is valid and
complete, it stays small, and its fp16 variant computes the same thing as its fp32 graphs."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

from tools.export import build, manifest
from tools.export.components import GRAPH_ORDER, BINDINGS
from tools.export.ort import run_onnx

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "models" / "tiny"


class TinyPackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.regenerated = Path(cls.tmp.name) / "tiny"
        # Exactly the documented command, as a user would run it.
        done = subprocess.run([sys.executable, "-m", "tools.export", "--tiny", "--seed", "0", "--out", str(cls.regenerated)],
                              cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if done.returncode != 0:
            raise AssertionError(f"tiny pack export failed:\n{done.stderr}")
        cls.export_log = done.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_regenerating_reproduces_the_committed_pack_byte_for_byte(self):
        committed = sorted(p.name for p in TINY.iterdir())
        regenerated = sorted(p.name for p in self.regenerated.iterdir())
        self.assertEqual(committed, regenerated)
        for name in committed:
            self.assertEqual((TINY / name).read_bytes(), (self.regenerated / name).read_bytes(), f"{name} differs from a fresh export")

    def test_progress_is_reported_per_graph(self):
        for graph in GRAPH_ORDER:
            self.assertIn(f"[{graph}] done", self.export_log)

    def test_manifest_is_complete_and_matches_the_files(self):
        data = manifest.read(TINY)
        self.assertEqual(data["family"], "ace-step-v1")
        self.assertEqual(list(data["graphs"]), list(GRAPH_ORDER))
        self.assertEqual(manifest.verify_files(TINY, data), [])
        listed = {entry["path"] for entry in data["files"]}
        self.assertEqual(listed | {"manifest.json"}, {p.name for p in TINY.iterdir()})
        self.assertLess(sum(entry["bytes"] for entry in data["files"]), 8 * 1024 * 1024)
        self.assertIsNone(data["langid"])
        self.assertEqual(data["constants"]["max_frames"], 2583)
        self.assertAlmostEqual(data["constants"]["frames_per_second"], 44100 / 4096)
        self.assertEqual(data["provenance"]["source"], {"kind": "random", "seed": 0, "sizes": "tiny"})
        # Too shallow for upstream's absolute ERG layers: it records its own, inside its depth.
        erg = data["erg"]
        self.assertFalse(erg["upstream_indices"])
        self.assertTrue(all(i < data["modules"]["umt5"]["num_layers"] for i in erg["umt5_layers"]))
        self.assertTrue(all(i < data["modules"]["transformer"]["num_layers"] for i in erg["dit_layers"]))

    def test_lyric_vocabulary_keeps_the_real_special_ids(self):
        vocab = json.loads((TINY / "vocab.json").read_text())
        added = {t["content"]: t["id"] for t in vocab["added_tokens"]}
        self.assertEqual(added["[START]"], 261)
        self.assertEqual(added["[en]"], 259)
        self.assertEqual(added["[zh-cn]"], 5023)
        self.assertEqual(added["[verse]"], 6683)
        self.assertEqual(added["[break]"], 6692)
        self.assertEqual(max(vocab["model"]["vocab"].values()), 6680)
        self.assertEqual(len(vocab["model"]["vocab"]), 6681)
        text = json.loads((TINY / "tokenizer.json").read_text())
        self.assertEqual(len(text["model"]["vocab"]), manifest.read(TINY)["modules"]["umt5"]["vocab_size"])

    def test_fp16_variant_matches_fp32_within_half_precision(self):
        out = Path(self.tmp.name) / "tiny-both"
        build.tiny_pack(out, seed=0, precision="both")
        data = manifest.read(out)
        generator = torch.Generator().manual_seed(5)
        components = {name: BINDINGS[name].config_cls.tiny() for name in BINDINGS}
        for graph, entry in data["graphs"].items():
            fp32, fp16 = entry["precisions"]["fp32"]["file"], entry["precisions"]["fp16"]["file"]
            if graph == "umt5_encoder":
                self.assertEqual(fp32, fp16, "UMT5 must stay fp32 in fp16 packs")
                continue
            self.assertNotEqual(fp32, fp16)
            module = BINDINGS[entry["component"]].module
            inputs = module.example_inputs(graph, components[entry["component"]], 2, 16, generator)
            feeds = {k: v.numpy() for k, v in inputs.items()}
            full, half = run_onnx(out / fp32, feeds), run_onnx(out / fp16, feeds)
            for name in full:
                self.assertEqual(half[name].dtype, np.float32, f"{graph}.{name}: fp16 graphs keep fp32 IO")
                scale = max(float(np.abs(full[name]).max()), 1e-6)
                error = float(np.abs(full[name] - half[name]).max()) / scale
                self.assertLess(error, 3e-2, f"{graph}.{name}: fp16 relative error {error:.3g}")
            self.assertLess((out / fp16).stat().st_size, 0.7 * (out / fp32).stat().st_size, f"{graph}: fp16 weights not halved")


if __name__ == "__main__":
    unittest.main()
