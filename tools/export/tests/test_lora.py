import json
import math
import tempfile
import unittest
from pathlib import Path

import torch

from tools.export import lora, safetensors_io


class LoraMergeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        generator = torch.Generator().manual_seed(3)
        self.base = {
            "transformer_blocks.0.attn.to_q.weight": torch.randn(12, 10, generator=generator),
            "lyric_encoder.encoders.0.self_attn.linear_q.weight": torch.randn(8, 8, generator=generator),
            "speaker_embedder.weight": torch.randn(12, 6, generator=generator),
        }
        self.rank = 4
        self.A = {k: torch.randn(self.rank, w.shape[1], generator=generator) for k, w in self.base.items()}
        self.B = {k: torch.randn(w.shape[0], self.rank, generator=generator) for k, w in self.base.items()}

    def tearDown(self):
        self.tmp.cleanup()

    def _write(self, alpha: float, rslora: bool, per_key_alpha: bool, prefix: str = "") -> Path:
        tensors = {}
        for key in self.base:
            module = key[: -len(".weight")]
            tensors[f"{prefix}{module}.lora_A.weight"] = self.A[key]
            tensors[f"{prefix}{module}.lora_B.weight"] = self.B[key]
            if per_key_alpha:
                tensors[f"{prefix}{module}.alpha"] = torch.tensor(alpha)
        path = self.dir / "pytorch_lora_weights.safetensors"
        safetensors_io.save(tensors, path)
        config = {"r": self.rank, "use_rslora": rslora}
        if not per_key_alpha:
            config["lora_alpha"] = alpha
        (self.dir / "adapter_config.json").write_text(json.dumps(config))
        return path

    def _check(self, weight: float, scaling: float, path: Path):
        state = {k: v.clone() for k, v in self.base.items()}
        merged = lora.merge_into(state, lora.read_lora(path), weight)
        self.assertEqual(sorted(merged), sorted(self.base))
        for key, w in self.base.items():
            expected = w.double() + weight * scaling * (self.B[key].double() @ self.A[key].double())
            torch.testing.assert_close(state[key].double(), expected.float().double(), rtol=0, atol=1e-6)

    def test_plain_scaling_alpha_over_r(self):
        self._check(0.7, 32 / self.rank, self._write(alpha=32, rslora=False, per_key_alpha=False))

    def test_rslora_scaling_alpha_over_sqrt_r(self):
        self._check(1.0, 32 / math.sqrt(self.rank), self._write(alpha=32, rslora=True, per_key_alpha=False))

    def test_per_module_alpha_tensors_and_prefixed_keys(self):
        self._check(-1.5, 16 / self.rank, self._write(alpha=16, rslora=False, per_key_alpha=True, prefix="transformer."))

    def test_released_rap_lora_scaling_is_two(self):
        # spec §4.1: r 256, alpha 32, rsLoRA -> s = 32/16 = 2
        self.rank = 256
        self.A = {k: torch.zeros(256, w.shape[1]) for k, w in self.base.items()}
        self.B = {k: torch.zeros(w.shape[0], 256) for k, w in self.base.items()}
        targets = lora.read_lora(self._write(alpha=32, rslora=True, per_key_alpha=False))
        self.assertEqual({t.scaling for t in targets}, {2.0})

    def test_target_missing_from_the_model_is_an_error(self):
        path = self._write(alpha=8, rslora=False, per_key_alpha=False)
        state = {k: v for k, v in self.base.items() if "speaker" not in k}
        with self.assertRaisesRegex(lora.LoraError, "speaker_embedder"):
            lora.merge_into(state, lora.read_lora(path), 1.0)

    def test_half_pair_is_an_error(self):
        path = self.dir / "pytorch_lora_weights.safetensors"
        safetensors_io.save({"a.lora_A.weight": torch.zeros(2, 3), "a.alpha": torch.tensor(1.0)}, path)
        with self.assertRaisesRegex(lora.LoraError, "not both"):
            lora.read_lora(path)


if __name__ == "__main__":
    unittest.main()
