/**
 * The runner's book of jobs: the active ones (queued or running) with their scheduling state, what
 * each user has waiting or running (for the caps), and the most recently finished ones for lookups.
 */
import type { JobInfo } from './types.js';

/** The runner's own view of a job: the public info (replaced, never mutated) plus scheduling state. */
export interface JobRecord {
  readonly id: string;
  readonly user: string;
  /** Order within the user's jobs (FairItem). */
  readonly priority: number;
  readonly seq: number;
  /** The ETA model's key: pack + provider. */
  readonly key: string;
  info: JobInfo;
  controller: AbortController | null;
  timer: NodeJS.Timeout | null;
  abortReason: 'cancelled' | 'timeout' | 'shutdown' | null;
  /** Cancelled while its first save was still under way. */
  cancelRequested: boolean;
}

export interface Usage {
  jobs: number;
  cost: number;
}

export class JobTable {
  private readonly active = new Map<string, JobRecord>();
  private readonly finished = new Map<string, JobInfo>();
  private readonly usage = new Map<string, Usage>();
  private seq = 0;

  constructor(private readonly keepFinished: number) {}

  /** Adds an active job and counts it against its user. */
  track(info: JobInfo, key: string): JobRecord {
    const record: JobRecord = {
      id: info.id, user: info.user, priority: info.spec.priority ?? 0, seq: this.seq++, key, info,
      controller: null, timer: null, abortReason: null, cancelRequested: false,
    };
    this.active.set(info.id, record);
    const used = this.usageOf(info.user);
    this.usage.set(info.user, { jobs: used.jobs + 1, cost: used.cost + info.cost });
    return record;
  }

  /** Removes an active job (finished, or never accepted) and its share of the user's usage. */
  untrack(record: JobRecord): void {
    if (!this.active.delete(record.id)) return;
    const used = this.usageOf(record.user);
    if (used.jobs <= 1) this.usage.delete(record.user);
    else this.usage.set(record.user, { jobs: used.jobs - 1, cost: used.cost - record.info.cost });
  }

  /** Keeps a finished job for `get`/`list`; the oldest are forgotten past `keepFinished`. */
  remember(job: JobInfo): JobInfo {
    this.finished.set(job.id, job);
    for (const id of this.finished.keys()) {
      if (this.finished.size <= this.keepFinished) break;
      this.finished.delete(id);
    }
    return job;
  }

  record(id: string): JobRecord | undefined {
    return this.active.get(id);
  }

  finishedJob(id: string): JobInfo | undefined {
    return this.finished.get(id);
  }

  records(): IterableIterator<JobRecord> {
    return this.active.values();
  }

  finishedJobs(): IterableIterator<JobInfo> {
    return this.finished.values();
  }

  /** Jobs and cost a user has waiting or running. */
  usageOf(user: string): Usage {
    return this.usage.get(user) ?? { jobs: 0, cost: 0 };
  }
}
