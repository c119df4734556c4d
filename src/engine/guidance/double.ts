/**
 * Double-condition guidance (spec §2.3 "Double-condition guidance").
 *
 * Active only when both the text and the lyric scale exceed 1; it then replaces the configured rule and the
 * interval decay. With c the full condition, c_t the text-only condition (no lyrics) and u the null one:
 * `v = (1 − g_t)·u + (g_t − g_l)·c_t + g_l·c`. The pipeline's call order is c, c_t, u (§13).
 *
 * Spec: ../shared/spec/acestep-v1.md §2.3, §13.
 */

import { assertFinite, assertSameLength, outputBuffer } from '../schedulers/buffers.js';

const fround = Math.fround;

/** True when double-condition guidance applies: both scales > 1 (spec §2.3). */
export function doubleConditionActive(scaleText: number, scaleLyric: number): boolean {
  return scaleText > 1 && scaleLyric > 1;
}

/**
 * @param cond - c, velocity with text + lyrics `[B,8,16,T]` f32
 * @param textOnly - c_t, velocity with text and no lyrics, same shape
 * @param uncond - u, null-condition velocity, same shape
 * @param scaleText - g_t (`guidance_scale_text`; UI hint 5.0)
 * @param scaleLyric - g_l (`guidance_scale_lyric`; UI hint 1.5)
 * @param out - optional output buffer; may alias an input
 */
export function doubleConditionGuidance(
  cond: Float32Array,
  textOnly: Float32Array,
  uncond: Float32Array,
  scaleText: number,
  scaleLyric: number,
  out?: Float32Array,
): Float32Array {
  assertSameLength(['cond', cond], ['textOnly', textOnly], ['uncond', uncond]);
  assertFinite('scaleText', scaleText);
  assertFinite('scaleLyric', scaleLyric);
  const target = outputBuffer(cond.length, out);
  const wu = fround(1 - scaleText);
  const wt = fround(scaleText - scaleLyric);
  const wc = fround(scaleLyric);
  for (let i = 0; i < cond.length; i++) {
    target[i] = fround(fround(wu * uncond[i]!) + fround(wt * textOnly[i]!)) + fround(wc * cond[i]!);
  }
  return target;
}
