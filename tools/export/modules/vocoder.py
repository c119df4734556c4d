"""ACE-Step v1's vocoder (`ADaMoSHiFiGANV1`, checkpoint folder `music_vocoder`), re-implemented for export.

Spec §1.7 (mel front end), §1.8 (vocoder), §9.1 (graph), §12 (checkpoint facts). The network turns one
channel's log-mel `[N, 128, F]` into 44.1 kHz audio `[N, 1, 512·F]`:

    ConvNeXt backbone (128 mels -> 512 channels, time untouched)
    -> HiFi-GAN head (weight-normed convs; 7 transposed convs whose strides multiply to the hop 512;
       multi-receptive-field ResBlock1s with SiLU) -> tanh.

The checkpoint also carries the mel front end's buffers (Slaney filterbank and Hann window). The
network graph does not use them; the pack writer ships them so the engine's TS front end (reflect pad,
STFT, magnitude, filterbank, log) can encode audio for repaint/extend/edit/audio2audio.
`log_mel_reference` is that front end in torch, the reference the TS code is tested against.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..graph_spec import GraphSpec, TensorSpec

_LAYER_NORM_EPS = 1e-6  # upstream's value for every LayerNorm in the backbone
_CONVNEXT_MLP_RATIO = 4  # ConvNeXtBlock's hidden width = 4·dim (not a constructor argument upstream)


# ----------------------------------------------------------------------------------------------
# Config
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VocoderConfig:
    """Every size of the vocoder. Field names are upstream's constructor argument names (so a
    `config.json` maps onto them directly), plus `stem_kernel_size`, which upstream hard-codes (7)
    but the stem conv's weight shape states."""

    # ConvNeXt backbone
    input_channels: int = 128
    depths: tuple[int, ...] = (3, 3, 9, 3)
    dims: tuple[int, ...] = (128, 256, 384, 512)
    kernel_sizes: tuple[int, ...] = (7,)  # depthwise kernels; >1 entry = parallel ConvNeXt blocks
    stem_kernel_size: int = 7
    # HiFi-GAN head
    num_mels: int = 512  # the head's input channels = backbone output = dims[-1]
    upsample_initial_channel: int = 1024
    upsample_rates: tuple[int, ...] = (4, 4, 2, 2, 2, 2, 2)
    upsample_kernel_sizes: tuple[int, ...] = (8, 8, 4, 4, 4, 4, 4)
    resblock_kernel_sizes: tuple[int, ...] = (3, 7, 11, 13)
    resblock_dilation_sizes: tuple[tuple[int, ...], ...] = ((1, 3, 5), (1, 3, 5), (1, 3, 5), (1, 3, 5))
    pre_conv_kernel_size: int = 13
    post_conv_kernel_size: int = 13
    # mel front end (LogMelSpectrogram)
    sampling_rate: int = 44100
    n_fft: int = 2048
    win_length: int = 2048
    hop_length: int = 512
    f_min: float = 40.0
    f_max: float = 16000.0
    n_mels: int = 128

    def __post_init__(self) -> None:
        problems = []
        if len(self.depths) != len(self.dims):
            problems.append(f"depths {self.depths} and dims {self.dims} differ in length")
        if self.num_mels != self.dims[-1]:
            problems.append(f"num_mels {self.num_mels} must equal the backbone output dims[-1] {self.dims[-1]}")
        if self.n_mels != self.input_channels:
            problems.append(f"n_mels {self.n_mels} must equal the backbone input_channels {self.input_channels}")
        if len(self.upsample_rates) != len(self.upsample_kernel_sizes):
            problems.append("upsample_rates and upsample_kernel_sizes differ in length")
        if math.prod(self.upsample_rates) != self.hop_length:
            problems.append(f"product of upsample_rates {self.upsample_rates} is {math.prod(self.upsample_rates)}, not hop_length {self.hop_length}")
        # padding (k-u)/2 gives exactly u·L output samples only when k-u is even (S = hop·F).
        if any((k - u) % 2 for u, k in zip(self.upsample_rates, self.upsample_kernel_sizes)):
            problems.append("every upsample kernel minus its rate must be even")
        if self.upsample_initial_channel % (2 ** len(self.upsample_rates)):
            problems.append("upsample_initial_channel must halve cleanly at every upsample")
        if len(self.resblock_kernel_sizes) != len(self.resblock_dilation_sizes):
            problems.append("resblock_kernel_sizes and resblock_dilation_sizes differ in length")
        # "same" padding (k·d-d)/2 and (k-1)/2 keep the length only for odd kernels.
        odd = (*self.kernel_sizes, self.stem_kernel_size, *self.resblock_kernel_sizes, self.pre_conv_kernel_size, self.post_conv_kernel_size)
        if any(k % 2 == 0 for k in odd):
            problems.append("conv kernels (backbone, resblocks, pre/post conv) must be odd")
        if self.win_length > self.n_fft or self.win_length < self.hop_length:
            problems.append("need hop_length <= win_length <= n_fft")
        if problems:
            raise ValueError("invalid VocoderConfig: " + "; ".join(problems))

    @classmethod
    def full(cls) -> "VocoderConfig":
        """ADaMoSHiFiGANV1's constructor defaults = the shipped checkpoint (spec §1.8)."""
        return cls()

    @classmethod
    def tiny(cls) -> "VocoderConfig":
        return cls(
            depths=(1, 1, 1, 1),
            dims=(16, 16, 32, 32),
            num_mels=32,
            upsample_initial_channel=32,
            upsample_rates=(8, 8, 8),
            upsample_kernel_sizes=(16, 16, 16),
            resblock_kernel_sizes=(3, 7),
            resblock_dilation_sizes=((1, 3), (1, 3)),
        )

    @classmethod
    def mid(cls) -> "VocoderConfig":
        return cls(
            depths=(1, 1, 2, 1),
            dims=(64, 64, 128, 128),
            num_mels=128,
            upsample_initial_channel=128,
            upsample_rates=(4, 4, 4, 2, 2, 2),
            upsample_kernel_sizes=(8, 8, 8, 4, 4, 4),
            resblock_kernel_sizes=(3, 7, 11),
            resblock_dilation_sizes=((1, 3, 5), (1, 3, 5), (1, 3, 5)),
        )

    @classmethod
    def from_checkpoint(cls, config_json: Optional[Mapping[str, Any]], shapes: Mapping[str, Sequence[int]]) -> "VocoderConfig":
        """Sizes from `config.json` (upstream's constructor names) where present, else from the tensor
        shapes, else `full()`'s defaults. Shapes cannot tell strides or dilations: those fall back to
        the defaults when the kernels match them, else to the HiFi-GAN conventions every config here
        follows (upsample kernel = 2·rate, dilations 1, 3, 5, ...)."""
        config_json = dict(config_json or {})
        if config_json.get("use_template", False):
            # upstream's forward never passes a template, so such a checkpoint could not run there either
            raise NotImplementedError("use_template=True (noise_convs) is not supported")
        shapes = {k: tuple(v) for k, v in shapes.items()}
        default = cls.full()
        derived = _sizes_from_shapes(shapes, default)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in config_json:
                values[f.name] = config_json[f.name]
            elif f.name in derived:
                values[f.name] = derived[f.name]
            else:
                values[f.name] = getattr(default, f.name)
        return cls(**_normalise(values))

    def to_json(self) -> dict:
        return {k: _jsonable(v) for k, v in asdict(self).items()}


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, (list, tuple)) else value


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    """JSON lists -> tuples, numbers -> the field's type, so configs compare equal however they were made."""
    out = dict(values)
    for name in ("depths", "dims", "kernel_sizes", "upsample_rates", "upsample_kernel_sizes", "resblock_kernel_sizes"):
        out[name] = tuple(int(v) for v in out[name])
    out["resblock_dilation_sizes"] = tuple(tuple(int(v) for v in d) for d in out["resblock_dilation_sizes"])
    for name in ("input_channels", "stem_kernel_size", "num_mels", "upsample_initial_channel", "pre_conv_kernel_size",
                 "post_conv_kernel_size", "sampling_rate", "n_fft", "win_length", "hop_length", "n_mels"):
        out[name] = int(out[name])
    out["f_min"], out["f_max"] = float(out["f_min"]), float(out["f_max"])
    return out


def _indices(shapes: Mapping[str, tuple], prefix: str) -> list[int]:
    """Sorted distinct N of keys starting `prefix + "N."`."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.")
    return sorted({int(m.group(1)) for key in shapes if (m := pattern.match(key))})


def _conv_shape(shapes: Mapping[str, tuple], prefix: str) -> Optional[tuple]:
    """A (possibly weight-normed) conv's weight shape: `weight_v` in the checkpoint, `weight` once folded."""
    return shapes.get(prefix + ".weight_v") or shapes.get(prefix + ".weight")


def _sizes_from_shapes(shapes: Mapping[str, tuple], default: VocoderConfig) -> dict[str, Any]:
    sizes: dict[str, Any] = {}
    stem = shapes.get("backbone.channel_layers.0.0.weight")
    if stem:
        sizes["dims"] = [stem[0]]
        sizes["input_channels"], sizes["stem_kernel_size"] = stem[1], stem[2]
        for i in _indices(shapes, "backbone.channel_layers.")[1:]:
            sizes["dims"].append(shapes[f"backbone.channel_layers.{i}.1.weight"][0])
        sizes["depths"] = [len(_indices(shapes, f"backbone.stages.{i}.")) for i in range(len(sizes["dims"]))]
        first = next((i for i, d in enumerate(sizes["depths"]) if d), None)
        if first is not None:
            block = f"backbone.stages.{first}.0."
            if block + "dwconv.weight" in shapes:
                sizes["kernel_sizes"] = [shapes[block + "dwconv.weight"][2]]
            else:  # parallel ConvNeXt blocks: one depthwise kernel per branch
                sizes["kernel_sizes"] = [shapes[f"{block}blocks.{k}.dwconv.weight"][2] for k in _indices(shapes, block + "blocks.")]
    pre = _conv_shape(shapes, "head.conv_pre")
    if pre:
        sizes["upsample_initial_channel"], sizes["num_mels"], sizes["pre_conv_kernel_size"] = pre
    post = _conv_shape(shapes, "head.conv_post")
    if post:
        sizes["post_conv_kernel_size"] = post[2]
    ups = _indices(shapes, "head.ups.")
    if ups:
        kernels = [_conv_shape(shapes, f"head.ups.{i}")[2] for i in ups]
        sizes["upsample_kernel_sizes"] = kernels
        sizes["upsample_rates"] = list(default.upsample_rates) if kernels == list(default.upsample_kernel_sizes) else [k // 2 for k in kernels]
        resblocks = _indices(shapes, "head.resblocks.")
        per_upsample = len(resblocks) // len(ups)
        sizes["resblock_kernel_sizes"] = [_conv_shape(shapes, f"head.resblocks.{j}.convs1.0")[2] for j in range(per_upsample)]
        sizes["resblock_dilation_sizes"] = [
            [2 * c + 1 for c in range(len(_indices(shapes, f"head.resblocks.{j}.convs1.")))] for j in range(per_upsample)
        ]
    fb = shapes.get("mel_transform.mel_scale.fb")
    if fb:
        sizes["n_fft"], sizes["n_mels"] = (fb[0] - 1) * 2, fb[1]
    window = shapes.get("mel_transform.spectrogram.window")
    if window:
        sizes["win_length"] = window[0]
    return sizes


# ----------------------------------------------------------------------------------------------
# Mel front end tables (torchaudio is not installed: Slaney filterbank written out here)
# ----------------------------------------------------------------------------------------------

_SLANEY_LINEAR_HZ_PER_MEL = 200.0 / 3.0  # linear below 1 kHz: mel = f / (200/3)
_SLANEY_LOG_HZ = 1000.0
_SLANEY_LOG_MEL = _SLANEY_LOG_HZ / _SLANEY_LINEAR_HZ_PER_MEL  # = 15
_SLANEY_LOG_STEP = math.log(6.4) / 27.0  # log-spaced above 1 kHz: 27 mels per factor 6.4


def _hz_to_slaney_mel(hz: float) -> float:
    if hz >= _SLANEY_LOG_HZ:
        return _SLANEY_LOG_MEL + math.log(hz / _SLANEY_LOG_HZ) / _SLANEY_LOG_STEP
    return hz / _SLANEY_LINEAR_HZ_PER_MEL


def _slaney_mel_to_hz(mels: torch.Tensor) -> torch.Tensor:
    linear = mels * _SLANEY_LINEAR_HZ_PER_MEL
    logarithmic = _SLANEY_LOG_HZ * torch.exp(_SLANEY_LOG_STEP * (mels - _SLANEY_LOG_MEL))
    return torch.where(mels >= _SLANEY_LOG_MEL, logarithmic, linear)


def slaney_mel_filterbank(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int) -> torch.Tensor:
    """[n_freqs, n_mels] float32, the same arithmetic (fp32, same op order) as torchaudio's
    `melscale_fbanks(..., norm="slaney", mel_scale="slaney")`: triangles between mel-equispaced
    edges, each scaled by 2/(upper edge - lower edge) so its area in Hz is 1."""
    bin_hz = torch.linspace(0, sample_rate // 2, n_freqs)  # torchaudio uses sample_rate // 2 too
    edges_mel = torch.linspace(_hz_to_slaney_mel(f_min), _hz_to_slaney_mel(f_max), n_mels + 2)
    edges_hz = _slaney_mel_to_hz(edges_mel)
    widths = edges_hz[1:] - edges_hz[:-1]
    offsets = edges_hz.unsqueeze(0) - bin_hz.unsqueeze(1)  # [n_freqs, n_mels + 2]: edge - bin
    rising = (-1.0 * offsets[:, :-2]) / widths[:-1]  # (bin - lower) / (centre - lower)
    falling = offsets[:, 2:] / widths[1:]  # (upper - bin) / (upper - centre)
    triangles = torch.max(torch.zeros(1), torch.min(rising, falling))
    return triangles * (2.0 / (edges_hz[2 : n_mels + 2] - edges_hz[:n_mels])).unsqueeze(0)


class _Spectrogram(nn.Module):
    """Holds the STFT window under upstream's name (`mel_transform.spectrogram.window`)."""

    def __init__(self, config: VocoderConfig, device=None):
        super().__init__()
        self.register_buffer("window", _on_device(torch.hann_window(config.win_length), device))  # periodic Hann


class _MelScale(nn.Module):
    """Holds the filterbank under upstream's name (`mel_transform.mel_scale.fb`)."""

    def __init__(self, config: VocoderConfig, device=None):
        super().__init__()
        fb = slaney_mel_filterbank(config.n_fft // 2 + 1, config.f_min, config.f_max, config.n_mels, config.sampling_rate)
        self.register_buffer("fb", _on_device(fb, device))


class _MelTransform(nn.Module):
    """The checkpoint's `mel_transform` buffers. Not part of the vocoder graph; see `log_mel_reference`."""

    def __init__(self, config: VocoderConfig, device=None):
        super().__init__()
        self.spectrogram = _Spectrogram(config, device)
        self.mel_scale = _MelScale(config, device)


def _on_device(table: torch.Tensor, device) -> torch.Tensor:
    # Tables are computed on the CPU; "meta" keeps only their shape so the full model allocates nothing.
    return torch.empty(table.shape, dtype=table.dtype, device="meta") if str(device) == "meta" else table.to(device)


# ----------------------------------------------------------------------------------------------
# Backbone: ConvNeXt over time (no time downsampling)
# ----------------------------------------------------------------------------------------------


class _ChannelLayerNorm(nn.Module):
    """LayerNorm over dim 1 of [N, C, T], written out (upstream's channels_first LayerNorm)."""

    def __init__(self, channels: int, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels, device=device))
        self.bias = nn.Parameter(torch.zeros(channels, device=device))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + _LAYER_NORM_EPS)
        return self.weight[:, None] * x + self.bias[:, None]


class _ConvNeXtBlock(nn.Module):
    """Depthwise conv -> LayerNorm over channels -> MLP (4x, exact GELU) -> layer scale `gamma`."""

    def __init__(self, dim: int, kernel_size: int, device=None):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel_size, padding=(kernel_size - 1) // 2, groups=dim, device=device)
        self.norm = nn.LayerNorm(dim, eps=_LAYER_NORM_EPS, device=device)
        self.pwconv1 = nn.Linear(dim, _CONVNEXT_MLP_RATIO * dim, device=device)
        self.pwconv2 = nn.Linear(_CONVNEXT_MLP_RATIO * dim, dim, device=device)
        self.gamma = nn.Parameter(torch.full((dim,), 1e-6, device=device))  # upstream's layer-scale init

    def branch(self, x: torch.Tensor) -> torch.Tensor:
        """The block without its residual: [N, C, T] -> [N, C, T]."""
        y = self.dwconv(x).permute(0, 2, 1)  # channels last for the LayerNorm and the MLP
        y = self.pwconv2(F.gelu(self.pwconv1(self.norm(y))))
        return (self.gamma * y).permute(0, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.branch(x)


class _ParallelConvNeXtBlock(nn.Module):
    """Upstream's variant when `kernel_sizes` has several entries: branches with different kernels, summed."""

    def __init__(self, dim: int, kernel_sizes: Sequence[int], device=None):
        super().__init__()
        self.blocks = nn.ModuleList([_ConvNeXtBlock(dim, k, device) for k in kernel_sizes])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for block in self.blocks:
            out = out + block.branch(x)
        return out


class _ConvNeXtBackbone(nn.Module):
    def __init__(self, config: VocoderConfig, device=None):
        super().__init__()
        dims = config.dims
        # Stem: replicate-padded conv (exports as Pad(mode=edge)) then a channel LayerNorm; every later
        # stage starts with LayerNorm + 1x1 conv to change the width.
        self.channel_layers = nn.ModuleList([
            nn.Sequential(
                nn.Conv1d(config.input_channels, dims[0], config.stem_kernel_size, padding=(config.stem_kernel_size - 1) // 2,
                          padding_mode="replicate", device=device),
                _ChannelLayerNorm(dims[0], device),
            )
        ])
        for i in range(1, len(dims)):
            self.channel_layers.append(nn.Sequential(_ChannelLayerNorm(dims[i - 1], device), nn.Conv1d(dims[i - 1], dims[i], 1, device=device)))

        def block(dim: int) -> nn.Module:
            if len(config.kernel_sizes) == 1:
                return _ConvNeXtBlock(dim, config.kernel_sizes[0], device)
            return _ParallelConvNeXtBlock(dim, config.kernel_sizes, device)

        self.stages = nn.ModuleList([nn.Sequential(*[block(dim) for _ in range(depth)]) for dim, depth in zip(dims, config.depths)])
        self.norm = _ChannelLayerNorm(dims[-1], device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for channel_layer, stage in zip(self.channel_layers, self.stages):
            x = stage(channel_layer(x))
        return self.norm(x)


# ----------------------------------------------------------------------------------------------
# Head: HiFi-GAN generator with old-style weight norm
# ----------------------------------------------------------------------------------------------


class _WeightNormConv1d(nn.Module):
    """Conv1d / ConvTranspose1d with torch's old `weight_norm(dim=0)` parameters: weight = g·v/‖v‖,
    the norm taken over every dim but 0 (out channels for Conv1d, in channels for ConvTranspose1d).
    Written out because `torch.nn.utils.weight_norm` cannot build on the meta device in torch 1.13 and
    uses forward pre-hooks; `fold()` turns it into a plain `weight` for export."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, stride: int = 1, dilation: int = 1,
                 padding: int = 0, transposed: bool = False, device=None):
        super().__init__()
        self.stride, self.dilation, self.padding, self.transposed = stride, dilation, padding, transposed
        shape = (in_channels, out_channels, kernel_size) if transposed else (out_channels, in_channels, kernel_size)
        self.bias = nn.Parameter(torch.zeros(out_channels, device=device))
        self.weight_g = nn.Parameter(torch.empty(shape[0], 1, 1, device=device))
        self.weight_v = nn.Parameter(torch.empty(shape, device=device))
        with torch.no_grad():  # upstream's init: v ~ N(0, 0.01), g = ‖v‖ (weight_norm's own initialisation)
            self.weight_v.normal_(0.0, 0.01)
            self.weight_g.copy_(self._norm(self.weight_v))
        self.folded = False

    @staticmethod
    def _norm(v: torch.Tensor) -> torch.Tensor:
        return v.pow(2).sum(dim=(1, 2), keepdim=True).sqrt()

    def effective_weight(self) -> torch.Tensor:
        if self.folded:
            return self.weight
        return self.weight_v * (self.weight_g / self._norm(self.weight_v))

    @torch.no_grad()
    def fold(self) -> None:
        """Replace weight_g/weight_v by weight = g·v/‖v‖, computed in float64."""
        if self.folded:
            return
        v = self.weight_v.double()
        weight = (v * (self.weight_g.double() / self._norm(v))).to(self.weight_v.dtype)
        del self.weight_g, self.weight_v
        self.weight = nn.Parameter(weight)
        self.folded = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.transposed:
            return F.conv_transpose1d(x, self.effective_weight(), self.bias, stride=self.stride, padding=self.padding)
        return F.conv1d(x, self.effective_weight(), self.bias, padding=self.padding, dilation=self.dilation)


class _ResBlock1(nn.Module):
    """Per dilation d: x += conv_1(silu(conv_d(silu(x)))), all convs length-preserving."""

    def __init__(self, channels: int, kernel_size: int, dilations: Sequence[int], device=None):
        super().__init__()
        self.convs1 = nn.ModuleList([
            _WeightNormConv1d(channels, channels, kernel_size, dilation=d, padding=d * (kernel_size - 1) // 2, device=device) for d in dilations
        ])
        self.convs2 = nn.ModuleList([
            _WeightNormConv1d(channels, channels, kernel_size, padding=(kernel_size - 1) // 2, device=device) for _ in dilations
        ])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for dilated, plain in zip(self.convs1, self.convs2):
            x = x + plain(F.silu(dilated(F.silu(x))))
        return x


class _HiFiGANHead(nn.Module):
    def __init__(self, config: VocoderConfig, device=None):
        super().__init__()
        c0 = config.upsample_initial_channel
        self.conv_pre = _WeightNormConv1d(config.num_mels, c0, config.pre_conv_kernel_size, padding=(config.pre_conv_kernel_size - 1) // 2, device=device)
        # Upsample i halves the width (c0 / 2^i -> c0 / 2^(i+1)) and multiplies time by its rate.
        self.ups = nn.ModuleList([
            _WeightNormConv1d(c0 >> i, c0 >> (i + 1), k, stride=u, padding=(k - u) // 2, transposed=True, device=device)
            for i, (u, k) in enumerate(zip(config.upsample_rates, config.upsample_kernel_sizes))
        ])
        self.resblocks = nn.ModuleList([
            _ResBlock1(c0 >> (i + 1), k, d, device)
            for i in range(len(config.upsample_rates))
            for k, d in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes)
        ])
        last = c0 >> len(config.upsample_rates)
        self.conv_post = _WeightNormConv1d(last, 1, config.post_conv_kernel_size, padding=(config.post_conv_kernel_size - 1) // 2, device=device)
        self.kernels_per_upsample = len(config.resblock_kernel_sizes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_pre(x)
        k = self.kernels_per_upsample
        for i, up in enumerate(self.ups):
            x = up(F.silu(x))
            # multi-receptive-field fusion: the mean of the resblocks with different kernels
            mixed = self.resblocks[i * k](x)
            for j in range(1, k):
                mixed = mixed + self.resblocks[i * k + j](x)
            x = mixed / k
        return torch.tanh(self.conv_post(F.silu(x)))


# ----------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------


class MusicVocoder(nn.Module):
    """log-mel [N, n_mels, F] -> audio [N, 1, hop·F]; state dict = the `music_vocoder` checkpoint's."""

    def __init__(self, config: VocoderConfig, device=None):
        super().__init__()
        self.config = config
        self.backbone = _ConvNeXtBackbone(config, device)
        self.head = _HiFiGANHead(config, device)
        self.mel_transform = _MelTransform(config, device)
        self._init_backbone()
        self.eval()

    @torch.no_grad()
    def _init_backbone(self) -> None:
        # upstream's ConvNeXt init (weights are normally loaded; this only keeps random models sane)
        for module in self.backbone.modules():
            if isinstance(module, (nn.Conv1d, nn.Linear)):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(mel))


DEAD_WEIGHT_PATTERNS: tuple[str, ...] = ()  # every checkpoint tensor is used (the mel buffers ship to the engine)


def is_dead_weight(key: str) -> bool:
    return any(re.fullmatch(p, key) for p in DEAD_WEIGHT_PATTERNS)


# torch >= 2.1's parametrized weight norm names g and v `parametrizations.weight.original0/1`.
_PARAMETRIZED = re.compile(r"(.*)\.parametrizations\.weight\.original([01])")


def checkpoint_to_module_state(raw: dict[str, torch.Tensor], config: VocoderConfig) -> dict[str, torch.Tensor]:
    """The checkpoint already uses this module's names; a re-saved one with parametrized weight norm
    is renamed back to weight_g / weight_v (same tensors, same shapes)."""
    state = {}
    for key, tensor in raw.items():
        match = _PARAMETRIZED.fullmatch(key)
        if match:
            key = f"{match.group(1)}.weight_{'g' if match.group(2) == '0' else 'v'}"
        if key in state:
            raise ValueError(f"checkpoint holds {key} twice (old and parametrized weight norm)")
        state[key] = tensor
    return _unfold_fused_weight_norm(state, config)


def _unfold_fused_weight_norm(state: dict[str, torch.Tensor], config: VocoderConfig) -> dict[str, torch.Tensor]:
    """Some repackaged files (ComfyUI's all-in-one) store the head's convs already folded, as a plain
    `weight`. Express it as g = ‖weight‖ (over every dim but 0), v = weight, which folds back to the
    same weight, so both forms load into this module's old-style names."""
    expected = set(MusicVocoder(config, device="meta").state_dict())
    for key in [k for k in state if k.endswith(".weight")]:
        stem = key[: -len(".weight")]
        if f"{stem}.weight_g" in expected and f"{stem}.weight_v" in expected and f"{stem}.weight_v" not in state:
            weight = state.pop(key)
            norm = weight.double().flatten(1).norm(dim=1).reshape((-1,) + (1,) * (weight.dim() - 1))
            state[f"{stem}.weight_g"] = norm.to(weight.dtype)
            state[f"{stem}.weight_v"] = weight
    return state


def prepare_for_export(model: MusicVocoder) -> None:
    """Fold every weight norm into a plain weight (upstream's `remove_weight_norm` is the
    parametrization remover and leaves these old-style g/v pairs alone). Idempotent."""
    for module in model.modules():
        if isinstance(module, _WeightNormConv1d):
            module.fold()
    model.eval()


def mel_filterbank(model: MusicVocoder) -> torch.Tensor:
    """The model's filterbank [n_fft/2+1, n_mels] (as loaded from the checkpoint), float32 on the CPU:
    mel = fb^T · |STFT|."""
    return model.mel_transform.mel_scale.fb.detach().float().cpu()


def hann_window(model: MusicVocoder) -> torch.Tensor:
    """The model's STFT window [win_length], float32 on the CPU."""
    return model.mel_transform.spectrogram.window.detach().float().cpu()


@torch.no_grad()
def log_mel_reference(model: MusicVocoder, audio: torch.Tensor) -> torch.Tensor:
    """audio [C, L] @ sampling_rate -> log-mel [C, n_mels, L // hop] (L > (win-hop)/2 for the
    reflect pad): upstream's LogMelSpectrogram, which the engine's TS front end re-implements.
    Reflect pad (win-hop)/2 each side (768/768), uncentred STFT with the Hann window, magnitude
    sqrt(re² + im² + 1e-6), filterbank, log(clamp(·, 1e-5)); all fp32."""
    config = model.config
    pad = config.win_length - config.hop_length
    padded = F.pad(audio.float().unsqueeze(1), (pad // 2, (pad + 1) // 2), mode="reflect").squeeze(1)
    spec = torch.stft(padded, config.n_fft, hop_length=config.hop_length, win_length=config.win_length,
                      window=hann_window(model).to(padded.device), center=False, normalized=False, onesided=True, return_complex=True)
    magnitude = torch.sqrt(spec.real.pow(2) + spec.imag.pow(2) + 1e-6)  # [C, n_freqs, frames]
    mel = torch.matmul(magnitude.transpose(-1, -2), mel_filterbank(model).to(padded.device)).transpose(-1, -2)
    return torch.log(torch.clamp(mel, min=1e-5))


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------

GRAPHS: tuple[GraphSpec, ...] = (
    GraphSpec(
        name="vocoder",
        inputs=(TensorSpec("mel", "float32", ("N", 128, "F")),),
        outputs=(TensorSpec("audio", "float32", ("N", 1, "S")),),
        description="ACE-Step v1 vocoder: one channel's log-mel [N,128,F] -> 44.1 kHz audio [N,1,512*F] (N = 2*batch, stereo as two rows)",
        notes={"samples_per_frame": 512, "sample_rate": 44100},
    ),
)


class _VocoderGraph(nn.Module):
    def __init__(self, model: MusicVocoder):
        super().__init__()
        self.model = model

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return self.model(mel.float())


def export_wrappers(model: MusicVocoder) -> dict[str, nn.Module]:
    return {"vocoder": _VocoderGraph(model)}


def example_inputs(graph: str, config: VocoderConfig, batch: int, length: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """`mel` with N = 2·batch rows (both stereo channels) and F = `length`, uniform over the DCAE
    decoder's nominal log-mel range [-11, 3] (spec §1.7)."""
    if graph != "vocoder":
        raise KeyError(graph)
    mel = torch.rand(2 * batch, config.n_mels, length, generator=generator) * 14.0 - 11.0
    return {"mel": mel}
