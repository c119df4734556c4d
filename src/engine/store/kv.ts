/**
 * The key-value layer under the song store: a {@link KvBackend} wraps one Keyv and adds the ordered prefix
 * scan Keyv lacks. Keys handed to a backend are logical (`song:<id>`); physically every key is
 * `<namespace>:<key>` on both SQLite and Redis.
 */
import type { Deserialize, Keyv, KeyvOptions, Serialize } from 'keyv';

/** Where the store lives. */
export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string };

/** A stored value that could not be parsed as JSON; readers turn it into a CorruptRecordError. */
export class UnparsableValue {
  constructor(readonly text: string) {}
}

/** The key-value operations the store needs; keys are logical (without the namespace). */
export interface KvBackend {
  readonly target: StoreTarget;
  readonly namespace: string;
  /** The value, `undefined` when absent, or an {@link UnparsableValue}. */
  get(key: string): Promise<unknown>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  set(key: string, value: unknown): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Logical keys starting with `prefix` (which must end in ':'), sorted by key (descending if asked),
   * only those `< below` when given, at most `limit`.
   */
  scanKeys(prefix: string, options?: ScanOptions): Promise<string[]>;
  /** `scanKeys(prefix)` for several prefixes at once (on Redis one SCAN instead of one per prefix). */
  scanMany(prefixes: readonly string[]): Promise<Map<string, string[]>>;
  /** Stores `text` verbatim as the value of `key` (repair tools and tests: it bypasses serialisation). */
  setRaw(key: string, text: string): Promise<void>;
  close(): Promise<void>;
}

export interface ScanOptions {
  below?: string;
  limit?: number;
  descending?: boolean;
}

// Values are stored as Keyv's envelope `{"value":…}` in plain JSON; a value that is not JSON reads as an
// UnparsableValue instead of throwing inside Keyv (whose own iterator and get() would throw).
const serialize = ((data: unknown) => JSON.stringify(data)) as Serialize;
const deserialize = ((text: string) => {
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === 'object' && data !== null && 'value' in data) return data;
  } catch {
    // fall through
  }
  return { value: new UnparsableValue(text) };
}) as Deserialize;

/** Keyv options shared by both adapters: our JSON (de)serialiser, and errors thrown, not swallowed. */
export function keyvOptions(namespace: string, useKeyPrefix: boolean): Omit<KeyvOptions, 'store'> {
  return { namespace, serialize, deserialize, useKeyPrefix, throwOnErrors: true, emitErrors: true };
}

/** The adapter-specific parts of a backend. */
export interface Scanners {
  scanKeys: KvBackend['scanKeys'];
  scanMany?: KvBackend['scanMany'];
  setRaw: KvBackend['setRaw'];
}

/** A backend over `keyv` (already namespaced) and the adapter's scanners. */
export function wrapKeyv(keyv: Keyv, target: StoreTarget, namespace: string, scanners: Scanners): KvBackend {
  const { scanKeys, setRaw } = scanners;
  const scanMany =
    scanners.scanMany ??
    (async (prefixes: readonly string[]) => new Map(await Promise.all(prefixes.map(async (p) => [p, await scanKeys(p)] as const))));
  return {
    target,
    namespace,
    get: async (key) => keyv.get<unknown>(key),
    getMany: async (keys) => (keys.length === 0 ? [] : keyv.get<unknown>([...keys])),
    set: async (key, value) => {
      await keyv.set(key, value);
    },
    delete: async (keys) => {
      if (keys.length > 0) await keyv.delete([...keys]);
    },
    scanKeys,
    scanMany,
    setRaw,
    close: async () => keyv.disconnect(),
  };
}

/**
 * The exclusive upper bound of a scan of `prefix` (physical, ending in ':'): every key starting with it sorts
 * below the same prefix ending in ';', and below `below` when that is lower.
 */
export function scanBound(prefix: string, below?: string): string {
  if (!prefix.endsWith(':')) throw new RangeError(`scan prefix must end in ':' (${prefix})`);
  const end = `${prefix.slice(0, -1)};`;
  return below !== undefined && below < end ? below : end;
}
