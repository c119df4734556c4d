/**
 * The scheduler loop (spec §2.1–§2.3) for text2music, retake and audio2audio: Euler with omega, Heun
 * (2N−1 model calls; the loop index counts calls, as upstream's guidance interval does), or PingPong.
 */
import type { NoiseSource } from '../noise.js';
import { eulerStep } from '../schedulers/euler.js';
import { heunCorrect, heunPredict, heunTimeline } from '../schedulers/heun.js';
import { pingpongStep } from '../schedulers/pingpong.js';
import { omegaPrime } from '../schedulers/schedule.js';
import type { FlowPlan } from '../tasks/plan.js';
import type { GuidedVelocity } from './guided-velocity.js';
import { throwIfAborted, type StepControl } from './loop-control.js';

export type SchedulerName = 'euler' | 'heun' | 'pingpong';

export async function sampleFlow(
  plan: FlowPlan,
  velocity: GuidedVelocity,
  scheduler: SchedulerName,
  omega: number,
  noise: NoiseSource,
  control: StepControl = {},
): Promise<Float32Array> {
  const { sigmas } = plan;
  const steps = sigmas.length - 1;
  const wPrime = omegaPrime(omega);
  let x = plan.init;
  if (scheduler === 'heun') {
    const calls = heunTimeline(sigmas);
    let start = x;
    let slope: Float32Array | null = null;
    for (const call of calls) {
      throwIfAborted(control.signal);
      const v = await velocity.at(call.index, x, call.sigma);
      if (call.phase === 'predict') {
        start = x;
        slope = v;
        x = heunPredict(start, v, call.sigmaFrom, call.sigmaTo, wPrime);
      } else {
        x = heunCorrect(start, slope!, v, call.sigmaFrom, call.sigmaTo, wPrime);
      }
      control.onStep?.(call.index + 1, calls.length);
    }
    return x;
  }
  for (let i = 0; i < steps; i++) {
    throwIfAborted(control.signal);
    const v = await velocity.at(i, x, sigmas[i]!);
    x = scheduler === 'pingpong'
      ? pingpongStep(x, v, sigmas[i]!, sigmas[i + 1]!, noise.pingpong())
      : eulerStep(x, v, sigmas[i]!, sigmas[i + 1]!, wPrime);
    control.onStep?.(i + 1, steps);
  }
  return x;
}
