/** text2music (spec §3.1): start from noise ε_a at σ = 1 and run the scheduler. */
import type { NoiseSource } from '../noise.js';
import { flowMatchSigmas, ossSigmas } from '../schedulers/schedule.js';
import { framesOf, type FlowPlan } from './plan.js';

export interface ScheduleRequest {
  steps: number;
  ossSteps?: number[] | undefined;
}

/** The σ schedule of a request: N steps, or the OSS picks (spec §2.6), and the interval's step count. */
export function requestSchedule(request: ScheduleRequest): { sigmas: Float64Array; intervalSteps: number } {
  if (request.ossSteps && request.ossSteps.length > 0) {
    return { sigmas: ossSigmas(request.ossSteps), intervalSteps: request.ossSteps.length };
  }
  return { sigmas: flowMatchSigmas(request.steps), intervalSteps: request.steps };
}

export function planText2Music(request: ScheduleRequest & { duration: number }, noise: NoiseSource): FlowPlan {
  return { kind: 'flow', frames: framesOf(request.duration), init: noise.initial(), ...requestSchedule(request) };
}
