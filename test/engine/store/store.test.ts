/**
 * One contract suite for the song store, run against SQLite (a temp dir) and a real redis-server
 * (started on a free loopback port by the setup, killed after).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CorruptRecordError, InvalidInputError, StoreUnavailableError } from '../../../src/engine/errors.js';
import { KEYS } from '../../../src/engine/store/keys.js';
import {
  newSongId,
  openKeyv,
  openStore,
  resolveStoreTarget,
  type KvBackend,
  type Song,
  type SongStore,
  type SongTree,
} from '../../../src/engine/store/index.js';
import { REDIS_SERVER, REDIS_SERVER_PATH, startRedis, type RedisServer } from './redis-server.js';

type StoreConfig = { storeUrl: string | null; dataDir: string };

interface Backend {
  name: string;
  skip: string | null;
  start(): Promise<StoreConfig>;
  stop(): Promise<void>;
}

let sqliteDir = '';
let redis: RedisServer | null = null;
let redisDir = '';

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    skip: null,
    start: async () => {
      sqliteDir = await mkdtemp(join(tmpdir(), 'acejam-store-'));
      return { storeUrl: null, dataDir: sqliteDir };
    },
    stop: async () => rm(sqliteDir, { recursive: true, force: true }),
  },
  {
    name: 'redis',
    skip: REDIS_SERVER === null ? `${REDIS_SERVER_PATH} is not installed (apt-get install redis-server)` : null,
    start: async () => {
      redis = await startRedis();
      redisDir = await mkdtemp(join(tmpdir(), 'acejam-store-redis-'));
      return { storeUrl: redis.url, dataDir: redisDir };
    },
    stop: async () => {
      await redis?.stop();
      await rm(redisDir, { recursive: true, force: true });
    },
  },
];

let namespaces = 0;
const T0 = 1_700_000_000_000;

/** A song with every field set to something non-default. */
function makeSong(overrides: Partial<Song> = {}): Song {
  return {
    id: newSongId(),
    owner: 'user-1',
    origin: 'discord',
    createdAt: T0,
    parentId: null,
    operation: null,
    contributors: ['user-1'],
    channelId: 'channel-1',
    guildId: 'guild-1',
    visibility: 'public',
    request: { task: 'text2music', tags: 'lofi', duration: 30 },
    seeds: [1],
    retakeSeeds: null,
    pack: 'tiny',
    durationSeconds: 30,
    sampleRate: 48000,
    frames: 323,
    artifacts: {},
    ...overrides,
  };
}

const ids = (songs: Song[]) => songs.map((song) => song.id);
/** Newest first, ties by id descending: the order every listing promises. */
const newestFirst = (songs: Song[]) =>
  [...songs].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
const shape = (tree: SongTree): unknown => ({ id: tree.song.id, children: tree.children.map(shape) });

describe.each(BACKENDS)('song store on $name', (backend) => {
  if (backend.skip !== null) {
    it.skip(`skipped: ${backend.skip}`, () => undefined);
    return;
  }

  let config: StoreConfig;
  const open: { store: SongStore; kv: KvBackend }[] = [];

  /** A store in a fresh namespace, plus a raw handle on the same keys. */
  async function fresh(namespace = `t${++namespaces}`) {
    const store = await openStore(config, { namespace });
    const kv = await openKeyv(resolveStoreTarget(config), { namespace });
    open.push({ store, kv });
    return { store, kv, namespace };
  }

  beforeAll(async () => {
    config = await backend.start();
  });
  afterAll(async () => {
    for (const { store, kv } of open) {
      await store.close();
      await kv.close();
    }
    await backend.stop();
  });

  it('round-trips every field of a song', async () => {
    const { store } = await fresh();
    const parent = makeSong();
    const song = makeSong({
      owner: 'ünïcode:user*with/odd%chars',
      origin: 'mcp',
      createdAt: T0 + 123,
      parentId: parent.id,
      operation: 'repaint',
      contributors: ['user-1', 'ünïcode:user*with/odd%chars'],
      channelId: null,
      guildId: null,
      visibility: 'private',
      request: {
        task: 'repaint',
        tags: 'ambient, 日本語',
        lyrics: '[verse]\nla la',
        source: { kind: 'song', songId: parent.id },
        repaintStart: 1.5,
        nested: { list: [1, 'two', null, true], empty: {} },
      },
      seeds: [0, 4294967295, 42],
      retakeSeeds: [7, 8],
      pack: 'ace-step-v1-3.5b+lora-rap',
      durationSeconds: 12.345,
      sampleRate: 44100,
      frames: 133,
      artifacts: {
        wav: { sha256: 'a'.repeat(64), bytes: 1234567, mime: 'audio/wav' },
        latent: { sha256: 'b'.repeat(64), bytes: 8 * 16 * 133 * 4, mime: 'application/octet-stream' },
        waveform: { sha256: 'c'.repeat(64), bytes: 0, mime: 'image/png' },
      },
    });
    await store.putSong(parent);
    await store.putSong(song);
    expect(await store.getSong(song.id)).toEqual(song);
    expect(await store.getSong(parent.id)).toEqual(parent);
    expect(ids(await store.listByUser('ünïcode:user*with/odd%chars'))).toEqual([song.id]);
    expect(ids(await store.listByUser('ünïcode:user'))).toEqual([]); // no prefix collision
    expect(await store.getSong(newSongId())).toBeNull();
    expect(await store.getSong('not an id:*')).toBeNull();
  });

  it('rejects an invalid song with an InvalidInputError naming the field', async () => {
    const { store } = await fresh();
    await expect(store.putSong(makeSong({ seeds: [-1] }))).rejects.toMatchObject({
      name: 'InvalidInputError',
      field: 'song.seeds.0',
    });
    await expect(store.putSong(makeSong({ id: 'short' }))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('answers lineage: children, ancestors and a tree of 3 generations', async () => {
    const { store } = await fresh();
    const root = makeSong({ createdAt: T0 });
    const a = makeSong({ parentId: root.id, operation: 'retake', createdAt: T0 + 10 });
    const b = makeSong({ parentId: root.id, operation: 'extend', createdAt: T0 + 5, owner: 'user-2' });
    const a1 = makeSong({ parentId: a.id, operation: 'edit', createdAt: T0 + 20 });
    const a2 = makeSong({ parentId: a.id, operation: 'remix', createdAt: T0 + 15, contributors: ['user-1', 'user-3'] });
    const b1 = makeSong({ parentId: b.id, operation: 'repaint', createdAt: T0 + 30 });
    for (const song of [a1, root, b1, a, a2, b]) await store.putSong(song); // order of writes does not matter

    expect(ids(await store.children(root.id))).toEqual([b.id, a.id]); // oldest first
    expect(ids(await store.children(a.id))).toEqual([a2.id, a1.id]);
    expect(await store.children(a1.id)).toEqual([]);
    expect(ids(await store.ancestors(a1.id))).toEqual([a.id, root.id]); // nearest first
    expect(await store.ancestors(root.id)).toEqual([]);
    expect(await store.ancestors(newSongId())).toEqual([]);

    const tree = await store.tree(root.id);
    expect(tree && shape(tree)).toEqual({
      id: root.id,
      children: [
        { id: b.id, children: [{ id: b1.id, children: [] }] },
        { id: a.id, children: [{ id: a2.id, children: [] }, { id: a1.id, children: [] }] },
      ],
    });
    expect(tree?.children[1]?.children[0]?.song).toEqual(a2);
    const sub = await store.tree(a.id);
    expect(sub && shape(sub)).toEqual({ id: a.id, children: [{ id: a2.id, children: [] }, { id: a1.id, children: [] }] });
    expect(await store.tree(newSongId())).toBeNull();
    const capped = await store.tree(root.id, { maxNodes: 3 });
    expect(capped && JSON.stringify(shape(capped)).match(/"id"/g)?.length).toBe(3);
  });

  it("pages a user's and a channel's songs newest first, by createdAt then id", async () => {
    const { store } = await fresh();
    const mine: Song[] = [];
    for (let i = 0; i < 25; i++) {
      // three songs share each timestamp, so ties are ordered by id
      mine.push(makeSong({ owner: 'alice', createdAt: T0 + Math.floor(i / 3), channelId: i % 2 === 0 ? 'ch-even' : 'ch-odd' }));
    }
    const theirs = [makeSong({ owner: 'bob', createdAt: T0 + 100, channelId: 'ch-even' })];
    for (const song of [...mine, ...theirs]) await store.putSong(song);

    const pages: string[][] = [];
    let before: Song | undefined;
    for (;;) {
      const page = await store.listByUser('alice', { limit: 10, ...(before ? { before } : {}) });
      if (page.length === 0) break;
      pages.push(ids(page));
      before = page.at(-1);
    }
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(ids(newestFirst(mine)));
    expect(ids(await store.listByUser('bob'))).toEqual(ids(theirs));
    expect(await store.listByUser('carol')).toEqual([]);
    expect(await store.listByUser('alice')).toHaveLength(20); // default page

    const even = newestFirst([...mine.filter((_, i) => i % 2 === 0), ...theirs]);
    expect(ids(await store.listByChannel('ch-even', { limit: 100 }))).toEqual(ids(even));
    const firstTwo = await store.listByChannel('ch-even', { limit: 2 });
    expect(ids(await store.listByChannel('ch-even', { limit: 100, before: firstTwo[1]! }))).toEqual(ids(even.slice(2)));
    // a bare timestamp: strictly older songs only
    expect(ids(await store.listByUser('alice', { limit: 100, before: { createdAt: T0 + 2, id: '' } }))).toEqual(
      ids(newestFirst(mine.filter((song) => song.createdAt < T0 + 2))),
    );
    expect(ids(await store.listAll({ limit: 100 }))).toEqual(ids(newestFirst([...mine, ...theirs])));
    await expect(store.listByUser('alice', { limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(store.listByUser('')).rejects.toMatchObject({ field: 'user' });
  });

  it('keeps settings and last seeds per user', async () => {
    const { store } = await fresh();
    expect(await store.getSettings('alice')).toEqual({});
    expect(await store.getLastSeeds('alice')).toBeNull();
    const settings = { duration: 90, steps: 27, format: 'opus' as const, pack: 'tiny', guidance: 'apg-strong', visibility: 'private' as const };
    await store.putSettings('alice', settings);
    await store.putLastSeeds('alice', [3, 4294967295]);
    expect(await store.getSettings('alice')).toEqual(settings);
    expect(await store.getLastSeeds('alice')).toEqual([3, 4294967295]);
    expect(await store.getSettings('bob')).toEqual({});
    await store.putSettings('alice', { steps: 60 }); // replaces
    expect(await store.getSettings('alice')).toEqual({ steps: 60 });
    await expect(store.putSettings('alice', { duration: 999 })).rejects.toMatchObject({ field: 'settings.duration' });
    await expect(store.putLastSeeds('alice', [1.5])).rejects.toMatchObject({ field: 'seeds.0' });
  });

  it('persists the job queue in enqueue order across a reopen', async () => {
    const { store, kv, namespace } = await fresh();
    const job = (id: string, state: string) => ({ id, state, spec: { user: 'u', request: { tags: 'x' } } });
    for (const id of ['j-c', 'j-a', 'j-e', 'j-b', 'j-d']) await store.jobs.save(job(id, 'queued'));
    await store.jobs.save(job('j-c', 'running')); // an update keeps its place
    await store.jobs.remove('j-e');
    expect((await store.jobs.load()).map((j) => j.id)).toEqual(['j-c', 'j-a', 'j-b', 'j-d']);

    const corrupt: CorruptRecordError[] = [];
    const reopened = await openStore(config, { namespace, onCorrupt: (error) => corrupt.push(error) });
    try {
      await kv.setRaw(KEYS.job('j-bad'), '{not json');
      const loaded = await reopened.jobs.load();
      expect(loaded).toEqual([job('j-c', 'running'), job('j-a', 'queued'), job('j-b', 'queued'), job('j-d', 'queued')]);
      expect(corrupt.map((error) => error.recordId)).toEqual(['j-bad']);
      await reopened.jobs.save(job('j-f', 'queued'));
      await reopened.jobs.save(job('j-a', 'running')); // loaded jobs keep their place too
      expect((await reopened.jobs.load()).map((j) => j.id)).toEqual(['j-c', 'j-a', 'j-b', 'j-d', 'j-f']);
    } finally {
      await reopened.close();
    }
  });

  it('reports a corrupted record as a CorruptRecordError naming the song, and can still delete it', async () => {
    const { store, kv } = await fresh();
    const good = makeSong({ owner: 'dave', createdAt: T0 });
    const notJson = makeSong({ owner: 'dave', createdAt: T0 + 1 });
    const wrongShape = makeSong({ owner: 'dave', createdAt: T0 + 2 });
    for (const song of [good, notJson, wrongShape]) await store.putSong(song);
    await kv.setRaw(KEYS.song(notJson.id), '{"value": {"id": tru');
    await kv.set(KEYS.song(wrongShape.id), { ...wrongShape, seeds: 'many', createdAt: -5 });

    const error = await store.getSong(notJson.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect(error).toMatchObject({ code: 'STORE_CORRUPT', recordId: notJson.id });
    expect((error as Error).message).toContain(notJson.id);
    await expect(store.getSong(wrongShape.id)).rejects.toMatchObject({ code: 'STORE_CORRUPT', recordId: wrongShape.id });
    await expect(store.getSong(wrongShape.id)).rejects.toThrow(/seeds/);
    await expect(store.listByUser('dave')).rejects.toBeInstanceOf(CorruptRecordError);
    expect(await store.getSong(good.id)).toEqual(good);

    await kv.setRaw(KEYS.settings('dave'), 'garbage');
    await expect(store.getSettings('dave')).rejects.toMatchObject({ code: 'STORE_CORRUPT', recordId: 'dave' });

    expect(await store.deleteSong(notJson.id)).toBe(false); // unreadable: its entries are found by scan
    expect(await store.deleteSong(wrongShape.id)).toBe(false);
    expect(ids(await store.listByUser('dave'))).toEqual([good.id]);
    expect(ids(await store.listByChannel('channel-1'))).toEqual([good.id]);

    // Replacing a corrupt record drops its old entries too, though they cannot be derived from it.
    const moved = makeSong({ owner: 'dave', channelId: 'ch-old', createdAt: T0 + 3 });
    await store.putSong(moved);
    await kv.setRaw(KEYS.song(moved.id), 'garbage');
    await store.putSong({ ...moved, owner: 'frank', channelId: 'ch-new' });
    expect(ids(await store.listByUser('dave'))).toEqual([good.id]);
    expect(await store.listByChannel('ch-old')).toEqual([]);
    expect(ids(await store.listByUser('frank'))).toEqual([moved.id]);
  });

  it('deletes a song with its index entries, and skips entries whose record is gone', async () => {
    const { store, kv } = await fresh();
    const root = makeSong({ createdAt: T0 });
    const kids = Array.from({ length: 6 }, (_, i) => makeSong({ parentId: root.id, operation: 'retake', createdAt: T0 + 1 + i }));
    for (const song of [root, ...kids]) await store.putSong(song);

    expect(await store.deleteSong(kids[5]!.id)).toBe(true);
    expect(await store.deleteSong(kids[5]!.id)).toBe(false);
    expect(await store.getSong(kids[5]!.id)).toBeNull();
    expect(ids(await store.children(root.id))).toEqual(ids(kids.slice(0, 5)));
    expect(ids(await store.listByUser('user-1', { limit: 100 }))).not.toContain(kids[5]!.id);

    // A crash between a record's removal and its entries': listings skip the dangling entries and still fill pages.
    await kv.delete([KEYS.song(kids[4]!.id), KEYS.song(kids[3]!.id)]);
    expect(ids(await store.listByUser('user-1', { limit: 2 }))).toEqual([kids[2]!.id, kids[1]!.id]);
    expect(ids(await store.children(root.id))).toEqual(ids(kids.slice(0, 3)));
    expect(await store.deleteSong(kids[4]!.id)).toBe(false);
    expect(await kv.scanKeys(KEYS.indexRoot())).not.toContainEqual(expect.stringContaining(kids[4]!.id));

    // Re-putting a song under a new owner and channel moves its index entries.
    await store.putSong({ ...kids[0]!, owner: 'erin', channelId: 'ch-2' });
    expect(ids(await store.listByUser('erin'))).toEqual([kids[0]!.id]);
    expect(ids(await store.listByUser('user-1', { limit: 100 }))).not.toContain(kids[0]!.id);
    expect(ids(await store.listByChannel('ch-2'))).toEqual([kids[0]!.id]);
  });

  it('loses nothing when two processes write 200 songs each at once', async () => {
    const { store, namespace } = await fresh();
    const parent = makeSong({ owner: 'crowd', createdAt: T0 - 1 });
    await store.putSong(parent);
    const script = fileURLToPath(new URL('./writer.ts', import.meta.url));
    const writers = ['A', 'B'].map((name) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', script, config.storeUrl ?? '-', config.dataDir, namespace, name, parent.id, '200'],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      const lines = createInterface({ input: child.stdout });
      const output: string[] = [];
      const ready = new Promise<void>((resolve) =>
        lines.on('line', (line) => {
          output.push(line);
          if (line === 'ready') resolve();
        }),
      );
      const done = new Promise<string[]>((resolve, reject) =>
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output.at(-1) ?? '[]') as string[]) : reject(new Error(`writer ${name} exited with ${code}`)))),
      );
      return { child, ready, done };
    });
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.child.stdin.end('go\n');
    const written = (await Promise.all(writers.map((w) => w.done))).flat();
    expect(new Set(written).size).toBe(400);

    const all = await store.listAll({ limit: 1000 });
    expect(all).toHaveLength(401);
    expect(ids(all)).toEqual(ids(newestFirst(all)));
    expect(new Set(ids(all))).toEqual(new Set([...written, parent.id]));
    expect(ids(await store.children(parent.id)).sort()).toEqual([...written].sort());
    expect(await store.listByChannel('shared-channel', { limit: 1000 })).toHaveLength(400);

    // page through the shared owner's 200 + the parent in pages of 37
    const crowd: string[] = [];
    let before: Song | undefined;
    for (;;) {
      const page = await store.listByUser('crowd', { limit: 37, ...(before ? { before } : {}) });
      if (page.length === 0) break;
      crowd.push(...ids(page));
      before = page.at(-1);
    }
    expect(crowd).toHaveLength(201);
    expect(crowd).toEqual(ids(newestFirst(all.filter((song) => song.owner === 'crowd'))));
    expect(await store.listByUser('writer-A', { limit: 1000 })).toHaveLength(100);
    expect(await store.listByUser('writer-B', { limit: 1000 })).toHaveLength(100);
  });
});

describe('opening a store', () => {
  it('fails fast with a StoreUnavailableError when Redis is not there', async () => {
    const started = Date.now();
    const error = await openStore({ storeUrl: 'redis://127.0.0.1:1', dataDir: tmpdir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).hint).toMatch(/redis-server/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails with a StoreUnavailableError when the data directory cannot be created', async () => {
    await expect(openStore({ storeUrl: null, dataDir: '/dev/null/acejam' })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('creates the SQLite file in the data directory by default, or at a sqlite:// path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acejam-store-open-'));
    try {
      expect(resolveStoreTarget({ storeUrl: null, dataDir: dir })).toEqual({ kind: 'sqlite', path: join(dir, 'acejam.sqlite') });
      expect(resolveStoreTarget({ storeUrl: `sqlite://${dir}/x/s.db`, dataDir: '/elsewhere' })).toEqual({ kind: 'sqlite', path: `${dir}/x/s.db` });
      expect(resolveStoreTarget({ storeUrl: 'sqlite://rel/s.db', dataDir: dir })).toEqual({ kind: 'sqlite', path: join(dir, 'rel/s.db') });
      expect(resolveStoreTarget({ storeUrl: 'rediss://h:6380/2', dataDir: dir })).toEqual({ kind: 'redis', url: 'rediss://h:6380/2' });
      const store = await openStore({ storeUrl: `sqlite://${dir}/x/s.db`, dataDir: dir });
      const song = makeSong();
      await store.putSong(song);
      await store.close();
      const again = await openStore({ storeUrl: `sqlite://${dir}/x/s.db`, dataDir: dir });
      expect(await again.getSong(song.id)).toEqual(song);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
