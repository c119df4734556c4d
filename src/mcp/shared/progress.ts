/**
 * MCP progress for a job: when a request carries `_meta.progressToken`, every change of the job (queue
 * position, each diffusion step, decoding) becomes one `notifications/progress` with a message. The
 * value is the job's percent (total 100) and strictly increases, as the spec requires, even while the
 * job only moves up the queue.
 */
import type { ProgressToken, ServerNotification } from '@modelcontextprotocol/sdk/types.js';

import type { JobInfo, StudioPort } from '../studio.js';

const JOB_EVENTS = ['queued', 'positions', 'started', 'progress', 'done', 'failed', 'cancelled'] as const;

/** What a progress message says about a job. */
export function progressMessage(job: JobInfo): string {
  if (job.state === 'queued') {
    const eta = job.etaSeconds !== null ? `, starting in about ${Math.max(1, Math.round(job.etaSeconds))} s` : '';
    return job.position !== null ? `queued at position ${job.position}${eta}` : 'queued';
  }
  const p = job.progress;
  if (job.state === 'running') {
    if (!p) return 'starting';
    switch (p.stage) {
      case 'diffuse':
        return p.step === 0 ? 'sampling' : `step ${p.step} of ${p.steps}`;
      case 'decode':
        return p.steps > 1 ? `decoding (${p.step} of ${p.steps})` : 'decoding';
      case 'encode':
        return 'encoding the conditions';
      case 'tokenize':
        return 'reading tags and lyrics';
    }
  }
  return job.state;
}

export type SendNotification = (notification: ServerNotification) => Promise<void>;

/** Sends one job's progress notifications in order, skipping repeats, with strictly increasing values. */
export class ProgressReporter {
  private last = -Infinity;
  private lastMessage = '';
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly token: ProgressToken,
    private readonly send: SendNotification,
  ) {}

  update(job: JobInfo): void {
    if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') return;
    const message = progressMessage(job);
    if (message === this.lastMessage) return;
    const percent = job.state === 'queued' ? 0 : (job.progress?.percent ?? 0);
    // Strictly increasing: a queue move (or a rounding repeat) nudges the value by a thousandth.
    const value = percent > this.last ? percent : Math.round((this.last + 0.001) * 1000) / 1000;
    this.last = value;
    this.lastMessage = message;
    const notification: ServerNotification = {
      method: 'notifications/progress',
      params: { progressToken: this.token, progress: value, total: 100, message },
    };
    this.chain = this.chain.then(() => this.send(notification)).catch(() => undefined);
  }

  /** Resolves once every notification so far has been handed to the transport. */
  flush(): Promise<void> {
    return this.chain;
  }
}

/**
 * Calls `onChange` with the job's state whenever the job runner reports anything about it; returns the
 * function that stops listening. Events that carry the job (`{ job }`) are used as they are; others
 * (`positions`) are read back with `jobs.get`.
 */
export function watchJob(studio: StudioPort, jobId: string, onChange: (job: JobInfo) => void): () => void {
  const listener = (event?: { job?: JobInfo }) => {
    const job = event?.job?.id === jobId ? event.job : event?.job === undefined ? studio.jobs.get(jobId) : undefined;
    if (job) onChange(job);
  };
  for (const name of JOB_EVENTS) studio.jobs.events.on(name, listener);
  return () => {
    for (const name of JOB_EVENTS) studio.jobs.events.off(name, listener);
  };
}
