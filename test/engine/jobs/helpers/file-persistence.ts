/**
 * A tiny JSON-file QueuePersistence for the crash test (the real one is the song store's `jobs`):
 * the whole queue rewritten on every change, atomically (temp file, fsync, rename).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

import type { JobInfo, QueuePersistence } from '../../../../src/engine/jobs/types.js';

export class FilePersistence implements QueuePersistence {
  private readonly jobs = new Map<string, JobInfo>();

  constructor(private readonly path: string) {
    if (existsSync(path)) for (const job of JSON.parse(readFileSync(path, 'utf8')) as JobInfo[]) this.jobs.set(job.id, job);
  }

  async save(job: JobInfo): Promise<void> {
    this.jobs.set(job.id, job);
    this.write();
  }

  async remove(jobId: string): Promise<void> {
    this.jobs.delete(jobId);
    this.write();
  }

  async load(): Promise<JobInfo[]> {
    return [...this.jobs.values()];
  }

  private write(): void {
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, 'w');
    writeSync(fd, JSON.stringify([...this.jobs.values()]));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.path);
  }
}
