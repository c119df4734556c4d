/**
 * The store's key layout (documented in ./README.md). Every key below lives under the store namespace
 * (`acejam:` by default) and is plain ASCII, so SQLite's BINARY order and JavaScript's string order agree
 * and no key holds a Redis glob character.
 *
 * Indexes are one key per entry (`idx:<index>:<owner>:<createdAt15>:<songId>`), never a list under one key,
 * so two processes writing at once cannot lose each other's entries; a listing is an ordered prefix scan.
 */
import { MAX_CREATED_AT, type Song, type SongCursor } from './song.js';

/** Index entries sort by zero-padded creation time, then id. */
const TIME_DIGITS = 15;

/**
 * A user / channel id made key-safe: percent-encoded (so `:` can never split a key) with `*` escaped too
 * (a Redis glob character). Injective, so two principals never share a prefix.
 */
export function encodePrincipal(value: string): string {
  return encodeURIComponent(value).replace(/\*/g, '%2A');
}

export const KEYS = {
  /** The song record. */
  song: (id: string): string => `song:${id}`,
  /** Every song (retention walks it oldest first). */
  allPrefix: (): string => 'idx:all:',
  /** Songs a user owns. */
  userPrefix: (user: string): string => `idx:user:${encodePrincipal(user)}:`,
  /** Songs made in a channel. */
  channelPrefix: (channelId: string): string => `idx:channel:${encodePrincipal(channelId)}:`,
  /** Songs made from `parentId`. */
  childPrefix: (parentId: string): string => `idx:child:${parentId}:`,
  /** All index entries (used to find the entries of a record that can no longer be read). */
  indexRoot: (): string => 'idx:',
  settings: (user: string): string => `settings:${encodePrincipal(user)}`,
  lastSeeds: (user: string): string => `seeds:${encodePrincipal(user)}`,
  /** A persisted job of the runner's queue. */
  job: (jobId: string): string => `job:${encodePrincipal(jobId)}`,
  jobPrefix: (): string => 'job:',
  /** The layout version, written on open. */
  layout: (): string => 'meta:layout',
} as const;

/** The key layout's version; bump it (and migrate) when a key above changes shape. */
export const LAYOUT_VERSION = 1;

function time(createdAt: number): string {
  if (!Number.isInteger(createdAt) || createdAt < 0 || createdAt > MAX_CREATED_AT) {
    throw new RangeError(`createdAt must be a whole number of ms from 0 to ${MAX_CREATED_AT}, got ${createdAt}`);
  }
  return String(createdAt).padStart(TIME_DIGITS, '0');
}

/** The entry key of `cursor` in the index at `prefix`; entries of earlier songs sort below it. */
export function entryKey(prefix: string, cursor: SongCursor): string {
  return `${prefix}${time(cursor.createdAt)}:${cursor.id}`;
}

/** The song id at the end of an index entry key. */
export function entrySongId(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1);
}

/** Every index entry a song has: all, its owner's, its channel's (if any) and its parent's children (if any). */
export function indexEntries(song: Song): string[] {
  const prefixes = [KEYS.allPrefix(), KEYS.userPrefix(song.owner)];
  if (song.channelId !== null) prefixes.push(KEYS.channelPrefix(song.channelId));
  if (song.parentId !== null) prefixes.push(KEYS.childPrefix(song.parentId));
  return prefixes.map((prefix) => entryKey(prefix, song));
}
