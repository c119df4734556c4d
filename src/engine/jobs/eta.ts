/**
 * Time estimates for the queue (issue 3/5 item 1): an exponential moving average of measured seconds
 * per cost unit (cost = duration × steps × batch), one per pack + execution provider, and the
 * list-scheduling simulation that turns it into "done in ~N s" for every waiting job.
 */

/** The key of one speed measurement: a pack on an execution provider. */
export function etaKey(pack: string, provider: string): string {
  return `${pack}/${provider}`;
}

export interface EtaModelOptions {
  /** Weight of the newest measurement (0 < alpha ≤ 1); default 0.3. */
  alpha?: number;
  /** Seconds per cost unit assumed before the first measurement of a key (null: unknown). */
  initial?: number | null;
}

/** Moving average of seconds per cost unit, per key. */
export class EtaModel {
  private readonly rates = new Map<string, number>();
  private readonly alpha: number;
  private readonly initial: number | null;

  constructor(options: EtaModelOptions = {}) {
    this.alpha = options.alpha ?? 0.3;
    this.initial = options.initial ?? null;
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${this.alpha}`);
  }

  /** Adds one finished job: `seconds` of wall time for `cost` units. */
  record(key: string, cost: number, seconds: number): void {
    if (!(cost > 0) || !Number.isFinite(seconds) || seconds < 0) return;
    const rate = seconds / cost;
    const previous = this.rates.get(key);
    this.rates.set(key, previous === undefined ? rate : previous + this.alpha * (rate - previous));
  }

  secondsPerCost(key: string): number | null {
    return this.rates.get(key) ?? this.initial;
  }

  /** Expected run time of a job of `cost` units, or null before any measurement. */
  estimate(key: string, cost: number): number | null {
    const rate = this.secondsPerCost(key);
    return rate === null ? null : rate * cost;
  }
}

/**
 * When each waiting job will be done: jobs start in the given order on the earliest free slot.
 * `running` holds the seconds left of each running job (null: unknown, its slot is never counted free).
 * A job with an unknown run time, or with no known slot, gets null, and so does every job after it.
 */
export function queueEtas(running: readonly (number | null)[], waiting: readonly (number | null)[], concurrency: number): (number | null)[] {
  const slots: number[] = [];
  for (const left of running) if (left !== null) slots.push(Math.max(0, left));
  const unknownSlots = running.length - slots.length;
  while (slots.length + unknownSlots < concurrency) slots.push(0);
  const etas: (number | null)[] = [];
  let known = slots.length > 0;
  for (const seconds of waiting) {
    if (!known || seconds === null) {
      known = false;
      etas.push(null);
      continue;
    }
    let best = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[best]!) best = i;
    slots[best]! += seconds;
    etas.push(slots[best]!);
  }
  return etas;
}

/** Seconds until the first waiting job starts (a slot frees), or null when unknown. */
export function firstStartEta(running: readonly (number | null)[], concurrency: number): number | null {
  const known = running.filter((left): left is number => left !== null);
  if (running.length < concurrency) return 0;
  return known.length === 0 ? null : Math.max(0, Math.min(...known));
}
