import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

from tools.export import safetensors_io


class SafetensorsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_round_trips_f32_f16_bf16_and_widens_to_float32(self):
        values = torch.tensor([[1.0, -2.5, 3.140625], [0.0, 65504.0, -1e-3]])
        path = self.dir / "t.safetensors"
        safetensors_io.save({"f32": values, "f16": values.half(), "bf16": values.bfloat16()}, path)
        header = safetensors_io.read_header(path)
        self.assertEqual({k: v["dtype"] for k, v in header.items()}, {"f32": "F32", "f16": "F16", "bf16": "BF16"})
        loaded = safetensors_io.load(path)
        for name in ("f32", "f16", "bf16"):
            self.assertEqual(loaded[name].dtype, torch.float32)
        torch.testing.assert_close(loaded["f32"], values, rtol=0, atol=0)
        torch.testing.assert_close(loaded["f16"], values.half().float(), rtol=0, atol=0)
        torch.testing.assert_close(loaded["bf16"], values.bfloat16().float(), rtol=0, atol=0)

    def test_reads_a_file_written_by_hand_in_the_published_format(self):
        # 8-byte length + JSON header + raw little-endian data, per the safetensors spec.
        import json, struct
        header = json.dumps({"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}).encode()
        data = np.array([0x3F80, 0xC040], dtype="<u2").tobytes()  # bf16 1.0 and -3.0
        path = self.dir / "hand.safetensors"
        path.write_bytes(struct.pack("<Q", len(header)) + header + data)
        self.assertEqual(safetensors_io.load(path)["x"].tolist(), [1.0, -3.0])

    def test_numpy_uint16_and_metadata(self):
        path = self.dir / "m.safetensors"
        safetensors_io.save({"u": np.array([1, 65535], dtype=np.uint16)}, path, metadata={"format": "x"})
        self.assertEqual(safetensors_io.load_arrays(path)["u"].tolist(), [1, 65535])
        self.assertEqual(safetensors_io.read_metadata(path), {"format": "x"})

    def test_truncated_file_is_reported_as_an_incomplete_download(self):
        path = self.dir / "t.safetensors"
        safetensors_io.save({"a": torch.zeros(1000)}, path)
        path.write_bytes(path.read_bytes()[:-100])
        with self.assertRaisesRegex(safetensors_io.SafetensorsError, "incomplete"):
            safetensors_io.load(path)

    def test_not_a_safetensors_file(self):
        path = self.dir / "x.safetensors"
        path.write_bytes(b"<html>404</html>")
        with self.assertRaises(safetensors_io.SafetensorsError):
            safetensors_io.read_header(path)


if __name__ == "__main__":
    unittest.main()
