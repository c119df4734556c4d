/**
 * Adaptive Projected Guidance, ACE-Step's default guidance rule (spec §2.3 "APG").
 *
 * With c the conditional and u the unconditional velocity, per guided step:
 * 1. `Δ = c − u`; with a momentum buffer (β = −0.75, starting at 0, kept across guided steps)
 *    `M ← Δ + β·M` and `Δ = M`;
 * 2. clip per (batch, channel) plane of 16·T values: `Δ ← Δ·min(1, 2.5/‖Δ‖₂)`;
 * 3. project onto c per plane, in float64: `Δ∥ = (Δ·ĉ)ĉ`, `Δ⊥ = Δ − Δ∥`;
 * 4. `v = c + (g − 1)·(Δ⊥ + η·Δ∥)`, η = 0 upstream.
 *
 * Two passes over each plane: the first updates the momentum (stored as float32, as upstream's buffer) and
 * gathers ‖Δ‖², ‖c‖² and Δ·c in float64; the second writes v. Clip and projection are scalars per plane, so
 * `v = c + (g − 1)·(sΔ − k·c + η·k·c)` with `s` the clip factor and `k = s(Δ·c)/‖c‖²` is one multiply-add per
 * value, computed in float64 and rounded once to float32. Upstream rounds the clipped Δ and both projected
 * parts to float32 on the way; the two agree to float32 rounding.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.3, §5.2.
 */

import { assertFinite, assertSameLength, outputBuffer } from '../schedulers/buffers.js';
import { assertDims, type PlaneDims } from './dims.js';

const fround = Math.fround;
/** `torch.nn.functional.normalize`'s epsilon: ĉ = c / max(‖c‖, 1e−12). */
const NORMALIZE_EPS = 1e-12;

/**
 * APG's momentum buffer M (spec §2.3). One per sampling run (upstream makes one per diffusion process and
 * keeps it across all guided steps); M starts at 0.
 */
export class ApgMomentum {
  /** β, −0.75 upstream. */
  readonly momentum: number;
  private average: Float32Array | null = null;

  /** @param momentum - β; upstream −0.75 */
  constructor(momentum = -0.75) {
    assertFinite('momentum', momentum);
    this.momentum = momentum;
  }

  /** The running average M after the last update, or null before the first. */
  get runningAverage(): Float32Array | null {
    return this.average;
  }

  /** Forgets M (back to 0), e.g. before a new run. */
  reset(): void {
    this.average = null;
  }

  /**
   * The buffer for a tensor of `length` values, zero-filled on first use.
   *
   * @throws RangeError when the buffer already holds a different length
   */
  bufferFor(length: number): Float32Array {
    if (this.average === null) this.average = new Float32Array(length);
    if (this.average.length !== length) {
      throw new RangeError(`momentum buffer holds ${this.average.length} values, got a tensor of ${length}`);
    }
    return this.average;
  }
}

/** Float64 sums over one plane: ‖Δ‖², ‖c‖², Δ·c. */
interface PlaneSums {
  dd: number;
  cc: number;
  dc: number;
}

/**
 * Pass 1 with momentum: `M ← (c − u) + β·M` (stored, float32) and the plane's sums. Two accumulators per sum
 * break the floating-point add latency chain (about 15 % faster than one in V8).
 */
function momentumSums(
  cond: Float32Array,
  uncond: Float32Array,
  avg: Float32Array,
  beta: number,
  begin: number,
  end: number,
): PlaneSums {
  let dd0 = 0;
  let dd1 = 0;
  let cc0 = 0;
  let cc1 = 0;
  let dc0 = 0;
  let dc1 = 0;
  let i = begin;
  for (; i + 1 < end; i += 2) {
    const c0 = cond[i]!;
    const c1 = cond[i + 1]!;
    const d0 = fround(c0 - uncond[i]! + beta * avg[i]!);
    const d1 = fround(c1 - uncond[i + 1]! + beta * avg[i + 1]!);
    avg[i] = d0;
    avg[i + 1] = d1;
    dd0 += d0 * d0;
    dd1 += d1 * d1;
    cc0 += c0 * c0;
    cc1 += c1 * c1;
    dc0 += d0 * c0;
    dc1 += d1 * c1;
  }
  if (i < end) {
    const c0 = cond[i]!;
    const d0 = fround(c0 - uncond[i]! + beta * avg[i]!);
    avg[i] = d0;
    dd0 += d0 * d0;
    cc0 += c0 * c0;
    dc0 += d0 * c0;
  }
  return { dd: dd0 + dd1, cc: cc0 + cc1, dc: dc0 + dc1 };
}

/** Pass 1 without momentum: Δ = c − u and the plane's sums. */
function plainSums(cond: Float32Array, uncond: Float32Array, begin: number, end: number): PlaneSums {
  let dd0 = 0;
  let dd1 = 0;
  let cc0 = 0;
  let cc1 = 0;
  let dc0 = 0;
  let dc1 = 0;
  let i = begin;
  for (; i + 1 < end; i += 2) {
    const c0 = cond[i]!;
    const c1 = cond[i + 1]!;
    const d0 = fround(c0 - uncond[i]!);
    const d1 = fround(c1 - uncond[i + 1]!);
    dd0 += d0 * d0;
    dd1 += d1 * d1;
    cc0 += c0 * c0;
    cc1 += c1 * c1;
    dc0 += d0 * c0;
    dc1 += d1 * c1;
  }
  if (i < end) {
    const c0 = cond[i]!;
    const d0 = fround(c0 - uncond[i]!);
    dd0 += d0 * d0;
    cc0 += c0 * c0;
    dc0 += d0 * c0;
  }
  return { dd: dd0 + dd1, cc: cc0 + cc1, dc: dc0 + dc1 };
}

/** Pass 2 with momentum: `out = a·c + b·M`. */
function combine(
  cond: Float32Array,
  avg: Float32Array,
  a: number,
  b: number,
  out: Float32Array,
  begin: number,
  end: number,
): void {
  // Unrolled by four, counting groups (`j < n/4`): V8 does not vectorise, and this form cuts the loop
  // overhead by about a quarter.
  const quads = (end - begin) >> 2;
  for (let j = 0; j < quads; j++) {
    const i = begin + 4 * j;
    out[i] = a * cond[i]! + b * avg[i]!;
    out[i + 1] = a * cond[i + 1]! + b * avg[i + 1]!;
    out[i + 2] = a * cond[i + 2]! + b * avg[i + 2]!;
    out[i + 3] = a * cond[i + 3]! + b * avg[i + 3]!;
  }
  for (let i = begin + 4 * quads; i < end; i++) out[i] = a * cond[i]! + b * avg[i]!;
}

/** Pass 2 without momentum: `out = a·c + b·(c − u)`. */
function combineDiff(
  cond: Float32Array,
  uncond: Float32Array,
  a: number,
  b: number,
  out: Float32Array,
  begin: number,
  end: number,
): void {
  for (let i = begin; i < end; i++) {
    const c = cond[i]!;
    out[i] = a * c + b * fround(c - uncond[i]!);
  }
}

/** Options of {@link apg}. */
export interface ApgOptions {
  /** Per-plane L2 clip of Δ; 2.5 upstream; ≤ 0 disables the clip. */
  normThreshold?: number;
  /** Weight of the parallel part Δ∥; 0 upstream. */
  eta?: number;
  /** Output buffer; may be `cond` or `uncond`. */
  out?: Float32Array;
}

/**
 * Adaptive projected guidance (spec §2.3).
 *
 * @param cond - conditional velocity c `[B,8,16,T]` f32
 * @param uncond - unconditional velocity u, same shape
 * @param scale - guidance scale g (the decayed one from `scaleAt`)
 * @param momentum - the run's momentum buffer (updated in place), or null for none
 * @param dims - `{ batch: B, channels: 8, plane: 16·T }`
 * @returns the guided velocity
 */
export function apg(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  momentum: ApgMomentum | null,
  dims: PlaneDims,
  opts: ApgOptions = {},
): Float32Array {
  assertSameLength(['cond', cond], ['uncond', uncond]);
  assertDims(dims, cond.length);
  assertFinite('scale', scale);
  const threshold = opts.normThreshold ?? 2.5;
  const eta = opts.eta ?? 0;
  assertFinite('normThreshold', threshold);
  assertFinite('eta', eta);
  const target = outputBuffer(cond.length, opts.out);
  const avg = momentum === null ? null : momentum.bufferFor(cond.length);
  const beta = momentum === null ? 0 : momentum.momentum;
  const gMinus1 = scale - 1;
  const planeSize = dims.plane;
  const planes = dims.batch * dims.channels;

  for (let p = 0; p < planes; p++) {
    const begin = p * planeSize;
    const end = begin + planeSize;
    const sums = avg !== null ? momentumSums(cond, uncond, avg, beta, begin, end) : plainSums(cond, uncond, begin, end);

    // Clip factor (‖Δ‖ = 0 gives 2.5/0 = ∞, so 1) and the projection coefficient k: Δ∥ = k·c.
    const clip = threshold > 0 ? Math.min(1, threshold / Math.sqrt(sums.dd)) : 1;
    const cNorm = Math.max(Math.sqrt(sums.cc), NORMALIZE_EPS);
    const k = (clip * sums.dc) / (cNorm * cNorm);

    // v = c + (g − 1)·(clip·Δ − k·c + η·k·c) = a·c + b·Δ.
    const a = 1 + gMinus1 * (eta - 1) * k;
    const b = gMinus1 * clip;
    if (avg !== null) combine(cond, avg, a, b, target, begin, end);
    else combineDiff(cond, uncond, a, b, target, begin, end);
  }
  return target;
}
