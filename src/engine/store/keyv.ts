/**
 * Opens the Keyv behind the song store: SQLite (`@keyv/sqlite`, the default, one file at
 * `<dataDir>/acejam.sqlite` or `sqlite:///path`) or Redis (`@keyv/redis`, `redis://` / `rediss://`, for several
 * processes sharing one store). Both get the same physical layout, `<namespace>:<key>`.
 */
import { isAbsolute, join, resolve } from 'node:path';

import type { Config } from '../../config/schema.js';
import { StoreUnavailableError } from '../errors.js';
import { openRedis } from './kv-redis.js';
import { openSqlite } from './kv-sqlite.js';
import type { KvBackend, StoreTarget } from './kv.js';
import { KEYS, LAYOUT_VERSION } from './keys.js';

export { UnparsableValue, type KvBackend, type ScanOptions, type StoreTarget } from './kv.js';

/** The default SQLite file name inside the data directory. */
export const SQLITE_FILE = 'acejam.sqlite';
/** The default namespace: every key is `acejam:<key>`. */
export const DEFAULT_NAMESPACE = 'acejam';
const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Namespaces equal to a key root would trip Keyv's "already prefixed" check. */
const RESERVED = new Set(['song', 'idx', 'settings', 'seeds', 'job', 'meta']);

/** `storeUrl` (null = SQLite in the data directory) → where the store lives; relative SQLite paths are resolved against `dataDir`. */
export function resolveStoreTarget(config: Pick<Config, 'storeUrl' | 'dataDir'>): StoreTarget {
  const url = config.storeUrl;
  if (url === null) return { kind: 'sqlite', path: join(config.dataDir, SQLITE_FILE) };
  if (/^rediss?:\/\//.test(url)) return { kind: 'redis', url };
  const file = url.replace(/^sqlite:\/\//, '');
  if (file === ':memory:') return { kind: 'sqlite', path: file };
  return { kind: 'sqlite', path: isAbsolute(file) ? file : resolve(config.dataDir, file) };
}

/** Opens (and for SQLite creates) the store; throws StoreUnavailableError when it cannot be opened or reached. */
export async function openKeyv(target: StoreTarget, options: { namespace?: string } = {}): Promise<KvBackend> {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!NAMESPACE_PATTERN.test(namespace) || RESERVED.has(namespace)) {
    throw new RangeError(`store namespace must match ${NAMESPACE_PATTERN} and not be one of ${[...RESERVED].join(', ')}`);
  }
  // Redis: the first error event says why a connection failed (ECONNREFUSED…); what set() throws is generic.
  let firstError: unknown;
  let backend: KvBackend;
  try {
    backend =
      target.kind === 'sqlite'
        ? await openSqlite(target, namespace)
        : openRedis(target, namespace, (error) => {
            firstError ??= error;
          });
  } catch (error) {
    throw unavailable(target, error);
  }
  try {
    await backend.set(KEYS.layout(), LAYOUT_VERSION); // also proves the store is reachable and writable
  } catch (error) {
    await backend.close().catch(() => undefined);
    throw unavailable(target, firstError ?? error);
  }
  return backend;
}

function unavailable(target: StoreTarget, cause: unknown): StoreUnavailableError {
  const where = target.kind === 'sqlite' ? `SQLite file ${target.path}` : `Redis at ${redactUrl(target.url)}`;
  const detail = cause instanceof Error ? cause.message || cause.name : String(cause);
  const hint =
    target.kind === 'sqlite'
      ? 'check that the data directory (ACEJAM_DATA_DIR) is writable'
      : 'check that redis-server is running and ACEJAM_STORE_URL is right';
  return new StoreUnavailableError(`cannot open the song store (${where}): ${detail}`, { hint, cause });
}

/** A Redis URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
