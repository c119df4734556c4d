/**
 * The job layer's types (docs/service-contract.md, "Serializable job input" and "Runner"): what is
 * queued, persisted and sent to the engine worker, and the one small {@link JobRunner} interface the
 * front ends use, so that a Redis-backed runner can replace the in-process one later.
 */
import type { EventEmitter } from 'node:events';

import type { Config } from '../../config/schema.js';
import type { ProgressEvent } from '../events.js';
import type { Logger } from '../logger.js';
import type { RequestInput } from '../request.js';

export type Origin = 'discord' | 'mcp' | 'cli';

/** Where a source comes from: a song of ours (its latent, no re-encode) or an uploaded file, by content hash. */
export type SourceRef = { kind: 'song'; songId: string } | { kind: 'file'; sha256: string; name?: string };

/** `Omit` applied to each member of a union (plain `Omit` would keep only the keys all tasks share). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request whose `source` (if any) is a SourceRef instead of arrays: JSON-serializable. */
export type QueuedRequest = DistributiveOmit<RequestInput, 'source'> & { source?: SourceRef };

export interface JobSpec {
  user: string;
  origin: Origin;
  request: QueuedRequest;
  /** Order among this user's own waiting jobs (higher first; default 0). Never moves a job ahead of other users. */
  priority?: number;
  /**
   * Free-form, JSON-serializable. The runner reads two keys when present: `pack` (string, the ETA
   * model's key) and `sourceSeconds` (number, the cost of source-based tasks without a `duration`).
   */
  meta?: Record<string, unknown>;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobResult {
  songIds: string[];
}

/** Why a job failed: an {@link AcejamError} code, or `TIMEOUT`, `INTERRUPTED`, `INTERNAL`. */
export interface JobError {
  code: string;
  message: string;
}

/** A job as the front ends see it: a snapshot, JSON-serializable. */
export interface JobInfo {
  id: string;
  user: string;
  origin: Origin;
  state: JobState;
  /** 1-based place among waiting jobs in fair order; null unless queued. */
  position: number | null;
  /** Seconds until the job is done (waiting: start + run; running: what is left); null when unknown or finished. */
  etaSeconds: number | null;
  /** duration (s) × steps × batch: what caps and ETAs count. */
  cost: number;
  /** The running job's last progress event (kept after it ends). */
  progress: ProgressEvent | null;
  result: JobResult | null;
  error: JobError | null;
  /** Epoch ms; strictly increasing within one runner, so it also records submission order. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** How many times the job has been started (a job interrupted by a crash is started once more). */
  attempts: number;
  spec: JobSpec;
}

/** One waiting job's place and ETA, as sent in a `positions` event. */
export interface JobPosition {
  id: string;
  user: string;
  position: number;
  etaSeconds: number | null;
}

/** Everything the runner emits, one discriminated union; listeners get the member named by the event. */
export type JobEvent =
  | { type: 'queued'; job: JobInfo }
  | { type: 'started'; job: JobInfo }
  | { type: 'progress'; job: JobInfo; progress: ProgressEvent }
  | { type: 'done'; job: JobInfo }
  | { type: 'failed'; job: JobInfo }
  | { type: 'cancelled'; job: JobInfo }
  /** Every waiting job's position and ETA, sent whenever the waiting order or the estimates change. */
  | { type: 'positions'; jobs: JobPosition[] };

export type JobEventType = JobEvent['type'];
export type JobEventMap = { [K in JobEventType]: [Extract<JobEvent, { type: K }>] };

/** A Node EventEmitter typed by the event map: `events.on('progress', ({ job, progress }) => …)`. */
export type TypedEmitter<M extends Record<keyof M, unknown[]>> = EventEmitter<M>;

/** What the runner calls to do a job; it must stop (rejecting) soon after `signal` aborts. */
export type Executor = (job: JobInfo, control: { signal: AbortSignal; onProgress(event: ProgressEvent): void }) => Promise<JobResult>;

/** Where queued and running jobs are kept so they survive a restart (the song store's `jobs`). */
export interface QueuePersistence {
  save(job: JobInfo): Promise<void>;
  remove(jobId: string): Promise<void>;
  load(): Promise<JobInfo[]>;
}

export interface JobRunner {
  /** Queues a job. Throws QueueFullError (global cap) or QueueLimitError (a per-user cap), both with a retry hint. */
  submit(spec: JobSpec): Promise<JobInfo>;
  /** A queued job is removed at once; a running one stops between steps. False if the job is unknown or finished. */
  cancel(jobId: string): Promise<boolean>;
  get(jobId: string): JobInfo | undefined;
  /** 1-based among waiting jobs, fair order; null unless queued. */
  position(jobId: string): number | null;
  list(filter?: { user?: string; state?: JobState }): JobInfo[];
  readonly events: TypedEmitter<JobEventMap>;
  /** Stops picking jobs, stops running ones (they stay persisted and run again after a restart), flushes persistence. */
  close(): Promise<void>;
}

export interface JobRunnerOptions {
  config: Config;
  executor: Executor;
  persistence?: QueuePersistence;
  logger: Logger;
  /** Epoch-ms clock (tests). */
  now?: () => number;
  /** Seconds per cost unit assumed before a job of a pack/provider has been measured (null: ETAs unknown until then). */
  initialSecondsPerCost?: number | null;
  /** Finished jobs kept for `get`/`list` (oldest forgotten first); default 1000. */
  keepFinished?: number;
}
