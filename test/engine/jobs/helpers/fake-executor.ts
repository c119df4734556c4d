/**
 * A controllable executor for the pure scheduling tests: every job waits until the test resolves or
 * rejects it; aborting its signal rejects with CancelledError, as the engine does between steps.
 */
import { CancelledError } from '../../../../src/engine/errors.js';
import type { ProgressEvent } from '../../../../src/engine/events.js';
import type { Executor, JobInfo, JobResult } from '../../../../src/engine/jobs/types.js';

export interface FakeCall {
  job: JobInfo;
  signal: AbortSignal;
  progress(event: Partial<ProgressEvent>): void;
  resolve(result?: JobResult): void;
  reject(error: Error): void;
}

export class FakeExecutor {
  readonly calls: FakeCall[] = [];
  private waiters: (() => void)[] = [];

  readonly executor: Executor = (job, control) =>
    new Promise<JobResult>((resolve, reject) => {
      control.signal.addEventListener('abort', () => reject(new CancelledError('cancelled between steps')), { once: true });
      this.calls.push({
        job,
        signal: control.signal,
        progress: (event) => control.onProgress({ stage: 'diffuse', step: 1, steps: 10, percent: 10, etaSeconds: null, message: '', ...event }),
        resolve: (result) => resolve(result ?? { songIds: [`song-${job.id}`] }),
        reject,
      });
      for (const wake of this.waiters.splice(0)) wake();
    });

  /** Ids of the jobs started so far, in start order. */
  get started(): string[] {
    return this.calls.map((call) => call.job.id);
  }

  /** The call of a job (throws if it has not started). */
  call(jobId: string): FakeCall {
    const call = this.calls.find((c) => c.job.id === jobId);
    if (!call) throw new Error(`job ${jobId} has not started`);
    return call;
  }

  /** Resolves once at least `count` jobs have started. */
  async waitForStarts(count: number): Promise<void> {
    while (this.calls.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
  }
}

/** Lets queued microtasks and immediates run (the runner's first pump is on setImmediate). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
