/**
 * Classifier-free guidance (spec §2.3 "CFG"): `v = u + g·(c − u)`, float32 arithmetic as upstream.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.3.
 */

import { assertFinite, assertSameLength, outputBuffer } from '../schedulers/buffers.js';

const fround = Math.fround;

/**
 * @param cond - conditional velocity c `[B,8,16,T]` f32
 * @param uncond - unconditional velocity u, same shape
 * @param scale - guidance scale g
 * @param out - optional output buffer; may alias an input
 */
export function cfg(cond: Float32Array, uncond: Float32Array, scale: number, out?: Float32Array): Float32Array {
  assertSameLength(['cond', cond], ['uncond', uncond]);
  assertFinite('scale', scale);
  const target = outputBuffer(cond.length, out);
  const g = fround(scale);
  for (let i = 0; i < cond.length; i++) {
    const u = uncond[i]!;
    target[i] = u + fround(g * fround(cond[i]! - u));
  }
  return target;
}
