/**
 * The SQLite backend (`@keyv/sqlite`, the default store): one file, WAL journal so readers never block the
 * writer and several processes can share it. A prefix scan is a key range on the table's primary-key index:
 * ordered by SQLite, O(log n + k).
 *
 * Not `@keyv/sqlite`'s own iterator: it is `LIKE 'ns:%'` (ASCII case-insensitive, `_` a wildcard, a full table
 * scan) paged with LIMIT/OFFSET and no ORDER BY, so rows shift under concurrent deletes.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { KeyvSqlite } from '@keyv/sqlite';
import { Keyv } from 'keyv';

import { keyvOptions, scanBound, wrapKeyv, type KvBackend, type StoreTarget } from './kv.js';

/** How long a writer waits for another process's lock before failing. */
const BUSY_TIMEOUT_MS = 15_000;

/** Opens (creating the file and its folder) the SQLite store; errors are raw (the caller wraps them). */
export async function openSqlite(target: Extract<StoreTarget, { kind: 'sqlite' }>, namespace: string): Promise<KvBackend> {
  if (target.path !== ':memory:') await mkdir(dirname(target.path), { recursive: true });
  const adapter = new KeyvSqlite({ uri: `sqlite://${target.path}`, busyTimeout: BUSY_TIMEOUT_MS });
  // Keyv prefixes `<namespace>:`; the adapter stores keys as given.
  const keyv = new Keyv(adapter, keyvOptions(namespace, true));
  keyv.on('error', () => undefined); // errors are thrown to callers (throwOnErrors); this only keeps the emitter quiet
  try {
    // NORMAL is crash-safe in WAL mode (a power cut may lose the last commits, never corrupt the file).
    await adapter.query('PRAGMA journal_mode=WAL');
    await adapter.query('PRAGMA synchronous=NORMAL');
  } catch (error) {
    await adapter.disconnect().catch(() => undefined);
    throw error;
  }
  const table = adapter.opts.table ?? 'keyv';
  const physical = (key: string) => `${namespace}:${key}`;
  const strip = namespace.length + 1;
  return wrapKeyv(keyv, target, namespace, {
    scanKeys: async (prefix, options = {}) => {
      const start = physical(prefix);
      const below = scanBound(start, options.below === undefined ? undefined : physical(options.below));
      const order = options.descending === true ? 'DESC' : 'ASC';
      const rows = (await adapter.query(
        `SELECT key FROM ${table} WHERE key >= ? AND key < ? ORDER BY key ${order} LIMIT ?`,
        start,
        below,
        options.limit ?? -1, // a negative LIMIT means none
      )) as { key: string }[];
      return rows.map((row) => row.key.slice(strip));
    },
    setRaw: async (key, text) => {
      await adapter.set(physical(key), text);
    },
  });
}
