/**
 * A job's cost, the unit of the per-user cost cap and of the ETA model (issue 3/5 item 1):
 * seconds of audio the sampler works on × steps × batch.
 */
import { LIMITS } from '../request.js';
import type { JobSpec } from './types.js';

/** Defaults of the request schema (src/engine/request.ts) for fields a queued request may leave out. */
const DEFAULT_DURATION = 60;
const DEFAULT_STEPS = 60;
const DEFAULT_EXTEND_RIGHT = 30;

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/**
 * duration × steps × batch. `duration` is the request's own for text2music and retake; source-based
 * tasks use `meta.sourceSeconds` (the front end knows the source's length), plus left + right for
 * extend, capped at the 240 s window the sampler works on; without it, the default 60 s.
 */
export function jobCost(spec: JobSpec): number {
  const request = spec.request as Record<string, unknown>;
  const steps = numberOr(request.steps, DEFAULT_STEPS);
  const batch = numberOr(request.batch, 1);
  const source = numberOr(spec.meta?.sourceSeconds, DEFAULT_DURATION);
  let seconds: number;
  if (request.task === 'text2music' || request.task === 'retake') seconds = numberOr(request.duration, DEFAULT_DURATION);
  else if (request.task === 'extend') seconds = source + numberOr(request.left, 0) + numberOr(request.right, DEFAULT_EXTEND_RIGHT);
  else seconds = source;
  return Math.max(1, Math.min(seconds, LIMITS.maxDuration)) * Math.max(1, steps) * Math.max(1, batch);
}
