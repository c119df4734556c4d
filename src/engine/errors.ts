/** Error codes callers branch on; each is documented where it is thrown. */
export type ErrorCode =
  | 'INVALID_INPUT' // a request field or user file breaks a documented limit
  | 'PACK_INVALID' // a model pack is malformed or does not match its manifest
  | 'PACK_NOT_FOUND' // no pack at the given path or name
  | 'MODEL_ERROR' // a graph was fed or returned something unexpected
  | 'PROVIDER_UNAVAILABLE' // the configured execution provider cannot run here
  | 'CANCELLED' // the caller aborted the job
  | 'STORE_CORRUPT' // a stored record (song, settings, job) is not JSON or no longer matches its schema
  | 'STORE_UNAVAILABLE' // the song store (SQLite file or Redis) cannot be opened or reached
  | 'QUEUE_FULL' // jobs: the whole queue holds config.maxQueued waiting jobs
  | 'QUEUE_LIMIT' // jobs: one user's jobs or their cost reached a per-user cap
  | 'NOT_FOUND' // studio: no song, job or file with that id
  | 'FORBIDDEN'; // studio: someone else's private song or job

/** Every error acejam raises on purpose: a code, a message naming the field or file, an optional hint. */
export class AcejamError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** A model pack that is missing, malformed, or does not match its manifest. */
export class PackError extends AcejamError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('PACK_INVALID', message, options);
  }
}

/** A request or file the user gave that breaks a rule: the message names the field and the limit. */
export class InvalidInputError extends AcejamError {
  readonly field: string;

  constructor(field: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('INVALID_INPUT', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A job stopped by its AbortSignal, between two steps. */
export class CancelledError extends AcejamError {
  constructor(message = 'cancelled') {
    super('CANCELLED', message);
  }
}

// ── Song store (issue 3/5, store engineer) ─────────────────────────────────────────────────────────

/**
 * A record in the song store that is not JSON or no longer matches its zod schema. `recordId` names the
 * song (or user / job) the record belongs to, `key` the store key, so the record can be inspected or removed.
 */
export class CorruptRecordError extends AcejamError {
  readonly key: string;
  readonly recordId: string;

  constructor(key: string, recordId: string, detail: string, options: { cause?: unknown } = {}) {
    super('STORE_CORRUPT', `stored record ${key} (${recordId}) is corrupt: ${detail}`, {
      hint: 'the record was changed outside acejam or by an incompatible version; delete or restore it',
      cause: options.cause,
    });
    this.key = key;
    this.recordId = recordId;
  }
}

/** The configured song store (a SQLite file or a Redis server) cannot be opened or reached. */
export class StoreUnavailableError extends AcejamError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

// ── Jobs (issue 3/5, job runner: src/engine/jobs) ──────────────────────────────────────────────────

/** "in ~N min" for a retry hint; "in a few minutes" when the queue has no speed measurement yet. */
function retryIn(seconds: number | null): string {
  return seconds === null ? 'in a few minutes' : `in ~${Math.max(1, Math.ceil(seconds / 60))} min`;
}

/** The whole queue is full (`config.maxQueued` waiting jobs): nothing was queued; retry after `retryAfterSeconds`. */
export class QueueFullError extends AcejamError {
  readonly limit = 'maxQueued';
  readonly max: number;
  /** Seconds until a place frees up (the next job starts), from the ETA model; null when unknown. */
  readonly retryAfterSeconds: number | null;

  constructor(max: number, retryAfterSeconds: number | null) {
    super('QUEUE_FULL', `queue full: ${max} jobs are waiting (limit maxQueued = ${max}); try again ${retryIn(retryAfterSeconds)}`, {
      hint: `try again ${retryIn(retryAfterSeconds)}`,
    });
    this.max = max;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Which per-user cap a job would break. */
export type QueueLimit = 'maxQueuedPerUser' | 'maxCostPerUser';

/** One user's waiting and running jobs (or their cost, duration × steps × batch) would pass a per-user cap. */
export class QueueLimitError extends AcejamError {
  readonly limit: QueueLimit;
  /** What the user would have with this job: jobs, or cost units. */
  readonly value: number;
  readonly max: number;
  /** Seconds until the user's earliest job is done; null when unknown, or when waiting cannot help (`alone`). */
  readonly retryAfterSeconds: number | null;

  /** `alone`: this one job's cost is over the cap by itself, so retrying cannot help. */
  constructor(limit: QueueLimit, value: number, max: number, retryAfterSeconds: number | null, options: { alone?: boolean } = {}) {
    const what = limit === 'maxQueuedPerUser' ? `${value} jobs` : `${Math.round(value)} cost units (duration × steps × batch)`;
    const message = options.alone
      ? `this job alone costs ${Math.round(value)} units (duration × steps × batch); the limit (maxCostPerUser) is ${max}`
      : `you would have ${what} waiting or running; the limit (${limit}) is ${max}; try again ${retryIn(retryAfterSeconds)}`;
    super('QUEUE_LIMIT', message, {
      hint: options.alone ? 'shorten the duration, or use fewer steps or a smaller batch' : 'wait for one of your jobs to finish, or cancel one',
    });
    this.limit = limit;
    this.value = value;
    this.max = max;
    this.retryAfterSeconds = options.alone ? null : retryAfterSeconds;
  }
}

// --- studio (the API the front ends call) ---

/** No song, job or file with that id (or it was swept). */
export class NotFoundError extends AcejamError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} does not exist`, { hint: what === 'song' ? 'check the id (10 characters); old songs may have been swept by the retention policy' : undefined });
  }
}

/** The caller may not see or change this (someone else's private song or job). */
export class ForbiddenError extends AcejamError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}
