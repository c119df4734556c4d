/**
 * What a starting runner does with the jobs a previous process persisted (issue 3/5 item 4): queued
 * jobs resume in their original order; a job found running was interrupted (the process died), so it
 * is retried once, ahead of the queued ones, and fails with a clear reason if it was already retried.
 */
import type { JobInfo } from './types.js';

/** Starts after which an interrupted job is not retried again. */
export const MAX_ATTEMPTS = 2;

export interface ResumePlan {
  /** In the order to queue them: interrupted jobs first, then queued ones, each by creation time. */
  requeue: JobInfo[];
  /** Interrupted again after their retry: to be reported failed. */
  failed: JobInfo[];
  /** Finished jobs that should not have been persisted: to be removed. */
  stale: JobInfo[];
}

export function planResume(jobs: readonly JobInfo[], now: number): ResumePlan {
  const sorted = [...jobs].sort((a, b) => a.createdAt - b.createdAt);
  const waiting = (job: JobInfo): JobInfo => ({ ...job, state: 'queued', startedAt: null, progress: null, position: null, etaSeconds: null });
  const interrupted = sorted.filter((job) => job.state === 'running');
  return {
    requeue: [...interrupted.filter((job) => job.attempts < MAX_ATTEMPTS), ...sorted.filter((job) => job.state === 'queued')].map(waiting),
    failed: interrupted
      .filter((job) => job.attempts >= MAX_ATTEMPTS)
      .map((job) => ({
        ...job,
        state: 'failed' as const,
        finishedAt: now,
        position: null,
        etaSeconds: null,
        error: { code: 'INTERRUPTED', message: `interrupted twice (the process stopped while it ran, ${job.attempts} times); not retried` },
      })),
    stale: sorted.filter((job) => job.state !== 'running' && job.state !== 'queued'),
  };
}
