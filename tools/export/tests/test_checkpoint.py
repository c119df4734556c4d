"""Strict loading of synthetic checkpoints with the real key names at tiny sizes, in both published
layouts (Hugging Face folder, ComfyUI all-in-one file), stored in the real dtypes."""
import tempfile
import unittest
from pathlib import Path

import torch

from tools.export import safetensors_io
from tools.export.checkpoint import CheckpointError, open_checkpoint
from tools.export.components import BINDINGS, load_component
from tools.export.safetensors_io import SafetensorsError
from tools.export.tests import synthetic

class CheckpointLoadingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = Path(cls.tmp.name)
        cls.components = synthetic.tiny_components()
        cls.stored = synthetic.stored_states(cls.components)
        cls.hf = synthetic.write_hf(cls.root / "ACE-Step-v1-3.5B", cls.components, cls.stored)
        cls.comfy = synthetic.write_comfy(cls.root / "ace_step_v1_3.5b.safetensors", cls.stored)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def _assert_loaded_equal(self, loaded, name):
        expected = self.stored[name]
        for key, value in loaded.model.state_dict().items():
            torch.testing.assert_close(value, expected[key].float(), rtol=0, atol=0, msg=f"{name}.{key}")

    def test_hugging_face_folder_loads_every_component_exactly(self):
        checkpoint = open_checkpoint(self.hf)
        self.assertEqual(checkpoint.layout, "hf-folder")
        for name in BINDINGS:
            loaded = load_component(checkpoint, name)
            self.assertEqual(loaded.config, self.components[name].config, name)
            self._assert_loaded_equal(loaded, name)
        transformer = load_component(checkpoint, "transformer")
        self.assertEqual(len(transformer.skipped_dead_weights), 6 * len(transformer.config.ssl_latent_dims) + 8 * transformer.config.num_layers)

    def test_comfyui_single_file_loads_to_the_same_weights(self):
        checkpoint = open_checkpoint(self.comfy)
        self.assertEqual(checkpoint.layout, "comfyui-file")
        self.assertIsNone(checkpoint.tokenizer_dir)
        # The file has no config.json; every size comes from shapes except the DiT's head width, which
        # no tensor shows (upstream's 128 is the fallback): give it for these tiny weights.
        checkpoint.components["transformer"].config_json = self.components["transformer"].config.to_config_json()
        for name in ("umt5", "transformer", "dcae"):
            loaded = load_component(checkpoint, name)
            self.assertEqual(loaded.config, self.components[name].config, name)
            self._assert_loaded_equal(loaded, name)
        # The vocoder arrives folded; after export preparation it computes what the g/v original does.
        vocoder = load_component(checkpoint, "vocoder")
        reference = load_component(open_checkpoint(self.hf), "vocoder")
        mel = torch.randn(2, 128, 6, generator=torch.Generator().manual_seed(0))
        torch.testing.assert_close(vocoder.wrapper("vocoder")(mel), reference.wrapper("vocoder")(mel), rtol=1e-4, atol=1e-5)

    def test_a_removed_key_fails_and_names_it(self):
        root = self.root / "missing"
        synthetic.write_hf(root, self.components, self.stored, drop="decoder.conv_in.weight" if "decoder.conv_in.weight" in self.stored["dcae"] else next(iter(self.stored["dcae"])))
        with self.assertRaisesRegex(CheckpointError, r"dcae.*missing keys: .*"):
            load_component(open_checkpoint(root), "dcae")

    def test_an_added_key_fails_and_names_it(self):
        root = self.root / "extra"
        synthetic.write_hf(root, self.components, self.stored, add="encoder.surprise.weight")
        with self.assertRaisesRegex(CheckpointError, r"unexpected keys: encoder\.surprise\.weight"):
            load_component(open_checkpoint(root), "dcae")

    def test_a_wrong_shape_fails_and_names_it(self):
        root = self.root / "shape"
        stored = {k: dict(v) for k, v in self.stored.items()}
        stored["transformer"]["final_layer.linear.bias"] = torch.zeros(3, dtype=torch.bfloat16)
        synthetic.write_hf(root, self.components, stored)
        with self.assertRaisesRegex(CheckpointError, r"final_layer\.linear\.bias"):
            load_component(open_checkpoint(root), "transformer")

    def test_a_foreign_key_in_the_comfyui_file_fails(self):
        file = self.root / "foreign.safetensors"
        safetensors_io.save({"model.diffusion_model.x": torch.zeros(1), "cond_stage_model.y": torch.zeros(1)}, file)
        with self.assertRaisesRegex(CheckpointError, r"cond_stage_model\.y"):
            open_checkpoint(file)

    def test_wrong_paths_and_partial_downloads_are_clear(self):
        with self.assertRaisesRegex(CheckpointError, "not found"):
            open_checkpoint(self.root / "nowhere")
        partial = self.root / "partial"
        (partial / "ace_step_transformer").mkdir(parents=True)
        with self.assertRaisesRegex(CheckpointError, "music_dcae_f8c8"):
            open_checkpoint(partial)
        truncated = self.root / "truncated.safetensors"
        truncated.write_bytes(self.comfy.read_bytes()[:-1000])
        with self.assertRaisesRegex(SafetensorsError, "incomplete"):
            open_checkpoint(truncated)


if __name__ == "__main__":
    unittest.main()
