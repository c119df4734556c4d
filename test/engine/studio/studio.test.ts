/** The Studio end to end on the tiny pack: jobs through the worker, songs in the store, files on disk. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../../src/config/load.js';
import { decodeUpload } from '../../../src/engine/audio/in/index.js';
import { encodeWav } from '../../../src/engine/audio/wav.js';
import { ForbiddenError, NotFoundError } from '../../../src/engine/errors.js';
import { createLogger } from '../../../src/engine/logger.js';
import { Studio, type Actor } from '../../../src/engine/studio/index.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');
const alice: Actor = { user: 'alice', origin: 'cli', channelId: 'c1' };
const bob: Actor = { user: 'bob', origin: 'mcp' };
let studio: Studio;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'acejam-studio-'));
  const config = { ...loadConfig({ env: { ACEJAM_PACK: TINY, ACEJAM_DATA_DIR: dataDir } }), logLevel: 'silent' as const };
  studio = await Studio.open(config, { logger: createLogger({ level: 'silent' }) });
}, 60_000);
afterAll(async () => {
  await studio.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function finished(job: { id: string }) {
  const done = await studio.wait(job.id, { timeoutMs: 60_000 });
  expect(done.error).toBeNull();
  expect(done.state).toBe('done');
  return done.result!.songIds;
}

const lyrics = '[verse]\nsing with me tonight\n[chorus]\nlight up the sky\n[verse]\nagain';

describe('studio', () => {
  let songId: string;

  it('composes variants as separate songs with consecutive seeds, files written first', async () => {
    const ids = await finished(await studio.submit(alice, 'compose', { tags: 'lofi, piano', lyrics, duration: 4, steps: 3, seed: 10, variants: 2 }));
    expect(ids).toHaveLength(2);
    const [first, second] = await Promise.all(ids.map((id) => studio.getSong(id, alice)));
    expect(first!.seeds).toEqual([10]);
    expect(second!.seeds).toEqual([11]);
    expect(first!).toMatchObject({ owner: 'alice', operation: 'compose', parentId: null, visibility: 'public', sampleRate: 48000, uri: `acejam://songs/${first!.id}` });
    expect(first!.files.map((f) => f.kind).sort()).toEqual(['flac', 'latent', 'mp3', 'waveform']);
    const flac = await studio.file(first!.id, 'flac');
    const audio = await decodeUpload(await flac.data(), { maxBytes: 1e9, maxSeconds: 1e4 });
    expect(audio.channels).toHaveLength(2);
    expect(audio.seconds).toBeCloseTo(first!.durationSeconds, 1);
    expect(await studio.lastSeeds('alice')).toEqual([10, 11]);
    songId = first!.id;
  });

  it('retakes, repaints a lyric section, extends and edits, building a version tree', async () => {
    const [retake] = await finished(await studio.submit(bob, 'retake', { songId, variance: 0.3, seed: 5 }));
    const [repaint] = await finished(await studio.submit(alice, 'repaint', { songId: retake!, section: 'chorus' }));
    const [extend] = await finished(await studio.submit(alice, 'extend', { songId, right: 1 }));
    const [edit] = await finished(await studio.submit(alice, 'edit', { songId, lyrics: '[verse]\ndance with me', mode: 'remix' }));
    const retakeSong = await studio.getSong(retake!);
    expect(retakeSong).toMatchObject({ parentId: songId, operation: 'retake', owner: 'bob', contributors: ['alice', 'bob'], retakeSeeds: [5], seeds: [10] });
    expect((await studio.getSong(repaint!)).request).toMatchObject({ task: 'repaint', source: { kind: 'song', songId: retake } });
    expect((await studio.getSong(extend!)).durationSeconds).toBeGreaterThan((await studio.getSong(songId)).durationSeconds);
    const tree = await studio.tree(repaint!);
    expect(tree.song.id).toBe(songId);
    expect(tree.children.map((c) => c.song.id).sort()).toEqual([retake, extend, edit].sort());
    expect(tree.children.find((c) => c.song.id === retake)!.children.map((c) => c.song.id)).toEqual([repaint]);
  });

  it('remixes an uploaded file, and refuses a bad upload before queueing', async () => {
    const tone = Float32Array.from({ length: 44100 * 2 }, (_, i) => 0.2 * Math.sin(i / 10));
    const [remix] = await finished(await studio.submit(alice, 'remix', { source: { upload: encodeWav([tone, tone], 44100), name: 'loop.wav' }, tags: 'jazz', strength: 0.6 }));
    expect((await studio.getSong(remix!)).operation).toBe('remix');
    const queued = studio.jobs.list().length;
    await expect(studio.submit(alice, 'remix', { source: { upload: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), name: 'x.wav' }, tags: 'x' })).rejects.toThrow(/upload/);
    expect(studio.jobs.list().length).toBe(queued);
  });

  it('delivers a file under a byte limit, else a link', async () => {
    const file = await studio.deliver(songId, 10 * 1024 * 1024);
    expect(file.link).toBe(false);
    if (!file.link) expect(file.name).toMatch(/\.mp3$/);
    const tiny = await studio.deliver(songId, 500);
    expect(tiny.link).toBe(true);
  });

  it('keeps private songs private and names what is missing', async () => {
    const [secret] = await finished(await studio.submit(alice, 'compose', { tags: 'ambient', duration: 2, steps: 2, visibility: 'private' }));
    await expect(studio.getSong(secret!, bob)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(studio.submit(bob, 'retake', { songId: secret! })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await studio.getSong(secret!, alice)).visibility).toBe('private');
    await expect(studio.getSong('ZZZZZZZZZZ')).rejects.toBeInstanceOf(NotFoundError);
    await expect(studio.getSong('../etc')).rejects.toThrow(/songId/);
    await expect(studio.submit(alice, 'repaint', { songId, section: 'bridge' })).rejects.toThrow(/section: no section "bridge"/);
  });

  it('stores settings and uses them as defaults', async () => {
    await studio.settings.put('carol', { duration: 3, steps: 2 });
    await expect(studio.settings.put('carol', { duration: 999 })).rejects.toThrow(/settings.duration/);
    const [id] = await finished(await studio.submit({ user: 'carol', origin: 'discord' }, 'compose', { tags: 'pop' }));
    expect((await studio.getSong(id!)).request).toMatchObject({ duration: 3, steps: 2 });
  });
});

describe('studio queue persistence', () => {
  it('a server resumes the persisted queue after a restart; a one-shot CLI Studio leaves it alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acejam-studio-queue-'));
    const config = { ...loadConfig({ env: { ACEJAM_PACK: TINY, ACEJAM_DATA_DIR: dir } }), logLevel: 'silent' as const };
    const logger = createLogger({ level: 'silent' });
    const server = await Studio.open(config, { logger });
    const job = await server.submit(alice, 'compose', { tags: 'pop', duration: 2, steps: 40 });
    await server.close(); // the job goes back to the persisted queue unfinished
    const cli = await Studio.open(config, { logger, persistQueue: false });
    expect(cli.jobs.list()).toEqual([]);
    await cli.close();
    const restarted = await Studio.open(config, { logger });
    try {
      expect(restarted.jobs.get(job.id)).toBeDefined();
      const done = await restarted.wait(job.id, { timeoutMs: 60_000 });
      expect(done.state).toBe('done');
      expect((await restarted.getSong(done.result!.songIds[0]!)).owner).toBe('alice');
    } finally {
      await restarted.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
