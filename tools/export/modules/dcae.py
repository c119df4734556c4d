"""Music-DCAE (diffusers' `AutoencoderDC`, ACE-Step's `music_dcae_f8c8`), re-implemented in torch.

ACE-Step v1 treats a stereo log-mel spectrogram as a 2-channel image [B, 2, 128 mel bins, Tm] and compresses
it 8× in both axes to the DiT's latent [B, 8, 16, T = Tm/8] (spec §1.7, §1.9). The autoencoder is
deterministic: upstream calls `dcae.encoder` / `dcae.decoder` directly (no sampling, no tiling, and the
diffusers `scaling_factor` 0.41407 is unused); the pipeline wraps them in fixed affine maps which the graphs
fold in:

* encode: m' = ((mel − mel_min)/(mel_max − mel_min) − 0.5)/0.5 → encoder → latent = (z − shift)·scale
* decode: z = latent/scale + shift → decoder → mel = (x·0.5 + 0.5)·(mel_max − mel_min) + mel_min
  with mel range [−11, 3], scale_factor 0.1786, shift_factor −1.9091 (spec §1.7, §12).

The architecture (diffusers 0.32, the version that wrote the checkpoint's config; 0.33 is numerically the same):

* Encoder: conv_in 3×3 → stages of blocks, each stage but the last ending in a down block → conv_out 3×3
  plus an "out shortcut" (mean over groups of consecutive channels down to latent_channels).
* Decoder: conv_in 3×3 plus an "in shortcut" (each latent channel repeated, repeat_interleave style) →
  stages from deepest to shallowest, each but the deepest starting with an up block → RMSNorm → **ReLU**
  (not the blocks' SiLU) → conv_out 3×3.
* ResBlock: conv1 3×3 (bias) → act → conv2 3×3 (no bias) → channel RMSNorm (with bias) → + input.
* EfficientViTBlock: multiscale ReLU linear attention (+ input), then GLUMBConv (+ input).
* Down block "Conv": stride-2 conv 3×3, plus pixel-unshuffle of the input averaged over groups of
  consecutive channels. Up block "interpolate": nearest ×2 then conv 3×3, plus the input's channels
  repeated (repeat_interleave) and pixel-shuffled.
* RMSNorm everywhere is over channels, eps 1e-5, variance in fp32, with weight and bias.

Export rewrites (torch 1.13, spec §9.3), each exactly equal to what it replaces: no `unflatten` (reshape),
no `movedim` (channel-dim norms and 1×1 convs instead of channels-last Linear/RMSNorm), no
`repeat_interleave` (unsqueeze/expand/reshape), pixel (un)shuffle and nearest ×2 as reshape/permute/expand.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..graph_spec import GraphSpec, TensorSpec

RES_BLOCK = "ResBlock"
VIT_BLOCK = "EfficientViTBlock"
_BLOCK_TYPES = (RES_BLOCK, VIT_BLOCK)
_DOWNSAMPLE_TYPES = ("Conv", "pixel_unshuffle")
_UPSAMPLE_TYPES = ("interpolate", "pixel_shuffle")
# Only RMSNorm is implemented: it is what the checkpoint uses, and batch_norm would need running stats.
_NORM_TYPES = ("rms_norm",)
_ACTIVATIONS = {"silu": nn.SiLU, "swish": nn.SiLU, "relu": nn.ReLU, "gelu": nn.GELU}

_RMS_EPS = 1e-5  # diffusers' RMSNorm eps in every DCAE norm
_LINEAR_ATTENTION_EPS = 1e-15  # SanaMultiscaleLinearAttention's normaliser eps
_GLU_EXPAND_RATIO = 4  # GLUMBConv hidden = 4 × channels
_FACTOR = 2  # every down/up block halves/doubles both spatial axes


@dataclass(frozen=True)
class DCAEConfig:
    # diffusers AutoencoderDC config (field names as in config.json), per-stage values as tuples.
    in_channels: int = 2
    latent_channels: int = 8
    attention_head_dim: int = 32
    encoder_block_types: tuple[str, ...] = (RES_BLOCK, RES_BLOCK, RES_BLOCK, VIT_BLOCK)
    decoder_block_types: tuple[str, ...] = (RES_BLOCK, RES_BLOCK, RES_BLOCK, VIT_BLOCK)
    encoder_block_out_channels: tuple[int, ...] = (128, 256, 512, 1024)
    decoder_block_out_channels: tuple[int, ...] = (128, 256, 512, 1024)
    encoder_layers_per_block: tuple[int, ...] = (2, 2, 3, 3)
    decoder_layers_per_block: tuple[int, ...] = (3, 3, 3, 3)
    encoder_qkv_multiscales: tuple[tuple[int, ...], ...] = ((), (), (5,), (5,))
    decoder_qkv_multiscales: tuple[tuple[int, ...], ...] = ((), (), (5,), (5,))
    downsample_block_type: str = "Conv"
    upsample_block_type: str = "interpolate"
    decoder_norm_types: tuple[str, ...] = ("rms_norm",) * 4
    decoder_act_fns: tuple[str, ...] = ("silu",) * 4
    # ACE-Step pipeline constants (music_dcae_pipeline.py), folded into the graphs; not in config.json.
    mel_bins: int = 128
    mel_min: float = -11.0
    mel_max: float = 3.0
    scale_factor: float = 0.1786
    shift_factor: float = -1.9091

    def __post_init__(self) -> None:
        stages = len(self.encoder_block_out_channels)
        for name in ("encoder_block_types", "encoder_layers_per_block", "encoder_qkv_multiscales"):
            if len(getattr(self, name)) != stages:
                raise ValueError(f"DCAE {name} needs {stages} entries")
        stages_dec = len(self.decoder_block_out_channels)
        for name in ("decoder_block_types", "decoder_layers_per_block", "decoder_qkv_multiscales", "decoder_norm_types", "decoder_act_fns"):
            if len(getattr(self, name)) != stages_dec:
                raise ValueError(f"DCAE {name} needs {stages_dec} entries")
        if stages != stages_dec:
            raise ValueError("DCAE encoder and decoder must compress by the same factor")
        # A stage with 0 layers switches diffusers to other conv_in/conv_out wiring; no v1 checkpoint has it.
        if min(self.encoder_layers_per_block + self.decoder_layers_per_block) < 1:
            raise ValueError("DCAE stages with 0 layers are not supported")
        if any(t not in _BLOCK_TYPES for t in self.encoder_block_types + self.decoder_block_types):
            raise ValueError(f"DCAE block types must be in {_BLOCK_TYPES}")
        if self.downsample_block_type not in _DOWNSAMPLE_TYPES or self.upsample_block_type not in _UPSAMPLE_TYPES:
            raise ValueError("unsupported DCAE down/upsample block type")
        if any(n not in _NORM_TYPES for n in self.decoder_norm_types) or any(a not in _ACTIVATIONS for a in self.decoder_act_fns):
            raise ValueError("unsupported DCAE decoder norm/activation")
        if self.mel_bins % self.compression != 0:
            raise ValueError(f"mel_bins {self.mel_bins} is not a multiple of {self.compression}")

    @property
    def compression(self) -> int:
        """Spatial down-sampling factor of both axes (8 for 4 stages)."""
        return _FACTOR ** (len(self.encoder_block_out_channels) - 1)

    @property
    def latent_height(self) -> int:
        return self.mel_bins // self.compression

    @classmethod
    def full(cls) -> "DCAEConfig":
        """music_dcae_f8c8/config.json (spec §1.7)."""
        return cls()

    @classmethod
    def tiny(cls) -> "DCAEConfig":
        return cls(
            attention_head_dim=8,
            encoder_block_out_channels=(16, 16, 32, 32),
            decoder_block_out_channels=(16, 16, 32, 32),
            encoder_layers_per_block=(1, 1, 1, 1),
            decoder_layers_per_block=(1, 1, 1, 1),
        )

    @classmethod
    def mid(cls) -> "DCAEConfig":
        return cls(
            attention_head_dim=16,
            encoder_block_out_channels=(32, 64, 64, 128),
            decoder_block_out_channels=(32, 64, 64, 128),
            encoder_layers_per_block=(1, 1, 2, 2),
            decoder_layers_per_block=(1, 1, 2, 2),
        )

    @classmethod
    def from_checkpoint(cls, config_json: Optional[Mapping], shapes: Mapping[str, Sequence[int]]) -> "DCAEConfig":
        """config.json values where present, else sizes read off the tensors, else full() defaults.

        A config.json value that contradicts the tensors is an error (the strict load would fail later
        with a less helpful message). Norm/activation types and the pipeline constants are invisible in
        shapes: config.json (or an earlier `to_json()`) or the defaults.
        """
        default = dataclasses.asdict(cls())
        derived = _config_from_shapes({k: tuple(int(d) for d in v) for k, v in shapes.items()})
        given = dict(config_json or {})
        stages = len(given.get("encoder_block_out_channels") or derived.get("encoder_block_out_channels") or default["encoder_block_out_channels"])
        values = {}
        for name, default_value in default.items():
            from_shape = derived.get(name)
            value = _normalise_field(name, given[name], stages) if given.get(name) is not None else None
            if name.endswith("_qkv_multiscales") and from_shape is not None:
                # ResBlock stages carry a multiscale entry (config.json has [5] at stage 2) but no tensor
                # shows it (None): take it from config.json, else full()'s, else none.
                fallback = next((v for v in (value, default_value) if v is not None and len(v) == len(from_shape)), ((),) * len(from_shape))
                from_shape = tuple(fallback[i] if scales is None else scales for i, scales in enumerate(from_shape))
            if value is not None and from_shape is not None and value != from_shape:
                raise ValueError(f"DCAE config.json {name}={value} contradicts the checkpoint tensors ({from_shape})")
            if value is None:
                value = from_shape
            if value is None and name in _PER_STAGE_STRINGS:
                value = (default_value[0],) * stages  # full()'s per-stage choice, at this checkpoint's depth
            if value is None:
                value = _normalise_field(name, default_value, stages)
            values[name] = value
        return cls(**values)

    def to_json(self) -> dict:
        """config.json-style dict (lists, not tuples)."""
        return json_safe(dataclasses.asdict(self))


def json_safe(value):
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    return value


_PER_STAGE_STRINGS = ("encoder_block_types", "decoder_block_types", "decoder_norm_types", "decoder_act_fns")


def _normalise_field(name: str, value, stages: int):
    """config.json spellings → DCAEConfig's: a lone string means "every stage" (diffusers' convention)."""
    if name in _PER_STAGE_STRINGS:
        return (value,) * stages if isinstance(value, str) else tuple(str(v) for v in value)
    if name.endswith("_qkv_multiscales"):
        return tuple(tuple(int(k) for k in scales) for scales in value)
    if name.endswith("_block_out_channels") or name.endswith("_layers_per_block"):
        return tuple(int(v) for v in value)
    if name in ("downsample_block_type", "upsample_block_type"):
        return str(value)
    if name in ("mel_min", "mel_max", "scale_factor", "shift_factor"):
        return float(value)
    return int(value)


def _stage_layout(shapes: Mapping[str, tuple[int, ...]], prefix: str) -> dict[int, dict[int, set[str]]]:
    """{stage: {layer index: parameter suffixes}} for `prefix` = encoder.down_blocks / decoder.up_blocks."""
    layout: dict[int, dict[int, set[str]]] = {}
    pattern = re.compile(re.escape(prefix) + r"\.(\d+)\.(\d+)\.(.+)")
    for key in shapes:
        match = pattern.fullmatch(key)
        if match:
            layout.setdefault(int(match.group(1)), {}).setdefault(int(match.group(2)), set()).add(match.group(3))
    return layout


def _config_from_shapes(shapes: Mapping[str, tuple[int, ...]]) -> dict:
    """Every DCAEConfig field that the tensor names and shapes determine."""
    out: dict = {}
    if "encoder.conv_in.weight" in shapes:
        out["in_channels"] = shapes["encoder.conv_in.weight"][1]
    elif "decoder.conv_out.weight" in shapes:
        out["in_channels"] = shapes["decoder.conv_out.weight"][0]
    if "encoder.conv_out.weight" in shapes:
        out["latent_channels"] = shapes["encoder.conv_out.weight"][0]
    elif "decoder.conv_in.weight" in shapes:
        out["latent_channels"] = shapes["decoder.conv_in.weight"][1]

    head_dims = set()
    for side, prefix in (("encoder", "encoder.down_blocks"), ("decoder", "decoder.up_blocks")):
        layout = _stage_layout(shapes, prefix)
        if not layout or sorted(layout) != list(range(len(layout))):
            continue
        types, channels, layers, scales, samplers = [], [], [], [], {}
        for stage in range(len(layout)):
            stage_types, stage_channels, stage_scales = [], set(), None
            for index in sorted(layout[stage]):
                suffixes = layout[stage][index]
                base = f"{prefix}.{stage}.{index}."
                if "conv1.weight" in suffixes:
                    stage_types.append(RES_BLOCK)
                    stage_channels.add(shapes[base + "conv1.weight"][0])
                elif "attn.to_q.weight" in suffixes:
                    stage_types.append(VIT_BLOCK)
                    stage_channels.add(shapes[base + "attn.to_q.weight"][1])
                    kernels = []
                    while f"attn.to_qkv_multiscale.{len(kernels)}.proj_in.weight" in suffixes:
                        k = len(kernels)
                        kernels.append(shapes[base + f"attn.to_qkv_multiscale.{k}.proj_in.weight"][2])
                        head_dims.add(shapes[base + f"attn.to_qkv_multiscale.{k}.proj_out.weight"][1])
                    stage_scales = tuple(kernels)
                elif "conv.weight" in suffixes:
                    samplers[stage] = shapes[base + "conv.weight"][0]  # down/up block's conv output channels
            if len(set(stage_types)) != 1 or len(stage_channels) != 1:
                return out  # not an AutoencoderDC layout we understand: fall back to config.json/defaults
            types.append(stage_types[0])
            channels.append(stage_channels.pop())
            layers.append(len(stage_types))
            scales.append(stage_scales)  # None for ResBlock stages: their multiscale setting is unused
        out[f"{side}_block_types"] = tuple(types)
        out[f"{side}_block_out_channels"] = tuple(channels)
        out[f"{side}_layers_per_block"] = tuple(layers)
        out[f"{side}_qkv_multiscales"] = tuple(scales)
        # The first stage's sampler tells the block type: "Conv" / "interpolate" keep channels in the conv.
        if side == "encoder" and 0 in samplers and len(channels) > 1:
            out["downsample_block_type"] = "Conv" if samplers[0] == channels[1] else "pixel_unshuffle"
        if side == "decoder" and 0 in samplers:
            out["upsample_block_type"] = "interpolate" if samplers[0] == channels[0] else "pixel_shuffle"
    if len(head_dims) == 1:
        out["attention_head_dim"] = head_dims.pop()  # proj_out is grouped per head: in-channels = head_dim
    return out


# --------------------------------------------------------------------------------------------------
# Export-safe tensor rearrangements (exact equivalents of the torch ops named)


def pixel_unshuffle(x: torch.Tensor, factor: int = _FACTOR) -> torch.Tensor:
    """F.pixel_unshuffle: [B,C,H,W] -> [B,C·f²,H/f,W/f], channel c·f² + i·f + j."""
    b, c, h, w = x.shape
    x = x.reshape(b, c, h // factor, factor, w // factor, factor)
    return x.permute(0, 1, 3, 5, 2, 4).reshape(b, c * factor * factor, h // factor, w // factor)


def pixel_shuffle(x: torch.Tensor, factor: int = _FACTOR) -> torch.Tensor:
    """F.pixel_shuffle: [B,C·f²,H,W] -> [B,C,H·f,W·f]."""
    b, c, h, w = x.shape
    out_channels = c // (factor * factor)
    x = x.reshape(b, out_channels, factor, factor, h, w)
    return x.permute(0, 1, 4, 2, 5, 3).reshape(b, out_channels, h * factor, w * factor)


def repeat_channels(x: torch.Tensor, repeats: int) -> torch.Tensor:
    """x.repeat_interleave(repeats, dim=1), which torch 1.13 exports to an ORT-rejected graph."""
    b, c, h, w = x.shape
    return x.unsqueeze(2).expand(-1, -1, repeats, -1, -1).reshape(b, c * repeats, h, w)


def mean_channel_groups(x: torch.Tensor, group: int) -> torch.Tensor:
    """x.unflatten(1, (-1, group)).mean(2): average each run of `group` consecutive channels."""
    b, c, h, w = x.shape
    return x.reshape(b, c // group, group, h, w).mean(dim=2)


def nearest_up2(x: torch.Tensor) -> torch.Tensor:
    """F.interpolate(x, scale_factor=2, mode="nearest"): every pixel becomes a 2×2 patch."""
    b, c, h, w = x.shape
    x = x.reshape(b, c, h, 1, w, 1).expand(-1, -1, -1, _FACTOR, -1, _FACTOR)
    return x.reshape(b, c, h * _FACTOR, w * _FACTOR)


def pointwise(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """A channels-last nn.Linear (weight [out, in], no bias) applied to [B,C,H,W] as a 1×1 conv."""
    return F.conv2d(x, weight[:, :, None, None])


# --------------------------------------------------------------------------------------------------
# Modules (attribute names = checkpoint key names)


class ChannelRMSNorm(nn.Module):
    """diffusers RMSNorm(elementwise_affine, bias) applied over the channel dim of [B,C,H,W]."""

    def __init__(self, channels: int, device=None) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels, device=device))
        self.bias = nn.Parameter(torch.zeros(channels, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()  # variance in fp32 like diffusers
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(dim=1, keepdim=True) + _RMS_EPS)
        return x32.to(self.weight.dtype) * self.weight[:, None, None] + self.bias[:, None, None]


class ResBlock(nn.Module):
    def __init__(self, channels: int, act_fn: str, device=None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, 1, 1, device=device)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False, device=device)
        self.norm = ChannelRMSNorm(channels, device=device)
        self.act = _ACTIVATIONS[act_fn]()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.conv2(self.act(self.conv1(x)))) + x


class MultiscaleProjection(nn.Module):
    """SanaMultiscaleAttentionProjection: depthwise k×k then a 1×1 conv grouped per head-sized run."""

    def __init__(self, inner_dim: int, heads: int, kernel_size: int, device=None) -> None:
        super().__init__()
        channels = 3 * inner_dim
        self.proj_in = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels, bias=False, device=device)
        self.proj_out = nn.Conv2d(channels, channels, 1, groups=3 * heads, bias=False, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj_out(self.proj_in(x))


class MultiscaleLinearAttention(nn.Module):
    """SanaMultiscaleLinearAttention (residual) with ReLU linear attention.

    Upstream picks quadratic attention when H·W ≤ attention_head_dim, a Python branch that export would
    bake. The attention stages run at latent resolution, H·W = 16·T, so linear attention is what upstream
    runs for T ≥ 3 at full size (head_dim 32); the graph is always linear (T ≤ 2, under 0.19 s of audio,
    would differ from upstream).
    """

    def __init__(self, channels: int, head_dim: int, kernel_sizes: tuple[int, ...], device=None) -> None:
        super().__init__()
        heads = channels // head_dim  # diffusers: int(in_channels // head_dim * mult), mult 1.0
        inner = heads * head_dim
        self.head_dim = head_dim
        self.to_q = nn.Linear(channels, inner, bias=False, device=device)
        self.to_k = nn.Linear(channels, inner, bias=False, device=device)
        self.to_v = nn.Linear(channels, inner, bias=False, device=device)
        self.to_qkv_multiscale = nn.ModuleList(MultiscaleProjection(inner, heads, k, device=device) for k in kernel_sizes)
        self.to_out = nn.Linear(inner * (1 + len(kernel_sizes)), channels, bias=False, device=device)
        self.norm_out = ChannelRMSNorm(channels, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        d = self.head_dim
        # One 1×1 conv for the three channels-last Linears: channels [q | k | v], as upstream's torch.cat.
        qkv = pointwise(x, torch.cat([self.to_q.weight, self.to_k.weight, self.to_v.weight], dim=0))
        qkv = torch.cat([qkv] + [proj(qkv) for proj in self.to_qkv_multiscale], dim=1)
        # Quirk kept from EfficientViT: "heads" are runs of 3·d consecutive channels, split into thirds
        # (so a run lies inside the q, k or v block, not across them); only the naming is odd, the
        # weights were trained with this grouping.
        groups = qkv.float().reshape(b, -1, 3 * d, h * w)  # fp32: the sums below run over all H·W positions
        q = F.relu(groups[:, :, :d])
        k = F.relu(groups[:, :, d : 2 * d])
        v = F.pad(groups[:, :, 2 * d :], (0, 0, 0, 1), value=1.0)  # a ones row yields the normaliser
        out = torch.matmul(torch.matmul(v, k.transpose(-1, -2)), q)  # [b, g, d+1, H·W]
        out = out[:, :, :d] / (out[:, :, d:] + _LINEAR_ATTENTION_EPS)
        out = out.to(x.dtype).reshape(b, -1, h, w)
        return self.norm_out(pointwise(out, self.to_out.weight)) + x


class GLUMBConv(nn.Module):
    """Inverted 1×1 (SiLU) → depthwise 3×3 → GLU with SiLU gate → 1×1 → RMSNorm, residual."""

    def __init__(self, channels: int, device=None) -> None:
        super().__init__()
        hidden = _GLU_EXPAND_RATIO * channels
        self.conv_inverted = nn.Conv2d(channels, 2 * hidden, 1, device=device)
        self.conv_depth = nn.Conv2d(2 * hidden, 2 * hidden, 3, 1, 1, groups=2 * hidden, device=device)
        self.conv_point = nn.Conv2d(hidden, channels, 1, bias=False, device=device)
        self.norm = ChannelRMSNorm(channels, device=device)
        self.hidden = hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv_depth(F.silu(self.conv_inverted(x)))
        y = y[:, : self.hidden] * F.silu(y[:, self.hidden :])  # torch.chunk(2, dim=1): first half gated by second
        return self.norm(self.conv_point(y)) + x


class EfficientViTBlock(nn.Module):
    def __init__(self, channels: int, head_dim: int, kernel_sizes: tuple[int, ...], device=None) -> None:
        super().__init__()
        self.attn = MultiscaleLinearAttention(channels, head_dim, kernel_sizes, device=device)
        self.conv_out = GLUMBConv(channels, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_out(self.attn(x))


def make_block(block_type: str, channels: int, config: DCAEConfig, kernel_sizes: tuple[int, ...], act_fn: str, device) -> nn.Module:
    if block_type == RES_BLOCK:
        return ResBlock(channels, act_fn, device=device)
    return EfficientViTBlock(channels, config.attention_head_dim, kernel_sizes, device=device)


class DownBlock(nn.Module):
    """DCDownBlock2d with shortcut: conv path + (pixel-unshuffled input averaged to out_channels)."""

    def __init__(self, in_channels: int, out_channels: int, block_type: str, device=None) -> None:
        super().__init__()
        self.unshuffle_conv = block_type == "pixel_unshuffle"
        if self.unshuffle_conv:  # stride-1 conv to out/4 channels, then pixel-unshuffle
            self.conv = nn.Conv2d(in_channels, out_channels // _FACTOR**2, 3, 1, 1, device=device)
        else:  # "Conv": a stride-2 conv straight to out_channels
            self.conv = nn.Conv2d(in_channels, out_channels, 3, 2, 1, device=device)
        self.group = in_channels * _FACTOR**2 // out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        if self.unshuffle_conv:
            y = pixel_unshuffle(y)
        return y + mean_channel_groups(pixel_unshuffle(x), self.group)


class UpBlock(nn.Module):
    """DCUpBlock2d with shortcut: conv path + (input channels repeated, then pixel-shuffled)."""

    def __init__(self, in_channels: int, out_channels: int, block_type: str, device=None) -> None:
        super().__init__()
        self.interpolate = block_type == "interpolate"
        conv_out = out_channels if self.interpolate else out_channels * _FACTOR**2
        self.conv = nn.Conv2d(in_channels, conv_out, 3, 1, 1, device=device)
        self.repeats = out_channels * _FACTOR**2 // in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(nearest_up2(x)) if self.interpolate else pixel_shuffle(self.conv(x))
        return y + pixel_shuffle(repeat_channels(x, self.repeats))


class Encoder(nn.Module):
    def __init__(self, config: DCAEConfig, device=None) -> None:
        super().__init__()
        channels = config.encoder_block_out_channels
        self.conv_in = nn.Conv2d(config.in_channels, channels[0], 3, 1, 1, device=device)
        stages = []
        for i, (width, layers) in enumerate(zip(channels, config.encoder_layers_per_block)):
            # The encoder's blocks are always RMSNorm + SiLU (diffusers hard-codes them).
            stage = [make_block(config.encoder_block_types[i], width, config, config.encoder_qkv_multiscales[i], "silu", device) for _ in range(layers)]
            if i < len(channels) - 1:
                stage.append(DownBlock(width, channels[i + 1], config.downsample_block_type, device=device))
            stages.append(nn.Sequential(*stage))
        self.down_blocks = nn.ModuleList(stages)
        self.conv_out = nn.Conv2d(channels[-1], config.latent_channels, 3, 1, 1, device=device)
        self.out_group = channels[-1] // config.latent_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_in(x)
        for stage in self.down_blocks:
            x = stage(x)
        return self.conv_out(x) + mean_channel_groups(x, self.out_group)


class Decoder(nn.Module):
    def __init__(self, config: DCAEConfig, device=None) -> None:
        super().__init__()
        channels = config.decoder_block_out_channels
        self.conv_in = nn.Conv2d(config.latent_channels, channels[-1], 3, 1, 1, device=device)
        self.in_repeats = channels[-1] // config.latent_channels
        stages = []
        for i, (width, layers) in enumerate(zip(channels, config.decoder_layers_per_block)):
            stage = []
            if i < len(channels) - 1:
                stage.append(UpBlock(channels[i + 1], width, config.upsample_block_type, device=device))
            act = config.decoder_act_fns[i]
            stage += [make_block(config.decoder_block_types[i], width, config, config.decoder_qkv_multiscales[i], act, device) for _ in range(layers)]
            stages.append(nn.Sequential(*stage))
        self.up_blocks = nn.ModuleList(stages)  # index = resolution level; run deepest first
        self.norm_out = ChannelRMSNorm(channels[0], device=device)
        self.conv_out = nn.Conv2d(channels[0], config.in_channels, 3, 1, 1, device=device)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.conv_in(z) + repeat_channels(z, self.in_repeats)
        for stage in reversed(self.up_blocks):
            x = stage(x)
        return self.conv_out(F.relu(self.norm_out(x)))  # diffusers' conv_act is a plain ReLU


class MusicDCAE(nn.Module):
    """`encoder.*` / `decoder.*` of AutoencoderDC plus the pipeline's folded normalisation constants."""

    def __init__(self, config: DCAEConfig, device=None) -> None:
        super().__init__()
        self.config = config
        self.encoder = Encoder(config, device=device)
        self.decoder = Decoder(config, device=device)

    def encode_mel(self, mel: torch.Tensor) -> torch.Tensor:
        """Raw log-mel [B,C,mel_bins,Tm] (Tm a multiple of the compression) -> DiT-space latents."""
        c = self.config
        normalised = ((mel - c.mel_min) / (c.mel_max - c.mel_min) - 0.5) / 0.5  # same op order as upstream
        return (self.encoder(normalised) - c.shift_factor) * c.scale_factor

    def decode_latents(self, latents: torch.Tensor) -> torch.Tensor:
        """DiT-space latents [B,latent,mel_bins/8,T] -> raw log-mel [B,C,mel_bins,8T]."""
        c = self.config
        x = self.decoder(latents / c.scale_factor + c.shift_factor)
        return (x * 0.5 + 0.5) * (c.mel_max - c.mel_min) + c.mel_min


DEAD_WEIGHT_PATTERNS: tuple[str, ...] = ()  # every checkpoint tensor is used


def is_dead_weight(key: str) -> bool:
    return any(re.fullmatch(pattern, key) for pattern in DEAD_WEIGHT_PATTERNS)


def checkpoint_to_module_state(raw: Mapping[str, torch.Tensor], config: DCAEConfig) -> dict[str, torch.Tensor]:
    """The checkpoint's names are the module's: nothing to convert."""
    return dict(raw)


def prepare_for_export(model: MusicDCAE) -> None:
    """Nothing to fold: no weight norm, no batch-norm statistics, no caches."""


# --------------------------------------------------------------------------------------------------
# Graphs (spec §9.1)

ENCODER_GRAPH = "dcae_encoder"
DECODER_GRAPH = "dcae_decoder"


def graph_specs(config: DCAEConfig) -> tuple[GraphSpec, ...]:
    """IO at `config`'s sizes: channels and mel/latent heights are fixed, batch and time are dynamic."""
    mel = TensorSpec("mel", "float32", ("B", config.in_channels, config.mel_bins, "Tm"))
    latents = TensorSpec("latents", "float32", ("B", config.latent_channels, config.latent_height, "T"))
    notes = {
        "time_compression": config.compression,  # Tm = compression · T; the host pads mel to a multiple
        "scale_factor": config.scale_factor,
        "shift_factor": config.shift_factor,
        "mel_range": [config.mel_min, config.mel_max],
        # Upstream would switch to quadratic attention when latent_height·T <= attention_head_dim.
        "min_latent_frames": config.attention_head_dim // config.latent_height + 1,
    }
    return (
        GraphSpec(
            name=ENCODER_GRAPH,
            inputs=(mel,),
            outputs=(latents,),
            description="Music-DCAE encoder: raw log-mel -> DiT-space latents ((z + 1.9091)·0.1786 folded in)",
            notes=notes,
        ),
        GraphSpec(
            name=DECODER_GRAPH,
            inputs=(latents,),
            outputs=(mel,),
            description="Music-DCAE decoder: DiT-space latents -> raw log-mel (z = latent/0.1786 − 1.9091 and the mel de-normalisation folded in)",
            notes=notes,
        ),
    )


# The real sizes; a pack of other sizes uses graph_specs(its config).
GRAPHS: tuple[GraphSpec, ...] = graph_specs(DCAEConfig.full())


class EncoderGraph(nn.Module):
    """`dcae_encoder`: forward(mel) -> latents."""

    def __init__(self, model: MusicDCAE) -> None:
        super().__init__()
        self.model = model

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.model.encode_mel(mel)


class DecoderGraph(nn.Module):
    """`dcae_decoder`: forward(latents) -> mel."""

    def __init__(self, model: MusicDCAE) -> None:
        super().__init__()
        self.model = model

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.model.decode_latents(latents)


def export_wrappers(model: MusicDCAE) -> dict[str, nn.Module]:
    return {ENCODER_GRAPH: EncoderGraph(model), DECODER_GRAPH: DecoderGraph(model)}


def example_inputs(graph: str, config: DCAEConfig, batch: int, length: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """`length` is each graph's own time axis: Tm mel frames for the encoder (a multiple of the
    compression, 8), T latent frames for the decoder. Mel is uniform over the log-mel range; latents
    are standard normal like the DiT's."""
    if graph == ENCODER_GRAPH:
        if length % config.compression:
            raise ValueError(f"dcae_encoder needs Tm a multiple of {config.compression}, got {length}")
        mel = torch.rand(batch, config.in_channels, config.mel_bins, length, generator=generator)
        return {"mel": mel * (config.mel_max - config.mel_min) + config.mel_min}
    if graph == DECODER_GRAPH:
        return {"latents": torch.randn(batch, config.latent_channels, config.latent_height, length, generator=generator)}
    raise KeyError(f"dcae has no graph {graph!r}")
