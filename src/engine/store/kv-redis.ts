/**
 * The Redis backend (`@keyv/redis`, `redis://` / `rediss://`): several processes share one store. A prefix
 * scan is SCAN with an exact MATCH prefix and COUNT 1000, then a sort: its cost grows with every key in the
 * Redis database, not just the index scanned (see README.md for measured times and the upgrade path).
 *
 * Not `@keyv/redis`'s own iterator: it scans COUNT 10 at a time, reads every value, and through Keyv one
 * unparsable value aborts the iteration.
 */
import KeyvRedis, { type RedisClientOptions } from '@keyv/redis';
import { Keyv } from 'keyv';

import { keyvOptions, scanBound, wrapKeyv, type KvBackend, type StoreTarget } from './kv.js';

const CONNECT_TIMEOUT_MS = 5_000;
const SCAN_COUNT = 1000;
/** Connection attempts before the first success; after that it reconnects forever. */
const FIRST_CONNECT_TRIES = 3;

/** Opens the Redis store (connecting lazily on first use); `onError` sees the client's error events. */
export function openRedis(target: Extract<StoreTarget, { kind: 'redis' }>, namespace: string, onError: (error: unknown) => void): KvBackend {
  let connected = false;
  const client: RedisClientOptions = {
    url: target.url,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // A wrong URL fails fast at startup; once connected, reconnect with backoff (commands queue meanwhile).
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && retries >= FIRST_CONNECT_TRIES ? cause : Math.min(50 * 2 ** retries, 2000),
    },
  };
  // The adapter prefixes `<namespace>:` (separator ':' instead of its default '::'); Keyv adds nothing.
  // No adapter `connectionTimeout`: it races connect() against a timer it never clears, which keeps the
  // process alive that long after close(); the socket's connectTimeout bounds each attempt instead.
  const adapter = new KeyvRedis(client, { namespace, keyPrefixSeparator: ':', throwOnConnectError: true, throwOnErrors: true });
  adapter.on('connect', () => {
    connected = true;
  });
  const keyv = new Keyv(adapter, keyvOptions(namespace, false));
  keyv.on('error', onError);
  const physical = (key: string) => `${namespace}:${key}`;
  const strip = namespace.length + 1;

  /** Every key starting with `start` (physical), deduplicated (SCAN may return a key twice). */
  const scan = async (start: string): Promise<Set<string>> => {
    const found = new Set<string>();
    for (const node of await adapter.getMasterNodes()) {
      let cursor = '0';
      do {
        const reply = await node.scan(cursor, { MATCH: `${start}*`, COUNT: SCAN_COUNT, TYPE: 'string' });
        cursor = String(reply.cursor);
        for (const key of reply.keys) found.add(key);
      } while (cursor !== '0');
    }
    return found;
  };

  return wrapKeyv(keyv, target, namespace, {
    scanKeys: async (prefix, options = {}) => {
      const start = physical(prefix);
      const below = scanBound(start, options.below === undefined ? undefined : physical(options.below));
      const keys = [...(await scan(start))].filter((key) => key < below).sort();
      if (options.descending === true) keys.reverse();
      return (options.limit === undefined ? keys : keys.slice(0, options.limit)).map((key) => key.slice(strip));
    },
    scanMany: async (prefixes) => {
      const groups = new Map(prefixes.map((prefix) => [physical(prefix), [] as string[]]));
      if (groups.size === 0) return new Map();
      const lengths = [...new Set([...groups.keys()].map((prefix) => prefix.length))];
      for (const key of await scan(commonPrefix([...groups.keys()]))) {
        for (const length of lengths) groups.get(key.slice(0, length))?.push(key.slice(strip));
      }
      return new Map([...groups].map(([prefix, keys]) => [prefix.slice(strip), keys.sort()]));
    },
    setRaw: async (key, text) => {
      const node = await adapter.getClient();
      await node.set(physical(key), text);
    },
  });
}

function commonPrefix(values: string[]): string {
  let prefix = values[0] ?? '';
  for (const value of values) while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
