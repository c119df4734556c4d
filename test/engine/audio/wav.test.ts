import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AcejamError } from '../../../src/engine/errors.js';
import { readAudio } from '../../../src/engine/audio/read.js';
import { encodeWav, writeWav } from '../../../src/engine/audio/wav.js';

const ascii = (bytes: Uint8Array, at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));

describe('encodeWav / writeWav', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acejam-wav-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a canonical 16-bit PCM stereo header and interleaved, scaled, clipped samples', () => {
    const left = Float32Array.from([0, 0.5, -0.5, 1, -1, 2, -2, Number.NaN]);
    const right = Float32Array.from([0.25, 0, 0, 0, 0, 0, 0, 1 / 32768]);
    const bytes = encodeWav([left, right], 48000);
    expect(ascii(bytes, 0, 4)).toBe('RIFF');
    expect(ascii(bytes, 8, 4)).toBe('WAVE');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(ascii(bytes, 12, 4)).toBe('fmt ');
    expect(view.getUint16(20, true)).toBe(1); // PCM
    expect(view.getUint16(22, true)).toBe(2); // channels
    expect(view.getUint32(24, true)).toBe(48000);
    expect(view.getUint32(28, true)).toBe(48000 * 4); // byte rate
    expect(view.getUint16(34, true)).toBe(16);
    expect(ascii(bytes, 36, 4)).toBe('data');
    expect(view.getUint32(40, true)).toBe(8 * 2 * 2);
    expect(bytes.length).toBe(44 + 32);
    const samples = Array.from({ length: 16 }, (_, i) => view.getInt16(44 + 2 * i, true));
    expect(samples).toEqual([0, 8192, 16384, 0, -16384, 0, 32767, 0, -32768, 0, 32767, 0, -32768, 0, 0, 1]);
  });

  it('round-trips through readAudio: 16-bit within half a step, 24-bit, and float32 exactly', async () => {
    const n = 4410;
    const left = Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin((2 * Math.PI * 440 * i) / 44100));
    const right = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.cos((2 * Math.PI * 1234 * i) / 44100));
    for (const [bits, tolerance] of [[16, 0.5 / 32768 + 1e-9], [24, 0.5 / 8388608 + 1e-9], [32, 0]] as const) {
      const path = join(dir, `x${bits}.wav`);
      await writeWav(path, [left, right], 44100, bits);
      const back = await readAudio(path);
      expect(back.sampleRate).toBe(44100);
      expect(back.channels).toHaveLength(2);
      for (const [c, source] of [left, right].entries()) {
        const got = back.channels[c]!;
        expect(got.length).toBe(n);
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i]! - source[i]!));
        expect(worst).toBeLessThanOrEqual(tolerance);
      }
      if (bits === 32) {
        const bytes = new Uint8Array(await readFile(path));
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        expect(view.getUint16(20, true)).toBe(3); // IEEE float
        expect(view.getUint32(16, true)).toBe(18); // fmt with cbSize
        expect(ascii(bytes, 38, 4)).toBe('fact');
        expect(view.getUint32(46, true)).toBe(n); // sample frames
        expect(ascii(bytes, 50, 4)).toBe('data');
        expect(bytes.length).toBe(58 + n * 8);
      }
      if (bits === 24) expect(new Uint8Array(await readFile(path)).length).toBe(44 + n * 6);
    }
  });

  it('writes mono, and rejects bad input naming the problem', async () => {
    const mono = encodeWav([Float32Array.from([0.5, -0.25])], 22050);
    const back = await readAudio(mono);
    expect(back.channels).toHaveLength(1);
    expect(Array.from(back.channels[0]!)).toEqual([0.5, -0.25]);
    expect(back.sampleRate).toBe(22050);
    expect(() => encodeWav([], 44100)).toThrow(AcejamError);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], 44100)).toThrow(/differ in length \(2, 3\)/);
    expect(() => encodeWav([new Float32Array(2)], 44100, 8 as 16)).toThrow(/bit depth must be 16, 24 or 32/);
  });
});
