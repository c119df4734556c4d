import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { BudgetSong } from '../../../src/engine/artifacts/budget.js';
import { ArtifactStore } from '../../../src/engine/artifacts/store.js';
import { InvalidInputError } from '../../../src/engine/errors.js';

const HOUR = 3_600_000;
let dataDir: string;
let store: ArtifactStore;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'acejam-artifacts-'));
  store = new ArtifactStore(dataDir);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (text: string) => new TextEncoder().encode(text);

async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

async function allFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of await readdir(store.root).catch(() => [])) for (const name of await readdir(join(store.root, dir))) out.push(name);
  return out.sort();
}

describe('ArtifactStore.put', () => {
  it('stores content-addressed files under <dataDir>/artifacts/<sha[0:2]>/<sha>.<ext>', async () => {
    const data = bytesOf('a song');
    const ref = await store.put(data, 'mp3');
    expect(ref).toEqual({ sha256: sha(data), bytes: data.length, path: join(dataDir, 'artifacts', sha(data).slice(0, 2), `${sha(data)}.mp3`) });
    expect(store.path(ref.sha256, 'mp3')).toBe(ref.path);
    expect(new Uint8Array(await readFile(ref.path))).toEqual(data);
    expect(await store.has(ref.sha256, 'mp3')).toBe(true);
    expect(await store.has(ref.sha256, 'wav')).toBe(false);
    expect(await store.read(ref.sha256, 'mp3', { verify: true })).toEqual(data);
    expect(await allFiles()).toEqual([`${ref.sha256}.mp3`]); // no temp file left
  });

  it('is idempotent: the same bytes are not written again, only their time stamp refreshed', async () => {
    const data = bytesOf('same bytes');
    const first = await store.put(data, 'png');
    await age(first.path, 5 * HOUR);
    const second = await store.put(data, 'png');
    expect(second).toEqual(first);
    expect(Date.now() - (await stat(first.path)).mtimeMs).toBeLessThan(60_000);
    expect(await allFiles()).toEqual([`${first.sha256}.png`]);
    const many = await Promise.all(Array.from({ length: 8 }, () => store.put(bytesOf('concurrent'), 'bin')));
    expect(new Set(many.map((r) => r.path)).size).toBe(1);
    expect((await allFiles()).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('refuses bad names and reports missing or damaged artifacts', async () => {
    await expect(store.put(bytesOf('x'), 'MP3')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.put(bytesOf('x'), '../x')).rejects.toThrow(/ext/);
    expect(() => store.path('abc', 'mp3')).toThrow(/sha256/);
    await expect(store.read('0'.repeat(64), 'mp3')).rejects.toThrow(/no artifact/);
    const ref = await store.put(bytesOf('original'), 'txt');
    await writeFile(ref.path, 'tampered');
    await expect(store.read(ref.sha256, 'txt', { verify: true })).rejects.toThrow(/damaged/);
  });
});

describe('ArtifactStore.sweep', () => {
  it('removes old orphans and stale temp files, keeps live and young files', async () => {
    const live = await store.put(bytesOf('live'), 'wav');
    const oldOrphan = await store.put(bytesOf('old orphan'), 'wav');
    const youngOrphan = await store.put(bytesOf('young orphan'), 'wav');
    await age(live.path, 10 * HOUR);
    await age(oldOrphan.path, 2 * HOUR);
    const dir = join(store.root, 'ab');
    await mkdir(dir, { recursive: true });
    const staleTemp = join(dir, `.tmp-${'ab'.padEnd(64, '0')}.wav.1.x`);
    const freshTemp = join(dir, `.tmp-${'ab'.padEnd(64, '1')}.wav.1.y`);
    await writeFile(staleTemp, 'partial');
    await writeFile(freshTemp, 'being written');
    await age(staleTemp, 2 * HOUR);

    const result = await store.sweep(new Set([live.sha256]));
    expect(result.removed).toEqual([`${oldOrphan.sha256}.wav`]);
    expect(result.temps).toEqual([staleTemp.split('/').at(-1)]);
    expect(result.bytesFreed).toBe(bytesOf('old orphan').length + 'partial'.length);
    expect(await store.has(live.sha256, 'wav')).toBe(true);
    expect(await store.has(youngOrphan.sha256, 'wav')).toBe(true);
    expect(await allFiles()).toContain(freshTemp.split('/').at(-1));
  });
});

describe('crash safety', () => {
  it('a partial write is only ever a temp file, invisible to readers and removed by sweep', async () => {
    const data = bytesOf('complete content');
    const path = store.path(sha(data), 'mp3');
    await mkdir(join(path, '..'), { recursive: true });
    const temp = join(path, '..', `.tmp-${sha(data)}.mp3.999.dead`);
    await writeFile(temp, data.subarray(0, 5)); // what a crash mid-write leaves
    expect(await store.has(sha(data), 'mp3')).toBe(false);
    expect(await store.list()).toEqual([]);
    await store.put(data, 'mp3'); // a retry writes the whole file beside it
    expect(await store.read(sha(data), 'mp3', { verify: true })).toEqual(data);
    await age(temp, 2 * HOUR);
    expect((await store.sweep(new Set([sha(data)]))).temps).toHaveLength(1);
    expect(await allFiles()).toEqual([`${sha(data)}.mp3`]);
  });

  it('killing a process in the middle of put leaves no partial final file', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'put-child.ts'), dataDir, '192'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const expected = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /writing ([0-9a-f]{64})/.exec(chunk.toString());
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => code !== null && code !== 0 && reject(new Error(`child failed (${code}): ${stderr}`)));
    });
    // Kill it as soon as its temp file has data: in the middle of writing.
    const dir = join(store.root, expected.slice(0, 2));
    let temp: string | undefined;
    for (let i = 0; i < 5000 && !temp; i++) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name.startsWith('.tmp-') && (await stat(join(dir, name)).catch(() => null))?.size) temp = name;
      }
      if (!temp) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    child.kill('SIGKILL');
    await exited;
    expect(temp).toBeDefined();
    const final = store.path(expected, 'wav');
    const finalStat = await stat(final).catch(() => null);
    // Either the rename never happened, or the whole file is there: never a partial final file.
    if (finalStat) expect(sha(new Uint8Array(await readFile(final)))).toBe(expected);
    else expect(await allFiles()).toContain(temp); // the partial write is only a temp file
    const result = await store.sweep(new Set([expected]), { tempMaxAgeMs: 0 });
    expect((await allFiles()).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await store.has(expected, 'wav')).toBe(finalStat !== null);
    expect(result.removed).toEqual([]);
  }, 30_000);
});

describe('ArtifactStore.enforceBudget', () => {
  const DAY = 86_400_000;

  it('drops songs past retention and oldest-first over budget, records before files, sharing respected', async () => {
    const now = Date.now();
    const big = new Uint8Array(600_000).fill(1); // 0.57 MiB
    const a = await store.put(big, 'wav');
    const shared = await store.put(bytesOf('shared waveform'), 'png');
    const b = await store.put(new Uint8Array(600_000).fill(2), 'wav');
    const c = await store.put(new Uint8Array(600_000).fill(3), 'wav');
    const songs: BudgetSong[] = [
      { id: 'old', createdAt: now - 40 * DAY, artifacts: { wav: { sha256: a.sha256 }, waveform: { sha256: shared.sha256 } } },
      { id: 'mid', createdAt: now - 2 * DAY, artifacts: { wav: { sha256: b.sha256 }, waveform: { sha256: shared.sha256 } } },
      { id: 'new', createdAt: now - 1000, artifacts: { wav: { sha256: c.sha256 } } },
    ];
    const calls: string[][] = [];
    const plan = await store.enforceBudget({ retentionDays: 30, diskBudgetMb: 1 }, songs, async (ids) => {
      calls.push(ids);
      expect(await store.has(a.sha256, 'wav')).toBe(true); // files still there while records go
    }, { now });
    expect(calls).toEqual([['old', 'mid']]);
    expect(plan.songIds).toEqual(['old', 'mid']);
    expect(plan.sha256s.sort()).toEqual([a.sha256, b.sha256, shared.sha256].sort());
    expect(plan.bytesKept).toBe(600_000);
    expect(await store.list()).toEqual([expect.objectContaining({ sha256: c.sha256 })]);
  });

  it('leaves files alone when the records cannot be dropped, and does nothing within limits', async () => {
    const a = await store.put(bytesOf('x'.repeat(1000)), 'wav');
    const songs = [{ id: 's', createdAt: 0, artifacts: { wav: { sha256: a.sha256 } } }];
    await expect(store.enforceBudget({ retentionDays: 1, diskBudgetMb: 0 }, songs, async () => { throw new Error('store down'); })).rejects.toThrow('store down');
    expect(await store.has(a.sha256, 'wav')).toBe(true);
    let called = false;
    const plan = await store.enforceBudget({ retentionDays: 0, diskBudgetMb: 0 }, songs, async () => { called = true; });
    expect(plan.songIds).toEqual([]);
    expect(called).toBe(false);
  });
});
