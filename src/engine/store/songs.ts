/**
 * The song store over a {@link KvBackend}: song records, their indexes (a user's, a channel's, a song's
 * children, all songs), the version tree, per-user settings and last seeds, and the runner's queue.
 *
 * Write order makes the record the commit point: `putSong` writes the index entries first and the record
 * last, `deleteSong` removes the record first and its entries after. A crash in between leaves at most index
 * entries without a record, which every listing skips and `deleteSong(id)` clears.
 */
import { z } from 'zod';

import { CorruptRecordError, InvalidInputError } from '../errors.js';
import { entryKey, entrySongId, indexEntries, KEYS } from './keys.js';
import { UnparsableValue, type KvBackend, type StoreTarget } from './kv.js';
import { ancestorsOf, treeOf } from './lineage.js';
import type { PersistedJob, QueuePersistence } from './queue.js';
import {
  isSongId,
  MAX_CREATED_AT,
  seedsSchema,
  songSchema,
  userSettingsSchema,
  type Song,
  type SongCursor,
  type SongTree,
  type UserSettings,
} from './song.js';

/** Page size of listings when no `limit` is given, and the largest allowed. */
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 1000;

/** A page of a listing: newest first, `limit` songs at most, only songs strictly before `before`. */
export interface ListOptions {
  limit?: number;
  /** The last song of the previous page (any `{ createdAt, id }`; `id: ''` means "before createdAt"). */
  before?: SongCursor;
}

/** Songs, lineage, settings and seeds; `jobs` is the runner's persisted queue. */
export interface SongStore<J extends PersistedJob = PersistedJob> {
  /** Where the store lives (for logs and `acejam info`). */
  readonly target: StoreTarget;
  /** Inserts or replaces a song (validated; an InvalidInputError names the bad field). */
  putSong(song: Song): Promise<void>;
  /** The song, or null if there is none; a CorruptRecordError if its record cannot be read. */
  getSong(id: string): Promise<Song | null>;
  /** Removes a song and its index entries (retention); true if a record was there. */
  deleteSong(id: string): Promise<boolean>;
  /** The songs `user` owns, newest first. */
  listByUser(user: string, options?: ListOptions): Promise<Song[]>;
  /** The songs made in a channel, newest first. */
  listByChannel(channelId: string, options?: ListOptions): Promise<Song[]>;
  /** Every song, newest first (retention: `before: { createdAt: cutoff, id: '' }`). */
  listAll(options?: ListOptions): Promise<Song[]>;
  /** The songs made directly from `id`, oldest first. */
  children(id: string): Promise<Song[]>;
  /** The parent, grandparent, … up to the root (nearest first); stops at a deleted song. */
  ancestors(id: string): Promise<Song[]>;
  /** `id` and all its descendants (each level oldest first), or null if there is no such song. */
  tree(id: string, options?: { maxNodes?: number }): Promise<SongTree | null>;
  /** A user's defaults; `{}` if never set. */
  getSettings(user: string): Promise<UserSettings>;
  /** Replaces a user's defaults (merge with getSettings first to change one field). */
  putSettings(user: string, settings: UserSettings): Promise<void>;
  /** The seeds of a user's last generation, or null. */
  getLastSeeds(user: string): Promise<number[] | null>;
  putLastSeeds(user: string, seeds: number[]): Promise<void>;
  jobs: QueuePersistence<J>;
  close(): Promise<void>;
}

function detailOf(cause: unknown): string {
  if (cause instanceof z.ZodError) return z.prettifyError(cause);
  return cause instanceof Error ? cause.message : String(cause);
}

/** Parses a stored value, turning anything unreadable into a CorruptRecordError naming the record. */
function readRecord<T>(schema: z.ZodType<T>, value: unknown, key: string, recordId: string): T | null {
  if (value === undefined || value === null) return null;
  if (value instanceof UnparsableValue) throw new CorruptRecordError(key, recordId, 'not JSON');
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CorruptRecordError(key, recordId, detailOf(parsed.error), { cause: parsed.error });
  return parsed.data;
}

/** Validates input about to be written; the InvalidInputError's field is `<what>.<path>`. */
function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue && issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what;
  throw new InvalidInputError(path, issue?.message ?? 'invalid', { cause: parsed.error });
}

const principal = z.string().min(1, 'must not be empty').max(256, 'must be ≤ 256 characters');
const cursorSchema = z.object({ createdAt: z.int().min(0).max(MAX_CREATED_AT), id: z.string().max(64) });

/** Creates the song store over an open backend; `close()` closes the backend. */
export function createSongStore<J extends PersistedJob>(kv: KvBackend, jobs: QueuePersistence<J>): SongStore<J> {
  const readSongs = async (ids: string[]): Promise<(Song | null)[]> => {
    const values = await kv.getMany(ids.map(KEYS.song));
    return values.map((value, i) => readRecord(songSchema, value, KEYS.song(ids[i] ?? ''), ids[i] ?? ''));
  };

  /** Songs of the index at `prefix`, newest first, skipping entries whose record is gone. */
  const list = async (prefix: string, options: ListOptions = {}): Promise<Song[]> => {
    const limit = validate(z.int().min(1).max(MAX_PAGE), options.limit ?? DEFAULT_PAGE, 'limit');
    let below = options.before === undefined ? undefined : entryKey(prefix, validate(cursorSchema, options.before, 'before'));
    const songs: Song[] = [];
    while (songs.length < limit) {
      const want = limit - songs.length;
      const keys = await kv.scanKeys(prefix, { descending: true, limit: want, ...(below === undefined ? {} : { below }) });
      for (const song of await readSongs(keys.map(entrySongId))) if (song !== null) songs.push(song);
      if (keys.length < want) break;
      below = keys[keys.length - 1];
    }
    return songs;
  };

  const getSong = async (id: string): Promise<Song | null> =>
    isSongId(id) ? readRecord(songSchema, await kv.get(KEYS.song(id)), KEYS.song(id), id) : null;

  /** The children of each of `ids` (oldest first), read in one batch. */
  const childrenOf = async (ids: readonly string[]): Promise<Map<string, Song[]>> => {
    const valid = ids.filter(isSongId);
    const entries = await kv.scanMany(valid.map(KEYS.childPrefix));
    const grouped = valid.map((id) => (entries.get(KEYS.childPrefix(id)) ?? []).map(entrySongId));
    const songs = await readSongs(grouped.flat());
    let next = 0;
    const result = new Map<string, Song[]>(ids.map((id) => [id, []]));
    valid.forEach((id, i) => {
      const kids = songs.slice(next, (next += grouped[i]?.length ?? 0));
      result.set(id, kids.filter((song): song is Song => song !== null));
    });
    return result;
  };
  const children = async (id: string): Promise<Song[]> => (await childrenOf([id])).get(id) ?? [];

  /**
   * The index entries of `id`: derived from its record, or, when the record is gone or unreadable, found by
   * scanning every index (rare: crash leftovers and corrupt records).
   */
  const entriesOf = async (id: string, song: Song | null): Promise<string[]> =>
    song !== null ? indexEntries(song) : (await kv.scanKeys(KEYS.indexRoot())).filter((key) => entrySongId(key) === id);

  /** The song, or null when it is missing or its record is corrupt (for writers that replace or remove it). */
  const readForWrite = async (id: string): Promise<{ song: Song | null; corrupt: boolean }> => {
    try {
      return { song: await getSong(id), corrupt: false };
    } catch (error) {
      if (error instanceof CorruptRecordError) return { song: null, corrupt: true };
      throw error;
    }
  };

  return {
    target: kv.target,

    async putSong(input) {
      const song = validate(songSchema, input, 'song');
      const previous = await readForWrite(song.id);
      const entries = indexEntries(song);
      await Promise.all(entries.map(async (key) => kv.set(key, song.id)));
      await kv.set(KEYS.song(song.id), song);
      // A replaced song may have moved (owner, channel, parent, time): drop its old entries.
      if (previous.song !== null || previous.corrupt) {
        const stale = (await entriesOf(song.id, previous.song)).filter((key) => !entries.includes(key));
        await kv.delete(stale);
      }
    },

    getSong,

    async deleteSong(id) {
      if (!isSongId(id)) return false;
      const { song } = await readForWrite(id);
      await kv.delete([KEYS.song(id)]);
      await kv.delete(await entriesOf(id, song));
      return song !== null;
    },

    listByUser: async (user, options) => list(KEYS.userPrefix(validate(principal, user, 'user')), options),
    listByChannel: async (channelId, options) => list(KEYS.channelPrefix(validate(principal, channelId, 'channelId')), options),
    listAll: async (options) => list(KEYS.allPrefix(), options),
    children,
    ancestors: async (id) => ancestorsOf(id, getSong),
    tree: async (id, options) => treeOf(id, { getSong, childrenOf }, options),

    async getSettings(user) {
      const key = KEYS.settings(validate(principal, user, 'user'));
      return readRecord(userSettingsSchema, await kv.get(key), key, user) ?? {};
    },
    async putSettings(user, settings) {
      await kv.set(KEYS.settings(validate(principal, user, 'user')), validate(userSettingsSchema, settings, 'settings'));
    },
    async getLastSeeds(user) {
      const key = KEYS.lastSeeds(validate(principal, user, 'user'));
      return readRecord(seedsSchema, await kv.get(key), key, user);
    },
    async putLastSeeds(user, seeds) {
      await kv.set(KEYS.lastSeeds(validate(principal, user, 'user')), validate(seedsSchema, seeds, 'seeds'));
    },

    jobs,
    close: async () => kv.close(),
  };
}
