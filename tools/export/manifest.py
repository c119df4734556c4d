"""The pack manifest (`manifest.json`, schema `acejam-pack/1`), documented in docs/pack-format.md.

Everything the engine needs to know about a model and nothing it must guess: graphs with their IO,
the pipeline constants, tokenizer files, ACE-Step's UI sampling defaults, the ERG layers, any merged
LoRA, every file's size and sha256, and where the pack came from.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

SCHEMA = "acejam-pack/1"
FAMILY = "ace-step-v1"

# spec §1.7–§1.9: the audio and latent geometry of ACE-Step v1.
CONSTANTS = {
    "sample_rate": 44100,
    "output_sample_rate": 48000,
    "channels": 2,
    "hop_length": 512,
    "samples_per_frame": 4096,
    "frames_per_second": 44100 / 4096,
    "latent_channels": 8,
    "latent_height": 16,
    "max_frames": 2583,
    "max_text_tokens": 256,
    "mel": {
        "n_fft": 2048, "win_length": 2048, "hop_length": 512, "n_mels": 128, "f_min": 40.0, "f_max": 16000.0,
        "center": False, "pad_left": 768, "pad_right": 768, "pad_mode": "reflect", "window": "hann",
        "mel_scale": "slaney", "norm": "slaney", "magnitude_eps": 1e-6, "log_clamp": 1e-5,
        "min": -11.0, "max": 3.0,
    },
    "dcae": {"scale_factor": 0.1786, "shift_factor": -1.9091, "downsample": 8},
}

# spec §3.7, the Gradio UI's defaults (what ACE-Step users know), with the API's where the UI has none.
SAMPLING_DEFAULTS = {
    "duration_s": 60.0,
    "infer_steps": 60,
    "guidance_scale": 15.0,
    "scheduler": "euler",
    "cfg_type": "apg",
    "omega_scale": 10.0,
    "guidance_interval": 0.5,
    "guidance_interval_decay": 0.0,
    "min_guidance_scale": 3.0,
    "use_erg_tag": True,
    "use_erg_lyric": False,
    "use_erg_diffusion": True,
    "guidance_scale_text": 0.0,
    "guidance_scale_lyric": 0.0,
    "shift": 3.0,
    "retake_variance": 0.2,
    "ref_audio_strength": 0.5,
    "edit_presets": {"only_lyrics": {"n_min": 0.6, "n_max": 1.0}, "remix": {"n_min": 0.2, "n_max": 0.4}},
    "extend_right_s": 30.0,
    "repaint_end_s": 30.0,
}


def sha256_file(path: Path, chunk: int = 1 << 24) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as file:
        while block := file.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_entry(pack_dir: Path, relative: str) -> dict:
    path = (pack_dir / relative).resolve()
    return {"path": relative, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def write(pack_dir: Path, manifest: dict) -> Path:
    out = pack_dir / "manifest.json"
    out.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return out


def read(pack_dir: Path) -> dict:
    manifest = json.loads((Path(pack_dir) / "manifest.json").read_text())
    if manifest.get("schema") != SCHEMA:
        raise ValueError(f"{pack_dir}/manifest.json: schema {manifest.get('schema')!r}, expected {SCHEMA!r}")
    return manifest


def verify_files(pack_dir: Path, manifest: dict) -> list[str]:
    """Every listed file exists with its size and sha256; returns the problems found (empty = valid)."""
    problems = []
    for entry in manifest["files"]:
        path = (Path(pack_dir) / entry["path"]).resolve()
        if not path.exists():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{entry['path']}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 differs from the manifest")
    return problems
