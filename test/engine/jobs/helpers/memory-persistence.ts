/** An in-memory QueuePersistence that records every call, for the persistence tests. */
import type { JobInfo, QueuePersistence } from '../../../../src/engine/jobs/types.js';

export class MemoryPersistence implements QueuePersistence {
  readonly jobs = new Map<string, JobInfo>();
  readonly log: string[] = [];

  constructor(initial: JobInfo[] = []) {
    for (const job of initial) this.jobs.set(job.id, structuredClone(job));
  }

  async save(job: JobInfo): Promise<void> {
    this.log.push(`save ${job.id} ${job.state}`);
    this.jobs.set(job.id, structuredClone(job));
  }

  async remove(jobId: string): Promise<void> {
    this.log.push(`remove ${jobId}`);
    this.jobs.delete(jobId);
  }

  async load(): Promise<JobInfo[]> {
    return [...this.jobs.values()].map((job) => structuredClone(job));
  }

  /** What a crash at this moment would leave behind. */
  snapshot(): JobInfo[] {
    return [...this.jobs.values()].map((job) => structuredClone(job));
  }
}
