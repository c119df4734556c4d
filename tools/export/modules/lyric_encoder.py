"""ACE-Step v1's lyric encoder, re-implemented for ONNX export (spec §1.5, §2.4, §9, §12).

Upstream builds it as `ConformerEncoder(input_size=1024, static_chunk_size=0)` with its constructor
defaults. With `use_cnn_module=False`, `macaron_style=False` and no chunking, that "Conformer" is a plain
pre-norm Transformer encoder with Transformer-XL relative-position self-attention (ESPnet
"rel_pos_espnet"):

    x = LayerNorm(Linear(xs)) * sqrt(D)            # embed.out.0 / embed.out.1, then the xscale
    pos = pe(T-1 ... -(T-1))                      # sinusoidal, one row per relative distance
    for each block:
        x = x + SelfAttnRelPos(norm_mha(x), pos, key mask)
        x = x + W2(SiLU(W1(norm_ff(x))))
    out = after_norm(x)

Differences from upstream's code that keep the numbers identical but make the graph exportable:
* the relative table is computed in-graph for exactly the 2T-1 rows the input needs (upstream slices a
  2*5000-1 row table built with the same formula; a baked 9999xD constant would bloat the graph);
* `rel_shift` is applied unconditionally (upstream skips it only for T == 1, where it is an identity);
* the ERG hook on `linear_q` (spec §2.4) becomes an explicit per-batch-row `q_scale` input.

The sizes (output 1024, 16 heads, FFN 4096, 6 blocks) are upstream constructor defaults, not in the
checkpoint's config.json (spec §12): `LyricEncoderConfig.from_shapes` derives them from the weights.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Mapping, Optional

import torch
from torch import nn

from ..graph_spec import GraphSpec, TensorSpec

CHECKPOINT_PREFIX = "lyric_encoder."


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LyricEncoderConfig:
    input_size: int  # width of the lyric token embeddings fed in (lyric_hidden_size)
    output_size: int  # model width D
    attention_heads: int
    linear_units: int  # FFN hidden width
    num_blocks: int
    # Upstream supports post-norm too, but ACE-Step uses pre-norm (and `after_norm` exists only then).
    normalize_before: bool = True
    # Size of upstream's cached table (2*max_len-1 rows). The table's values do not depend on it (upstream
    # rebuilds it with the same formula for longer inputs), so the graph never needs it; kept for the record.
    pe_max_len: int = 5000
    layer_norm_eps: float = 1e-5
    # Dropout is not modelled: inference only (upstream's rates are 0.1 / 0.1 / 0.0, all inactive in eval).

    def __post_init__(self) -> None:
        if not self.normalize_before:
            raise NotImplementedError("ACE-Step's lyric encoder is pre-norm; post-norm is not implemented")
        if self.output_size % self.attention_heads != 0:
            raise ValueError(f"output_size {self.output_size} not divisible by {self.attention_heads} heads")

    @property
    def head_dim(self) -> int:
        return self.output_size // self.attention_heads

    @classmethod
    def full(cls) -> "LyricEncoderConfig":
        return cls(input_size=1024, output_size=1024, attention_heads=16, linear_units=4096, num_blocks=6)

    @classmethod
    def tiny(cls) -> "LyricEncoderConfig":
        return cls(input_size=32, output_size=32, attention_heads=4, linear_units=64, num_blocks=2)

    @classmethod
    def mid(cls) -> "LyricEncoderConfig":
        return cls(input_size=128, output_size=128, attention_heads=4, linear_units=256, num_blocks=6)

    @classmethod
    def from_shapes(cls, shapes: Mapping[str, tuple], prefix: str = CHECKPOINT_PREFIX) -> "LyricEncoderConfig":
        """Every size from tensor shapes (`shapes[name] = shape`); full() defaults only where a tensor is absent."""
        own = {name[len(prefix):]: tuple(shape) for name, shape in shapes.items() if name.startswith(prefix)}
        if not own:
            # A wrong prefix would otherwise silently give full(): refuse instead.
            raise ValueError(f"no tensor named {prefix}* among {len(shapes)} shapes")
        default = cls.full()
        embed = own.get("embed.out.0.weight")  # Linear(input -> output): weight [output, input]
        output_size, input_size = (embed[0], embed[1]) if embed else (default.output_size, default.input_size)
        block_ids = {int(m.group(1)) for name in own if (m := re.match(r"encoders\.(\d+)\.", name))}
        num_blocks = max(block_ids) + 1 if block_ids else default.num_blocks
        if block_ids and block_ids != set(range(num_blocks)):
            raise ValueError(f"lyric encoder blocks are not contiguous: {sorted(block_ids)}")
        bias_u = own.get("encoders.0.self_attn.pos_bias_u")  # [heads, head_dim]
        heads = bias_u[0] if bias_u else default.attention_heads
        w_1 = own.get("encoders.0.feed_forward.w_1.weight")  # [linear_units, output]
        linear_units = w_1[0] if w_1 else default.linear_units
        return cls(input_size=input_size, output_size=output_size, attention_heads=heads, linear_units=linear_units, num_blocks=num_blocks)

    @classmethod
    def from_checkpoint(cls, config_json: Optional[Mapping], shapes: Mapping[str, tuple], prefix: str = CHECKPOINT_PREFIX) -> "LyricEncoderConfig":
        # The transformer's config.json holds none of these sizes (spec §12): shapes decide.
        del config_json
        return cls.from_shapes(shapes, prefix)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def erg_layers(config: LyricEncoderConfig) -> list[int]:
    """Blocks whose query is scaled for ERG-lyric (spec §2.4, §13).

    Upstream hard-codes the absolute layers 4 and 5 (and crashes on shallower models); a model too
    shallow for them (the tiny pack) uses its last two blocks instead.
    """
    if config.num_blocks > 5:
        return [4, 5]
    return list(range(config.num_blocks - min(2, config.num_blocks), config.num_blocks))


# --------------------------------------------------------------------------------------------------
# Relative positions
# --------------------------------------------------------------------------------------------------


def relative_position_table(length: int, d_model: int, dtype: torch.dtype = torch.float32, device=None) -> torch.Tensor:
    """[2T-1, D] sinusoidal rows for relative distances T-1, T-2, ..., -(T-1) (row k <-> distance T-1-k).

    This is upstream's table (positive part flipped, then the negative part without its zero row) sliced
    around its centre, computed directly: row for distance r has sin(r*w) at even and cos(r*w) at odd
    columns. The products r*w are formed exactly as upstream forms them (fp32 position times fp32 div term;
    negating a position negates the product exactly), so the values match bit for bit before sin/cos.
    `length` may be a traced size: arange then becomes an ONNX Range and the table follows T.
    """
    # Computed in fp32 like upstream, whatever the model dtype, then cast (upstream's `pe.to(x.dtype)`).
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32, device=device) * -(math.log(10000.0) / d_model))
    # T-1, T-2, ..., -(T-1)
    distance = (length - 1) - torch.arange(0, 2 * length - 1, dtype=torch.float32, device=device)
    angle = distance.unsqueeze(1) * div_term.unsqueeze(0)  # [2T-1, D/2]
    # Interleave sin (even columns) and cos (odd columns) with stack + reshape (no strided writes in-graph).
    table = torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).reshape(2 * length - 1, d_model)
    return table.to(dtype)


def rel_shift(x: torch.Tensor) -> torch.Tensor:
    """Transformer-XL shift: [..., T, 2T-1] scores against table rows -> [..., T, T] with out[i, j] = x[i, T-1-i+j].

    Row k of the table is relative distance T-1-k, so out[i, j] is the score for distance i-j. The trick:
    prepend one zero column, reinterpret the [T, 2T] block as [2T, T], drop its first row, reinterpret
    back as [T, 2T-1] and keep the first T columns. Written with reshape/-1 so both dims stay dynamic.
    """
    batch, heads, length = x.shape[0], x.shape[1], x.shape[2]
    padded = nn.functional.pad(x, (1, 0))  # [B, H, T, 2T]
    padded = padded.reshape(batch, heads, -1, length)  # [B, H, 2T, T]
    shifted = padded[:, :, 1:].reshape(batch, heads, length, -1)  # [B, H, T, 2T-1]
    return shifted[:, :, :, :length]


# --------------------------------------------------------------------------------------------------
# Layers (attribute names follow the checkpoint's keys)
# --------------------------------------------------------------------------------------------------


class RelPositionSelfAttention(nn.Module):
    """Multi-head self-attention with Transformer-XL relative positions (`encoders.N.self_attn.*`)."""

    def __init__(self, config: LyricEncoderConfig, device=None):
        super().__init__()
        d = config.output_size
        self.heads = config.attention_heads
        self.head_dim = config.head_dim
        self.linear_q = nn.Linear(d, d, device=device)
        self.linear_k = nn.Linear(d, d, device=device)  # key_bias=True upstream
        self.linear_v = nn.Linear(d, d, device=device)
        self.linear_out = nn.Linear(d, d, device=device)
        self.linear_pos = nn.Linear(d, d, bias=False, device=device)
        # Learned content (u) and position (v) biases of Transformer-XL §3.3, per head.
        self.pos_bias_u = nn.Parameter(torch.empty(self.heads, self.head_dim, device=device))
        self.pos_bias_v = nn.Parameter(torch.empty(self.heads, self.head_dim, device=device))
        nn.init.xavier_uniform_(self.pos_bias_u)
        nn.init.xavier_uniform_(self.pos_bias_v)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """[B, T, D] -> [B, H, T, d_k]"""
        return x.reshape(x.shape[0], x.shape[1], self.heads, self.head_dim).permute(0, 2, 1, 3)

    def scores(self, x: torch.Tensor, pos_table: torch.Tensor, q_scale: torch.Tensor) -> torch.Tensor:
        """Unmasked attention logits [B, H, T, T] = ((q+u)·k + rel_shift((q+v)·p)) / sqrt(d_k).

        `q_scale` [B] multiplies linear_q's output (ERG; before the u/v biases are added, as upstream's
        hook on linear_q does). `pos_table` is `relative_position_table(T, D)`.
        """
        q = self.linear_q(x) * q_scale.to(x.dtype).reshape(-1, 1, 1)
        q = q.reshape(q.shape[0], q.shape[1], self.heads, self.head_dim)  # [B, T, H, d_k]: biases broadcast over H
        k = self._split_heads(self.linear_k(x))
        p = self.linear_pos(pos_table)  # [2T-1, D]
        p = p.reshape(p.shape[0], self.heads, self.head_dim).permute(1, 2, 0)  # [H, d_k, 2T-1]
        q_u = (q + self.pos_bias_u).permute(0, 2, 1, 3)  # [B, H, T, d_k]
        q_v = (q + self.pos_bias_v).permute(0, 2, 1, 3)
        content = torch.matmul(q_u, k.transpose(-2, -1))  # [B, H, T, T]
        position = rel_shift(torch.matmul(q_v, p))  # [B, H, T, 2T-1] -> [B, H, T, T]
        return (content + position) / math.sqrt(self.head_dim)

    def forward(self, x: torch.Tensor, pos_table: torch.Tensor, key_valid: torch.Tensor, q_scale: torch.Tensor) -> torch.Tensor:
        """x [B, T, D]; key_valid bool [B, T] (True = real token); q_scale [B] -> [B, T, D]."""
        scores = self.scores(x, pos_table, q_scale)
        masked = ~key_valid[:, None, None, :]  # [B, 1, 1, T]: only keys are masked, every query row attends
        # -inf then softmax then zero-fill, as upstream: a fully masked row is NaN after softmax and the fill
        # turns it into zeros (attention output = linear_out.bias), so padding-only batches stay finite.
        probs = torch.softmax(scores.masked_fill(masked, float("-inf")), dim=-1).masked_fill(masked, 0.0)
        v = self._split_heads(self.linear_v(x))
        context = torch.matmul(probs, v)  # [B, H, T, d_k]
        context = context.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[1], self.heads * self.head_dim)
        return self.linear_out(context)


class FeedForward(nn.Module):
    """`encoders.N.feed_forward.*`: w_2(SiLU(w_1(x))) (upstream's activation_type "swish")."""

    def __init__(self, config: LyricEncoderConfig, device=None):
        super().__init__()
        self.w_1 = nn.Linear(config.output_size, config.linear_units, device=device)
        self.w_2 = nn.Linear(config.linear_units, config.output_size, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w_2(nn.functional.silu(self.w_1(x)))


class EncoderBlock(nn.Module):
    """`encoders.N.*`: pre-norm attention and FFN sub-blocks, each with a residual."""

    def __init__(self, config: LyricEncoderConfig, device=None):
        super().__init__()
        self.self_attn = RelPositionSelfAttention(config, device=device)
        self.feed_forward = FeedForward(config, device=device)
        self.norm_ff = nn.LayerNorm(config.output_size, eps=config.layer_norm_eps, device=device)
        self.norm_mha = nn.LayerNorm(config.output_size, eps=config.layer_norm_eps, device=device)

    def forward(self, x: torch.Tensor, pos_table: torch.Tensor, key_valid: torch.Tensor, q_scale: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.norm_mha(x), pos_table, key_valid, q_scale)
        return x + self.feed_forward(self.norm_ff(x))


class InputLayer(nn.Module):
    """`embed.*`: upstream's LinearEmbed; `out` is a Sequential(Linear, LayerNorm, Dropout), hence the
    `out.0` / `out.1` key names. Dropout (index 2) has no parameters and is dropped here."""

    def __init__(self, config: LyricEncoderConfig, device=None):
        super().__init__()
        self.out = nn.Sequential(
            nn.Linear(config.input_size, config.output_size, device=device),
            nn.LayerNorm(config.output_size, eps=config.layer_norm_eps, device=device),
        )

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        return self.out(xs)


class LyricEncoder(nn.Module):
    """The lyric encoder; state_dict keys equal the checkpoint's `lyric_encoder.*` keys minus the prefix."""

    def __init__(self, config: LyricEncoderConfig, device=None):
        super().__init__()
        self.config = config
        self.embed = InputLayer(config, device=device)
        self.encoders = nn.ModuleList([EncoderBlock(config, device=device) for _ in range(config.num_blocks)])
        self.after_norm = nn.LayerNorm(config.output_size, eps=config.layer_norm_eps, device=device)
        self.xscale = math.sqrt(config.output_size)  # upstream's positional-encoding input scale

    def forward(self, xs: torch.Tensor, mask: torch.Tensor, q_scale: torch.Tensor) -> torch.Tensor:
        """xs [B, L, input] float; mask [B, L] int64/float/bool (nonzero = valid); q_scale [B, num_blocks]
        (ones, or ERG's 0.01 at `erg_layers`) -> [B, L, output]."""
        key_valid = mask != 0  # upstream: pad_mask.to(torch.bool)
        x = self.embed(xs) * self.xscale
        pos_table = relative_position_table(x.shape[1], self.config.output_size, dtype=x.dtype, device=x.device)
        for index, block in enumerate(self.encoders):
            x = block(x, pos_table, key_valid, q_scale[:, index])
        return self.after_norm(x)


# --------------------------------------------------------------------------------------------------
# Exporter contract
# --------------------------------------------------------------------------------------------------

# Every `lyric_encoder.*` checkpoint tensor is used; the pe table is not a checkpoint tensor.
DEAD_WEIGHT_PATTERNS: tuple[str, ...] = ()


def is_dead_weight(key: str) -> bool:
    return any(re.fullmatch(pattern, key) for pattern in DEAD_WEIGHT_PATTERNS)


def checkpoint_to_module_state(raw: Mapping[str, torch.Tensor], config: LyricEncoderConfig, prefix: str = "") -> dict[str, torch.Tensor]:
    """Names are already the module's; only strips `prefix` (e.g. "lyric_encoder.") when given, keeping
    only the keys under it. No tensor is converted."""
    del config
    if not prefix:
        return dict(raw)
    return {name[len(prefix):]: tensor for name, tensor in raw.items() if name.startswith(prefix)}


def prepare_for_export(model: LyricEncoder) -> None:
    """Nothing to fold."""
    del model


# The lyric encoder ships inside `ace_condition_encoder.onnx` (modules/transformer.py), so it declares no
# pack graph of its own. The standalone graph below exists for this module's parity tests.
GRAPHS: tuple[GraphSpec, ...] = ()
STANDALONE_GRAPH = "lyric_encoder"


def export_wrappers(model: LyricEncoder) -> dict[str, nn.Module]:
    del model
    return {}


def standalone_graph_spec(config: LyricEncoderConfig) -> GraphSpec:
    return GraphSpec(
        name=STANDALONE_GRAPH,
        inputs=(
            TensorSpec("xs", "float32", ("B", "Ll", config.input_size)),
            TensorSpec("mask", "int64", ("B", "Ll")),
            TensorSpec("q_scale", "float32", ("B", config.num_blocks)),
        ),
        outputs=(TensorSpec("encoded", "float32", ("B", "Ll", config.output_size)),),
        description="ACE-Step v1 lyric encoder alone (test graph; the pack embeds it in the condition encoder)",
    )


class StandaloneWrapper(nn.Module):
    """forward(xs, mask, q_scale) -> encoded, in `standalone_graph_spec` order."""

    def __init__(self, model: LyricEncoder):
        super().__init__()
        self.model = model

    def forward(self, xs: torch.Tensor, mask: torch.Tensor, q_scale: torch.Tensor) -> torch.Tensor:
        return self.model(xs, mask, q_scale)


def example_inputs(graph: str, config: LyricEncoderConfig, batch: int, length: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Random inputs for the standalone graph: every row valid, q_scale ones."""
    if graph != STANDALONE_GRAPH:
        raise KeyError(graph)
    return {
        "xs": torch.randn(batch, length, config.input_size, generator=generator),
        "mask": torch.ones(batch, length, dtype=torch.int64),
        "q_scale": torch.ones(batch, config.num_blocks),
    }
