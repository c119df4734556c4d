/**
 * When guidance runs and at what scale (spec §2.3 "Guidance interval", "Interval decay", §10.5).
 *
 * Guidance runs only for loop indices `start ≤ i < end` with `start = int(N·(1 − gi)/2)` and
 * `end = int(N·(gi/2 + 0.5))`; elsewhere the sampler uses the conditional prediction alone and skips the
 * unconditional call. With Heun the loop index counts the 2N−1 model calls while the bounds come from N
 * (§10.5, §13): pass the call index as `step`.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.2, §2.3, §10.5, §13.
 */

/** Guided loop indices `[start, end)`. */
export interface GuidanceInterval {
  readonly start: number;
  readonly end: number;
}

/** A guidance scale schedule over an interval (spec §2.3 "Interval decay"). */
export interface ScaleSchedule extends GuidanceInterval {
  /** Guidance scale g (ACE-Step default 15). */
  readonly scale: number;
  /** g_min, the scale a full decay reaches on the last guided step (default 3). */
  readonly minScale: number;
  /** Decay in [0, 1]; 0 (the API and UI default) keeps g constant. */
  readonly decay: number;
}

/**
 * The guided index range for N steps and interval fraction `gi` (spec §2.3): N=60, gi=0.5 → [15, 45);
 * N=27 → [6, 20); N=8 → [2, 6).
 *
 * @param steps - N (also for Heun, whose loop has 2N−1 calls)
 * @param interval - gi in [0, 1]; 1 guides every step
 */
export function guidanceInterval(steps: number, interval: number): GuidanceInterval {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`steps must be a non-negative integer, got ${String(steps)}`);
  }
  if (!Number.isFinite(interval) || interval < 0 || interval > 1) {
    throw new RangeError(`interval must be in [0, 1], got ${String(interval)}`);
  }
  return {
    start: Math.trunc(steps * ((1 - interval) / 2)),
    end: Math.trunc(steps * (interval / 2 + 0.5)),
  };
}

/** True when loop index `step` lies in `[start, end)`. */
export function inGuidanceInterval(step: number, range: GuidanceInterval): boolean {
  return range.start <= step && step < range.end;
}

/**
 * True when a guidance scale does anything: upstream skips the unconditional call entirely for g = 0 or
 * g = 1 (spec §2.3).
 */
export function guidanceActive(scale: number): boolean {
  return scale !== 0 && scale !== 1;
}

/**
 * The guidance scale at loop index `step` (spec §2.3): inside the interval
 * `g − (g − g_min)·((step − start)/(end − start − 1))·decay`, or g when decay is 0; outside it 1, i.e.
 * unguided (every rule reduces to v = c at scale 1).
 *
 * Upstream divides by zero when the interval holds a single step and decay > 0; here that step gets g.
 *
 * @param step - loop index (the model-call index for Heun)
 */
export function scaleAt(step: number, schedule: ScaleSchedule): number {
  const { start, end, scale, minScale, decay } = schedule;
  if (!inGuidanceInterval(step, schedule)) return 1;
  if (!(decay > 0)) return scale;
  const span = end - start - 1;
  const progress = span > 0 ? (step - start) / span : 0;
  return scale - (scale - minScale) * progress * decay;
}
