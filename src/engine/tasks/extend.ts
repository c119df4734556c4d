/**
 * extend (spec §3.4): pad the source latent with `left` and/or `right` seconds of frames to generate,
 * then the repaint loop from σ = 1 (variance 1). Pads take the retake noise ε_b, the source region ε_a.
 *
 * Deliberate fixes of upstream's bugs (§10.7):
 * - both sides at once: upstream computes the right pad against the already left-padded length, so
 *   the right side shrinks by `left`; here each pad is exactly frames(left) / frames(right);
 * - past 240 s (2583 frames) upstream re-attaches the trimmed source on the batch axis, and its noise
 *   slicing fails when a pad is longer than the source; here the generated window is the 2583 frames
 *   next to the new material and the rest of the source is re-attached on the time axis;
 * - both sides past 240 s cannot share one window: that is refused, extend one side at a time.
 */
import { InvalidInputError } from '../errors.js';
import type { NoiseSource } from '../noise.js';
import { flowMatchSigmas } from '../schedulers/schedule.js';
import { framesOf, type RepaintPlan } from './plan.js';

export const MAX_FRAMES = 2583;

export interface ExtendWindow {
  left: number; // frames added on the left
  right: number; // frames added on the right
  sourceFrames: number;
  /** Frames of the padded song [left | source | right] kept outside the generated window. */
  beforeFrames: number;
  afterFrames: number;
  /** Frames generated in one pass (≤ 2583). */
  frames: number;
}

export function extendWindow(request: { left: number; right: number }, sourceFrames: number): ExtendWindow {
  const left = framesOf(request.left);
  const right = framesOf(request.right);
  if (left + right === 0) throw new InvalidInputError('right', 'left + right adds no latent frame (one frame is 0.093 s)');
  const total = left + sourceFrames + right;
  if (total <= MAX_FRAMES) return { left, right, sourceFrames, beforeFrames: 0, afterFrames: 0, frames: total };
  if (left > 0 && right > 0) {
    throw new InvalidInputError('right', `source + left + right is ${(total * 4096 / 44100).toFixed(1)} s, over 240 s: extend one side at a time past 240 s`);
  }
  const excess = total - MAX_FRAMES;
  return right > 0
    ? { left, right, sourceFrames, beforeFrames: excess, afterFrames: 0, frames: MAX_FRAMES }
    : { left, right, sourceFrames, beforeFrames: 0, afterFrames: excess, frames: MAX_FRAMES };
}

/**
 * @param source - the source latent for every batch item, [B,8,16,sourceFrames]
 * @param noise - a NoiseSource sized for `window.frames`
 */
export function planExtend(request: { steps: number }, window: ExtendWindow, source: Float32Array, batch: number, noise: NoiseSource): RepaintPlan {
  const { left, right, sourceFrames, beforeFrames, afterFrames, frames } = window;
  const padded = left + sourceFrames + right;
  const rows = batch * 8 * 16;
  // Padded song row by row: [zeros(left) | source | zeros(right)], then cut into before | window | after.
  const x0 = new Float32Array(rows * frames);
  const before = beforeFrames > 0 ? new Float32Array(rows * beforeFrames) : null;
  const after = afterFrames > 0 ? new Float32Array(rows * afterFrames) : null;
  for (let r = 0; r < rows; r++) {
    const row = new Float32Array(padded);
    row.set(source.subarray(r * sourceFrames, (r + 1) * sourceFrames), left);
    before?.set(row.subarray(0, beforeFrames), r * beforeFrames);
    x0.set(row.subarray(beforeFrames, beforeFrames + frames), r * frames);
    after?.set(row.subarray(padded - afterFrames), r * afterFrames);
  }
  const frameMask = new Uint8Array(frames);
  const leftInWindow = Math.max(0, left - beforeFrames);
  const rightInWindow = Math.max(0, right - afterFrames);
  frameMask.fill(1, 0, leftInWindow);
  frameMask.fill(1, frames - rightInWindow, frames);
  const sourceNoise = noise.initial();
  const padNoise = noise.retake();
  const z0 = new Float32Array(sourceNoise.length);
  for (let i = 0; i < z0.length; i++) z0[i] = frameMask[i % frames] === 1 ? padNoise[i]! : sourceNoise[i]!;
  return {
    kind: 'repaint',
    frames,
    x0,
    z0,
    frameMask,
    sigmas: flowMatchSigmas(request.steps),
    startStep: 0, // the UI forces variance 1 for extend
    intervalSteps: request.steps,
    reattach: { before, beforeFrames, after, afterFrames },
  };
}
