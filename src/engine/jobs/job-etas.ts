/**
 * ETAs of the runner's jobs from the {@link EtaModel}: seconds left of each running job, and when
 * each waiting job will be done, in fair order on the earliest free slot. The whole table is cached
 * until the queue changes or the clock moves.
 */
import { EtaModel, firstStartEta, queueEtas } from './eta.js';
import type { JobRecord } from './job-table.js';

export class JobEtas {
  private cache: { version: number; at: number; etas: Map<string, number | null> } | null = null;
  private version = 0;

  constructor(
    readonly model: EtaModel,
    private readonly now: () => number,
    private readonly concurrency: number,
  ) {}

  /** Call on every change of the queue, the running set, a job's progress or the model. */
  invalidate(): void {
    this.version++;
  }

  /** A finished job's measured time feeds the model. */
  record(record: JobRecord): void {
    this.model.record(record.key, record.info.cost, (this.now() - record.info.startedAt!) / 1000);
    this.invalidate();
  }

  /** Seconds left of a running job: the measured pace of its pack, else its own progress so far. */
  remaining(record: JobRecord): number | null {
    const elapsed = (this.now() - (record.info.startedAt ?? this.now())) / 1000;
    const expected = this.model.estimate(record.key, record.info.cost);
    if (expected !== null && expected > elapsed) return expected - elapsed;
    const percent = record.info.progress?.percent ?? 0;
    if (percent > 0) return (elapsed * (100 - percent)) / percent;
    return expected === null ? null : 0;
  }

  /** ETA of every running and waiting job (`waiting` in fair order). */
  all(running: Iterable<JobRecord>, waiting: readonly JobRecord[]): Map<string, number | null> {
    const at = this.now();
    if (this.cache?.version === this.version && this.cache.at === at) return this.cache.etas;
    const etas = new Map<string, number | null>();
    const left = [...running].map((record) => {
      const seconds = this.remaining(record);
      etas.set(record.id, seconds);
      return seconds;
    });
    const times = queueEtas(left, waiting.map((r) => this.model.estimate(r.key, r.info.cost)), this.concurrency);
    waiting.forEach((record, i) => etas.set(record.id, times[i] ?? null));
    this.cache = { version: this.version, at, etas };
    return etas;
  }

  /** Seconds until a waiting job can start (a slot frees up). */
  untilSlot(running: Iterable<JobRecord>): number | null {
    return firstStartEta([...running].map((record) => this.remaining(record)), this.concurrency);
  }
}
