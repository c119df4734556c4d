import lzma
import pickle
import tempfile
import unittest
from pathlib import Path

import numpy as np

from tools.export import langid, safetensors_io

MODEL = Path(__file__).resolve().parents[4] / "shared/data/py3langid/model.plzma"


@unittest.skipUnless(MODEL.exists(), f"py3langid model not found at {MODEL} (../shared/data/py3langid)")
class LangidConversionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "langid.safetensors"
        cls.entry = langid.convert(MODEL, cls.out)
        cls.original = pickle.loads(lzma.decompress(MODEL.read_bytes()))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_arrays_equal_the_pickled_model(self):
        nb_ptc, nb_pc, nb_classes, tk_nextmove, tk_output = self.original
        arrays = safetensors_io.load_arrays(self.out)
        np.testing.assert_array_equal(arrays["nb_ptc"].reshape(-1), np.asarray(nb_ptc, dtype=np.float32))
        np.testing.assert_array_equal(arrays["nb_pc"], np.asarray(nb_pc, dtype=np.float32))
        np.testing.assert_array_equal(arrays["tk_nextmove"], np.asarray(tk_nextmove, dtype=np.uint16))
        self.assertEqual(arrays["nb_ptc"].shape, (len(nb_ptc) // len(nb_classes), len(nb_classes)))
        rebuilt = {}
        offsets = arrays["tk_output_offsets"]
        for row, state in enumerate(arrays["tk_output_states"]):
            rebuilt[int(state)] = tuple(int(f) for f in arrays["tk_output_features"][offsets[row]:offsets[row + 1]])
        self.assertEqual(rebuilt, {s: tuple(f) for s, f in tk_output.items() if f})
        self.assertEqual(self.entry["classes"], 97)
        self.assertEqual(self.entry["source"]["sha256"], "8c99809ff6de3d129e447306d30ceae4713735230dced7e8d4d46df89e6968ce")

    def test_classifies_unambiguous_sentences(self):
        self.assertEqual(langid.classify(self.out, "Ich liebe dich, und die Nacht ist noch jung, mein Schatz")[0], "de")
        self.assertEqual(langid.classify(self.out, "Смотри, как горят огни ночного города")[0], "ru")
        self.assertEqual(langid.classify(self.out, "Il pleut sur la ville, mais mon coeur est heureux")[0], "fr")

    def test_rejects_a_file_that_is_not_the_model(self):
        bad = Path(self.tmp.name) / "bad.plzma"
        bad.write_bytes(b"not lzma")
        with self.assertRaises(langid.LangidModelError):
            langid.convert(bad, Path(self.tmp.name) / "x.safetensors")


if __name__ == "__main__":
    unittest.main()
