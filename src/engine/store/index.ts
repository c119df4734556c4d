/**
 * The song store (issue 3/5 item 2): songs with their full recipe and version tree, per-user settings and
 * last seeds, and the job runner's persisted queue, on Keyv. SQLite at `<dataDir>/acejam.sqlite` by default;
 * `storeUrl: redis://…` shares one store between processes. Layout and operations: ./README.md.
 */
import type { Config } from '../../config/schema.js';
import { openKeyv, resolveStoreTarget } from './keyv.js';
import { createQueuePersistence, type PersistedJob, type QueuePersistenceOptions } from './queue.js';
import { createSongStore, type SongStore } from './songs.js';

export interface OpenStoreOptions<J extends PersistedJob> extends QueuePersistenceOptions<J> {
  /** Key namespace (default `acejam`): several deployments or test runs can share one Redis database. */
  namespace?: string;
}

/**
 * Opens the store named by `config.storeUrl` (null = SQLite in `config.dataDir`), creating the SQLite file
 * and its folder if needed. Throws StoreUnavailableError when the store cannot be opened or reached.
 */
export async function openStore<J extends PersistedJob = PersistedJob>(
  config: Pick<Config, 'storeUrl' | 'dataDir'>,
  options: OpenStoreOptions<J> = {},
): Promise<SongStore<J>> {
  const kv = await openKeyv(resolveStoreTarget(config), options.namespace === undefined ? {} : { namespace: options.namespace });
  return createSongStore(kv, createQueuePersistence<J>(kv, options));
}

export { DEFAULT_NAMESPACE, SQLITE_FILE, openKeyv, resolveStoreTarget, type KvBackend, type StoreTarget } from './keyv.js';
export { createQueuePersistence, type PersistedJob, type QueuePersistence, type QueuePersistenceOptions } from './queue.js';
export {
  AUDIO_FORMATS,
  OPERATIONS,
  ORIGINS,
  SONG_ID_PATTERN,
  artifactRefSchema,
  isSongId,
  newSongId,
  songSchema,
  userSettingsSchema,
  type ArtifactRef,
  type Operation,
  type Origin,
  type Song,
  type SongCursor,
  type SongTree,
  type UserSettings,
} from './song.js';
export { DEFAULT_PAGE, MAX_PAGE, createSongStore, type ListOptions, type SongStore } from './songs.js';
