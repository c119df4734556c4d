/**
 * repaint (spec §3.3): regenerate frames [frames(start), frames(end)) of a source latent x0. The noise is
 * z0 = cos θ·ε_a + sin θ·ε_b inside the range and ε_a outside; sampling starts at step
 * n_min = int(N·(1 − variance)) from (1 − σ)·x0 + σ·z0 and after every step the frames outside the range
 * are replaced by the source re-noised to the new σ, so at σ = 0 they equal x0 exactly.
 */
import { InvalidInputError } from '../errors.js';
import type { NoiseSource } from '../noise.js';
import { flowMatchSigmas } from '../schedulers/schedule.js';
import { framesOf, mixNoise, secondsOf, type RepaintPlan } from './plan.js';

export interface RepaintRequest {
  steps: number;
  start: number;
  end: number;
  variance: number;
}

export function planRepaint(request: RepaintRequest, source: Float32Array, frames: number, noise: NoiseSource): RepaintPlan {
  const first = framesOf(request.start);
  const last = Math.min(framesOf(request.end), frames);
  if (first >= frames) {
    throw new InvalidInputError('start', `${request.start} s is past the end of the source (${secondsOf(frames).toFixed(2)} s)`);
  }
  if (last <= first) {
    throw new InvalidInputError('end', `the range ${request.start}–${request.end} s covers no latent frame (one frame is ${secondsOf(1).toFixed(3)} s)`);
  }
  const frameMask = new Uint8Array(frames);
  frameMask.fill(1, first, last);
  const original = noise.initial();
  const fresh = noise.retake();
  const z0 = mixNoise(original, fresh, request.variance, (i) => frameMask[i % frames] === 1);
  return {
    kind: 'repaint',
    frames,
    x0: source,
    z0,
    frameMask,
    sigmas: flowMatchSigmas(request.steps),
    startStep: Math.trunc(request.steps * (1 - request.variance)),
    intervalSteps: request.steps,
    reattach: { before: null, beforeFrames: 0, after: null, afterFrames: 0 },
  };
}
