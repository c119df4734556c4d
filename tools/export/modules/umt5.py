"""UMT5 text encoder (the encoder of transformers' `UMT5EncoderModel`, umt5-base), re-implemented in torch.

ACE-Step v1 encodes the tag prompt with `umt5-base` and uses `last_hidden_state` (spec §1.2). The maths is
T5's encoder with UMT5's one difference: every layer owns its relative-attention bias table.

* T5 RMS layer norm: no mean subtraction, no bias, variance in fp32.
* Attention without the 1/sqrt(d) scaling; the per-layer relative-position bias (bidirectional T5
  buckets) and the padding mask are added to the scores before an fp32 softmax.
* Gated-GELU feed-forward with the tanh GELU approximation (`gelu_new`).
* Final RMS layer norm. No dropout (inference only).

ERG-tag (spec §1.2, §2.4): upstream multiplies the output of `encoder.block[i].layer[0].SelfAttention.q` by
τ = 0.01 with forward hooks for blocks 8 and 9. Hooks cannot be exported, so the graph takes
`q_scale [B, num_layers]` and multiplies block i's query projection by `q_scale[:, i]`; ones give exactly
the plain encoder, and a per-row vector lets the host batch the plain and the ERG call.

Parameter names equal the checkpoint's (`shared.weight`, `encoder.block.N.layer.{0,1}...`,
`encoder.final_layer_norm.weight`). The file stores only `shared.weight`; `encoder.embed_tokens.weight` is
the same tensor tied to it, so this module has no such key (see `checkpoint_to_module_state`).
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

# ERG-tag's query temperature (upstream `get_text_embeddings_null(tau=0.01)`).
ERG_TAU = 0.01
# Upstream's absolute ERG-tag blocks (`l_min=8, l_max=10`, spec §13).
_UPSTREAM_ERG_LAYERS = (8, 9)
# The only feed-forward variant umt5 uses; transformers maps "gated-gelu" to the tanh GELU (`gelu_new`).
_SUPPORTED_FEED_FORWARD = "gated-gelu"
# Additive mask value for padded keys: finite like transformers (`finfo.min`), so no -inf arithmetic / NaN.
_MASK_VALUE = torch.finfo(torch.float32).min


@dataclass(frozen=True)
class UMT5Config:
    vocab_size: int = 256384
    d_model: int = 768
    d_kv: int = 64
    d_ff: int = 2048
    num_layers: int = 12
    num_heads: int = 12
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    layer_norm_epsilon: float = 1e-6
    feed_forward_proj: str = _SUPPORTED_FEED_FORWARD
    # Tokenizer ids the host pads / terminates with (T5 convention, spec §1.2); not used by the maths.
    pad_token_id: int = 0
    eos_token_id: int = 1

    @classmethod
    def full(cls) -> "UMT5Config":
        """umt5-base, as in the checkpoint's config.json (spec §1.2)."""
        return cls()

    @classmethod
    def tiny(cls) -> "UMT5Config":
        return cls(vocab_size=384, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4)

    @classmethod
    def mid(cls) -> "UMT5Config":
        return cls(vocab_size=1024, d_model=256, d_kv=32, d_ff=512, num_layers=4, num_heads=8)

    @classmethod
    def from_checkpoint(cls, config_json: Optional[Mapping], shapes: Mapping[str, tuple[int, ...]]) -> "UMT5Config":
        """Sizes from config.json where present, else from tensor shapes, else umt5-base defaults.

        A config.json value that contradicts a tensor shape is an error rather than a silent choice: the
        strict state-dict load would fail later with a less helpful message.
        """
        cfg = dict(config_json or {})
        default = cls()
        shapes = {k: tuple(v) for k, v in shapes.items()}

        def pick(name: str, from_shape: Optional[object]) -> object:
            value = cfg.get(name)
            if value is None:
                return getattr(default, name) if from_shape is None else from_shape
            if from_shape is not None and value != from_shape:
                raise ValueError(f"UMT5 config.json {name}={value} contradicts the checkpoint tensors ({from_shape})")
            return value

        shared = shapes.get("shared.weight") or shapes.get("encoder.embed_tokens.weight")
        block_ids = {int(m.group(1)) for k in shapes if (m := re.match(r"encoder\.block\.(\d+)\.", k))}
        attn = "encoder.block.0.layer.0.SelfAttention."
        bias = shapes.get(attn + "relative_attention_bias.weight")  # [num_buckets, num_heads]
        q = shapes.get(attn + "q.weight")  # [num_heads * d_kv, d_model]
        wi_0 = shapes.get("encoder.block.0.layer.1.DenseReluDense.wi_0.weight")  # [d_ff, d_model]
        norm = shapes.get("encoder.final_layer_norm.weight")

        num_heads = int(pick("num_heads", bias[1] if bias else None))
        return cls(
            vocab_size=int(pick("vocab_size", shared[0] if shared else None)),
            d_model=int(pick("d_model", shared[1] if shared else (norm[0] if norm else None))),
            d_kv=int(pick("d_kv", q[0] // num_heads if q else None)),
            d_ff=int(pick("d_ff", wi_0[0] if wi_0 else None)),
            num_layers=int(pick("num_layers", max(block_ids) + 1 if block_ids else None)),
            num_heads=num_heads,
            relative_attention_num_buckets=int(pick("relative_attention_num_buckets", bias[0] if bias else None)),
            # Not visible in any tensor shape: config.json or the umt5-base default.
            relative_attention_max_distance=int(pick("relative_attention_max_distance", None)),
            layer_norm_epsilon=float(pick("layer_norm_epsilon", None)),
            feed_forward_proj=str(pick("feed_forward_proj", None)),
            pad_token_id=int(pick("pad_token_id", None)),
            eos_token_id=int(pick("eos_token_id", None)),
        )

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def erg_layers(config: UMT5Config) -> list[int]:
    """Blocks whose query projection ERG-tag scales by τ.

    Upstream's absolute indices [8, 9] whenever the model has them (spec §13: upstream crashes on a
    shallower model). Fallback for the tiny test pack only: the last min(2, num_layers) blocks. The pack
    manifest records the indices it used.
    """
    n = config.num_layers
    if n > max(_UPSTREAM_ERG_LAYERS):
        return list(_UPSTREAM_ERG_LAYERS)
    return list(range(n - min(2, n), n))


# --------------------------------------------------------------------------------------------------
# Relative position buckets


def relative_position_bucket(relative_position: torch.Tensor, bidirectional: bool, num_buckets: int, max_distance: int) -> torch.Tensor:
    """T5 / mesh-tensorflow bucketing of `memory_position - query_position` (int64 tensor in, int64 out).

    Bidirectional: half the buckets for keys after the query (offset num_buckets/2), half for keys at or
    before it. Within a half, distances below max_exact = half/2 get a bucket each; larger ones are
    binned logarithmically up to max_distance, and everything beyond shares the last bucket. The log is
    evaluated in float32 exactly as transformers does, so boundary cases truncate the same way.
    """
    buckets = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        buckets = buckets + (relative_position > 0).to(torch.long) * num_buckets
        distance = relative_position.abs()
    else:
        distance = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = distance < max_exact
    log_ratio = torch.log(distance.float() / max_exact) / math.log(max_distance / max_exact)
    if_large = max_exact + (log_ratio * (num_buckets - max_exact)).to(torch.long)
    if_large = torch.min(if_large, torch.full_like(if_large, num_buckets - 1))
    return buckets + torch.where(is_small, distance, if_large)


def _distance_bucket_table(num_buckets: int, max_distance: int) -> torch.Tensor:
    """Bucket of every key-before-query distance 0..max_distance; every larger distance shares the last
    bucket with max_distance (the log term is >= its cap there), so the graph clamps distances to it.

    Why a table: the graph then gathers buckets by integer distance instead of evaluating float32 `log`
    and truncating, where ORT's `Log` differing from torch's by one ulp at a boundary (16, 32, 64 give
    exact integers before truncation) would move a token pair to another bucket.
    """
    return relative_position_bucket(-torch.arange(max_distance + 1), True, num_buckets, max_distance)


# --------------------------------------------------------------------------------------------------
# Layers (attribute names mirror transformers' UMT5 so state_dict keys equal the checkpoint's)


class UMT5LayerNorm(nn.Module):
    """T5's RMS norm: x / sqrt(mean(x²) + eps) · weight, statistics in fp32, no mean, no bias."""

    def __init__(self, size: int, eps: float, device=None) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size, device=device))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        variance = x32.pow(2).mean(-1, keepdim=True)
        return self.weight * (x32 * torch.rsqrt(variance + self.eps)).to(self.weight.dtype)


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """transformers' `gelu_new`, written out so every opset/ORT version sees the same formula."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class UMT5Attention(nn.Module):
    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        self.num_heads = config.num_heads
        self.d_kv = config.d_kv
        inner = config.num_heads * config.d_kv
        self.q = nn.Linear(config.d_model, inner, bias=False, device=device)
        self.k = nn.Linear(config.d_model, inner, bias=False, device=device)
        self.v = nn.Linear(config.d_model, inner, bias=False, device=device)
        self.o = nn.Linear(inner, config.d_model, bias=False, device=device)
        # UMT5: a bias table in every layer (T5 shares layer 0's).
        self.relative_attention_bias = nn.Embedding(config.relative_attention_num_buckets, config.num_heads, device=device)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        # [B, L, H*dk] -> [B, H, L, dk]
        return x.reshape(x.size(0), x.size(1), self.num_heads, self.d_kv).permute(0, 2, 1, 3)

    def forward(self, x: torch.Tensor, buckets: torch.Tensor, mask_bias: torch.Tensor, q_scale: Optional[torch.Tensor]) -> torch.Tensor:
        """x [B, L, D]; buckets int64 [L, L]; mask_bias f32 [B, 1, 1, L]; q_scale [B, 1, 1] or None."""
        q = self.q(x)
        if q_scale is not None:
            q = q * q_scale  # ERG: what upstream's hook does to this projection's output
        q, k, v = self._heads(q), self._heads(self.k(x)), self._heads(self.v(x))
        # [L, L, H] -> [1, H, L, L]
        position_bias = self.relative_attention_bias(buckets).permute(2, 0, 1).unsqueeze(0)
        scores = torch.matmul(q, k.transpose(-1, -2)) + (position_bias + mask_bias)  # no 1/sqrt(dk): T5
        weights = torch.softmax(scores.float(), dim=-1).type_as(scores)
        context = torch.matmul(weights, v).permute(0, 2, 1, 3)
        return self.o(context.reshape(context.size(0), context.size(1), self.num_heads * self.d_kv))


class UMT5LayerSelfAttention(nn.Module):
    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        self.SelfAttention = UMT5Attention(config, device=device)
        self.layer_norm = UMT5LayerNorm(config.d_model, config.layer_norm_epsilon, device=device)

    def forward(self, x: torch.Tensor, buckets: torch.Tensor, mask_bias: torch.Tensor, q_scale: Optional[torch.Tensor]) -> torch.Tensor:
        return x + self.SelfAttention(self.layer_norm(x), buckets, mask_bias, q_scale)


class UMT5DenseGatedActDense(nn.Module):
    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        self.wi_0 = nn.Linear(config.d_model, config.d_ff, bias=False, device=device)
        self.wi_1 = nn.Linear(config.d_model, config.d_ff, bias=False, device=device)
        self.wo = nn.Linear(config.d_ff, config.d_model, bias=False, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.wo(gelu_tanh(self.wi_0(x)) * self.wi_1(x))


class UMT5LayerFF(nn.Module):
    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        self.DenseReluDense = UMT5DenseGatedActDense(config, device=device)
        self.layer_norm = UMT5LayerNorm(config.d_model, config.layer_norm_epsilon, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.DenseReluDense(self.layer_norm(x))


class UMT5Block(nn.Module):
    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        self.layer = nn.ModuleList([UMT5LayerSelfAttention(config, device=device), UMT5LayerFF(config, device=device)])

    def forward(self, x: torch.Tensor, buckets: torch.Tensor, mask_bias: torch.Tensor, q_scale: Optional[torch.Tensor]) -> torch.Tensor:
        return self.layer[1](self.layer[0](x, buckets, mask_bias, q_scale))


class UMT5Stack(nn.Module):
    """`encoder.*`: the blocks and the final norm. The token embedding lives at `shared` (tied)."""

    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        self.block = nn.ModuleList([UMT5Block(config, device=device) for _ in range(config.num_layers)])
        self.final_layer_norm = UMT5LayerNorm(config.d_model, config.layer_norm_epsilon, device=device)


class UMT5Model(nn.Module):
    """UMT5 encoder: (input_ids, attention_mask, q_scale) -> last_hidden_state [B, Lt, d_model]."""

    def __init__(self, config: UMT5Config, device=None) -> None:
        super().__init__()
        if config.feed_forward_proj != _SUPPORTED_FEED_FORWARD:
            raise ValueError(f"UMT5 feed_forward_proj {config.feed_forward_proj!r} is not supported (only {_SUPPORTED_FEED_FORWARD!r})")
        # T5's log bins span max_exact..max_distance; a shorter max_distance makes the formula produce
        # negative buckets (transformers would index out of range), so refuse such a config up front.
        if config.relative_attention_max_distance <= config.relative_attention_num_buckets // 4:
            raise ValueError(f"UMT5 relative_attention_max_distance {config.relative_attention_max_distance} must exceed num_buckets/4")
        self.config = config
        self.shared = nn.Embedding(config.vocab_size, config.d_model, device=device)
        self.encoder = UMT5Stack(config, device=device)
        # A plain attribute, not a buffer: derived from the config (not checkpoint data), always on CPU so
        # a meta-built or `to_empty`-ed model keeps valid values; traced into the graph as a constant.
        self._distance_buckets = _distance_bucket_table(config.relative_attention_num_buckets, config.relative_attention_max_distance)

    def position_buckets(self, length: int, device: torch.device) -> torch.Tensor:
        """int64 [L, L]: bucket of (key position - query position), shared by every layer."""
        position = torch.arange(length, device=device)
        relative = position.unsqueeze(0) - position.unsqueeze(1)
        table = self._distance_buckets.to(device)
        # clamp(0, cap) rather than clamp(max=cap): a None bound exports as an untyped constant.
        distance = relative.abs().clamp(0, table.size(0) - 1)
        after = (relative > 0).to(torch.long) * (self.config.relative_attention_num_buckets // 2)
        return after + table[distance]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, q_scale: Optional[torch.Tensor] = None) -> torch.Tensor:
        """input_ids, attention_mask int64 [B, L]; q_scale f32 [B, num_layers] or None (no scaling at all)."""
        x = self.shared(input_ids)
        buckets = self.position_buckets(input_ids.size(1), input_ids.device)
        # [B, 1, 1, L]: 0 for real keys, finfo.min for padding (broadcast over heads and queries).
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * _MASK_VALUE
        for i, block in enumerate(self.encoder.block):
            scale = None if q_scale is None else q_scale[:, i : i + 1].unsqueeze(-1)  # [B, 1, 1]
            x = block(x, buckets, mask_bias, scale)
        return self.encoder.final_layer_norm(x)


# --------------------------------------------------------------------------------------------------
# Checkpoint loading

# Nothing of the encoder-only file is unused.
DEAD_WEIGHT_PATTERNS: tuple[str, ...] = ()
_TIED_EMBEDDING = "encoder.embed_tokens.weight"


def is_dead_weight(key: str) -> bool:
    return any(re.fullmatch(pattern, key) for pattern in DEAD_WEIGHT_PATTERNS)


def checkpoint_to_module_state(raw: dict[str, torch.Tensor], config: UMT5Config) -> dict[str, torch.Tensor]:
    """Accepts both save formats of the tied embedding: `shared.weight` only (save_pretrained, the real
    file) or with the `encoder.embed_tokens.weight` duplicate (a plain `state_dict()` dump)."""
    state = dict(raw)
    tied = state.pop(_TIED_EMBEDDING, None)
    if tied is None:
        return state
    shared = state.get("shared.weight")
    if shared is None:
        state["shared.weight"] = tied  # only the tied alias was saved: it is the same matrix
    elif tuple(shared.shape) != tuple(tied.shape):
        raise ValueError(f"UMT5 {_TIED_EMBEDDING} {tuple(tied.shape)} is not tied to shared.weight {tuple(shared.shape)}")
    return state


def prepare_for_export(model: UMT5Model) -> None:
    """Nothing to fold: no weight norm, no caches."""


# --------------------------------------------------------------------------------------------------
# Graphs


def graph_specs(config: UMT5Config) -> tuple[GraphSpec, ...]:
    """The graph's IO at `config`'s sizes (num_layers and d_model are fixed ints of the graph)."""
    return (
        GraphSpec(
            name="umt5_encoder",
            inputs=(
                TensorSpec("input_ids", "int64", ("B", "Lt")),
                TensorSpec("attention_mask", "int64", ("B", "Lt")),
                TensorSpec("q_scale", "float32", ("B", config.num_layers)),
            ),
            outputs=(TensorSpec("last_hidden_state", "float32", ("B", "Lt", config.d_model)),),
            fp16_allowed=False,  # T5 activations overflow fp16 (spec §9.1, §9.3)
            description="UMT5 encoder (umt5-base) with per-block query scales for ERG-tag",
            notes={"erg_layers": erg_layers(config), "erg_tau": ERG_TAU, "max_length": 256},
        ),
    )


# The real (umt5-base) sizes; a pack of other sizes uses graph_specs(its config).
GRAPHS: tuple[GraphSpec, ...] = graph_specs(UMT5Config.full())


class UMT5EncoderGraph(nn.Module):
    """`umt5_encoder`: forward(input_ids, attention_mask, q_scale) -> last_hidden_state."""

    def __init__(self, model: UMT5Model) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, q_scale: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids, attention_mask, q_scale)


def export_wrappers(model: UMT5Model) -> dict[str, nn.Module]:
    return {"umt5_encoder": UMT5EncoderGraph(model)}


def example_inputs(graph: str, config: UMT5Config, batch: int, length: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Token ids ending in EOS like the tokenizer's output. Row 0 fills `length`; later rows are shorter
    and right-padded (pad id, mask 0) as `padding=True` batches are. q_scale is all ones (no ERG)."""
    if graph != "umt5_encoder":
        raise KeyError(f"umt5 has no graph {graph!r}")
    first_free_id = max(config.pad_token_id, config.eos_token_id) + 1
    input_ids = torch.randint(first_free_id, config.vocab_size, (batch, length), generator=generator)
    attention_mask = torch.ones(batch, length, dtype=torch.long)
    for row in range(batch):
        valid = length if row == 0 or length == 1 else int(torch.randint(1, length, (1,), generator=generator))
        input_ids[row, valid - 1] = config.eos_token_id
        input_ids[row, valid:] = config.pad_token_id
        attention_mask[row, valid:] = 0
    q_scale = torch.ones(batch, config.num_layers)
    return {"input_ids": input_ids, "attention_mask": attention_mask, "q_scale": q_scale}
