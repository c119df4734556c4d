/**
 * The in-process job runner (issue 3/5 items 1 and 4): fair waiting room, p-queue as the executor of
 * the jobs picked, caps, positions and ETAs, progress, cancel, timeout, and a persisted queue that
 * resumes after a restart.
 *
 *   const runner = await createJobRunner({ config, executor, persistence: store.jobs, logger });
 *   runner.events.on('progress', ({ job, progress }) => …);
 *   const job = await runner.submit({ user, origin: 'discord', request });
 *
 * p-queue runs what is started; fairness is decided here: whenever a slot frees, the next job is
 * pulled from the {@link FairQueue}, so p-queue never holds a waiting job.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';

import PQueue from 'p-queue';

import { AcejamError, CancelledError, QueueFullError, QueueLimitError } from '../errors.js';
import type { ProgressEvent } from '../events.js';
import { jobCost } from './cost.js';
import { EtaModel, etaKey } from './eta.js';
import { FairQueue } from './fair-queue.js';
import { JobEtas } from './job-etas.js';
import { JobTable, type JobRecord } from './job-table.js';
import { planResume } from './resume.js';
import type { JobError, JobEventMap, JobInfo, JobPosition, JobResult, JobRunner, JobRunnerOptions, JobSpec, JobState, QueuePersistence } from './types.js';

/** Progress-driven `positions` events are sent at most this often. */
const POSITIONS_THROTTLE_MS = 1000;

/** Creates the runner; with `persistence`, the jobs a previous process left are resumed first (resume.ts). */
export async function createJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const runner = new Runner(options);
  if (options.persistence) await runner.resume(await options.persistence.load());
  // Start after the caller has had a chance to attach listeners.
  setImmediate(() => runner.pump());
  return runner;
}

class Runner implements JobRunner {
  readonly events = new EventEmitter<JobEventMap>();
  private readonly fair = new FairQueue<JobRecord>();
  private readonly table: JobTable;
  private readonly running = new Set<JobRecord>();
  private readonly queue: PQueue;
  private readonly etas: JobEtas;
  private readonly now: () => number;
  private persistChain: Promise<void> = Promise.resolve();
  private lastCreatedAt = 0;
  private pendingSubmits = 0;
  private closed = false;
  private positionsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.queue = new PQueue({ concurrency: options.config.concurrency });
    this.table = new JobTable(options.keepFinished ?? 1000);
    this.etas = new JobEtas(new EtaModel({ initial: options.initialSecondsPerCost ?? null }), this.now, options.config.concurrency);
  }

  async submit(spec: JobSpec): Promise<JobInfo> {
    if (this.closed) throw new Error('the job runner is closed');
    const { config } = this.options;
    const cost = jobCost(spec);
    const used = this.table.usageOf(spec.user);
    if (cost > config.maxCostPerUser) throw new QueueLimitError('maxCostPerUser', cost, config.maxCostPerUser, null, { alone: true });
    if (used.jobs + 1 > config.maxQueuedPerUser) throw new QueueLimitError('maxQueuedPerUser', used.jobs + 1, config.maxQueuedPerUser, this.userRetryAfter(spec.user));
    if (used.cost + cost > config.maxCostPerUser) throw new QueueLimitError('maxCostPerUser', used.cost + cost, config.maxCostPerUser, this.userRetryAfter(spec.user));
    if (this.fair.size + this.pendingSubmits >= config.maxQueued) throw new QueueFullError(config.maxQueued, this.etas.untilSlot(this.running));

    const createdAt = (this.lastCreatedAt = Math.max(this.now(), this.lastCreatedAt + 1));
    const record = this.track({
      id: randomBytes(9).toString('base64url'), user: spec.user, origin: spec.origin, state: 'queued', position: null, etaSeconds: null,
      cost, progress: null, result: null, error: null, createdAt, startedAt: null, finishedAt: null, attempts: 0, spec,
    });
    this.pendingSubmits++;
    try {
      await this.persist((p) => p.save(stored(record)));
    } catch (error) {
      this.table.untrack(record);
      throw error;
    } finally {
      this.pendingSubmits--;
    }
    if (record.cancelRequested) return this.finish(record, 'cancelled', { error: { code: 'CANCELLED', message: 'cancelled while queued' } });
    this.enqueue(record);
    this.events.emit('queued', { type: 'queued', job: this.snapshot(record) });
    this.pump(true);
    return this.snapshot(record);
  }

  async cancel(jobId: string): Promise<boolean> {
    const record = this.table.record(jobId);
    if (!record) return false;
    if (this.fair.remove(jobId)) {
      this.etas.invalidate();
      this.finish(record, 'cancelled', { error: { code: 'CANCELLED', message: 'cancelled while queued' } });
      this.emitPositions();
    } else if (record.controller) {
      if (!record.controller.signal.aborted) {
        record.abortReason = 'cancelled';
        record.controller.abort(new CancelledError());
      }
    } else {
      record.cancelRequested = true;
    }
    return true;
  }

  get(jobId: string): JobInfo | undefined {
    const record = this.table.record(jobId);
    return record ? this.snapshot(record) : this.table.finishedJob(jobId);
  }

  position(jobId: string): number | null {
    return this.fair.position(jobId);
  }

  list(filter: { user?: string; state?: JobState } = {}): JobInfo[] {
    const keep = (job: { user: string; state: JobState }) => (filter.user === undefined || job.user === filter.user) && (filter.state === undefined || job.state === filter.state);
    const active = [...this.table.records()].filter((r) => keep(r.info)).map((r) => this.snapshot(r));
    return [...[...this.table.finishedJobs()].filter(keep), ...active].sort((a, b) => a.createdAt - b.createdAt);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.positionsTimer) clearTimeout(this.positionsTimer);
    for (const record of this.running) {
      record.abortReason ??= 'shutdown';
      record.controller?.abort(new CancelledError('the job runner is closing'));
    }
    await this.queue.onIdle();
    await this.persistChain;
  }

  /** Puts back the jobs a previous process left (see resume.ts). */
  async resume(jobs: JobInfo[]): Promise<void> {
    const plan = planResume(jobs, this.now());
    for (const job of jobs) this.lastCreatedAt = Math.max(this.lastCreatedAt, job.createdAt);
    for (const job of [...plan.stale, ...plan.failed]) await this.persist((p) => p.remove(job.id));
    for (const job of plan.failed) {
      this.table.remember(job);
      this.options.logger.warn({ job: job.id, user: job.user }, 'job interrupted twice: failed');
    }
    for (const job of plan.requeue) {
      const record = this.track(job);
      this.enqueue(record);
      await this.persist((p) => p.save(stored(record)));
      this.options.logger.info({ job: job.id, user: job.user, retry: job.attempts > 0 }, 'job resumed');
    }
  }

  /** Starts waiting jobs while slots are free; sends `positions` (also when none started, if `always`). */
  pump(always = false): void {
    let started = false;
    while (!this.closed && this.running.size < this.options.config.concurrency) {
      const record = this.fair.pick();
      if (!record) break;
      this.start(record);
      started = true;
    }
    if (started || always) this.emitPositions();
  }

  private start(record: JobRecord): void {
    const controller = new AbortController();
    record.controller = controller;
    record.info = { ...record.info, state: 'running', startedAt: this.now(), attempts: record.info.attempts + 1 };
    record.timer = setTimeout(() => {
      record.abortReason ??= 'timeout';
      controller.abort(new CancelledError('timeout'));
    }, this.options.config.jobTimeoutSeconds * 1000);
    this.running.add(record);
    this.etas.invalidate();
    void this.persist((p) => p.save(stored(record)));
    this.events.emit('started', { type: 'started', job: this.snapshot(record) });
    void this.queue.add(() => this.execute(record, controller.signal));
  }

  private async execute(record: JobRecord, signal: AbortSignal): Promise<void> {
    const onProgress = (event: ProgressEvent) => this.progress(record, event);
    try {
      const result = await this.options.executor(this.snapshot(record), { signal, onProgress });
      this.etas.record(record);
      this.finish(record, 'done', { result });
    } catch (error) {
      this.failed(record, error);
    } finally {
      if (record.timer) clearTimeout(record.timer);
      this.running.delete(record);
      record.controller = null;
      this.etas.invalidate();
      this.pump(true);
    }
  }

  private failed(record: JobRecord, error: unknown): void {
    switch (record.abortReason) {
      case 'timeout': {
        const message = `timeout: the job ran longer than jobTimeoutSeconds (${this.options.config.jobTimeoutSeconds} s)`;
        this.finish(record, 'failed', { error: { code: 'TIMEOUT', message } });
        return;
      }
      case 'cancelled':
        this.finish(record, 'cancelled', { error: { code: 'CANCELLED', message: 'cancelled while running' } });
        return;
      case 'shutdown':
        // Stopped on purpose: back to the persisted queue, this attempt not counted.
        record.info = { ...record.info, state: 'queued', startedAt: null, progress: null, attempts: record.info.attempts - 1 };
        void this.persist((p) => p.save(stored(record)));
        return;
      case null: {
        const code = error instanceof AcejamError ? error.code : 'INTERNAL';
        if (code === 'INTERNAL') this.options.logger.error({ job: record.id, err: error }, 'job failed');
        this.finish(record, 'failed', { error: { code, message: error instanceof Error ? error.message : String(error) } });
      }
    }
  }

  private progress(record: JobRecord, event: ProgressEvent): void {
    if (!this.running.has(record) || record.controller?.signal.aborted) return;
    record.info = { ...record.info, progress: event };
    this.etas.invalidate();
    const progress = { ...event, etaSeconds: event.etaSeconds ?? this.etas.remaining(record) };
    record.info = { ...record.info, progress };
    this.events.emit('progress', { type: 'progress', job: this.snapshot(record), progress });
    if (!this.positionsTimer && this.fair.size > 0) this.positionsTimer = setTimeout(() => this.emitPositions(), POSITIONS_THROTTLE_MS).unref();
  }

  private finish(record: JobRecord, state: 'done' | 'failed' | 'cancelled', data: { result?: JobResult; error?: JobError }): JobInfo {
    record.info = { ...record.info, state, finishedAt: this.now(), result: data.result ?? null, error: data.error ?? null };
    this.table.untrack(record);
    const job = this.table.remember(stored(record));
    void this.persist((p) => p.remove(record.id));
    if (state === 'done') this.events.emit('done', { type: 'done', job });
    else if (state === 'failed') this.events.emit('failed', { type: 'failed', job });
    else this.events.emit('cancelled', { type: 'cancelled', job });
    return job;
  }

  private track(info: JobInfo): JobRecord {
    const pack = typeof info.spec.meta?.pack === 'string' ? info.spec.meta.pack : basename(this.options.config.packDir);
    return this.table.track(info, etaKey(pack, this.options.config.provider));
  }

  private enqueue(record: JobRecord): void {
    this.fair.add(record);
    this.etas.invalidate();
  }

  /** Queue persistence calls run one after another, in the order of the state changes. */
  private persist(operation: (persistence: QueuePersistence) => Promise<void>): Promise<void> {
    const persistence = this.options.persistence;
    if (!persistence) return Promise.resolve();
    const run = this.persistChain.then(() => operation(persistence));
    this.persistChain = run.catch((error: unknown) => this.options.logger.error({ err: error }, 'queue persistence failed'));
    return run;
  }

  private snapshot(record: JobRecord): JobInfo {
    const etas = this.etas.all(this.running, this.fair.ordered());
    return { ...record.info, position: this.fair.position(record.id), etaSeconds: etas.get(record.id) ?? null };
  }

  /** When the user's first job will be done (freeing a place under their caps). */
  private userRetryAfter(user: string): number | null {
    const etas = this.etas.all(this.running, this.fair.ordered());
    const known = [...this.table.records()].filter((r) => r.user === user).flatMap((r) => etas.get(r.id) ?? []);
    return known.length === 0 ? null : Math.min(...known);
  }

  private emitPositions(): void {
    if (this.positionsTimer) clearTimeout(this.positionsTimer);
    this.positionsTimer = null;
    if (this.events.listenerCount('positions') === 0) return;
    const waiting = this.fair.ordered();
    const etas = this.etas.all(this.running, waiting);
    const jobs: JobPosition[] = waiting.map((r, i) => ({ id: r.id, user: r.user, position: i + 1, etaSeconds: etas.get(r.id) ?? null }));
    this.events.emit('positions', { type: 'positions', jobs });
  }
}

/** The persisted form: live fields (position, ETA) are computed, not stored. */
function stored(record: JobRecord): JobInfo {
  return { ...record.info, position: null, etaSeconds: null };
}
