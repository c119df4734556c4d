/** The acejam CLI as a user runs it: a real process on the tiny pack. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';

import { readNpy, writeNpy } from '../../src/engine/audio/npy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'acejam-cli-'));
let songId = '';
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function acejam(...args: string[]) {
  const done = spawnSync(process.execPath, [join(ROOT, 'bin/acejam.js'), ...args], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, ACEJAM_PACK: join(ROOT, 'models/tiny'), ACEJAM_LOG_LEVEL: 'warn', ACEJAM_DATA_DIR: join(scratch, 'data') },
    timeout: 120_000,
  });
  return { code: done.status, stdout: done.stdout, stderr: done.stderr };
}

function readWav(path: string) {
  const wav = new wavefile.WaveFile(readFileSync(path));
  const fmt = wav.fmt as { sampleRate: number; numChannels: number; bitsPerSample: number };
  const samples = (wav.getSamples(false, Float64Array) as unknown as Float64Array[])[0]!.length;
  return { sampleRate: fmt.sampleRate, channels: fmt.numChannels, bits: fmt.bitsPerSample, samples };
}

describe('acejam compose', () => {
  it('writes a 30 s stereo 48 kHz WAV, stores the song and reports it as JSON', () => {
    const out = join(scratch, 'song.wav');
    const run = acejam('compose', '--tags', 'lofi, piano', '--duration', '30', '--steps', '4', '--seed', '1234', '--out', out, '--json', '--latent-out', join(scratch, 'song.npy'));
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { songId: string; parentId: string | null; seeds: number[]; sampleRate: number; file: string; request: Record<string, unknown> };
    expect(summary.songId).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(summary.parentId).toBeNull();
    expect(summary.seeds).toEqual([1234]);
    expect(summary.file).toBe(out);
    expect(summary.request).toMatchObject({ task: 'text2music', duration: 30, steps: 4, guidanceScale: 15, scheduler: 'euler' });
    const wav = readWav(out);
    expect(wav).toMatchObject({ sampleRate: 48000, channels: 2, bits: 16 });
    expect(wav.samples).toBe(Math.ceil((4096 * 322 * 160) / 147)); // 30 s → 322 frames (spec §1.9)
    expect(readNpy(join(scratch, 'song.npy')).shape).toEqual([1, 8, 16, 322]);
    songId = summary.songId;
  });

  it('continues a stored song by id and shows the version tree', () => {
    const retake = acejam('retake', '--source', songId, '--variance', '0.3', '--retake-seed', '5', '--steps', '2', '--json', '--out', join(scratch, 'retake.wav'));
    expect(retake.code, retake.stderr).toBe(0);
    const child = JSON.parse(retake.stdout) as { songId: string; parentId: string; operation: string; retakeSeeds: number[] };
    expect(child).toMatchObject({ parentId: songId, operation: 'retake', retakeSeeds: [5] });
    const repaint = acejam('repaint', '--source', child.songId, '--start', '2', '--end', '5', '--steps', '2', '-q', '--out', join(scratch, 'repaint.flac'));
    expect(repaint.code, repaint.stderr).toBe(0);
    const grandchild = repaint.stdout.trim().split(/\s+/)[0]!;
    const tree = acejam('songs', 'tree', grandchild, '--json');
    expect(tree.code, tree.stderr).toBe(0);
    const root = JSON.parse(tree.stdout) as { song: { id: string }; children: { song: { id: string }; children: { song: { id: string } }[] }[] };
    expect(root.song.id).toBe(songId);
    expect(root.children[0]!.song.id).toBe(child.songId);
    expect(root.children[0]!.children[0]!.song.id).toBe(grandchild);
    const list = acejam('songs', 'list');
    expect(list.stdout).toContain(songId);
    const exported = acejam('songs', 'export', songId, '--format', 'mp3', '--out', join(scratch, 'export.mp3'));
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(join(scratch, 'export.mp3')).subarray(0, 3).toString()).toBe('ID3');
    expect(acejam('songs', 'show', 'ZZZZZZZZZZ').stderr).toMatch(/NOT_FOUND/);
  });

  it('is reproducible from the same seed and can take its noise from a .npy file', () => {
    const a = join(scratch, 'a.wav');
    const b = join(scratch, 'b.wav');
    expect(acejam('compose', '--tags', 'jazz', '--duration', '2', '--steps', '3', '--seed', '9', '--out', a, '-q').code).toBe(0);
    expect(acejam('compose', '--tags', 'jazz', '--duration', '2', '--steps', '3', '--seed', '9', '--out', b, '-q').code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('continues a song with every other mode from its latent', () => {
    const latent = join(scratch, 'song.npy');
    for (const args of [
      ['retake', '--duration', '30', '--seed', '1234', '--variance', '0.3'],
      ['repaint', '--source', latent, '--start', '2', '--end', '4'],
      ['extend', '--source', latent, '--right', '2'],
      ['edit', '--source', latent, '--preset', 'remix', '--target-tags', 'rock'],
      ['remix', '--source', latent, '--strength', '0.6'],
    ]) {
      const run = acejam(args[0]!, '--tags', 'lofi, piano', '--steps', '2', '--out', join(scratch, `${args[0]}.wav`), '--json', ...args.slice(1));
      expect(run.code, `${args[0]}: ${run.stderr}`).toBe(0);
      expect(readWav(join(scratch, `${args[0]}.wav`)).sampleRate).toBe(48000);
    }
  });

  it('maps an ACE-Step parameter file and names its unknown fields', () => {
    const params = join(scratch, 'params.json');
    writeFileSync(params, JSON.stringify({ prompt: 'pop, rap', lyrics: '[verse]\nhello', audio_duration: 2, infer_step: 2, guidance_scale: 15, actual_seeds: [77], sparkle: 1 }));
    const run = acejam('compose', '--params', params, '--out', join(scratch, 'p.wav'), '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('sparkle');
    expect(JSON.parse(run.stdout).seeds).toEqual([77]);
    expect(JSON.parse(run.stdout).request).toMatchObject({ tags: 'pop, rap', steps: 2 });
  });

  it('rejects bad input with a clear error and a non-zero exit, writing nothing', () => {
    const run = acejam('compose', '--tags', 'pop', '--duration=-3', '--out', join(scratch, 'bad.wav'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('duration');
    expect(run.stderr).toContain('INVALID_INPUT');
    const latent = join(scratch, 'zeros.npy');
    writeNpy(latent, new Float32Array(128 * 40), [1, 8, 16, 40]);
    const repaint = acejam('repaint', '--tags', 'pop', '--start', '2', '--end', '1', '--source', latent);
    expect(repaint.code).toBe(1);
    expect(repaint.stderr).toMatch(/end: must be greater than start/);
    expect(acejam('compose', '--bogus').code).toBe(64);
    expect(existsSync(join(scratch, 'bad.wav'))).toBe(false);
  });
});

describe('acejam info and tokenize', () => {
  it('describes the pack, provider and limits', () => {
    const run = acejam('info', '--json');
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info).toMatchObject({ provider: 'cpu', precision: 'fp32', lyricDetector: 'fallback', pack: { name: 'tiny' } });
  });

  it('shows each lyric line with its language, detector and ids', () => {
    const lyrics = join(scratch, 'lyrics.txt');
    writeFileSync(lyrics, '[verse]\nsing with me tonight\n');
    const run = acejam('tokenize', '--lyrics', lyrics, '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { lyrics: { ids: number[]; lines: { language: string; detector: string }[] } };
    expect(result.lyrics.ids[0]).toBe(261);
    expect(result.lyrics.lines[0]).toMatchObject({ language: 'en' });
  });
});
