import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { encodeAudio, encodedFrames, type EncodeGraphs } from '../../../src/engine/audio/encode.js';
import { logMel, melTablesFrom, type MelTables } from '../../../src/engine/audio/mel.js';
import { readAudio } from '../../../src/engine/audio/read.js';
import { resample } from '../../../src/engine/audio/resample.js';
import { latentWindowPlan } from '../../../src/engine/audio/windows.js';
import { AcejamError } from '../../../src/engine/errors.js';
import { readPack } from '../../../src/engine/models/pack.js';
import { createSession, type Session } from '../../../src/engine/runtime/ort.js';
import { readSafetensors } from '../../../src/engine/safetensors.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');
const TRACK = '/work/shared/data/acestep-v1/test_track_001.mp3';

function noise(length: number, seed: number, amplitude = 0.3): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length }, (_, i) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return amplitude * ((state / 4294967296 - 0.5) + 0.5 * Math.sin(i / 30));
  });
}

let tables: MelTables;
beforeAll(async () => {
  tables = melTablesFrom(await readSafetensors(resolve(TINY, 'mel_filterbank.safetensors')));
});

/**
 * A mock encoder local in time (latent frame t depends only on mel frames 8t … 8t+7), carrying the
 * absolute position through: it poisons with NaN the `trim` latent frames a correct plan drops at inner
 * window edges. Channel 0, bin 127, first frame holds the window's absolute start (set by the caller).
 */
function localEncoder(totalFrames: number, trim: number): EncodeGraphs & { calls: number } {
  const graphs = {
    calls: 0,
    async dcaeEncoder(mel: Float32Array, batch: number, tm: number) {
      graphs.calls += 1;
      expect(batch).toBe(1);
      expect(tm % 8).toBe(0);
      const t = tm / 8;
      const out = new Float32Array(128 * t);
      const start = Math.round(mel[127 * tm]!); // absolute latent frame of this window's start (see marker below)
      for (let row = 0; row < 128; row++) {
        for (let j = 0; j < t; j++) {
          let acc = 0;
          for (let k = 0; k < 8; k++) acc += mel[((row % 2) * 128 + (row % 127)) * tm + 8 * j + k]!;
          const inner = (start > 0 && j < trim) || (start + t < totalFrames && j >= t - trim);
          out[row * t + j] = inner ? Number.NaN : acc / 8 + row;
        }
      }
      return out;
    },
  };
  return graphs;
}

describe('encodedFrames', () => {
  it('is ceil(L·44100/sr/4096)', () => {
    expect(encodedFrames(4096, 44100)).toBe(1);
    expect(encodedFrames(4097, 44100)).toBe(2);
    expect(encodedFrames(48000 * 30, 48000)).toBe(Math.ceil((48000 * 30 * 44100) / 48000 / 4096));
    expect(encodedFrames(48000 * 30, 48000)).toBe(323);
    for (const [length, rate] of [[1, 8000], [12345, 22050], [96000, 96000], [44100 * 60, 44100], [4458, 48000], [4459, 48000]] as const) {
      expect(encodedFrames(length, rate)).toBe(Math.ceil((length * 44100) / rate / 4096 - 1e-12));
    }
  });
});

describe('encodeAudio with a local mock encoder (window plumbing)', () => {
  it('windowed encoding reproduces the one-call encoding exactly and never uses trimmed frames', async () => {
    const left = noise(44100 * 3, 1);
    const right = noise(44100 * 3, 2);
    const frames = encodedFrames(left.length, 44100); // 33
    // The mock learns each window's absolute start from a marker the wrapper writes into channel 0,
    // bin 127, first frame (a value the mock never reads otherwise), taken from the plan in call order.
    const plan = latentWindowPlan(frames, 8);
    const wrap = (inner: EncodeGraphs & { calls: number }, starts: number[]): EncodeGraphs => ({
      async dcaeEncoder(mel, b, tm) {
        const marked = mel.slice();
        marked[127 * tm] = starts[inner.calls] ?? 0;
        return inner.dcaeEncoder(marked, b, tm);
      },
    });
    const single = localEncoder(frames, 0);
    const direct = await encodeAudio([left, right], 44100, wrap(single, [0]), tables, { latentWindow: 1024 });
    expect(single.calls).toBe(1);
    const windowed = localEncoder(frames, 2);
    const out = await encodeAudio([left, right], 44100, wrap(windowed, plan.map((w) => w.start)), tables, { latentWindow: 8 });
    expect(windowed.calls).toBe(plan.length);
    expect(out.frames).toBe(frames);
    let worst = 0;
    for (let i = 0; i < out.latent.length; i++) {
      worst = Math.max(worst, Math.abs(out.latent[i]! - direct.latent[i]!));
    }
    expect(worst).toBeLessThan(1e-5); // NaN would fail here
  });

  it('rejects bad channel layouts and empty audio', async () => {
    const graphs = localEncoder(1, 0);
    await expect(encodeAudio([], 44100, graphs, tables)).rejects.toThrow(/1 or 2 channels, got 0/);
    await expect(encodeAudio([new Float32Array(5000), new Float32Array(5000), new Float32Array(5000)], 44100, graphs, tables)).rejects.toThrow(AcejamError);
    await expect(encodeAudio([new Float32Array(5000), new Float32Array(4000)], 44100, graphs, tables)).rejects.toThrow(/differ in length/);
    await expect(encodeAudio([new Float32Array(0)], 44100, graphs, tables)).rejects.toThrow(/no samples/);
  });
});

describe('encodeAudio on the tiny pack', () => {
  let encoder: Session;
  let graphs: EncodeGraphs;
  beforeAll(async () => {
    const pack = await readPack(TINY);
    encoder = await createSession(pack.graphFile('dcae_encoder', 'fp32'), { provider: 'cpu' });
    graphs = {
      dcaeEncoder: async (mel, b, tm) => (await encoder.run({ mel: { dtype: 'float32', dims: [b, 2, 128, tm], data: mel } })).latents!.data as Float32Array,
    };
  });
  afterAll(async () => {
    await encoder?.release();
  });

  it('gives [1, 8, 16, ceil(L·44100/sr/4096)] and equals the spec §1.7 steps done by hand', async () => {
    const rate = 48000;
    const left = noise(72_000, 3);
    const right = noise(72_000, 4);
    const { latent, frames } = await encodeAudio([left, right], rate, graphs, tables);
    expect(frames).toBe(Math.ceil((72_000 * 44100) / rate / 4096)); // 17
    expect(frames).toBe(17);
    expect(latent.length).toBe(8 * 16 * frames);
    expect(latent.every(Number.isFinite)).toBe(true);
    // By hand: resample, right-pad to 17·4096, log-mel each channel, one encoder call.
    const mels = [left, right].map((c) => {
      const padded = new Float32Array(17 * 4096);
      padded.set(resample(c, rate, 44100));
      return logMel(padded, tables);
    });
    const image = new Float32Array(2 * 128 * 136);
    image.set(mels[0]!, 0);
    image.set(mels[1]!, 128 * 136);
    const expected = await graphs.dcaeEncoder(image, 1, 136);
    expect(Array.from(latent)).toEqual(Array.from(expected));
  });

  it('duplicates mono to stereo', async () => {
    const mono = noise(30_000, 5);
    const a = await encodeAudio([mono], 22050, graphs, tables);
    const b = await encodeAudio([mono, mono], 22050, graphs, tables);
    expect(a.frames).toBe(Math.ceil((30_000 * 2) / 4096)); // 15
    expect(Array.from(a.latent)).toEqual(Array.from(b.latent));
  });

  it('windowed encoding stays close to one call (the encoder attends across its window)', async () => {
    const left = noise(44100 * 6, 6);
    const right = noise(44100 * 6, 7);
    const one = await encodeAudio([left, right], 44100, graphs, tables, { latentWindow: 1024 });
    const windowed = await encodeAudio([left, right], 44100, graphs, tables, { latentWindow: 16 });
    expect(windowed.frames).toBe(one.frames);
    expect(one.frames).toBe(65);
    let err = 0;
    let ref = 0;
    for (let i = 0; i < one.latent.length; i++) {
      err += (windowed.latent[i]! - one.latent[i]!) ** 2;
      ref += one.latent[i]! ** 2;
    }
    const relative = Math.sqrt(err / ref);
    expect(relative).toBeGreaterThan(0); // windows really were used
    // Measured ≈ 2.9 % with 16-frame windows (4 trimmed at inner edges): the convolutions are exact after
    // the trim; the rest is the EfficientViT linear attention seeing a window. A misplaced frame or an
    // untrimmed edge gives ≈ 20 % (measured).
    expect(relative).toBeLessThan(0.05);
  });

  it.skipIf(!existsSync(TRACK))('encodes the 60 s MP3 test track end to end', async () => {
    const audio = await readAudio(TRACK);
    const { latent, frames } = await encodeAudio(audio.channels, audio.sampleRate, graphs, tables);
    expect(frames).toBe(Math.ceil((audio.channels[0]!.length * 44100) / audio.sampleRate / 4096));
    expect(frames).toBeGreaterThan(590);
    expect(frames).toBeLessThan(700);
    expect(latent.length).toBe(128 * frames);
    expect(latent.every(Number.isFinite)).toBe(true);
    // Not constant: music gives varying latents.
    let min = Infinity;
    let max = -Infinity;
    for (const v of latent) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(max - min).toBeGreaterThan(0.1);
  });
});
