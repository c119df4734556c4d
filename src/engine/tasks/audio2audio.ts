/**
 * audio2audio (spec §3.6): the reference latent noised to φ(s), s = 1 − strength, then int(s·N) steps of a
 * schedule whose σ_max is s, so its first σ is φ(φ(s)) — upstream's double shift, kept for parity.
 */
import type { NoiseSource } from '../noise.js';
import { addNoise } from '../schedulers/renoise.js';
import { audio2audioStart } from '../schedulers/schedule.js';
import type { FlowPlan } from './plan.js';

export function planAudio2Audio(request: { steps: number; strength: number }, reference: Float32Array, frames: number, noise: NoiseSource): FlowPlan {
  const start = audio2audioStart(request.steps, request.strength);
  return {
    kind: 'flow',
    frames,
    init: addNoise(reference, noise.initial(), start.initSigma),
    sigmas: start.sigmas,
    intervalSteps: start.steps,
  };
}
