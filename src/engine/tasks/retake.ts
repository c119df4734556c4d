/**
 * retake (spec §3.2): the original's noise ε_a (same seeds) mixed with fresh noise ε_b by
 * x = cos θ·ε_a + sin θ·ε_b, θ = variance·π/2, then ordinary text2music. Variance 0 is the original.
 */
import type { NoiseSource } from '../noise.js';
import { framesOf, mixNoise, type FlowPlan } from './plan.js';
import { requestSchedule, type ScheduleRequest } from './text2music.js';

export function planRetake(request: ScheduleRequest & { duration: number; variance: number }, noise: NoiseSource): FlowPlan {
  const original = noise.initial();
  const fresh = noise.retake();
  return { kind: 'flow', frames: framesOf(request.duration), init: mixNoise(original, fresh, request.variance), ...requestSchedule(request) };
}
