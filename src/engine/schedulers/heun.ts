/**
 * Heun (2nd-order) flow-matching steps (spec §2.1 "Heun", §10.5).
 *
 * For N steps upstream makes 2N−1 model calls at σ = [σ0, σ1, σ1, σ2, σ2, …, σ_{N−1}, σ_{N−1}]. Call 2i is a
 * predictor (an Euler step with omega from σ_i to σ_{i+1}, velocity d1 = v(x, σ_i)); call 2i+1 is the
 * corrector at (x', σ_{i+1}) that restarts from x with the average slope `(d1 + v(x', σ_{i+1}))/2`. The last
 * interval (to σ = 0) only has its predictor, so it is a single Euler step. `s_churn = 0`: no noise.
 *
 * Upstream recovers the slope as `(x − (x − σ·v))/σ`, which equals v up to float32 cancellation; this port
 * uses v directly. The pipeline's loop index counts model calls while the guidance interval is computed from
 * N (§10.5): pass the call index to `scaleAt`/interval checks to stay faithful.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.1, §2.5, §10.5, §13.
 */

import { assertFinite, assertSameLength, outputBuffer } from './buffers.js';
import { omegaUpdate } from './euler.js';

const fround = Math.fround;

/** One of the 2N−1 model calls of a Heun run. */
export interface HeunCall {
  /** Call index 0..2N−2 (upstream's loop index `i`, used for the guidance interval). */
  readonly index: number;
  /** σ the model is evaluated at (its timestep input is σ·1000). */
  readonly sigma: number;
  /** `'predict'`: Euler step from x with this call's velocity; `'correct'`: restart from x with the mean slope. */
  readonly phase: 'predict' | 'correct';
  /** Start of the interval this call advances: σ_i. */
  readonly sigmaFrom: number;
  /** End of the interval: σ_{i+1} (0 for the last call). */
  readonly sigmaTo: number;
}

/**
 * The 2N−1 model calls of a Heun run over a schedule (spec §2.1).
 *
 * @param sigmas - N+1 values ending in 0, from `flowMatchSigmas(N)`
 * @returns one entry per call; `.sigma` over the list is `[σ0, σ1, σ1, …, σ_{N−1}, σ_{N−1}]`
 */
export function heunTimeline(sigmas: Float64Array): HeunCall[] {
  const steps = sigmas.length - 1;
  if (steps < 1) return [];
  const calls: HeunCall[] = [];
  for (let index = 0; index < 2 * steps - 1; index++) {
    const interval = index >> 1;
    const phase = index % 2 === 0 ? 'predict' : 'correct';
    const sigmaFrom = sigmas[interval]!;
    const sigmaTo = sigmas[interval + 1]!;
    calls.push({ index, sigma: phase === 'predict' ? sigmaFrom : sigmaTo, phase, sigmaFrom, sigmaTo });
  }
  return calls;
}

/**
 * Heun predictor (an Euler step with omega): `x' = x + ω-shift(d1·(σnext − σ))`. Keep `x` and `d1` for
 * {@link heunCorrect} (copy them if their buffers get reused).
 *
 * @param x - latent `[B,8,16,T]` f32 at σ
 * @param d1 - guided velocity at (x, σ)
 * @param omegaPrime - ω' (1 = no rescale)
 * @param out - optional output buffer; must not be `x` or `d1` if the corrector follows
 */
export function heunPredict(
  x: Float32Array,
  d1: Float32Array,
  sigma: number,
  sigmaNext: number,
  omegaPrime: number,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['x', x], ['d1', d1]);
  assertFinite('sigma', sigma);
  assertFinite('sigmaNext', sigmaNext);
  assertFinite('omegaPrime', omegaPrime);
  const dt = fround(fround(sigmaNext) - fround(sigma));
  return omegaUpdate(x, d1, null, dt, omegaPrime, outputBuffer(x.length, out));
}

/**
 * Heun corrector: `x_next = x + ω-shift(((d1 + d2)/2)·(σnext − σ))`, where x and d1 are the predictor's
 * inputs and d2 the guided velocity at (x', σnext).
 *
 * @param x - the latent the predictor started from (at σ)
 * @param d1 - the predictor's velocity
 * @param d2 - velocity at the predicted point and σnext
 * @param out - optional output buffer; may alias any input
 */
export function heunCorrect(
  x: Float32Array,
  d1: Float32Array,
  d2: Float32Array,
  sigma: number,
  sigmaNext: number,
  omegaPrime: number,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['x', x], ['d1', d1], ['d2', d2]);
  assertFinite('sigma', sigma);
  assertFinite('sigmaNext', sigmaNext);
  assertFinite('omegaPrime', omegaPrime);
  const dt = fround(fround(sigmaNext) - fround(sigma));
  return omegaUpdate(x, d1, d2, dt, omegaPrime, outputBuffer(x.length, out));
}
