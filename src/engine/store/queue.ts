/**
 * The job runner's persisted queue, kept in the same Keyv as the songs: one record per job,
 * `job:<jobId>` → `{ seq, job }`. `seq` is given when a job is first saved and kept on every later save, so
 * {@link QueuePersistence.load} returns jobs in enqueue order after a restart.
 */
import { z } from 'zod';

import { CorruptRecordError } from '../errors.js';
import { KEYS } from './keys.js';
import { UnparsableValue, type KvBackend } from './kv.js';

/** The least a persisted job must have. */
export interface PersistedJob {
  id: string;
}

/** What the runner needs to survive a restart (the runner's `QueuePersistence`, generic over its JobInfo). */
export interface QueuePersistence<J extends PersistedJob = PersistedJob> {
  /** Inserts or updates a job; a job keeps the queue position of its first save. */
  save(job: J): Promise<void>;
  remove(jobId: string): Promise<void>;
  /** Every saved job, in the order they were first saved. */
  load(): Promise<J[]>;
}

export interface QueuePersistenceOptions<J extends PersistedJob> {
  /** Validates a loaded job (the runner's zod schema); it may throw. Without it a job only needs a string `id`. */
  parseJob?: (value: unknown) => J;
  /** Told about each record `load()` skips because it cannot be read; `load()` never fails for one bad job. */
  onCorrupt?: (error: CorruptRecordError) => void;
}

const recordSchema = z.object({
  seq: z.number().int().min(0),
  job: z.looseObject({ id: z.string().min(1) }),
});

/** Creates the queue persistence over `kv`. */
export function createQueuePersistence<J extends PersistedJob = PersistedJob>(
  kv: KvBackend,
  options: QueuePersistenceOptions<J> = {},
): QueuePersistence<J> {
  const parseJob = options.parseJob ?? ((value: unknown) => value as J);
  /** jobId → seq, for jobs saved or loaded by this process. */
  const seqs = new Map<string, number>();
  // Microseconds since the epoch, forced strictly increasing in this process; load() raises it past every
  // stored seq so resumed jobs stay ahead of new ones even if the clock went back.
  let lastSeq = 0;
  const nextSeq = () => (lastSeq = Math.max(Date.now() * 1000, lastSeq + 1));

  const readSeq = async (jobId: string): Promise<number | undefined> => {
    const parsed = recordSchema.safeParse(await kv.get(KEYS.job(jobId)));
    return parsed.success ? parsed.data.seq : undefined;
  };

  return {
    async save(job) {
      const seq = seqs.get(job.id) ?? (await readSeq(job.id)) ?? nextSeq();
      seqs.set(job.id, seq);
      await kv.set(KEYS.job(job.id), { seq, job });
    },
    async remove(jobId) {
      seqs.delete(jobId);
      await kv.delete([KEYS.job(jobId)]);
    },
    async load() {
      const keys = await kv.scanKeys(KEYS.jobPrefix());
      const values = await kv.getMany(keys);
      const loaded: { seq: number; job: J }[] = [];
      values.forEach((value, i) => {
        const key = keys[i] ?? '';
        if (value === undefined) return; // removed since the scan
        const jobId = decodeURIComponent(key.slice(KEYS.jobPrefix().length));
        try {
          if (value instanceof UnparsableValue) throw new Error('not JSON');
          const record = recordSchema.parse(value);
          loaded.push({ seq: record.seq, job: parseJob(record.job) });
        } catch (cause) {
          const detail = cause instanceof z.ZodError ? z.prettifyError(cause) : cause instanceof Error ? cause.message : String(cause);
          options.onCorrupt?.(new CorruptRecordError(key, jobId, detail, { cause }));
        }
      });
      loaded.sort((a, b) => a.seq - b.seq || (a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0));
      for (const { seq, job } of loaded) {
        seqs.set(job.id, seq);
        lastSeq = Math.max(lastSeq, seq);
      }
      return loaded.map(({ job }) => job);
    },
  };
}
