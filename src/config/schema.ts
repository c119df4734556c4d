/**
 * acejam's configuration as a zod schema: the schema is the type. Three layers are merged, later ones
 * winning: `config/default.json`, an optional JSON file, then `ACEJAM_*` environment variables
 * (see config/README.md). `load.ts` parses them once at startup and hands down a frozen {@link Config}.
 */
import { z } from 'zod';

export const PROVIDERS = ['cpu', 'cuda'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const MAX_THREADS = 1024;
export const MAX_DEVICE_ID = 255;

const provider = z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` });
const logLevel = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });
const DEVICE_ID_RANGE = `must be a whole number from 0 to ${MAX_DEVICE_ID}`;
const THREADS_RANGE = `must be a whole number from 0 to ${MAX_THREADS} (0 = ONNX Runtime's default)`;
const wholeIn = (max: number, error: string) => z.int({ error }).min(0, { error }).max(max, { error });
const deviceId = wholeIn(MAX_DEVICE_ID, DEVICE_ID_RANGE);
const threads = wholeIn(MAX_THREADS, THREADS_RANGE);
const path = z.string().min(1, { error: 'must be a non-empty path' });
const storeUrl = z
  .string()
  .regex(/^(redis|rediss|sqlite):\/\/.+/, { error: 'must be redis://host:port[/db], rediss://… or sqlite:///path/to/file.sqlite' })
  .nullable();
const positiveIn = (max: number, what: string) => z.int({ error: `must be a whole number from 1 to ${max} ${what}` }).min(1, { error: `must be ≥ 1 ${what}` }).max(max, { error: `must be ≤ ${max} ${what}` });
const zeroOrMore = (max: number, what: string) => z.int({ error: `must be a whole number from 0 to ${max} ${what}` }).min(0, { error: `must be ≥ 0 ${what}` }).max(max, { error: `must be ≤ ${max} ${what}` });

/** The resolved configuration every part of acejam receives. */
export const configSchema = z.object({
  /** The model pack folder the engine loads (absolute). */
  packDir: path,
  /** Where acejam keeps its data: installed packs (`<dataDir>/packs/<name>`), later jobs and songs (absolute). */
  dataDir: path,
  /** The ONNX Runtime execution provider asked for. */
  provider,
  /** The CUDA device index (ignored on cpu). */
  deviceId,
  /** When cuda is asked for but cannot start, run on cpu with a warning instead of failing. */
  allowCpuFallback: z.boolean({ error: 'must be true or false' }),
  /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose. */
  threads,
  /** pino log level (logs go to stderr). */
  logLevel,
  /** Song store: null = SQLite at `<dataDir>/acejam.sqlite`; `redis://…` shares one store between processes. */
  storeUrl,
  /** Jobs run at once per device (1 per GPU, 1 on CPU). */
  concurrency: positiveIn(16, 'jobs'),
  /** Jobs waiting in all (a full queue answers "try again in ~N min"). */
  maxQueued: positiveIn(100000, 'jobs'),
  /** Jobs one user may have waiting or running. */
  maxQueuedPerUser: positiveIn(1000, 'jobs'),
  /** Cost one user may have waiting or running, in seconds × steps × batch. */
  maxCostPerUser: positiveIn(1e9, 'cost units'),
  /** A running job is stopped after this many seconds. */
  jobTimeoutSeconds: positiveIn(86400, 's'),
  /** Songs older than this are removed by the retention sweep (0 = keep forever). */
  retentionDays: zeroOrMore(36500, 'days'),
  /** Artifacts beyond this many MB are removed oldest first (0 = no budget). */
  diskBudgetMb: zeroOrMore(1e9, 'MB'),
  /** Largest accepted upload. */
  maxUploadBytes: positiveIn(2 ** 31, 'bytes'),
});
export type Config = Readonly<z.infer<typeof configSchema>>;
export type Provider = Config['provider'];
export type LogLevel = Config['logLevel'];

/**
 * A config file (and `config/default.json`): every field optional, unknown fields refused so a typo
 * fails loudly. `packDir` / `dataDir` may be `null` (= the built-in default) and are resolved against
 * the file's folder when relative.
 */
export const configFileSchema = z.strictObject({
  $comment: z.string().optional(),
  packDir: path.nullable().optional(),
  dataDir: path.nullable().optional(),
  provider: provider.optional(),
  deviceId: deviceId.optional(),
  allowCpuFallback: z.boolean({ error: 'must be true or false' }).optional(),
  threads: threads.optional(),
  logLevel: logLevel.optional(),
  storeUrl: storeUrl.optional(),
  concurrency: positiveIn(16, 'jobs').optional(),
  maxQueued: positiveIn(100000, 'jobs').optional(),
  maxQueuedPerUser: positiveIn(1000, 'jobs').optional(),
  maxCostPerUser: positiveIn(1e9, 'cost units').optional(),
  jobTimeoutSeconds: positiveIn(86400, 's').optional(),
  retentionDays: zeroOrMore(36500, 'days').optional(),
  diskBudgetMb: zeroOrMore(1e9, 'MB').optional(),
  maxUploadBytes: positiveIn(2 ** 31, 'bytes').optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

/** A whole number written as a string (environment variables are strings). */
const wholeString = (error: string) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/, { error })
    .transform(Number);

/**
 * Each environment variable, named after the config field it sets; the issue path of a bad value is
 * the variable's name, so errors say which variable to fix.
 */
export const ENV_VARS = {
  ACEJAM_PACK: 'packDir',
  ACEJAM_DATA_DIR: 'dataDir',
  ACEJAM_PROVIDER: 'provider',
  ACEJAM_DEVICE_ID: 'deviceId',
  ACEJAM_ALLOW_CPU_FALLBACK: 'allowCpuFallback',
  ACEJAM_THREADS: 'threads',
  ACEJAM_LOG_LEVEL: 'logLevel',
  ACEJAM_STORE_URL: 'storeUrl',
  ACEJAM_CONCURRENCY: 'concurrency',
  ACEJAM_MAX_QUEUED: 'maxQueued',
  ACEJAM_MAX_QUEUED_PER_USER: 'maxQueuedPerUser',
  ACEJAM_MAX_COST_PER_USER: 'maxCostPerUser',
  ACEJAM_JOB_TIMEOUT: 'jobTimeoutSeconds',
  ACEJAM_RETENTION_DAYS: 'retentionDays',
  ACEJAM_DISK_BUDGET_MB: 'diskBudgetMb',
  ACEJAM_MAX_UPLOAD_BYTES: 'maxUploadBytes',
} as const satisfies Record<string, keyof Config>;

export const envSchema = z.object({
  ACEJAM_PACK: path.optional(),
  ACEJAM_DATA_DIR: path.optional(),
  ACEJAM_PROVIDER: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(provider)
    .optional(),
  ACEJAM_DEVICE_ID: wholeString(DEVICE_ID_RANGE).pipe(deviceId).optional(),
  ACEJAM_ALLOW_CPU_FALLBACK: z.stringbool({ error: 'must be one of 1, 0, true, false, yes, no, on, off' }).optional(),
  ACEJAM_THREADS: wholeString(THREADS_RANGE).pipe(threads).optional(),
  ACEJAM_LOG_LEVEL: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(logLevel)
    .optional(),
  ACEJAM_STORE_URL: storeUrl.optional(),
  ACEJAM_CONCURRENCY: wholeString('must be a whole number').pipe(positiveIn(16, 'jobs')).optional(),
  ACEJAM_MAX_QUEUED: wholeString('must be a whole number').pipe(positiveIn(100000, 'jobs')).optional(),
  ACEJAM_MAX_QUEUED_PER_USER: wholeString('must be a whole number').pipe(positiveIn(1000, 'jobs')).optional(),
  ACEJAM_MAX_COST_PER_USER: wholeString('must be a whole number').pipe(positiveIn(1e9, 'cost units')).optional(),
  ACEJAM_JOB_TIMEOUT: wholeString('must be a whole number of seconds').pipe(positiveIn(86400, 's')).optional(),
  ACEJAM_RETENTION_DAYS: wholeString('must be a whole number of days').pipe(zeroOrMore(36500, 'days')).optional(),
  ACEJAM_DISK_BUDGET_MB: wholeString('must be a whole number of MB').pipe(zeroOrMore(1e9, 'MB')).optional(),
  ACEJAM_MAX_UPLOAD_BYTES: wholeString('must be a whole number of bytes').pipe(positiveIn(2 ** 31, 'bytes')).optional(),
});
