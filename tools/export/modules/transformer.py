"""ACE-Step v1's diffusion transformer (`ACEStepTransformer2DModel`), re-implemented for ONNX export.

Spec: §1.5 (condition encoder = `encode`), §1.6 (the DiT = `decode`), §2.4 (ERG), §9 (graphs and export
hazards), §12-13 (checkpoint facts). Two graphs come out of one module:

    ace_condition_encoder   speaker/genre embedders + lyric Embedding + lyric encoder + lyric_proj
                            -> encoder_hidden_states [B, 1+Lt+Ll, inner], encoder_hidden_mask [B, S]
    ace_dit_decoder         timestep MLP, patch embed, N x LinearTransformerBlock, final layer
                            -> velocity [B, 8, 16, T]

A DiT block (Sana-style, AdaLN-single):
    (shift1, scale1, gate1, shift2, scale2, gate2) = block table + temb          (this order)
    h += gate1 * LinearSelfAttn(RMSNorm(h)(1+scale1)+shift1)   # ReLU linear attention, fp32, RoPE
    h += CrossAttn(h, enc)                                     # softmax, RoPE on q and k, no norm/gate
    h += gate2 * GLUMBConv(RMSNorm(h)(1+scale2)+shift2)

Differences from upstream's code that keep the numbers identical but make the graph exportable:
* RoPE tables are computed in-graph from `arange` for exactly T (latent) and S (encoder) positions
  instead of slicing a 32768-row cache (same formula, same fp32 products);
* ERG's forward hook on `cross_attn.to_q` becomes the `cross_attn_q_scale [B, num_layers]` input; the
  hook on the self-attention `attn.to_q` is dropped because it is a no-op (spec §2.4, tested);
* cross-attention masks with the dtype's most negative finite value instead of -inf: identical for
  every row with at least one valid key, and a fully masked row (a padded latent frame) becomes a
  uniform average instead of NaN;
* unpatchify's pad/crop to `output_length` is dropped (T in == T out, spec §9.3);
* the dead weights (SSL `projectors`, and the cross-attention `add_*_proj` / `to_add_out` that
  diffusers' `Attention` creates but the processor never calls) are not built (`DEAD_WEIGHT_PATTERNS`).
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Mapping, Optional

import torch
import torch.nn.functional as F
from torch import nn

from ..graph_spec import GraphSpec, TensorSpec
from .lyric_encoder import LyricEncoder, LyricEncoderConfig
from .lyric_encoder import erg_layers as _lyric_encoder_erg_layers

# Fixed by upstream's code, not by config.json.
TIMESTEP_CHANNELS = 256  # Timesteps(num_channels=256, flip_sin_to_cos=True, downscale_freq_shift=0)
TIMESTEP_MAX_PERIOD = 10000
PATCH_EMBED_CHANNEL_FACTOR = 256  # PatchEmbed's first conv has in_channels * 256 outputs
PATCH_EMBED_GROUPS = 32
PATCH_EMBED_GN_EPS = 1e-6
RMS_NORM_EPS = 1e-6
LINEAR_ATTENTION_EPS = 1e-15
FFN_KERNEL_SIZE = 3
ADALN_CHUNKS = 6  # shift, scale, gate (attention), shift, scale, gate (FFN)

CONDITION_GRAPH = "ace_condition_encoder"
DECODER_GRAPH = "ace_dit_decoder"


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransformerConfig:
    """The fields of upstream's `acestep/models/config.json`, plus the lyric encoder's sizes (which are
    constructor defaults upstream and are derived from tensor shapes here, spec §12)."""

    in_channels: int
    num_layers: int
    inner_dim: int
    attention_head_dim: int
    num_attention_heads: int
    mlp_ratio: float
    out_channels: int
    max_position: int  # size of upstream's RoPE cache; values do not depend on it (tables are in-graph)
    rope_theta: float
    speaker_embedding_dim: int
    text_embedding_dim: int
    # SSL projectors are training-only (dead at inference); kept so config.json round-trips.
    ssl_encoder_depths: tuple[int, ...]
    ssl_names: tuple[str, ...]
    ssl_latent_dims: tuple[int, ...]
    patch_size: tuple[int, int]
    max_height: int
    max_width: int
    lyric_encoder_vocab_size: int
    lyric_hidden_size: int
    lyric_encoder: LyricEncoderConfig

    def __post_init__(self) -> None:
        # Upstream recomputes inner_dim = heads * head_dim and ignores the stored value; insist they agree.
        if self.inner_dim != self.num_attention_heads * self.attention_head_dim:
            raise ValueError(f"inner_dim {self.inner_dim} != {self.num_attention_heads} heads x {self.attention_head_dim}")
        if self.attention_head_dim % 2:
            raise ValueError("RoPE needs an even attention_head_dim")
        # Upstream's unpatchify assumes the patch height covers the whole latent height (one token per
        # frame); the graph also assumes patch width 1 (upstream's pad/crop to T is then a no-op).
        if self.patch_size[0] != self.max_height or self.patch_size[1] != 1:
            raise NotImplementedError(f"patch_size {self.patch_size} with max_height {self.max_height} is not [max_height, 1]")
        if self.lyric_encoder.input_size != self.lyric_hidden_size:
            raise ValueError(f"lyric encoder input {self.lyric_encoder.input_size} != lyric_hidden_size {self.lyric_hidden_size}")
        if (self.in_channels * PATCH_EMBED_CHANNEL_FACTOR) % PATCH_EMBED_GROUPS:
            raise ValueError("patch embed channels must split into 32 GroupNorm groups")

    @property
    def ffn_hidden(self) -> int:
        """GLUMBConv's hidden width (the inverted conv has twice this many channels)."""
        return int(self.inner_dim * self.mlp_ratio)

    @property
    def patch_embed_channels(self) -> int:
        return self.in_channels * PATCH_EMBED_CHANNEL_FACTOR

    @classmethod
    def full(cls) -> "TransformerConfig":
        # acestep/models/config.json (== checkpoint-keys/ace_step_transformer.json["config"]).
        return cls(
            in_channels=8, num_layers=24, inner_dim=2560, attention_head_dim=128, num_attention_heads=20, mlp_ratio=2.5,
            out_channels=8, max_position=32768, rope_theta=1000000.0, speaker_embedding_dim=512, text_embedding_dim=768,
            ssl_encoder_depths=(8, 8), ssl_names=("mert", "m-hubert"), ssl_latent_dims=(1024, 768),
            patch_size=(16, 1), max_height=16, max_width=32768, lyric_encoder_vocab_size=6693, lyric_hidden_size=1024,
            lyric_encoder=LyricEncoderConfig.full(),
        )  # fmt: skip

    @classmethod
    def tiny(cls) -> "TransformerConfig":
        # The shipped tiny pack: real vocabulary and speaker width (so host code is unchanged), toy widths.
        return dataclasses.replace(
            cls.full(), num_layers=2, inner_dim=64, attention_head_dim=16, num_attention_heads=4, text_embedding_dim=32,
            ssl_encoder_depths=(1, 1), ssl_latent_dims=(16, 16), lyric_hidden_size=32, lyric_encoder=LyricEncoderConfig.tiny(),
        )  # fmt: skip

    @classmethod
    def mid(cls) -> "TransformerConfig":
        return dataclasses.replace(
            cls.full(), num_layers=4, inner_dim=128, attention_head_dim=32, num_attention_heads=4, text_embedding_dim=256,
            ssl_encoder_depths=(1, 1), ssl_latent_dims=(16, 16), lyric_hidden_size=128, lyric_encoder=LyricEncoderConfig.mid(),
        )  # fmt: skip

    @classmethod
    def from_checkpoint(cls, config_json: Optional[Mapping], shapes: Mapping[str, tuple]) -> "TransformerConfig":
        """Sizes from config.json where present, else from tensor shapes, else full() defaults.

        Where both config.json and a tensor give a size they must agree (a mismatch would only fail later,
        less clearly, when the weights are loaded). Heads and head width are not visible in any shape
        (q/k/v are inner x inner), so they come from config.json, or heads = inner / full()'s head width.
        """
        cj = dict(config_json or {})
        shapes = {name: tuple(shape) for name, shape in shapes.items()}
        default = cls.full()

        def pick(key: str, from_shape, fallback):
            if key in cj:
                value = cj[key]
                if from_shape is not None and value != from_shape:
                    raise ValueError(f"config.json {key}={value} but the weights say {from_shape}")
                return value
            return from_shape if from_shape is not None else fallback

        def dim(name: str, axis: int) -> Optional[int]:
            return shapes[name][axis] if name in shapes else None

        conv_in = shapes.get("proj_in.early_conv_layers.0.weight")  # [in*256, in, p0, p1]
        patch_size = tuple(pick("patch_size", list(conv_in[2:]) if conv_in else None, list(default.patch_size)))
        in_channels = pick("in_channels", dim("proj_in.early_conv_layers.0.weight", 1), default.in_channels)
        # Upstream builds inner = heads * head_dim and ignores config.json's inner_dim.
        inner_from_shape = dim("proj_in.early_conv_layers.2.weight", 0) or dim("speaker_embedder.weight", 0)
        head_dim = cj.get("attention_head_dim", default.attention_head_dim)
        if "num_attention_heads" in cj:
            heads = cj["num_attention_heads"]
            inner_dim = heads * head_dim
        else:
            inner_dim = inner_from_shape or cj.get("inner_dim", default.inner_dim)
            heads = inner_dim // head_dim
        if heads * head_dim != inner_dim or (inner_from_shape is not None and inner_from_shape != inner_dim):
            raise ValueError(f"{heads} heads x {head_dim} does not match the weights' inner width {inner_from_shape or inner_dim}")

        block_ids = {int(m.group(1)) for name in shapes if (m := re.match(r"transformer_blocks\.(\d+)\.", name))}
        num_layers = pick("num_layers", max(block_ids) + 1 if block_ids else None, default.num_layers)
        if block_ids and block_ids != set(range(num_layers)):
            raise ValueError(f"transformer blocks are not contiguous: {sorted(block_ids)}")

        ffn_channels = dim("transformer_blocks.0.ff.inverted_conv.conv.weight", 0)  # 2 * int(inner * mlp_ratio)
        mlp_ratio = float(cj.get("mlp_ratio", ffn_channels / 2 / inner_dim if ffn_channels else default.mlp_ratio))
        if ffn_channels is not None and 2 * int(inner_dim * mlp_ratio) != ffn_channels:
            raise ValueError(f"mlp_ratio {mlp_ratio} does not give the weights' FFN width {ffn_channels // 2}")

        final_out = dim("final_layer.linear.weight", 0)  # p0 * p1 * out_channels
        out_channels = pick("out_channels", final_out // (patch_size[0] * patch_size[1]) if final_out else None, default.out_channels)

        ssl_ids = sorted({int(m.group(1)) for name in shapes if (m := re.match(r"projectors\.(\d+)\.", name))})
        ssl_dims = [shapes[f"projectors.{i}.4.weight"][0] for i in ssl_ids] if ssl_ids else None

        lyric_keys = any(name.startswith("lyric_encoder.") for name in shapes)
        lyric_encoder = LyricEncoderConfig.from_shapes(shapes, prefix="lyric_encoder.") if lyric_keys else default.lyric_encoder

        return cls(
            in_channels=in_channels,
            num_layers=num_layers,
            inner_dim=inner_dim,
            attention_head_dim=head_dim,
            num_attention_heads=heads,
            mlp_ratio=mlp_ratio,
            out_channels=out_channels,
            max_position=cj.get("max_position", default.max_position),
            rope_theta=float(cj.get("rope_theta", default.rope_theta)),
            speaker_embedding_dim=pick("speaker_embedding_dim", dim("speaker_embedder.weight", 1), default.speaker_embedding_dim),
            text_embedding_dim=pick("text_embedding_dim", dim("genre_embedder.weight", 1), default.text_embedding_dim),
            ssl_encoder_depths=tuple(cj.get("ssl_encoder_depths", default.ssl_encoder_depths)),
            ssl_names=tuple(cj.get("ssl_names", default.ssl_names)),
            ssl_latent_dims=tuple(pick("ssl_latent_dims", ssl_dims, list(default.ssl_latent_dims))),
            patch_size=patch_size,
            max_height=cj.get("max_height", patch_size[0]),
            max_width=cj.get("max_width", default.max_width),
            lyric_encoder_vocab_size=pick("lyric_encoder_vocab_size", dim("lyric_embs.weight", 0), default.lyric_encoder_vocab_size),
            lyric_hidden_size=pick("lyric_hidden_size", dim("lyric_embs.weight", 1), default.lyric_hidden_size),
            lyric_encoder=lyric_encoder,
        )

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> "TransformerConfig":
        """Inverse of to_json (e.g. a pack manifest)."""
        fields = dict(data)
        fields["lyric_encoder"] = LyricEncoderConfig(**fields["lyric_encoder"])
        for key in ("ssl_encoder_depths", "ssl_names", "ssl_latent_dims", "patch_size"):
            fields[key] = tuple(fields[key])
        return cls(**fields)

    def to_config_json(self) -> dict:
        """Upstream-style config.json (what a checkpoint of these sizes would ship; no lyric encoder sizes)."""
        data = self.to_json()
        del data["lyric_encoder"]
        return {"_class_name": "Transformer2DModel", **{k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}}


def erg_layers(config: TransformerConfig) -> list[int]:
    """DiT blocks whose cross-attention query is scaled for ERG-diffusion (spec §2.4, §13).

    Upstream hard-codes the absolute blocks 15-19; a model too shallow for them (the tiny pack) uses its
    last two blocks instead.
    """
    if config.num_layers > 19:
        return list(range(15, 20))
    count = min(2, config.num_layers)
    return list(range(config.num_layers - count, config.num_layers))


def lyric_erg_layers(config: TransformerConfig) -> list[int]:
    """Lyric encoder blocks whose query is scaled for ERG-lyric (the lyric encoder module decides)."""
    return _lyric_encoder_erg_layers(config.lyric_encoder)


# --------------------------------------------------------------------------------------------------
# Numerics shared by the layers
# --------------------------------------------------------------------------------------------------


def rms_norm(x: torch.Tensor, eps: float = RMS_NORM_EPS) -> torch.Tensor:
    """RMSNorm without affine, computed in fp32 and cast back (as diffusers' and torch's RMSNorm do)."""
    x32 = x.float()
    return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


def timestep_sinusoid(timestep: torch.Tensor, channels: int = TIMESTEP_CHANNELS) -> torch.Tensor:
    """[B] -> [B, channels] fp32: cos of the first half, sin of the second (diffusers' Timesteps with
    flip_sin_to_cos=True, downscale_freq_shift=0). Frequencies are formed in upstream's operation order so
    the fp32 arguments match bit for bit."""
    half = channels // 2
    exponent = -math.log(TIMESTEP_MAX_PERIOD) * torch.arange(0, half, dtype=torch.float32, device=timestep.device)
    frequencies = torch.exp(exponent / half)
    angles = timestep.float()[:, None] * frequencies[None, :]
    # Upstream concatenates (sin, cos) and then swaps the halves; building (cos, sin) directly is the same.
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)


def rope_tables(length, head_dim: int, theta: float, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """fp32 (cos, sin) [length, head_dim] for positions 0..length-1 (Qwen2-style table, spec §1.6.3).

    inv_freq[i] = 1 / theta^(2i/head_dim); the table is concat(pos*inv_freq, pos*inv_freq), so column j
    uses frequency j mod head_dim/2 (the "duplicated half" layout). `length` may be a traced size, so the
    positions are an ONNX Range and the table follows T / S.
    """
    exponent = torch.arange(0, head_dim, 2, dtype=torch.int64, device=device).float() / head_dim
    # == upstream's `theta ** exponent` bit for bit, without a traced torch.tensor constant (TracerWarning).
    inv_freq = 1.0 / torch.pow(torch.full((), theta, dtype=torch.float32, device=device), exponent)
    positions = torch.arange(length, dtype=torch.int64, device=device).float()
    angles = positions[:, None] * inv_freq[None, :]  # upstream: torch.outer, the same single product
    table = torch.cat([angles, angles], dim=-1)
    return table.cos(), table.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x [B, H, L, D] with tables [L, D]: out = x*cos + rot(x)*sin, rot pairing (2i, 2i+1) -> (-x[2i+1], x[2i]).

    This is upstream's quirk: an interleaved-pair rotation applied with the duplicated-half table, so
    the two members of a pair see different frequencies (spec §1.6.3). Computed in fp32, cast back.
    """
    b, h, length, d = x.shape
    pairs = x.reshape(b, h, length, d // 2, 2)
    rotated = torch.stack([-pairs[..., 1], pairs[..., 0]], dim=-1).reshape(b, h, length, d)
    return (x.float() * cos + rotated.float() * sin).to(x.dtype)


# --------------------------------------------------------------------------------------------------
# Layers (attribute names follow the checkpoint's keys)
# --------------------------------------------------------------------------------------------------


class TimestepEmbedding(nn.Module):
    """`timestep_embedder.*`: Linear(256 -> inner) -> SiLU -> Linear(inner -> inner)."""

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        self.linear_1 = nn.Linear(TIMESTEP_CHANNELS, config.inner_dim, device=device)
        self.linear_2 = nn.Linear(config.inner_dim, config.inner_dim, device=device)

    def forward(self, sinusoid: torch.Tensor) -> torch.Tensor:
        return self.linear_2(F.silu(self.linear_1(sinusoid)))


class PatchEmbed(nn.Module):
    """`proj_in.early_conv_layers.{0,1,2}`: Conv2d(k=stride=patch) -> GroupNorm(32) -> Conv2d 1x1.

    The patch height equals the latent height, so [B, C, H, T] becomes one token per frame: [B, T, inner].
    """

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        mid = config.patch_embed_channels
        patch = tuple(config.patch_size)
        self.early_conv_layers = nn.Sequential(
            nn.Conv2d(config.in_channels, mid, kernel_size=patch, stride=patch, device=device),
            nn.GroupNorm(PATCH_EMBED_GROUPS, mid, eps=PATCH_EMBED_GN_EPS, device=device),
            nn.Conv2d(mid, config.inner_dim, kernel_size=1, device=device),
        )

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        x = self.early_conv_layers(latent)  # [B, inner, 1, T]
        return x.reshape(x.shape[0], x.shape[1], -1).transpose(1, 2)


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, L, H*D] -> [B, H, L, D] (channel c = h*D + d, as upstream's views)."""
    return x.reshape(x.shape[0], x.shape[1], heads, -1).permute(0, 2, 1, 3)


class LinearSelfAttention(nn.Module):
    """`transformer_blocks.N.attn.*`: Sana's ReLU linear attention ("LiteLA"), O(T·D²), no T×T matrix.

    Per head, with q,k,v masked by the token mask and q,k through ReLU:
        out[:, t] = (Σ_s v_s k_sᵀ) q_t / (Σ_s k_s · q_t + 1e-15)
    computed as [Vᵀ; 1ᵀ]·K then ·Qᵀ so the padded row of ones yields the normaliser; all in fp32.
    """

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        dim = config.inner_dim
        self.heads = config.num_attention_heads
        self.to_q = nn.Linear(dim, dim, device=device)
        self.to_k = nn.Linear(dim, dim, device=device)
        self.to_v = nn.Linear(dim, dim, device=device)
        # diffusers' to_out is [Linear, Dropout]; the dropout has no weights (index 0 keeps the key name).
        self.to_out = nn.ModuleList([nn.Linear(dim, dim, device=device)])

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor], token_mask: torch.Tensor) -> torch.Tensor:
        """x [B, T, C]; rope = latent tables [T, D]; token_mask [B, T] (1 = real frame) -> [B, T, C]."""
        dtype = x.dtype
        q = apply_rope(_split_heads(self.to_q(x), self.heads), *rope)  # [B, H, T, D]
        k = apply_rope(_split_heads(self.to_k(x), self.heads), *rope)  # [B, H, T, D]
        v = _split_heads(self.to_v(x), self.heads).transpose(-1, -2)  # [B, H, D, T]
        mask = token_mask.to(dtype)
        q = q * mask[:, None, :, None]
        k = k * mask[:, None, :, None]
        v = v * mask[:, None, None, :]
        q, k, v = F.relu(q).float(), F.relu(k).float(), v.float()
        v = F.pad(v, (0, 0, 0, 1), value=1.0)  # [B, H, D+1, T]: the ones row sums k·q, the normaliser
        out = torch.matmul(torch.matmul(v, k), q.transpose(-1, -2))  # [B, H, D+1, D] @ [B, H, D, T]
        out = out[:, :, :-1] / (out[:, :, -1:] + LINEAR_ATTENTION_EPS)  # [B, H, D, T]
        out = out.reshape(out.shape[0], -1, out.shape[-1]).transpose(1, 2).to(dtype)  # [B, T, H*D]
        return self.to_out[0](out)


class CrossAttention(nn.Module):
    """`transformer_blocks.N.cross_attn.*`: softmax attention from latent tokens to the condition.

    RoPE on q with latent positions and on k with encoder positions; scale 1/sqrt(D). Upstream's
    `add_q_proj/add_k_proj/add_v_proj/to_add_out` exist in the checkpoint but are never used: not built.
    """

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        dim = config.inner_dim
        self.heads = config.num_attention_heads
        self.scale = 1.0 / math.sqrt(config.attention_head_dim)
        self.to_q = nn.Linear(dim, dim, device=device)
        self.to_k = nn.Linear(dim, dim, device=device)  # context width == inner_dim upstream
        self.to_v = nn.Linear(dim, dim, device=device)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim, device=device)])

    def forward(
        self,
        x: torch.Tensor,
        context: torch.Tensor,
        rope: tuple[torch.Tensor, torch.Tensor],
        context_rope: tuple[torch.Tensor, torch.Tensor],
        valid: torch.Tensor,
        q_scale: torch.Tensor,
    ) -> torch.Tensor:
        """x [B, T, C]; context [B, S, C]; valid bool [B, T, S]; q_scale [B] (ERG: to_q output × scale)."""
        q = self.to_q(x) * q_scale.to(x.dtype)[:, None, None]
        q = apply_rope(_split_heads(q, self.heads), *rope)  # [B, H, T, D]
        k = apply_rope(_split_heads(self.to_k(context), self.heads), *context_rope)  # [B, H, S, D]
        v = _split_heads(self.to_v(context), self.heads)  # [B, H, S, D]
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale  # [B, H, T, S]
        # Upstream adds -inf where invalid. The most negative finite value gives exactly the same
        # probabilities whenever a row has a valid key, and no NaN when it has none.
        scores = scores.masked_fill(~valid[:, None], torch.finfo(scores.dtype).min)
        out = torch.matmul(torch.softmax(scores, dim=-1), v)  # [B, H, T, D]
        out = out.permute(0, 2, 1, 3).reshape(out.shape[0], out.shape[2], -1)
        return self.to_out[0](out)


class ConvLayer(nn.Module):
    """Upstream's ConvLayer wrapper (hence the `.conv.` in the key names); norm/act applied by GLUMBConv."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, groups: int = 1, bias: bool = True, device=None):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, groups=groups, bias=bias, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class GLUMBConv(nn.Module):
    """`transformer_blocks.N.ff.*`: 1x1 conv -> SiLU -> depthwise k3 conv -> x·SiLU(gate) -> 1x1 conv (no bias)."""

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        dim, hidden = config.inner_dim, config.ffn_hidden
        self.inverted_conv = ConvLayer(dim, 2 * hidden, 1, device=device)
        self.depth_conv = ConvLayer(2 * hidden, 2 * hidden, FFN_KERNEL_SIZE, groups=2 * hidden, device=device)
        self.point_conv = ConvLayer(hidden, dim, 1, bias=False, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[B, T, C] -> [B, T, C] (convolutions run channels-first over time)."""
        y = self.depth_conv(F.silu(self.inverted_conv(x.transpose(1, 2))))
        y, gate = y.chunk(2, dim=1)
        return self.point_conv(y * F.silu(gate)).transpose(1, 2)


class LinearTransformerBlock(nn.Module):
    """`transformer_blocks.N.*`: AdaLN-single modulated linear self-attention, plain cross-attention, GLU FFN."""

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        dim = config.inner_dim
        self.attn = LinearSelfAttention(config, device=device)
        self.cross_attn = CrossAttention(config, device=device)
        self.ff = GLUMBConv(config, device=device)
        self.scale_shift_table = nn.Parameter(torch.randn(ADALN_CHUNKS, dim, device=device) / dim**0.5)

    def forward(
        self,
        h: torch.Tensor,
        context: torch.Tensor,
        temb: torch.Tensor,
        rope: tuple[torch.Tensor, torch.Tensor],
        context_rope: tuple[torch.Tensor, torch.Tensor],
        token_mask: torch.Tensor,
        cross_valid: torch.Tensor,
        cross_q_scale: torch.Tensor,
    ) -> torch.Tensor:
        modulation = self.scale_shift_table[None] + temb.reshape(h.shape[0], ADALN_CHUNKS, -1)  # [B, 6, C]
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = modulation.chunk(ADALN_CHUNKS, dim=1)
        h = h + gate_msa * self.attn(rms_norm(h) * (1 + scale_msa) + shift_msa, rope, token_mask)
        # No norm, modulation or gate around the cross-attention: it reads the raw residual stream.
        h = h + self.cross_attn(h, context, rope, context_rope, cross_valid, cross_q_scale)
        return h + gate_mlp * self.ff(rms_norm(h) * (1 + scale_mlp) + shift_mlp)


class FinalLayer(nn.Module):
    """`final_layer.*`: modulated by `embedded_timestep` (not temb), Linear to patch pixels, unpatchify."""

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        self.patch_height = config.patch_size[0]
        self.out_channels = config.out_channels
        self.linear = nn.Linear(config.inner_dim, self.patch_height * config.patch_size[1] * config.out_channels, device=device)
        self.scale_shift_table = nn.Parameter(torch.randn(2, config.inner_dim, device=device) / config.inner_dim**0.5)

    def forward(self, h: torch.Tensor, embedded_timestep: torch.Tensor) -> torch.Tensor:
        """h [B, T, C], embedded_timestep [B, C] -> [B, out_channels, patch_height, T]."""
        shift, scale = (self.scale_shift_table[None] + embedded_timestep[:, None]).chunk(2, dim=1)
        y = self.linear(rms_norm(h) * (1 + scale) + shift)  # [B, T, p*c], index = p*c_out + c
        y = y.reshape(y.shape[0], y.shape[1], self.patch_height, self.out_channels)
        return y.permute(0, 3, 2, 1)  # [B, c, p, T]


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


class ACEStepTransformer(nn.Module):
    """state_dict keys == the checkpoint's, minus `DEAD_WEIGHT_PATTERNS`. `encode` / `decode` as upstream."""

    def __init__(self, config: TransformerConfig, device=None):
        super().__init__()
        self.config = config
        inner = config.inner_dim
        # Condition side (spec §1.5).
        self.speaker_embedder = nn.Linear(config.speaker_embedding_dim, inner, device=device)
        self.genre_embedder = nn.Linear(config.text_embedding_dim, inner, device=device)
        self.lyric_embs = nn.Embedding(config.lyric_encoder_vocab_size, config.lyric_hidden_size, device=device)
        self.lyric_encoder = LyricEncoder(config.lyric_encoder, device=device)
        self.lyric_proj = nn.Linear(config.lyric_encoder.output_size, inner, device=device)
        # Diffusion side (spec §1.6).
        self.timestep_embedder = TimestepEmbedding(config, device=device)
        self.t_block = nn.Sequential(nn.SiLU(), nn.Linear(inner, ADALN_CHUNKS * inner, device=device))
        self.proj_in = PatchEmbed(config, device=device)
        self.transformer_blocks = nn.ModuleList([LinearTransformerBlock(config, device=device) for _ in range(config.num_layers)])
        self.final_layer = FinalLayer(config, device=device)

    @property
    def dtype(self) -> torch.dtype:
        return self.speaker_embedder.weight.dtype

    def encode(
        self,
        text_hidden_states: torch.Tensor,
        text_attention_mask: torch.Tensor,
        speaker_embeds: torch.Tensor,
        lyric_token_ids: torch.Tensor,
        lyric_mask: torch.Tensor,
        lyric_q_scale: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """-> encoder_hidden_states [B, 1+Lt+Ll, inner], encoder_hidden_mask fp32 [B, 1+Lt+Ll].

        Padded text tokens are embedded like the others (upstream does not zero them); only the mask
        tells the decoder to ignore them.
        """
        speaker = self.speaker_embedder(speaker_embeds)[:, None]  # [B, 1, inner]
        text = self.genre_embedder(text_hidden_states)
        lyric = self.lyric_proj(self.lyric_encoder(self.lyric_embs(lyric_token_ids), lyric_mask, lyric_q_scale))
        hidden = torch.cat([speaker, text, lyric], dim=1)
        # The speaker token is always valid; int64 masks promote to fp32 as in upstream's torch.cat.
        speaker_mask = torch.ones_like(text_attention_mask[:, :1], dtype=torch.float32)
        mask = torch.cat([speaker_mask, text_attention_mask.float(), lyric_mask.float()], dim=1)
        return hidden, mask

    def decode(
        self,
        hidden_states: torch.Tensor,
        timestep: torch.Tensor,
        attention_mask: torch.Tensor,
        encoder_hidden_states: torch.Tensor,
        encoder_hidden_mask: torch.Tensor,
        cross_attn_q_scale: torch.Tensor,
    ) -> torch.Tensor:
        """hidden_states [B, C, H, T]; timestep [B] = σ·1000; attention_mask [B, T]; encoder_* from encode;
        cross_attn_q_scale [B, num_layers] (ones, or ERG's 0.01 at `erg_layers`) -> velocity [B, C, H, T]."""
        embedded_timestep = self.timestep_embedder(timestep_sinusoid(timestep).to(hidden_states.dtype))
        temb = self.t_block(embedded_timestep)  # [B, 6*inner], shared by every block (AdaLN-single)
        h = self.proj_in(hidden_states)

        cfg = self.config
        # Tables in fp32, cast to the activation dtype as upstream's cache lookup does.
        rope = tuple(t.to(h.dtype) for t in rope_tables(h.shape[1], cfg.attention_head_dim, cfg.rope_theta, h.device))
        context_rope = tuple(
            t.to(h.dtype) for t in rope_tables(encoder_hidden_states.shape[1], cfg.attention_head_dim, cfg.rope_theta, h.device)
        )
        # Upstream: where(attention_mask[t] * enc_mask[s] == 1, 0, -inf); the same for every block.
        cross_valid = (attention_mask.float()[:, :, None] * encoder_hidden_mask.float()[:, None, :]) == 1

        for index, block in enumerate(self.transformer_blocks):
            h = block(h, encoder_hidden_states, temb, rope, context_rope, attention_mask, cross_valid, cross_attn_q_scale[:, index])
        return self.final_layer(h, embedded_timestep)


# --------------------------------------------------------------------------------------------------
# Exporter contract
# --------------------------------------------------------------------------------------------------

# Checkpoint tensors never used at inference (spec §1.6, §12): the SSL projectors (training loss only)
# and the context projections diffusers' Attention builds for `added_kv_proj_dim` that the
# cross-attention processor never calls. Matched with re.fullmatch.
DEAD_WEIGHT_PATTERNS: tuple[str, ...] = (
    r"projectors\.\d+\..+",
    r"transformer_blocks\.\d+\.cross_attn\.(add_q_proj|add_k_proj|add_v_proj|to_add_out)\.(weight|bias)",
)


def is_dead_weight(key: str) -> bool:
    return any(re.fullmatch(pattern, key) for pattern in DEAD_WEIGHT_PATTERNS)


def checkpoint_to_module_state(raw: Mapping[str, torch.Tensor], config: TransformerConfig) -> dict[str, torch.Tensor]:
    """Names already match; only the named dead weights are left out (by `is_dead_weight`, never by
    absence from the model). Everything else passes through for the loader's strict check."""
    del config
    return {name: tensor for name, tensor in raw.items() if not is_dead_weight(name)}


def prepare_for_export(model: ACEStepTransformer) -> None:
    """Nothing to fold."""
    del model


def graph_specs(config: TransformerConfig) -> tuple[GraphSpec, ...]:
    """Spec §9.1 IO of the two graphs at `config`'s sizes."""
    inner, height = config.inner_dim, config.patch_size[0]
    condition = GraphSpec(
        name=CONDITION_GRAPH,
        inputs=(
            TensorSpec("text_hidden_states", "float32", ("B", "Lt", config.text_embedding_dim)),
            TensorSpec("text_attention_mask", "int64", ("B", "Lt")),
            TensorSpec("speaker_embeds", "float32", ("B", config.speaker_embedding_dim)),
            TensorSpec("lyric_token_ids", "int64", ("B", "Ll")),
            TensorSpec("lyric_mask", "int64", ("B", "Ll")),
            TensorSpec("lyric_q_scale", "float32", ("B", config.lyric_encoder.num_blocks)),
        ),
        outputs=(
            TensorSpec("encoder_hidden_states", "float32", ("B", "S", inner)),
            TensorSpec("encoder_hidden_mask", "float32", ("B", "S")),
        ),
        description="ACE-Step v1 condition encoder (speaker + genre embedders, lyric encoder); S = 1 + Lt + Ll",
        notes={"lyric_erg_layers": lyric_erg_layers(config), "speaker_embeds": "zeros at inference"},
    )
    decoder = GraphSpec(
        name=DECODER_GRAPH,
        inputs=(
            TensorSpec("hidden_states", "float32", ("B", config.in_channels, height, "T")),
            TensorSpec("timestep", "float32", ("B",)),
            TensorSpec("attention_mask", "float32", ("B", "T")),
            TensorSpec("encoder_hidden_states", "float32", ("B", "S", inner)),
            TensorSpec("encoder_hidden_mask", "float32", ("B", "S")),
            TensorSpec("cross_attn_q_scale", "float32", ("B", config.num_layers)),
        ),
        outputs=(TensorSpec("velocity", "float32", ("B", config.out_channels, height, "T")),),
        description="ACE-Step v1 linear DiT decode: flow velocity for a latent; timestep = sigma * 1000",
        notes={"erg_layers": erg_layers(config), "timestep": "sigma * 1000"},
    )
    return (condition, decoder)


GRAPHS: tuple[GraphSpec, ...] = graph_specs(TransformerConfig.full())


class ConditionEncoderGraph(nn.Module):
    """forward(text_hidden_states, text_attention_mask, speaker_embeds, lyric_token_ids, lyric_mask,
    lyric_q_scale) -> (encoder_hidden_states fp32, encoder_hidden_mask fp32). Float inputs are cast to
    the model dtype so an fp16 model keeps fp32 graph IO."""

    def __init__(self, model: ACEStepTransformer):
        super().__init__()
        self.model = model

    def forward(self, text_hidden_states, text_attention_mask, speaker_embeds, lyric_token_ids, lyric_mask, lyric_q_scale):
        dtype = self.model.dtype
        hidden, mask = self.model.encode(
            text_hidden_states.to(dtype), text_attention_mask, speaker_embeds.to(dtype), lyric_token_ids, lyric_mask, lyric_q_scale
        )
        return hidden.float(), mask


class DecoderGraph(nn.Module):
    """forward(hidden_states, timestep, attention_mask, encoder_hidden_states, encoder_hidden_mask,
    cross_attn_q_scale) -> velocity fp32. The timestep stays fp32 (upstream forms its sinusoid in fp32)."""

    def __init__(self, model: ACEStepTransformer):
        super().__init__()
        self.model = model

    def forward(self, hidden_states, timestep, attention_mask, encoder_hidden_states, encoder_hidden_mask, cross_attn_q_scale):
        dtype = self.model.dtype
        velocity = self.model.decode(
            hidden_states.to(dtype), timestep, attention_mask, encoder_hidden_states.to(dtype), encoder_hidden_mask, cross_attn_q_scale
        )
        return velocity.float()


def export_wrappers(model: ACEStepTransformer) -> dict[str, nn.Module]:
    return {CONDITION_GRAPH: ConditionEncoderGraph(model), DECODER_GRAPH: DecoderGraph(model)}


def example_inputs(graph: str, config: TransformerConfig, batch: int, length: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Valid random inputs. `length` is Lt for the condition encoder (Ll = 1.5·Lt) and T for the decoder
    (S = 1 + T//2 + T). Rows after the first carry padded text, as a batch of unequal prompts would."""
    if graph == CONDITION_GRAPH:
        text_len, lyric_len = max(1, length), max(1, (3 * length) // 2)
        text_mask = torch.ones(batch, text_len, dtype=torch.int64)
        if batch > 1 and text_len > 1:
            text_mask[1:, text_len - max(1, text_len // 3) :] = 0
        return {
            "text_hidden_states": torch.randn(batch, text_len, config.text_embedding_dim, generator=generator),
            "text_attention_mask": text_mask,
            "speaker_embeds": torch.randn(batch, config.speaker_embedding_dim, generator=generator),
            "lyric_token_ids": torch.randint(0, config.lyric_encoder_vocab_size, (batch, lyric_len), generator=generator),
            "lyric_mask": torch.ones(batch, lyric_len, dtype=torch.int64),
            "lyric_q_scale": torch.ones(batch, config.lyric_encoder.num_blocks),
        }
    if graph == DECODER_GRAPH:
        frames = max(1, length)
        text_len = max(1, frames // 2)
        context_len = 1 + text_len + frames
        context_mask = torch.ones(batch, context_len)
        if batch > 1 and text_len > 1:
            context_mask[1:, 1 + text_len - max(1, text_len // 3) : 1 + text_len] = 0  # padded text tokens
        return {
            "hidden_states": torch.randn(batch, config.in_channels, config.patch_size[0], frames, generator=generator),
            "timestep": torch.rand(batch, generator=generator) * 1000.0,
            "attention_mask": torch.ones(batch, frames),
            "encoder_hidden_states": torch.randn(batch, context_len, config.inner_dim, generator=generator),
            "encoder_hidden_mask": context_mask,
            "cross_attn_q_scale": torch.ones(batch, config.num_layers),
        }
    raise KeyError(graph)
