/**
 * The flow-matching forward process and the repaint blend (spec §3.3, §3.4, §3.6).
 *
 * Noising a clean latent x0 to level σ with noise z is `(1 − σ)·x0 + σ·z` (upstream's `scale_noise`): it
 * starts audio2audio (at φ(s)) and repaint (at σ_{n_min}). After every repaint/extend step the frames
 * outside the mask are replaced by the source re-noised to the new σ with the **same** noise z0, so at
 * σ = 0 they equal x0 exactly.
 *
 * Spec: ../shared/spec/acestep-v1.md §3.3, §3.4, §3.6.
 */

import { assertFinite, assertSameLength, outputBuffer } from './buffers.js';

const fround = Math.fround;

/**
 * `(1 − σ)·x0 + σ·noise` element-wise (float64 maths, one rounding to float32).
 *
 * @param x0 - clean latent `[B,8,16,T]` f32
 * @param noise - noise, same shape
 * @param sigma - noise level in [0, 1]
 * @param out - optional output buffer; may alias an input
 */
export function addNoise(x0: Float32Array, noise: Float32Array, sigma: number, out?: Float32Array): Float32Array {
  assertSameLength(['x0', x0], ['noise', noise]);
  assertFinite('sigma', sigma);
  const target = outputBuffer(x0.length, out);
  const s = fround(sigma);
  const keep = fround(1 - s);
  for (let i = 0; i < x0.length; i++) target[i] = keep * x0[i]! + s * noise[i]!;
  return target;
}

/**
 * The mask as runs of equal frames: `[value, begin, end, value, begin, end, …]` (value 0 or 1). A repaint
 * mask has at most three runs, so the blend loops over contiguous ranges instead of testing every value.
 */
function maskRuns(frameMask: Uint8Array): number[] {
  const runs: number[] = [];
  let begin = 0;
  for (let t = 1; t <= frameMask.length; t++) {
    if (t === frameMask.length || (frameMask[t] !== 0) !== (frameMask[begin] !== 0)) {
      runs.push(frameMask[begin] !== 0 ? 1 : 0, begin, t);
      begin = t;
    }
  }
  return runs;
}

/**
 * Repaint blend (spec §3.3): `out = mask ? x : (1 − σ)·x0 + σ·z0`, with the mask over frames only.
 *
 * @param x - the latent just stepped to σ, `[B,8,16,T]` f32
 * @param x0 - the (padded) source latent, same shape
 * @param z0 - the fixed repaint noise, same shape
 * @param frameMask - length T; non-zero = frame is regenerated (keep x), zero = frame is re-noised source
 * @param sigma - the σ x has just reached (σ_{i+1})
 * @param out - optional output buffer; may alias an input (with `out === x` the kept frames are not touched)
 */
export function repaintBlend(
  x: Float32Array,
  x0: Float32Array,
  z0: Float32Array,
  frameMask: Uint8Array,
  sigma: number,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['x', x], ['x0', x0], ['z0', z0]);
  assertFinite('sigma', sigma);
  const frames = frameMask.length;
  if (frames === 0 || x.length % frames !== 0) {
    throw new RangeError(`frameMask has ${frames} frames, which does not divide the latent's ${x.length} values`);
  }
  const target = outputBuffer(x.length, out);
  const s = fround(sigma);
  const keep = fround(1 - s);
  const runs = maskRuns(frameMask);
  const copyMasked = target !== x;
  for (let row = 0; row < x.length; row += frames) {
    for (let r = 0; r < runs.length; r += 3) {
      const begin = row + runs[r + 1]!;
      const end = row + runs[r + 2]!;
      if (runs[r] === 0) {
        // Unrolled by four, counting groups: the fastest plain-JS loop form in V8 (no vectorisation).
        const quads = (end - begin) >> 2;
        for (let j = 0; j < quads; j++) {
          const i = begin + 4 * j;
          target[i] = keep * x0[i]! + s * z0[i]!;
          target[i + 1] = keep * x0[i + 1]! + s * z0[i + 1]!;
          target[i + 2] = keep * x0[i + 2]! + s * z0[i + 2]!;
          target[i + 3] = keep * x0[i + 3]! + s * z0[i + 3]!;
        }
        for (let i = begin + 4 * quads; i < end; i++) target[i] = keep * x0[i]! + s * z0[i]!;
      } else if (copyMasked) {
        target.set(x.subarray(begin, end), begin);
      }
    }
  }
  return target;
}
