"""Strict loading of synthetic checkpoints with the real key names at tiny sizes, in both published
layouts (Hugging Face folder, ComfyUI all-in-one file), stored in the real dtypes."""
import json
import re
import tempfile
import unittest
from pathlib import Path

import torch

from tools.export import safetensors_io
from tools.export.checkpoint import CheckpointError, open_checkpoint
from tools.export.components import BINDINGS, build_random, load_component
from tools.export.safetensors_io import SafetensorsError

# Real storage (spec §12): DiT in 16-bit (bf16 here), DCAE and vocoder 16-bit (f16 here), UMT5 fp32.
STORED_DTYPES = {"transformer": torch.bfloat16, "dcae": torch.float16, "vocoder": torch.float16, "umt5": torch.float32}
FOLDERS = {"transformer": "ace_step_transformer", "dcae": "music_dcae_f8c8", "vocoder": "music_vocoder", "umt5": "umt5-base"}
COMFY_PREFIXES = {"transformer": "model.diffusion_model.", "dcae": "vae.dcae.", "vocoder": "vae.vocoder.", "umt5": "text_encoders.umt5base.transformer."}


def dead_transformer_weights(config) -> dict[str, torch.Tensor]:
    """The named dead weights a real DiT checkpoint carries (spec §1.6), at tiny sizes."""
    inner = config.inner_dim
    dead = {}
    for index, ssl_dim in enumerate(config.ssl_latent_dims):  # SSL projectors: Linear, SiLU, Linear, SiLU, Linear
        for layer, (rows, cols) in {0: (2 * inner, inner), 2: (2 * inner, 2 * inner), 4: (ssl_dim, 2 * inner)}.items():
            dead[f"projectors.{index}.{layer}.weight"] = torch.randn(rows, cols)
            dead[f"projectors.{index}.{layer}.bias"] = torch.randn(rows)
    for block in range(config.num_layers):
        for name in ("add_q_proj", "add_k_proj", "add_v_proj", "to_add_out"):
            dead[f"transformer_blocks.{block}.cross_attn.{name}.weight"] = torch.randn(inner, inner)
            dead[f"transformer_blocks.{block}.cross_attn.{name}.bias"] = torch.randn(inner)
    return dead


class CheckpointLoadingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = Path(cls.tmp.name)
        cls.components = {name: build_random(name, BINDINGS[name].config_cls.tiny(), seed=7 + i) for i, name in enumerate(BINDINGS)}
        cls.stored = {}
        for name, component in cls.components.items():
            state = {k: v.to(STORED_DTYPES[name]) for k, v in component.model.state_dict().items()}
            if name == "transformer":
                state.update({k: v.to(torch.bfloat16) for k, v in dead_transformer_weights(component.config).items()})
            cls.stored[name] = state
        cls.hf = cls.root / "ACE-Step-v1-3.5B"
        cls._write_hf(cls.hf, cls.stored)
        cls.comfy = cls.root / "ace_step_v1_3.5b.safetensors"
        cls._write_comfy(cls.comfy, cls.stored)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def _write_hf(cls, root: Path, stored: dict, drop: str | None = None, add: str | None = None):
        for name, state in stored.items():
            folder = root / FOLDERS[name]
            folder.mkdir(parents=True, exist_ok=True)
            state = {k: v for k, v in state.items() if k != drop}
            if add and name == "dcae":
                state[add] = torch.zeros(3)
            file = "model.safetensors" if name == "umt5" else "diffusion_pytorch_model.safetensors"
            safetensors_io.save(state, folder / file)
            config = cls.components[name].config
            (folder / "config.json").write_text(json.dumps(config.to_config_json() if hasattr(config, "to_config_json") else config.to_json()))

    @classmethod
    def _write_comfy(cls, file: Path, stored: dict):
        everything = {"text_encoders.umt5base.logit_scale": torch.tensor(1.0), "text_encoders.spiece_model": torch.zeros(16, dtype=torch.uint8)}
        for name, state in stored.items():
            if name == "vocoder":
                state = fused_weight_norm(state)  # ComfyUI's file may ship the head already folded
            everything.update({COMFY_PREFIXES[name] + k: v for k, v in state.items()})
        safetensors_io.save(everything, file)

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
        self._write_hf(root, self.stored, drop="decoder.conv_in.weight" if "decoder.conv_in.weight" in self.stored["dcae"] else next(iter(self.stored["dcae"])))
        with self.assertRaisesRegex(CheckpointError, r"dcae.*missing keys: .*"):
            load_component(open_checkpoint(root), "dcae")

    def test_an_added_key_fails_and_names_it(self):
        root = self.root / "extra"
        self._write_hf(root, self.stored, add="encoder.surprise.weight")
        with self.assertRaisesRegex(CheckpointError, r"unexpected keys: encoder\.surprise\.weight"):
            load_component(open_checkpoint(root), "dcae")

    def test_a_wrong_shape_fails_and_names_it(self):
        root = self.root / "shape"
        stored = {k: dict(v) for k, v in self.stored.items()}
        stored["transformer"]["final_layer.linear.bias"] = torch.zeros(3, dtype=torch.bfloat16)
        self._write_hf(root, stored)
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


def fused_weight_norm(state: dict) -> dict:
    fused = {}
    for key, value in state.items():
        if key.endswith(".weight_v"):
            stem = key[: -len(".weight_v")]
            v = value.double()
            g = state[f"{stem}.weight_g"].double()
            norm = v.flatten(1).norm(dim=1).reshape((-1,) + (1,) * (v.dim() - 1))
            fused[f"{stem}.weight"] = (g * v / norm).to(value.dtype)
        elif not key.endswith(".weight_g"):
            fused[key] = value
    return fused


if __name__ == "__main__":
    unittest.main()
