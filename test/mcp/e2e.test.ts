/**
 * Every tool end to end on the tiny pack, through the real Studio (engine worker, job runner, song
 * store, artifacts) and the real SDK Client over linked in-memory transports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/engine/logger.js';
import { Studio } from '../../src/engine/studio/index.js';
import type { GenerationOutput } from '../../src/mcp/shared/schemas.js';
import { connect, decodeAudio, textOf, type Connected } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'acejam-mcp-e2e-'));
const LYRICS = '[verse]\nwalking down the street\nfeeling the beat\n[chorus]\noh oh oh\nhere we go\n[verse]\nsecond verse\n[outro]\n';

let studio: Studio;
let alice: Connected;
let bob: Connected;

beforeAll(async () => {
  const config = loadConfig({ env: { ACEJAM_PACK: join(ROOT, 'models/tiny'), ACEJAM_DATA_DIR: join(scratch, 'data'), ACEJAM_LOG_LEVEL: 'warn' } });
  studio = await Studio.open(config, { logger: createLogger({ level: 'warn' }) });
  alice = await connect(studio, { identity: { user: 'test:alice', name: 'alice' }, localFiles: true, roots: [scratch] });
  bob = await connect(studio, { identity: { user: 'test:bob', name: 'bob' } });
}, 60_000);
afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await studio?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function generate(tool: string, args: Record<string, unknown>, who = alice): Promise<GenerationOutput> {
  const result = await who.client.callTool({ name: tool, arguments: args });
  expect(result.isError, `${tool}: ${textOf(result)}`).toBeFalsy();
  const out = result.structuredContent as GenerationOutput;
  expect(out.job.state).toBe('done');
  return out;
}

describe('every tool on the tiny pack', () => {
  let songId = '';

  it('compose_music: a song with seed, parameters, a resource link and one progress notification per step', async () => {
    const events: { progress: number; message?: string }[] = [];
    const result = await alice.client.callTool(
      { name: 'compose_music', arguments: { tags: 'lofi, piano, chill', lyrics: LYRICS, duration: 4, steps: 5, seed: 42 } },
      undefined,
      { onprogress: (p) => events.push(p) },
    );
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = result.structuredContent as GenerationOutput;
    const song = out.songs[0]!;
    songId = song.song_id;
    expect(song).toMatchObject({ parent_id: null, operation: 'compose', seeds: [42], sample_rate: 48000, owner: 'test:alice' });
    expect(song.duration_seconds).toBeCloseTo(4, 0);
    expect(song.parameters).toMatchObject({ steps: 5, tags: 'lofi, piano, chill' });
    expect(song.resource_uri).toBe(`acejam://songs/${songId}`);
    expect((result.content as { type: string }[]).some((c) => c.type === 'resource_link')).toBe(true);
    expect(events.map((e) => e.message).filter((m) => m?.startsWith('step '))).toEqual(['step 1 of 5', 'step 2 of 5', 'step 3 of 5', 'step 4 of 5', 'step 5 of 5']);
    for (let i = 1; i < events.length; i++) expect(events[i]!.progress).toBeGreaterThan(events[i - 1]!.progress);
  });

  it('the song reads back as decodable audio, its recipe and a PNG waveform', async () => {
    const { contents } = await alice.client.readResource({ uri: `acejam://songs/${songId}` });
    const audio = contents[0] as { mimeType: string; blob: string };
    expect(audio.mimeType).toMatch(/^audio\//);
    const decoded = await decodeAudio(Buffer.from(audio.blob, 'base64'));
    expect(decoded.channels).toHaveLength(2);
    expect(decoded.channels[0]!.length / decoded.sampleRate).toBeCloseTo(4, 0);
    expect(JSON.parse((contents[1] as { text: string }).text)).toMatchObject({ song_id: songId, seeds: [42] });
    const png = await alice.client.readResource({ uri: `acejam://songs/${songId}/waveform.png` });
    expect(PNG.sync.read(Buffer.from((png.contents[0] as { blob: string }).blob, 'base64')).width).toBeGreaterThan(0);
  });

  it('get_song: recipe and lyric sections', async () => {
    const result = await alice.client.callTool({ name: 'get_song', arguments: { song_id: songId } });
    const out = result.structuredContent as { song: { song_id: string }; sections: { name: string }[] };
    expect(out.song.song_id).toBe(songId);
    expect(out.sections.map((s) => s.name)).toEqual(['verse', 'chorus', 'verse 2', 'outro']);
  });

  it('retake_music, repaint_music (by section), extend_music, edit_music: children of the song', async () => {
    const retake = (await generate('retake_music', { song_id: songId, variance: 0.3, seed: 5, steps: 3 })).songs[0]!;
    expect(retake).toMatchObject({ parent_id: songId, operation: 'retake', seeds: [42], retake_seeds: [5] });
    const repaint = (await generate('repaint_music', { song_id: songId, section: 'chorus', seed: 6 })).songs[0]!;
    expect(repaint).toMatchObject({ parent_id: songId, operation: 'repaint' });
    const extend = (await generate('extend_music', { song_id: songId, right: 2, seed: 7 })).songs[0]!;
    expect(extend).toMatchObject({ parent_id: songId, operation: 'extend' });
    expect(extend.duration_seconds).toBeGreaterThan(5.5);
    const edit = (await generate('edit_music', { song_id: songId, lyrics: LYRICS.replace('street', 'road'), seed: 8 })).songs[0]!;
    expect(edit).toMatchObject({ parent_id: songId, operation: 'edit' });
    const tree = await alice.client.callTool({ name: 'list_songs', arguments: { song_id: retake.song_id } });
    const songs = (tree.structuredContent as { songs: { song_id: string; depth: number }[] }).songs;
    expect(songs[0]).toMatchObject({ song_id: songId, depth: 0 });
    expect(songs.slice(1).map((s) => s.song_id).sort()).toEqual([retake.song_id, repaint.song_id, extend.song_id, edit.song_id].sort());
  });

  it('remix_audio from a song, from base64 bytes and from a file inside the roots', async () => {
    const fromSong = (await generate('remix_audio', { song_id: songId, tags: 'jazz', strength: 0.5, steps: 3 })).songs[0]!;
    expect(fromSong.operation).toBe('remix');
    const wav = (await alice.client.readResource({ uri: `acejam://songs/${songId}` })).contents[0] as { blob: string };
    const fromBytes = (await generate('remix_audio', { audio_base64: wav.blob, filename: 'ref.mp3', tags: 'rock', steps: 3 })).songs[0]!;
    expect(fromBytes.operation).toBe('remix');
    const saved = (await generate('compose_music', { tags: 'folk', duration: 2, steps: 2, output_dir: 'files' })).songs[0]!;
    expect(saved.saved_to).toMatch(new RegExp(`^${scratch}/files/`));
    expect((await decodeAudio(await readFile(saved.saved_to!))).sampleRate).toBe(48000);
    const fromFile = (await generate('remix_audio', { file_path: saved.saved_to, tags: 'ambient', steps: 3 })).songs[0]!;
    expect(fromFile.operation).toBe('remix');
  });

  it('list_songs and list_packs', async () => {
    const mine = (await alice.client.callTool({ name: 'list_songs', arguments: { limit: 50 } })).structuredContent as { songs: { song_id: string; owner: string }[] };
    expect(mine.songs.map((s) => s.song_id)).toContain(songId);
    expect(mine.songs.every((s) => s.owner === 'test:alice')).toBe(true);
    const first = (await alice.client.callTool({ name: 'list_songs', arguments: { limit: 2 } })).structuredContent as { songs: { song_id: string }[]; next_before: string };
    const second = (await alice.client.callTool({ name: 'list_songs', arguments: { limit: 2, before: first.next_before } })).structuredContent as { songs: { song_id: string }[] };
    expect(second.songs.map((s) => s.song_id)).toEqual(mine.songs.slice(2, 4).map((s) => s.song_id));
    const packs = (await alice.client.callTool({ name: 'list_packs', arguments: {} })).structuredContent as { active: string; packs: { name: string }[] };
    expect(packs.packs.map((p) => p.name)).toContain(packs.active);
  });

  it('get_job returns the song after a wait_seconds timeout', async () => {
    const pending = (await alice.client.callTool({ name: 'compose_music', arguments: { tags: 'edm', duration: 4, steps: 6, wait_seconds: 0 } })).structuredContent as GenerationOutput;
    expect(['queued', 'running']).toContain(pending.job.state);
    expect(pending.songs).toEqual([]);
    const result = await alice.client.callTool({ name: 'get_job', arguments: { job_id: pending.job.job_id, wait_seconds: 60, inline_audio: true } });
    const done = result.structuredContent as GenerationOutput;
    expect(done.job.state).toBe('done');
    expect(done.songs[0]!.song_id).toBe(done.song_id);
    const audio = (result.content as { type: string; data?: string; mimeType?: string }[]).find((c) => c.type === 'audio')!;
    expect(audio.mimeType).toBe('audio/mpeg');
    expect((await decodeAudio(Buffer.from(audio.data!, 'base64'))).channels).toHaveLength(2);
  });

  it('cancelling the request cancels the job', async () => {
    const controller = new AbortController();
    let jobId: string | null = null;
    const call = alice.client.callTool({ name: 'compose_music', arguments: { tags: 'drone', duration: 120, steps: 200 } }, undefined, {
      signal: controller.signal,
      onprogress: (p) => {
        if (p.message?.startsWith('step ')) controller.abort();
      },
    });
    const started = new Promise<void>((resolve) => studio.jobs.events.once('started', ({ job }) => ((jobId = job.id), resolve())));
    await expect(call).rejects.toThrow();
    await started;
    await expect.poll(() => studio.jobs.get(jobId!)?.state, { timeout: 10_000 }).toBe('cancelled');
  });

  it("someone else's private song is refused; their public one can be continued", async () => {
    const secret = (await generate('compose_music', { tags: 'secret', duration: 3, steps: 2, visibility: 'private' }, bob)).songs[0]!;
    const shared = (await generate('compose_music', { tags: 'shared', duration: 3, steps: 2, visibility: 'public' }, bob)).songs[0]!;
    for (const [tool, args] of [['get_song', { song_id: secret.song_id }], ['retake_music', { song_id: secret.song_id }]] as const) {
      const denied = await alice.client.callTool({ name: tool, arguments: args });
      expect(denied.isError).toBe(true);
    }
    await expect(alice.client.readResource({ uri: secret.resource_uri })).rejects.toThrow();
    const retake = (await generate('retake_music', { song_id: shared.song_id, steps: 2 })).songs[0]!;
    expect(retake).toMatchObject({ parent_id: shared.song_id, owner: 'test:alice' });
  });

  it('unknown ids are clean tool errors', async () => {
    for (const [tool, args] of [['get_song', { song_id: 'zzzzzzzzzz' }], ['extend_music', { song_id: 'zzzzzzzzzz' }], ['get_job', { job_id: 'nope' }], ['cancel_job', { job_id: 'nope' }]] as const) {
      const result = await alice.client.callTool({ name: tool, arguments: args });
      expect(result.isError, tool).toBe(true);
      expect(textOf(result)).toMatch(/zzzzzzzzzz|nope/);
    }
  });
});
