/**
 * What the song store keeps, as zod schemas (the schemas are the types): a {@link Song} (one finished
 * generation with its full recipe and its place in a version tree), a user's {@link UserSettings}, and
 * song ids. Every record is parsed with these schemas on write and again on read.
 */
import { randomBytes } from 'node:crypto';

import { z } from 'zod';

/** Where a job came from; the same three front ends as the job runner's `Origin`. */
export const ORIGINS = ['discord', 'mcp', 'cli'] as const;
/** How a song was made from its parent (`null` for a fresh composition without a parent). */
export const OPERATIONS = ['compose', 'retake', 'repaint', 'extend', 'edit', 'remix'] as const;
/** The delivery formats a user can pick as a default (the audio-out encoder's formats). */
export const AUDIO_FORMATS = ['wav16', 'wav24', 'flac', 'mp3', 'opus'] as const;

/** Song ids: 10 base62 characters, about 59.5 bits of crypto randomness; short, unguessable, URL-safe. */
export const SONG_ID_LENGTH = 10;
export const SONG_ID_PATTERN = /^[0-9A-Za-z]{10}$/;
/** Largest `createdAt` the index keys can order (15 decimal digits of epoch milliseconds, year 33658). */
export const MAX_CREATED_AT = 999_999_999_999_999;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Bytes ≥ 248 (= 4·62) are rejected so every character is exactly uniform over the 62. */
const REJECT_FROM = 248;

/** A fresh song id: 10 characters drawn uniformly from [0-9A-Za-z] with crypto.randomBytes and rejection sampling. */
export function newSongId(): string {
  let id = '';
  while (id.length < SONG_ID_LENGTH) {
    // 16 bytes give 10 accepted ones with probability > 0.999; the loop tops up otherwise.
    for (const byte of randomBytes(16)) {
      if (byte < REJECT_FROM) {
        id += BASE62[byte % 62];
        if (id.length === SONG_ID_LENGTH) break;
      }
    }
  }
  return id;
}

/** True when `value` has the shape of a song id (cheap check before it is used in a store key). */
export function isSongId(value: string): boolean {
  return SONG_ID_PATTERN.test(value);
}

/** A user, channel or guild id as the front ends give it (Discord snowflake, MCP client id, OS user…). */
const principal = z.string().min(1, 'must not be empty').max(256, 'must be ≤ 256 characters');
const songId = z.string().regex(SONG_ID_PATTERN, 'must be a song id (10 characters of [0-9A-Za-z])');
const seed = z.int('must be an integer').min(0, 'must be ≥ 0').max(0xffffffff, 'must be ≤ 4294967295 (uint32)');

export const originSchema = z.enum(ORIGINS);
export type Origin = z.infer<typeof originSchema>;
export const operationSchema = z.enum(OPERATIONS);
export type Operation = z.infer<typeof operationSchema>;
export const seedsSchema = z.array(seed).max(1024, 'at most 1024 seeds');

/** One stored file of a song: content-addressed under `<dataDir>/artifacts` by its SHA-256. */
export const artifactRefSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  bytes: z.int().min(0, 'must be ≥ 0'),
  mime: z.string().min(1).max(255),
});
export type ArtifactRef = z.infer<typeof artifactRefSchema>;

/**
 * One finished generation (one batch item): who made it, the fully resolved request (JSON, its `source`
 * a SourceRef), the seeds, the files, and its parent in the version tree.
 */
export const songSchema = z.object({
  id: songId,
  owner: principal,
  origin: originSchema,
  /** Epoch milliseconds; with `id` it orders every listing. */
  createdAt: z.int().min(0, 'must be ≥ 0').max(MAX_CREATED_AT, `must be ≤ ${MAX_CREATED_AT}`),
  /** The song this one was made from (retake, repaint, extend, edit, remix), or null. */
  parentId: songId.nullable(),
  operation: operationSchema.nullable(),
  /** Everyone who made a node on the way to this song (collaborative remixing), owner included. */
  contributors: z.array(principal).max(1000),
  channelId: principal.nullable(),
  guildId: principal.nullable(),
  visibility: z.enum(['public', 'private']),
  /** The resolved request: pack, task, every parameter, seeds; `source` as a SourceRef. JSON only. */
  request: z.record(z.string(), z.unknown()),
  seeds: seedsSchema,
  retakeSeeds: seedsSchema.nullable(),
  pack: z.string().min(1).max(256),
  durationSeconds: z.number().min(0).max(86400),
  sampleRate: z.int().min(1).max(768000),
  /** Latent frames (spec §1.7: ≈ 10.77 per second). */
  frames: z.int().min(0),
  /** Files by role: 'wav', 'latent' (the final latent, so edits need no re-encode), 'waveform', … */
  artifacts: z.record(z.string().min(1).max(64), artifactRefSchema),
});
export type Song = z.infer<typeof songSchema>;

/** A user's defaults for new generations; every field optional (unset = the engine's default). */
export const userSettingsSchema = z.object({
  /** Seconds. */
  duration: z.number().min(1, 'must be ≥ 1 s').max(240, 'must be ≤ 240 s').optional(),
  steps: z.int().min(1, 'must be ≥ 1').max(200, 'must be ≤ 200').optional(),
  format: z.enum(AUDIO_FORMATS).optional(),
  /** Pack (or pack + LoRA) name. */
  pack: z.string().min(1).max(256).optional(),
  /** A named guidance preset. */
  guidance: z.string().min(1).max(64).optional(),
  visibility: z.enum(['public', 'private']).optional(),
});
export type UserSettings = z.infer<typeof userSettingsSchema>;

/** A position in a listing: listings return songs strictly before it (a `Song` itself is a cursor). */
export interface SongCursor {
  createdAt: number;
  id: string;
}

/** A song and its descendants, each level ordered oldest first. */
export interface SongTree {
  song: Song;
  children: SongTree[];
}
