/**
 * PingPong (SDE) step, from Stable Audio Open Small (spec §2.1 "PingPong").
 *
 * Denoise fully, then re-noise to the next level with fresh noise: `x̂0 = x − σ·v`,
 * `x_next = (1 − σnext)·x̂0 + σnext·ε`. Omega is ignored (spec §2.5). Upstream draws ε from the first
 * batch item's generator every step (§10.12); the caller supplies it.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.1, §2.5, §10.12.
 */

import { assertFinite, assertSameLength, outputBuffer } from './buffers.js';

const fround = Math.fround;

/**
 * One PingPong step in float32 arithmetic, as upstream.
 *
 * @param x - latent `[B,8,16,T]` f32 at σ
 * @param v - predicted velocity, same shape
 * @param noise - fresh standard-normal noise ε, same shape
 * @param out - optional output buffer; may alias any input
 * @returns the latent at σnext (equal to x̂0 when σnext = 0)
 */
export function pingpongStep(
  x: Float32Array,
  v: Float32Array,
  sigma: number,
  sigmaNext: number,
  noise: Float32Array,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['x', x], ['v', v], ['noise', noise]);
  assertFinite('sigma', sigma);
  assertFinite('sigmaNext', sigmaNext);
  const target = outputBuffer(x.length, out);
  const s = fround(sigma);
  const sn = fround(sigmaNext);
  const keep = fround(1 - sn);
  for (let i = 0; i < x.length; i++) {
    const denoised = fround(x[i]! - fround(s * v[i]!));
    target[i] = fround(keep * denoised) + fround(sn * noise[i]!);
  }
  return target;
}
