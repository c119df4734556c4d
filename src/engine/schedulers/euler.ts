/**
 * Euler flow-matching steps (spec §2.1 "Euler", §2.5 omega, §3.3 repaint's own step).
 *
 * The sampler moves `x` from σ to σnext along the predicted velocity v: `dx = (σnext − σ)·v`. ACE-Step's
 * schedulers add the "omega" rescale (spec §2.5): with `m = mean(dx)` over the **whole** tensor (every batch
 * item, §10.2), `x ← x + m + ω'·(dx − m)`. Upstream computes in float32; this port uses float64 intermediates
 * rounded once to float32 on store, so the two agree to float32 rounding.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.1, §2.5, §3.3, §10.2, §10.6.
 */

import { assertFinite, assertSameLength, outputBuffer } from './buffers.js';

const fround = Math.fround;

/**
 * Σ a[i] in float64 with four accumulators, in a fixed order (repeatable). The loop counts groups of four
 * (`j < n/4`, `i = 4j`): in V8 this form runs about 30 % faster than a one-accumulator loop, while `i + 3 < n`
 * runs slower.
 */
function sum(a: Float32Array): number {
  const quads = a.length >> 2;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let j = 0; j < quads; j++) {
    const i = 4 * j;
    s0 += a[i]!;
    s1 += a[i + 1]!;
    s2 += a[i + 2]!;
    s3 += a[i + 3]!;
  }
  for (let i = 4 * quads; i < a.length; i++) s0 += a[i]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The omega update shared by Euler and Heun: `out = x + m + ω'·(dx − m)` with `dx = dt·d`, `m = mean(dx)`.
 * `d` is `v`, or `(v + v2)/2` when `v2` is given (Heun's corrector).
 *
 * Evaluated as `x + (dt·ω')·d + m·(1 − ω')` in float64 and rounded once to float32 (upstream rounds after
 * each float32 op; they agree to float32 rounding). `m = dt·mean(d)` is summed in float64.
 *
 * @param dt - float32 step `σnext − σ`
 * @param omegaP - ω' (1 = no rescale)
 */
export function omegaUpdate(
  x: Float32Array,
  v: Float32Array,
  v2: Float32Array | null,
  dt: number,
  omegaP: number,
  out: Float32Array,
): Float32Array {
  const n = x.length;
  if (n === 0) return out;
  if (v2 === null) {
    const m = (dt * sum(v)) / n;
    const a = dt * omegaP;
    const b = m * (1 - omegaP);
    // Unrolled by four (see `sum`): V8 does not vectorise; this cuts the loop overhead by about a quarter.
    const quads = n >> 2;
    for (let j = 0; j < quads; j++) {
      const i = 4 * j;
      out[i] = x[i]! + a * v[i]! + b;
      out[i + 1] = x[i + 1]! + a * v[i + 1]! + b;
      out[i + 2] = x[i + 2]! + a * v[i + 2]! + b;
      out[i + 3] = x[i + 3]! + a * v[i + 3]! + b;
    }
    for (let i = 4 * quads; i < n; i++) out[i] = x[i]! + a * v[i]! + b;
  } else {
    const m = (dt * 0.5 * (sum(v) + sum(v2))) / n;
    const a = 0.5 * dt * omegaP;
    const b = m * (1 - omegaP);
    for (let i = 0; i < n; i++) out[i] = x[i]! + a * (v[i]! + v2[i]!) + b;
  }
  return out;
}

/**
 * One Euler step with the omega rescale (spec §2.1, §2.5): `dx = (σnext − σ)·v`, `m = mean(dx)` over the whole
 * tensor, `x + m + ω'·(dx − m)`.
 *
 * @param x - latent `[B,8,16,T]` f32 at σ
 * @param v - predicted (guided) velocity, same shape
 * @param sigma - σ_i
 * @param sigmaNext - σ_{i+1}
 * @param omegaPrime - ω' from `omegaPrime(ω)` (1 disables the rescale)
 * @param out - optional output buffer; may be `x` or `v`
 * @returns the latent at σnext
 */
export function eulerStep(
  x: Float32Array,
  v: Float32Array,
  sigma: number,
  sigmaNext: number,
  omegaPrime: number,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['x', x], ['v', v]);
  assertFinite('sigma', sigma);
  assertFinite('sigmaNext', sigmaNext);
  assertFinite('omegaPrime', omegaPrime);
  const dt = fround(fround(sigmaNext) - fround(sigma));
  return omegaUpdate(x, v, null, dt, omegaPrime, outputBuffer(x.length, out));
}

/**
 * A plain Euler step `x + (σnext − σ)·v`, without omega: the update repaint, extend and edit do themselves
 * (spec §3.3–§3.5, §10.6).
 *
 * @param x - latent `[B,8,16,T]` f32 at σ
 * @param v - predicted velocity, same shape
 * @param out - optional output buffer; may be `x` or `v`
 */
export function plainEulerStep(
  x: Float32Array,
  v: Float32Array,
  sigma: number,
  sigmaNext: number,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['x', x], ['v', v]);
  assertFinite('sigma', sigma);
  assertFinite('sigmaNext', sigmaNext);
  const target = outputBuffer(x.length, out);
  const dt = fround(fround(sigmaNext) - fround(sigma));
  for (let i = 0; i < x.length; i++) target[i] = x[i]! + fround(dt * v[i]!);
  return target;
}
