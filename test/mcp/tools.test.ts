/**
 * The MCP layer's own behaviour against a fake Studio, through the real SDK Client over linked
 * in-memory transports: tool listing, results, progress, waits, cancellation, local files, bad input.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { GenerationOutput } from '../../src/mcp/shared/schemas.js';
import { FakeStudio } from './fake-studio.js';
import { connect, decodeAudio, textOf, type Connected } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'acejam-mcp-tools-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let studio: FakeStudio;
let mcp: Connected;
beforeEach(async () => {
  studio = new FakeStudio();
  mcp = await connect(studio);
});
afterEach(() => mcp.close());

const TOOLS = ['compose_music', 'retake_music', 'repaint_music', 'edit_music', 'extend_music', 'remix_audio', 'get_song', 'list_songs', 'get_job', 'cancel_job', 'list_packs'];

async function call(name: string, args: Record<string, unknown>, client = mcp.client) {
  return client.callTool({ name, arguments: args });
}

describe('tool listing', () => {
  it('lists every tool with a description, an input and output schema and truthful annotations', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(60);
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool.annotations, tool.name).toBeDefined();
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.compose_music!.description).toContain('[verse]');
    expect(byName.compose_music!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false });
    expect(byName.remix_audio!.annotations).toMatchObject({ openWorldHint: true });
    for (const name of ['get_song', 'list_songs', 'get_job', 'list_packs']) expect(byName[name]!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.cancel_job!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    const props = (byName.compose_music!.inputSchema as { properties: Record<string, { description?: string }> }).properties;
    expect(props.tags!.description).toMatch(/bpm/);
    expect(props.lyrics!.description).toContain('[chorus]');
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['duration', 'seed', 'steps', 'wait_seconds', 'inline_audio', 'output_dir']));
  });
});

describe('compose_music', () => {
  it('returns structured content, a text summary and resource links', async () => {
    const result = await call('compose_music', { tags: 'lofi, piano', duration: 12, seed: 42 });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as GenerationOutput;
    expect(out.job.state).toBe('done');
    expect(out.songs).toHaveLength(1);
    const song = out.songs[0]!;
    expect(out.song_id).toBe(song.song_id);
    expect(song).toMatchObject({ parent_id: null, operation: 'compose', seeds: [42], duration_seconds: 12, sample_rate: 48000, format: 'mp3', pack: 'fake' });
    expect(song.resource_uri).toBe(`acejam://songs/${song.song_id}`);
    expect(song.parameters).toMatchObject({ tags: 'lofi, piano' });
    expect(textOf(result)).toContain(song.song_id);
    const links = (result.content as { type: string; uri?: string; mimeType?: string }[]).filter((c) => c.type === 'resource_link');
    expect(links.map((l) => l.uri)).toEqual([song.resource_uri, `acejam://songs/${song.song_id}/waveform.png`]);
    expect(links[0]!.mimeType).toBe('audio/mpeg');
  });

  it('sends one progress notification per diffusion step, in increasing order, with messages', async () => {
    const events: { progress: number; total?: number; message?: string }[] = [];
    const result = await mcp.client.callTool({ name: 'compose_music', arguments: { tags: 'house', steps: 12 } }, undefined, { onprogress: (p) => events.push(p) });
    expect(result.isError).toBeFalsy();
    const steps = events.map((e) => e.message).filter((m) => m?.startsWith('step '));
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => `step ${i + 1} of 12`));
    for (let i = 1; i < events.length; i++) expect(events[i]!.progress).toBeGreaterThan(events[i - 1]!.progress);
    expect(events.every((e) => e.total === 100)).toBe(true);
    expect(events.some((e) => e.message === 'decoding')).toBe(true);
  });

  it('reports the queue position while another job runs', async () => {
    const slow = new FakeStudio(20);
    const other = await connect(slow, { identity: { user: 'test:bob' } });
    const mine = await connect(slow);
    try {
      const first = call('compose_music', { tags: 'a', steps: 10 }, other.client);
      const events: { message?: string }[] = [];
      await mine.client.callTool({ name: 'compose_music', arguments: { tags: 'b', steps: 2 } }, undefined, { onprogress: (p) => events.push(p) });
      expect(events[0]!.message).toMatch(/^queued at position \d/);
      expect(events.map((e) => e.message)).toContain('queued at position 1');
      await first;
    } finally {
      await other.close();
      await mine.close();
    }
  });

  it('returns the job id past wait_seconds, and get_job returns the song when done', async () => {
    const result = await call('compose_music', { tags: 'ambient', steps: 30, wait_seconds: 0 });
    expect(result.isError).toBeFalsy();
    const pending = result.structuredContent as GenerationOutput;
    expect(['queued', 'running']).toContain(pending.job.state);
    expect(pending.songs).toEqual([]);
    expect(textOf(result)).toContain(`get_job with job_id "${pending.job.job_id}"`);
    const done = await call('get_job', { job_id: pending.job.job_id, wait_seconds: 30 });
    const out = done.structuredContent as GenerationOutput;
    expect(out.job.state).toBe('done');
    expect(out.songs[0]!.song_id).toBe(out.song_id);
  });

  it('cancels the job when the client cancels the request', async () => {
    const slow = new FakeStudio(20);
    const conn = await connect(slow);
    try {
      const controller = new AbortController();
      let jobId = '';
      const pending = conn.client.callTool({ name: 'compose_music', arguments: { tags: 'drone', steps: 200 } }, undefined, {
        signal: controller.signal,
        onprogress: () => {
          jobId ||= [...slow.songs.keys()].join('') || 'job1';
          controller.abort('user changed their mind');
        },
      });
      await expect(pending).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(slow.jobs.get('job1')!.state).toBe('cancelled');
    } finally {
      await conn.close();
    }
  });

  it('inlines a small audio preview when asked', async () => {
    const result = await call('compose_music', { tags: 'chiptune', inline_audio: true });
    const audio = (result.content as { type: string; data?: string; mimeType?: string }[]).find((c) => c.type === 'audio');
    expect(audio?.mimeType).toBe('audio/mpeg');
    expect((await decodeAudio(Buffer.from(audio!.data!, 'base64'))).sampleRate).toBe(48000);
  });

  it('reports a failed job as a tool error', async () => {
    const result = await call('compose_music', { tags: 'FAIL please' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('MODEL_ERROR');
  });
});

describe('bad input gives a clean tool error and the server stays up', () => {
  it.each([
    ['a duration over the limit', 'compose_music', { tags: 'pop', duration: 999 }, /duration/],
    ['a missing required field', 'compose_music', { lyrics: '[verse]\nhi' }, /tags/],
    ['a wrong type', 'compose_music', { tags: 'pop', seed: 'forty-two' }, /seed/],
    ['a negative seed', 'retake_music', { song_id: 'abc', seed: -1 }, /seed/],
    ['a malformed song id', 'get_song', { song_id: '../etc/passwd' }, /song id/],
    ['an unknown song id', 'retake_music', { song_id: 'nosuchsong' }, /NOT_FOUND.*nosuchsong/],
    ['an unknown job id', 'get_job', { job_id: 'job999' }, /no job "job999"/],
    ['repaint without a range', 'repaint_music', { song_id: 'pub1' }, /start/],
    ['a remix with two sources', 'remix_audio', { tags: 'jazz', song_id: 'pub1', url: 'https://example.com/a.mp3' }, /only one of/],
    ['a remix with no source', 'remix_audio', { tags: 'jazz' }, /one of song_id/],
    ['output_dir over a non-stdio connection', 'compose_music', { tags: 'pop', output_dir: '/tmp' }, /only available to local/],
    ['file_path over a non-stdio connection', 'remix_audio', { tags: 'pop', file_path: '/etc/hosts' }, /only available to local/],
    ['a remix URL on a private address over http', 'remix_audio', { tags: 'pop', url: 'ftp://example.com/x.mp3' }, /http and https/],
    ['invalid base64', 'remix_audio', { tags: 'pop', audio_base64: '!!!not base64!!!' }, /not valid base64/],
  ])('%s', async (_label, tool, args, message) => {
    studio.addSong({ id: 'pub1', owner: 'test:bob' });
    const result = await call(tool, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(message);
    expect((await mcp.client.listTools()).tools.length).toBe(TOOLS.length);
  });

  it("refuses someone else's private song but opens their public one", async () => {
    studio.addSong({ id: 'secret1', owner: 'test:bob', visibility: 'private' });
    studio.addSong({ id: 'shared1', owner: 'test:bob', visibility: 'public' });
    const denied = await call('get_song', { song_id: 'secret1' });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toMatch(/FORBIDDEN.*private/);
    const retake = await call('retake_music', { song_id: 'secret1' });
    expect(retake.isError).toBe(true);
    const ok = await call('retake_music', { song_id: 'shared1', variance: 0.3 });
    expect((ok.structuredContent as GenerationOutput).songs[0]).toMatchObject({ parent_id: 'shared1', operation: 'retake', owner: 'test:alice' });
    await expect(mcp.client.readResource({ uri: 'acejam://songs/secret1' })).rejects.toThrow(/private/);
  });

  it("will not show or cancel someone else's job", async () => {
    const bob = await connect(studio, { identity: { user: 'test:bob' } });
    try {
      const job = (await call('compose_music', { tags: 'a', steps: 50, wait_seconds: 0 }, bob.client)).structuredContent as GenerationOutput;
      for (const tool of ['get_job', 'cancel_job']) {
        const result = await call(tool, { job_id: job.job.job_id });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/no job/);
      }
      expect((await call('cancel_job', { job_id: job.job.job_id }, bob.client)).structuredContent).toMatchObject({ cancelled: true, state: 'cancelled' });
    } finally {
      await bob.close();
    }
  });

  it('refuses an oversized base64 upload before decoding it', async () => {
    const small = await connect(studio, { limits: { uploadBytes: 1000 } });
    try {
      const result = await call('remix_audio', { tags: 'pop', audio_base64: 'A'.repeat(4000) }, small.client);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/over the 1000-byte .*upload limit/);
      const justOver = await call('remix_audio', { tags: 'pop', audio_base64: Buffer.alloc(1001).toString('base64') }, small.client);
      expect(textOf(justOver)).toMatch(/decodes to 1001 bytes, over the 1000-byte upload limit/);
    } finally {
      await small.close();
    }
  });
});

describe('local files (stdio-like connections)', () => {
  it('writes the audio into output_dir inside the roots, and refuses paths outside them', async () => {
    const root = mkdtempSync(join(scratch, 'root-'));
    const outside = mkdtempSync(join(scratch, 'outside-'));
    symlinkSync(outside, join(root, 'escape'));
    const local = await connect(studio, { localFiles: true, roots: [root] });
    try {
      const result = await call('compose_music', { tags: 'folk', output_dir: 'songs' }, local.client);
      const song = (result.structuredContent as GenerationOutput).songs[0]!;
      expect(song.saved_to).toBe(join(root, 'songs', `${song.song_id}.flac`));
      expect(readFileSync(song.saved_to!).subarray(0, 4).toString()).toBe('fLaC');
      const mp3 = (await call('compose_music', { tags: 'folk', output_dir: 'songs', output_format: 'mp3' }, local.client)).structuredContent as GenerationOutput;
      expect(mp3.songs[0]!.saved_to).toMatch(/\.mp3$/);
      for (const bad of [outside, '../outside', 'escape/x', join(root, '..', 'x')]) {
        const refused = await call('compose_music', { tags: 'folk', output_dir: bad }, local.client);
        expect(refused.isError, bad).toBe(true);
        expect(textOf(refused)).toMatch(/outside the allowed roots/);
      }
      const outsideFile = await call('remix_audio', { tags: 'pop', file_path: '/etc/hosts' }, local.client);
      expect(textOf(outsideFile)).toMatch(/outside the allowed roots/);
    } finally {
      await local.close();
    }
  });

  it('uses the working directory as the root when the client has no roots', async () => {
    const cwd = mkdtempSync(join(scratch, 'cwd-'));
    const local = await connect(studio, { localFiles: true, cwd });
    try {
      const result = await call('compose_music', { tags: 'folk', output_dir: '.' }, local.client);
      expect((result.structuredContent as GenerationOutput).songs[0]!.saved_to).toMatch(new RegExp(`^${cwd}/song`));
      expect(textOf(await call('compose_music', { tags: 'folk', output_dir: '/' }, local.client))).toMatch(/outside the allowed roots/);
    } finally {
      await local.close();
    }
  });
});
