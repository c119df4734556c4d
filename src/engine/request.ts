/**
 * A generation request: one zod-validated discriminated union over the six task modes (spec §3), with
 * ACE-Step's UI defaults (spec §3.7) and hard limits. The schema is the type; a bad request becomes an
 * InvalidInputError naming the field and the limit.
 */
import { z } from 'zod';

import { InvalidInputError } from './errors.js';

export const LIMITS = {
  minDuration: 1,
  maxDuration: 240,
  maxSteps: 200,
  maxBatch: 4,
  maxTagTokens: 256,
  maxLyricTokens: 4096,
  maxTagChars: 4000,
  maxLyricChars: 20000,
} as const;

const seed = z.number().int('must be an integer').min(0, 'must be ≥ 0').max(0xffffffff, 'must be ≤ 4294967295 (uint32)');
const float32Array = z.custom<Float32Array>((value) => value instanceof Float32Array, 'must be a Float32Array');
const seconds = (max: number) => z.number().min(0, 'must be ≥ 0 s').max(max, `must be ≤ ${max} s`);

/** Audio to work from: decoded samples, or a latent acejam made earlier (no re-encode). */
export const audioSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('audio'),
    channels: z.array(float32Array).min(1, 'needs at least one channel').max(2, 'at most 2 channels'),
    sampleRate: z.number().int().min(8000, 'must be ≥ 8000 Hz').max(192000, 'must be ≤ 192000 Hz'),
  }),
  z.object({
    kind: z.literal('latent'),
    latent: float32Array,
    frames: z.number().int().min(1).max(2583, 'must be ≤ 2583 frames (240 s)'),
  }),
]);
export type AudioSource = z.infer<typeof audioSourceSchema>;

const common = {
  tags: z.string().trim().min(1, 'must not be empty').max(LIMITS.maxTagChars, `must be ≤ ${LIMITS.maxTagChars} characters`),
  lyrics: z.string().max(LIMITS.maxLyricChars, `must be ≤ ${LIMITS.maxLyricChars} characters`).default(''),
  lyricsMode: z.enum(['faithful', 'fixed']).default('faithful'),
  batch: z.number().int().min(1, 'must be ≥ 1').max(LIMITS.maxBatch, `must be ≤ ${LIMITS.maxBatch}`).default(1),
  /** One uint32 seed per batch item; missing ones are drawn at random and reported back. */
  seeds: z.array(seed).max(LIMITS.maxBatch).optional(),
  steps: z.number().int('must be an integer').min(1, 'must be ≥ 1').max(LIMITS.maxSteps, `must be ≤ ${LIMITS.maxSteps}`).default(60),
  guidanceScale: z.number().min(0, 'must be ≥ 0').max(200, 'must be ≤ 200').default(15),
  scheduler: z.enum(['euler', 'heun', 'pingpong']).default('euler'),
  cfgType: z.enum(['cfg', 'apg', 'cfg_star']).default('apg'),
  omegaScale: z.number().min(-100, 'must be ≥ -100').max(100, 'must be ≤ 100').default(10),
  guidanceInterval: z.number().min(0).max(1, 'must be ≤ 1').default(0.5),
  guidanceIntervalDecay: z.number().min(0).max(1, 'must be ≤ 1').default(0),
  minGuidanceScale: z.number().min(0).max(200).default(3),
  ergTag: z.boolean().default(true),
  ergLyric: z.boolean().default(false),
  ergDiffusion: z.boolean().default(true),
  guidanceScaleText: z.number().min(0).max(10, 'must be ≤ 10').default(0),
  guidanceScaleLyric: z.number().min(0).max(10, 'must be ≤ 10').default(0),
  /** 1-based step indices of a longer schedule ("Optimal Steps", spec §2.6). */
  ossSteps: z.array(z.number().int().min(1).max(1000)).min(1).max(LIMITS.maxSteps).optional(),
};

const duration = z
  .number()
  .min(LIMITS.minDuration, `must be ≥ ${LIMITS.minDuration} s`)
  .max(LIMITS.maxDuration, `must be ≤ ${LIMITS.maxDuration} s`);
const variance = z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1');
const retakeSeeds = z.array(seed).max(LIMITS.maxBatch).optional();

export const requestSchema = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('text2music'), ...common, duration: duration.default(60) }),
  z.strictObject({
    task: z.literal('retake'),
    ...common,
    duration: duration.default(60),
    /** spec §3.2: 0 reproduces the original (same seeds) exactly, 1 is fresh noise. */
    variance: variance.default(0.2),
    retakeSeeds,
  }),
  z
    .strictObject({
      task: z.literal('repaint'),
      ...common,
      source: audioSourceSchema,
      start: seconds(LIMITS.maxDuration),
      end: seconds(LIMITS.maxDuration),
      variance: variance.default(0.2),
      retakeSeeds,
    })
    .refine((r) => r.end > r.start, { message: 'must be greater than start', path: ['end'] }),
  z
    .strictObject({
      task: z.literal('extend'),
      ...common,
      source: audioSourceSchema,
      left: seconds(LIMITS.maxDuration).default(0),
      right: seconds(LIMITS.maxDuration).default(30),
      retakeSeeds,
    })
    .refine((r) => r.left + r.right > 0, { message: 'left + right must be > 0 s', path: ['right'] }),
  z.strictObject({
    task: z.literal('edit'),
    ...common,
    source: audioSourceSchema,
    /** Target description; the source's `tags`/`lyrics` describe what the audio is now. */
    targetTags: z.string().trim().max(LIMITS.maxTagChars).optional(),
    targetLyrics: z.string().max(LIMITS.maxLyricChars).optional(),
    preset: z.enum(['only_lyrics', 'remix', 'custom']).default('only_lyrics'),
    nMin: z.number().min(0).max(1).optional(),
    nMax: z.number().min(0).max(1).optional(),
    nAvg: z.number().int().min(1).max(8, 'must be ≤ 8').default(1),
    retakeSeeds,
  }),
  z.strictObject({
    task: z.literal('audio2audio'),
    ...common,
    source: audioSourceSchema,
    /** spec §3.6: how much of the reference survives (1 keeps it, 0 ignores it). */
    strength: z.number().min(0, 'must be ≥ 0').max(0.99, 'must be < 1 (1 would run 0 steps)').default(0.5),
  }),
]);

export type RequestInput = z.input<typeof requestSchema>;
export type Request = z.output<typeof requestSchema>;
export type Task = Request['task'];
export const TASKS = ['text2music', 'retake', 'repaint', 'extend', 'edit', 'audio2audio'] as const satisfies readonly Task[];

/** Edit presets of ACE-Step's UI (spec §3.5). */
export const EDIT_PRESETS = { only_lyrics: { nMin: 0.6, nMax: 1.0 }, remix: { nMin: 0.2, nMax: 0.4 } } as const;

/** Validates a request; the first problem becomes an InvalidInputError naming the field and the limit. */
export function parseRequest(input: unknown): Request {
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const task = typeof input === 'object' && input !== null && 'task' in input ? String((input as { task: unknown }).task) : 'this';
      throw new InvalidInputError([...issue.path, issue.keys[0]].join('.'), `is not a field of a ${task} request`);
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : 'request';
    const others = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
    throw new InvalidInputError(field, `${issue.message}${others}`);
  }
  const request = parsed.data;
  if (request.seeds && request.seeds.length > request.batch) {
    throw new InvalidInputError('seeds', `has ${request.seeds.length} seeds for a batch of ${request.batch}`);
  }
  if (request.task === 'edit' && request.preset === 'custom' && (request.nMin === undefined || request.nMax === undefined)) {
    throw new InvalidInputError('nMin', 'preset "custom" needs nMin and nMax');
  }
  return request;
}
