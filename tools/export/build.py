"""The two ways to make a pack: from a real checkpoint, or the tiny pack from seeded random weights."""
from __future__ import annotations

import argparse
import hashlib
import urllib.error
import urllib.request
from pathlib import Path

from . import manifest, tiny_tokenizers
from .checkpoint import open_checkpoint
from .components import BINDINGS, build_random, load_component
from .pack import PackError, PackRequest, build_pack, log

# ACE-Step's lyric vocabulary lives in its GitHub repository, not in the checkpoint: pinned commit and hash.
LYRIC_VOCAB_URL = "https://raw.githubusercontent.com/ace-step/ACE-Step/d612523f50e252c0e138e68ae75b06223f96e934/acestep/models/lyrics_utils/vocab.json"
LYRIC_VOCAB_SHA256 = "c2a66ea48c478c0bb9acb5497144b926acdeaa37128faa799508d40f2b9cc558"
TINY_DESCRIPTION = "Random weights at tiny sizes, for tests: it makes audio-shaped noise, not music."


class SourceError(RuntimeError):
    """A required input (vocabulary, tokenizer, langid model) is missing or wrong."""


def tiny_pack(out: Path, seed: int = 0, precision: str = "fp32", name: str = "tiny") -> dict:
    components = {}
    for index, component in enumerate(("umt5", "transformer", "dcae", "vocoder")):
        config = BINDINGS[component].config_cls.tiny()
        components[component] = build_random(component, config, seed=seed * 16 + index)
    vocab_size = components["umt5"].config.vocab_size
    request = PackRequest(
        name=name,
        out_dir=Path(out),
        components=components,
        precisions=_precisions(precision),
        text_tokenizer=(tiny_tokenizers.text_tokenizer_json(vocab_size), tiny_tokenizers.text_tokenizer_config()),
        lyric_vocab=tiny_tokenizers.lyric_vocab_json(),
        provenance={"source": {"kind": "random", "seed": seed, "sizes": "tiny"}},
        description=TINY_DESCRIPTION,
    )
    return build_pack(request)


def checkpoint_pack(args: argparse.Namespace) -> dict:
    checkpoint = open_checkpoint(args.checkpoint)
    log(f"checkpoint: {checkpoint.layout} at {checkpoint.root}")
    lyric_vocab = _lyric_vocab(args.lyric_vocab, Path(args.out))
    text_tokenizer = _text_tokenizer(args.text_tokenizer or checkpoint.tokenizer_dir)
    langid_model = _langid_model(args.langid_model)
    lora = None
    lora_entry = None
    if args.lora:
        from .lora import read_lora
        lora = read_lora(args.lora)
    components = {}
    for name in ("umt5", "transformer", "dcae", "vocoder"):
        log(f"[{name}] loading …")
        components[name] = load_component(checkpoint, name, lora, args.lora_weight)
    if lora:
        merged = {key for c in components.values() for key in c.lora_targets}
        unmatched = [t.module for t in lora if f"{t.module}.weight" not in merged]
        if unmatched:
            raise PackError(f"LoRA targets found in no module: {', '.join(unmatched[:10])}")
        lora_file = args.lora if args.lora.is_file() else args.lora / "pytorch_lora_weights.safetensors"
        lora_entry = {"file": lora_file.name, "sha256": manifest.sha256_file(lora_file), "weight": args.lora_weight,
                      "targets": len(lora), "scaling": sorted({t.scaling for t in lora})}
    if args.verify:
        from .verify import verify_against_upstream
        verify_against_upstream(checkpoint, components)
    source_files = sorted({f for source in checkpoint.components.values() for f in source.files})
    log("hashing source checkpoint files …")
    provenance = {"source": {"kind": "checkpoint", "layout": checkpoint.layout,
                             "files": [{"path": str(f.relative_to(checkpoint.root)) if checkpoint.root.is_dir() else f.name,
                                        "bytes": f.stat().st_size, "sha256": manifest.sha256_file(f)} for f in source_files]}}
    name = args.name or Path(args.out).name
    request = PackRequest(
        name=name, out_dir=Path(args.out), components=components, precisions=_precisions(args.precision or "both"),
        text_tokenizer=text_tokenizer, lyric_vocab=lyric_vocab, langid=langid_model, provenance=provenance,
        lora=lora_entry, base_pack=args.base_pack,
        description=f"ACE-Step v1 exported by acejam from {checkpoint.layout}" + (f" with LoRA {lora_entry['file']} × {args.lora_weight}" if lora_entry else ""),
    )
    return build_pack(request)


def _precisions(precision: str) -> tuple[str, ...]:
    return ("fp32", "fp16") if precision == "both" else (precision,)


def _lyric_vocab(path: Path | None, out_dir: Path) -> Path:
    if path is not None:
        if not path.exists():
            raise SourceError(f"--lyric-vocab {path}: no such file")
        return path
    target = out_dir.parent / ".acejam-downloads" / "vocab.json"
    if target.exists() and manifest.sha256_file(target) == LYRIC_VOCAB_SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"downloading the lyric vocabulary from {LYRIC_VOCAB_URL}")
    try:
        with urllib.request.urlopen(LYRIC_VOCAB_URL, timeout=30) as response:
            data = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SourceError(
            f"could not download ACE-Step's lyric vocabulary ({error}); pass --lyric-vocab PATH to "
            "acestep/models/lyrics_utils/vocab.json from a clone of github.com/ace-step/ACE-Step"
        ) from error
    if hashlib.sha256(data).hexdigest() != LYRIC_VOCAB_SHA256:
        raise SourceError(f"the downloaded lyric vocabulary's sha256 is not the pinned {LYRIC_VOCAB_SHA256}; pass --lyric-vocab PATH")
    target.write_bytes(data)
    return target


def _text_tokenizer(folder: Path | None) -> tuple[Path, Path]:
    if folder is None:
        raise SourceError("this checkpoint carries no UMT5 tokenizer: pass --text-tokenizer DIR (the umt5-base folder with tokenizer.json)")
    folder = Path(folder)
    tokenizer = folder / "tokenizer.json" if folder.is_dir() else folder
    if not tokenizer.exists():
        raise SourceError(f"no tokenizer.json in {folder}")
    config = tokenizer.with_name("tokenizer_config.json")
    if not config.exists():
        raise SourceError(f"no tokenizer_config.json beside {tokenizer}")
    return tokenizer, config


def _langid_model(path: Path | None) -> Path | None:
    from .langid import default_model_path
    if path is not None:
        if not path.exists():
            raise SourceError(f"--langid-model {path}: no such file")
        return path
    found = default_model_path()
    if found is None:
        log("warning: no py3langid model (--langid-model or an installed py3langid): the pack will use the engine's fallback language detection")
    return found
