"""Benchmark: export a full-size ACE-Step v1 pack (random weights: the real ones cannot be downloaded
here) and report time, peak memory and pack size per precision, the figures the README quotes.

    /usr/bin/time -v /usr/bin/python3 -m bench.export_full_size --out /tmp/full-pack [--precision both]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.export import tiny_tokenizers  # noqa: E402
from tools.export.components import BINDINGS, build_random  # noqa: E402
from tools.export.pack import PackRequest, build_pack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--precision", choices=["fp32", "fp16", "both"], default="fp32")
    args = parser.parse_args()
    started = time.perf_counter()
    components = {name: build_random(name, BINDINGS[name].config_cls.full(), seed=i) for i, name in enumerate(BINDINGS)}
    built = time.perf_counter()
    request = PackRequest(
        name="full-random", out_dir=args.out, components=components,
        precisions=("fp32", "fp16") if args.precision == "both" else (args.precision,),
        text_tokenizer=(tiny_tokenizers.text_tokenizer_json(components["umt5"].config.vocab_size), tiny_tokenizers.text_tokenizer_config()),
        lyric_vocab=tiny_tokenizers.lyric_vocab_json(), provenance={"source": {"kind": "random", "seed": 0, "sizes": "full"}},
    )
    data = build_pack(request)
    done = time.perf_counter()
    total = sum(entry["bytes"] for entry in data["files"])
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"build {built - started:.0f} s, export {done - built:.0f} s, pack {total / 1e9:.2f} GB, peak RSS {peak_gib:.1f} GiB")
    for entry in data["files"]:
        print(f"  {entry['path']:<36} {entry['bytes'] / 1e9:8.3f} GB")


if __name__ == "__main__":
    main()
