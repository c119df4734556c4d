"""`python3 -m tools.export`: make an acejam model pack from an ACE-Step v1 checkpoint, or the tiny pack.

    python3 -m tools.export --checkpoint ~/ACE-Step-v1-3.5B --out models/ace-step-v1 [--precision both]
    python3 -m tools.export --checkpoint ace_step_v1_3.5b.safetensors --text-tokenizer umt5-base/ --out models/ace-step-v1
    python3 -m tools.export --checkpoint ~/ACE-Step-v1-3.5B --lora ~/chinese-rap-lora --lora-weight 1.0 \\
        --base-pack models/ace-step-v1 --out models/ace-step-v1+chinese-rap
    python3 -m tools.export --tiny --seed 0 --out models/tiny
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checkpoint import CheckpointError
from .pack import PackError


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m tools.export", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", type=Path, help="ACE-Step-v1-3.5B folder (Hugging Face layout) or ComfyUI's all-in-one .safetensors")
    source.add_argument("--tiny", action="store_true", help="make the tiny test pack (random weights from --seed)")
    parser.add_argument("--out", type=Path, required=True, help="pack folder to write, e.g. models/ace-step-v1")
    parser.add_argument("--name", help="pack name (default: the --out folder's name)")
    parser.add_argument("--precision", choices=["fp32", "fp16", "both"], help="graph precisions (default: both for checkpoints, fp32 for --tiny)")
    parser.add_argument("--seed", type=int, default=0, help="weights seed for --tiny")
    parser.add_argument("--lora", type=Path, help="PEFT LoRA (pytorch_lora_weights.safetensors or its folder) merged before export")
    parser.add_argument("--lora-weight", type=float, default=1.0, help="LoRA weight (ACE-Step's UI: -3..3, default 1)")
    parser.add_argument("--base-pack", type=Path, help="with --lora: the base pack whose unchanged graphs the variant references instead of copying")
    parser.add_argument("--lyric-vocab", type=Path, help="ACE-Step's acestep/models/lyrics_utils/vocab.json (default: download it at a pinned commit)")
    parser.add_argument("--langid-model", type=Path, help="py3langid 0.3.0's model.plzma (default: the installed py3langid package's)")
    parser.add_argument("--text-tokenizer", type=Path, help="folder with UMT5's tokenizer.json (needed for ComfyUI files, which carry none)")
    parser.add_argument("--verify", action="store_true", help="compare every module with upstream's acestep package on the real weights first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from . import build

    try:
        if args.tiny:
            if args.lora or args.verify:
                raise PackError("--lora and --verify need a real --checkpoint, not --tiny")
            build.tiny_pack(args.out, seed=args.seed, precision=args.precision or "fp32", name=args.name or "tiny")
        else:
            build.checkpoint_pack(args)
    except (CheckpointError, PackError, build.SourceError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
