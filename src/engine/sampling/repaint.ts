/**
 * The repaint loop (spec §3.3, used by repaint and extend): skip to `startStep`, start from the source
 * re-noised with z0, then plain Euler steps (no omega, any scheduler type, as upstream) with the frames
 * outside the mask replaced by the source re-noised to the new σ. At σ = 0 they are the source exactly.
 */
import { plainEulerStep } from '../schedulers/euler.js';
import { addNoise, repaintBlend } from '../schedulers/renoise.js';
import type { RepaintPlan } from '../tasks/plan.js';
import type { GuidedVelocity } from './guided-velocity.js';
import { throwIfAborted, type StepControl } from './loop-control.js';

export async function sampleRepaint(plan: RepaintPlan, velocity: GuidedVelocity, control: StepControl = {}): Promise<Float32Array> {
  const { sigmas, startStep } = plan;
  const steps = sigmas.length - 1;
  const total = steps - startStep;
  let x = addNoise(plan.x0, plan.z0, sigmas[startStep]!);
  for (let i = startStep; i < steps; i++) {
    throwIfAborted(control.signal);
    const v = await velocity.at(i, x, sigmas[i]!);
    x = plainEulerStep(x, v, sigmas[i]!, sigmas[i + 1]!);
    x = repaintBlend(x, plan.x0, plan.z0, plan.frameMask, sigmas[i + 1]!);
    control.onStep?.(i - startStep + 1, total);
  }
  if (startStep >= steps) x = plan.x0.slice(); // variance 0: nothing to regenerate
  return x;
}
