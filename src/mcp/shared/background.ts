/**
 * output_dir files that outlive their tool call: when a generation's wait runs out, the file is
 * written once the job finishes, and get_job reports where. Closed with the server.
 */
import type { Logger } from '../../engine/logger.js';

export class BackgroundSaves {
  private readonly pending = new Map<string, string>();
  private readonly saved = new Map<string, Record<string, string>>();
  private readonly controller = new AbortController();

  constructor(private readonly logger: Logger) {}

  /** Runs `save` in the background for a job; `dir` is reported by get_job until it is done. */
  schedule(jobId: string, dir: string, save: (signal: AbortSignal) => Promise<Record<string, string>>): void {
    this.pending.set(jobId, dir);
    save(this.controller.signal)
      .then((paths) => this.saved.set(jobId, paths))
      .catch((error: unknown) => {
        if (!this.controller.signal.aborted) this.logger.warn({ jobId, err: error }, 'could not write the output_dir file after the job finished');
      })
      .finally(() => this.pending.delete(jobId));
  }

  /** The folder a job's file will be written to, while that is still pending. */
  pendingDir(jobId: string): string | undefined {
    return this.pending.get(jobId);
  }

  /** song id → path written for a job, once done. */
  savedPaths(jobId: string): Record<string, string> | undefined {
    return this.saved.get(jobId);
  }

  close(): void {
    this.controller.abort();
  }
}
