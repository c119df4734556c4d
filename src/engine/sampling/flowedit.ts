/**
 * FlowEdit (spec §3.5). Phase 1 (n_min ≤ i < n_max): average over n_avg fresh noises of
 * v_tar(z_edit + z_src − x_src) − v_src(z_src), z_src = (1−σ)x_src + σε, and move z_edit by it.
 * Phase 2 (i ≥ n_max): re-noise once, then plain Euler on the target condition.
 * Guidance is APG without interval, ERG or omega; the source branch keeps one momentum buffer, the target
 * none in phase 1 and its own in phase 2 (as upstream). Deliberate fix (§10.8): with PingPong upstream
 * computes the phase-1 update and drops it; here it is applied.
 */
import type { Conditioning } from '../conditioning.js';
import type { Denoiser } from '../denoiser.js';
import { ApgMomentum, apg } from '../guidance/apg.js';
import type { PlaneDims } from '../guidance/dims.js';
import { guidanceActive } from '../guidance/interval.js';
import type { NoiseSource } from '../noise.js';
import { plainEulerStep } from '../schedulers/euler.js';
import { addNoise } from '../schedulers/renoise.js';
import type { FlowEditPlan } from '../tasks/plan.js';
import { throwIfAborted, type StepControl } from './loop-control.js';

export interface FlowEditContext {
  denoiser: Denoiser;
  source: Conditioning;
  target: Conditioning;
  guidanceScale: number;
  scheduler: 'euler' | 'heun' | 'pingpong';
  dims: PlaneDims;
  noise: NoiseSource;
}

export async function sampleFlowEdit(plan: FlowEditPlan, context: FlowEditContext, control: StepControl = {}): Promise<Float32Array> {
  const { sigmas, nMin, nMax, nAvg, source: xSrc } = plan;
  const { denoiser, noise, dims } = context;
  const steps = sigmas.length - 1;
  const guided = guidanceActive(context.guidanceScale);
  const sourceMomentum = new ApgMomentum();
  const targetMomentum = new ApgMomentum();
  const total = Math.max(0, steps - nMin);

  const velocity = async (x: Float32Array, sigma: number, conditioning: Conditioning, momentum: ApgMomentum | null) => {
    if (!guided) return (await denoiser.predict(x, sigma, ['cond'], conditioning))[0]!;
    const [cond, uncond] = await denoiser.predict(x, sigma, ['cond', 'uncond'], conditioning);
    return apg(cond!, uncond!, context.guidanceScale, momentum, dims);
  };

  let zEdit: Float32Array = xSrc.slice();
  let xTar: Float32Array | null = null;
  for (let i = nMin; i < steps; i++) {
    throwIfAborted(control.signal);
    const sigma = sigmas[i]!;
    const sigmaNext = sigmas[i + 1]!;
    if (i < nMax) {
      const delta = new Float32Array(xSrc.length);
      for (let k = 0; k < nAvg; k++) {
        const zSrc = addNoise(xSrc, noise.edit(), sigma);
        const zTar = new Float32Array(xSrc.length);
        for (let j = 0; j < zTar.length; j++) zTar[j] = zEdit[j]! + zSrc[j]! - xSrc[j]!;
        const vSrc = await velocity(zSrc, sigma, context.source, sourceMomentum);
        const vTar = await velocity(zTar, sigma, context.target, null);
        for (let j = 0; j < delta.length; j++) delta[j] = delta[j]! + (vTar[j]! - vSrc[j]!) / nAvg;
      }
      if (context.scheduler === 'pingpong') {
        const fresh = noise.pingpong();
        for (let j = 0; j < zEdit.length; j++) {
          zEdit[j] = (1 - sigmaNext) * (zEdit[j]! - sigma * delta[j]!) + sigmaNext * fresh[j]!;
        }
      } else {
        zEdit = plainEulerStep(zEdit, delta, sigma, sigmaNext);
      }
    } else {
      if (xTar === null) {
        const xSrcT = addNoise(xSrc, noise.edit(), sigma);
        xTar = new Float32Array(xSrc.length);
        for (let j = 0; j < xTar.length; j++) xTar[j] = zEdit[j]! + xSrcT[j]! - xSrc[j]!;
      }
      const vTar = await velocity(xTar, sigma, context.target, targetMomentum);
      if (context.scheduler === 'pingpong') {
        const fresh = noise.pingpong();
        for (let j = 0; j < xTar.length; j++) xTar[j] = (1 - sigmaNext) * (xTar[j]! - sigma * vTar[j]!) + sigmaNext * fresh[j]!;
      } else {
        xTar = plainEulerStep(xTar, vTar, sigma, sigmaNext);
      }
    }
    control.onStep?.(i - nMin + 1, total);
  }
  return xTar ?? zEdit;
}
