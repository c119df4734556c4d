/**
 * CFG-zero* (spec §2.3 "CFG-zero*", upstream `cfg_type="cfg_star"`).
 *
 * Per batch item, over all its values: `α = ⟨c, u⟩ / (‖u‖² + 1e−8)`; then `v = α·u + g·(c − α·u)`. For loop
 * indices `step ≤ zeroSteps` (default 1) with zero-init on, `v = 0`. With the default guidance interval
 * (starting at step 15 of 60) the zero-init never triggers.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.3, §13.
 */

import { assertFinite, assertSameLength, outputBuffer } from '../schedulers/buffers.js';
import { assertDims, type PlaneDims } from './dims.js';

const fround = Math.fround;

/** Options of {@link cfgZeroStar}. */
export interface CfgZeroStarOptions {
  /** Loop indices ≤ this are zeroed when `useZeroInit`; 1 upstream. */
  zeroSteps?: number;
  /** Upstream default true. */
  useZeroInit?: boolean;
  /** Output buffer; may alias an input. */
  out?: Float32Array;
}

/**
 * @param cond - conditional velocity c `[B,8,16,T]` f32
 * @param uncond - unconditional velocity u, same shape
 * @param scale - guidance scale g
 * @param step - the sampler's loop index i
 * @param dims - `{ batch: B, channels: 8, plane: 16·T }`; α is per batch item
 */
export function cfgZeroStar(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  step: number,
  dims: PlaneDims,
  opts: CfgZeroStarOptions = {},
): Float32Array {
  assertSameLength(['cond', cond], ['uncond', uncond]);
  assertDims(dims, cond.length);
  assertFinite('scale', scale);
  const target = outputBuffer(cond.length, opts.out);
  if (opts.useZeroInit ?? true) {
    if (step <= (opts.zeroSteps ?? 1)) return target.fill(0);
  }
  const g = fround(scale);
  const item = dims.channels * dims.plane;
  for (let b = 0; b < dims.batch; b++) {
    const begin = b * item;
    const end = begin + item;
    let dot = 0;
    let uu = 0;
    for (let i = begin; i < end; i++) {
      const u = uncond[i]!;
      dot += cond[i]! * u;
      uu += u * u;
    }
    const alpha = fround(fround(dot) / fround(fround(uu) + 1e-8));
    for (let i = begin; i < end; i++) {
      const au = fround(uncond[i]! * alpha);
      target[i] = au + fround(g * fround(cond[i]! - au));
    }
  }
  return target;
}
