import { describe, expect, it } from 'vitest';

import { decodeUpload } from '../../../../src/engine/audio/in/decode-upload.js';
import { readAudioTags } from '../../../../src/engine/audio/in/tags.js';
import { fitToLimit, type FittedFile } from '../../../../src/engine/audio/out/fit.js';
import { recipeTags } from '../../../../src/engine/audio/out/tags.js';
import { noise, sine } from './signals.js';

const MIB = 1 << 20;
const TAGS = recipeTags({ songId: 'Ab3dE5gH9k', seeds: [1], tags: 'test', pack: 'tiny' });

/** Music-like stereo: two tones plus noise, so VBR has something to spend bits on. */
function song(seconds: number, rate = 48000): Float32Array[] {
  const n = Math.round(seconds * rate);
  const a = sine(220, seconds, rate, 0.3);
  const b = sine(330, seconds, rate, 0.3);
  const hiss = noise(n, 9, 0.05);
  for (let i = 0; i < n; i++) {
    a[i]! += hiss[i]!;
    b[i]! -= hiss[i]!;
  }
  return [a, b];
}

function fitted(result: Awaited<ReturnType<typeof fitToLimit>>): FittedFile {
  if (result.link) throw new Error(`expected a file, got a link: ${result.reason}`);
  return result;
}

describe('fitToLimit', () => {
  it("fits 240 s of 48 kHz stereo in Discord's 10 MiB as MP3 at 320 kb/s, in one encode, with the recipe", async () => {
    const result = fitted(await fitToLimit(song(240), 48000, 10 * MIB, { tags: TAGS }));
    expect(result).toMatchObject({ format: 'mp3', bitrateKbps: 320, ext: 'mp3', mime: 'audio/mpeg', encodes: 1 });
    expect(result.data.length).toBeLessThanOrEqual(10 * MIB);
    expect(readAudioTags(result.data)).toEqual(TAGS);
  });

  it('walks the ladder down by prediction, without encoding the sizes that cannot fit', async () => {
    const audio = song(30);
    const mp3 = fitted(await fitToLimit(audio, 48000, 500_000));
    expect(mp3).toMatchObject({ format: 'mp3', bitrateKbps: 128, encodes: 1 });
    const opus = fitted(await fitToLimit(audio, 48000, 200_000));
    expect(opus).toMatchObject({ format: 'opus', bitrateKbps: 48, encodes: 1 });
    expect(opus.data.length).toBeLessThanOrEqual(200_000);
    const back = await decodeUpload(opus.data, { maxBytes: MIB, maxSeconds: 240 });
    expect(back.seconds).toBeCloseTo(30, 1);
  });

  it('follows the preferred order: lossless when it fits, skipping hopeless encodes', async () => {
    const audio = song(5);
    const wav = fitted(await fitToLimit(audio, 48000, 2 * MIB, { preferred: ['wav16', 'mp3'] }));
    expect(wav).toMatchObject({ format: 'wav16', ext: 'wav', encodes: 1 });
    const flac = fitted(await fitToLimit(audio, 48000, 2 * MIB, { preferred: ['flac', 'mp3'] }));
    expect(flac.format).toBe('flac');
    // 5 s of WAV is 960 kB: it cannot fit 150 kB, nor can FLAC at 5:1 (192 kB), so the only encode is the Opus one.
    const opus = fitted(await fitToLimit(audio, 48000, 150_000, { preferred: ['wav16', 'flac', 'opus'] }));
    expect(opus).toMatchObject({ format: 'opus', bitrateKbps: 160, encodes: 1 });
  });

  it('is always under the limit or a link, over a range of limits', async () => {
    const audio = song(10);
    for (const limit of [10_000, 45_000, 75_000, 150_000, 350_000, MIB, 3 * MIB]) {
      for (const preferred of [['mp3', 'opus'], ['opus'], ['flac', 'mp3']] as const) {
        const result = await fitToLimit(audio, 48000, limit, { preferred });
        if (result.link) expect(result.reason).toMatch(/does not fit/);
        else expect(result.data.length).toBeLessThanOrEqual(limit);
      }
    }
  });

  it('answers with a link and the reason when nothing fits, after no encode at all', async () => {
    const result = await fitToLimit(song(60), 48000, 100_000);
    expect(result.link).toBe(true);
    if (!result.link) return;
    expect(result.encodes).toBe(0);
    expect(result.reason).toMatch(/60\.0 s of audio does not fit in 98 KiB as mp3 or opus; the smallest, opus at 48 kb\/s, needs/);
  });

  it('refuses a bad limit or an empty preference list', async () => {
    await expect(fitToLimit(song(1), 48000, 0)).rejects.toThrow(/limitBytes/);
    await expect(fitToLimit(song(1), 48000, 1000, { preferred: [] })).rejects.toThrow(/preferred/);
  });
});
