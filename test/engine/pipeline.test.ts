/**
 * Every task mode end to end on the tiny pack, through real onnxruntime-node sessions: shapes, sample
 * rate, finiteness, determinism and the exactness properties of spec §3.
 */
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { CancelledError, Engine, InvalidInputError, type ProgressEvent, type RunResult } from '../../src/engine/index.js';
import { createLogger } from '../../src/engine/logger.js';
import { framesOf } from '../../src/engine/tasks/plan.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');
const STEPS = 6;
const SECONDS = 3;
const base = { tags: 'lofi, piano, chill', lyrics: '[verse]\nsing with me tonight\n\n[chorus]\nlight up the sky', steps: STEPS };

let engine: Engine;

beforeAll(async () => {
  const config = loadConfig({ env: { ACEJAM_PACK: TINY, ACEJAM_LOG_LEVEL: 'silent' } });
  engine = await Engine.open(config, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  await engine.close();
});

function expectAudio(result: RunResult, frames: number, items = 1) {
  expect(result.sampleRate).toBe(48000);
  expect(result.audio).toHaveLength(items);
  for (const channels of result.audio) {
    expect(channels).toHaveLength(2);
    // 4096·T samples at 44.1 kHz, then ceil(4096·T·160/147) at 48 kHz (spec §13).
    for (const channel of channels) {
      expect(channel.length).toBe(Math.ceil((4096 * frames * 160) / 147));
      expect(channel.every(Number.isFinite)).toBe(true);
    }
  }
  expect(result.frames).toBe(frames);
  expect(result.latent.length).toBe(items * 128 * frames);
}

const equalBytes = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('text2music', () => {
  let first: RunResult;
  beforeAll(async () => {
    first = await engine.run({ task: 'text2music', ...base, duration: SECONDS, seeds: [42] });
  });

  it('makes stereo 48 kHz audio of the requested length', () => {
    expectAudio(first, framesOf(SECONDS));
    expect(first.seeds).toEqual([42]);
    expect(first.request.task).toBe('text2music');
  });

  it('is bit-identical for the same seed and differs for another', async () => {
    const again = await engine.run({ task: 'text2music', ...base, duration: SECONDS, seeds: [42] });
    expect(equalBytes(again.audio[0]![0]!, first.audio[0]![0]!)).toBe(true);
    expect(equalBytes(again.latent, first.latent)).toBe(true);
    const other = await engine.run({ task: 'text2music', ...base, duration: SECONDS, seeds: [43] });
    expect(equalBytes(other.latent, first.latent)).toBe(false);
  });

  it('reports a drawn seed when none is given, and consecutive seeds for a batch', async () => {
    const result = await engine.run({ task: 'text2music', ...base, duration: 1, steps: 2, batch: 2, seeds: [7] });
    expect(result.seeds).toEqual([7, 8]);
    expectAudio(result, framesOf(1), 2);
    const drawn = await engine.run({ task: 'text2music', ...base, duration: 1, steps: 2 });
    expect(drawn.seeds[0]).toBeGreaterThanOrEqual(0);
    expect(drawn.seeds[0]).toBeLessThan(2 ** 32);
  });

  it('makes one DiT call per step, guided or not (cond and uncond batched)', async () => {
    const result = await engine.run({ task: 'text2music', ...base, duration: 1, steps: 12, seeds: [1] });
    expect(result.ditCalls).toBe(12);
    const double = await engine.run({ task: 'text2music', ...base, duration: 1, steps: 12, seeds: [1], guidanceScaleText: 5, guidanceScaleLyric: 1.5 });
    expect(double.ditCalls).toBe(12);
  });

  it('runs every scheduler and guidance type', async () => {
    for (const variant of [
      { scheduler: 'heun' },
      { scheduler: 'pingpong' },
      { cfgType: 'cfg' },
      { cfgType: 'cfg_star' },
      { ergLyric: true },
      { ossSteps: [2, 5, 9] },
    ]) {
      const result = await engine.run({ task: 'text2music', ...base, duration: 1, seeds: [3], ...variant });
      expectAudio(result, framesOf(1));
    }
    const heun = await engine.run({ task: 'text2music', ...base, duration: 1, steps: 6, seeds: [3], scheduler: 'heun' });
    expect(heun.ditCalls).toBe(11); // 2N − 1 (spec §2.1)
  });

  it('emits progress at least once per step, with stages in order', async () => {
    const events: ProgressEvent[] = [];
    await engine.run({ task: 'text2music', ...base, duration: 1, seeds: [1] }, { onProgress: (event) => events.push(event) });
    const diffuse = events.filter((e) => e.stage === 'diffuse' && e.step > 0);
    expect(diffuse.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(diffuse.at(-1)!.etaSeconds).toBe(0);
    const order = [...new Set(events.map((e) => e.stage))];
    expect(order).toEqual(['tokenize', 'encode', 'diffuse', 'decode']);
    expect(events.at(-1)!.percent).toBe(100);
  });

  it('stops between steps when aborted', async () => {
    const controller = new AbortController();
    const run = engine.run({ task: 'text2music', ...base, duration: 1, steps: 50, seeds: [1] }, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.stage === 'diffuse' && event.step === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    // The engine is still usable afterwards.
    expectAudio(await engine.run({ task: 'text2music', ...base, duration: 1, steps: 2, seeds: [1] }), framesOf(1));
  });

  it('takes the initial noise from the caller for number-for-number comparisons', async () => {
    const frames = framesOf(1);
    const init = Float32Array.from({ length: 128 * frames }, (_, i) => Math.sin(i));
    const a = await engine.run({ task: 'text2music', ...base, duration: 1, seeds: [1] }, { noise: { init } });
    const b = await engine.run({ task: 'text2music', ...base, duration: 1, seeds: [999] }, { noise: { init } });
    expect(equalBytes(a.latent, b.latent)).toBe(true);
  });

  it('rejects bad input with typed errors before any work', async () => {
    await expect(engine.run({ task: 'text2music', ...base, duration: -1 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(engine.run({ task: 'text2music', ...base, scheduler: 'ddim' })).rejects.toThrow(/scheduler/);
    await expect(engine.run({ task: 'text2music', ...base, tags: 'pop '.repeat(300) })).rejects.toThrow(/tags: is \d+ tokens; the limit is 256/);
  });
});

describe('retake', () => {
  it('at variance 0 reproduces the original exactly; above 0 it differs', async () => {
    const original = await engine.run({ task: 'text2music', ...base, duration: SECONDS, seeds: [11] });
    const same = await engine.run({ task: 'retake', ...base, duration: SECONDS, seeds: [11], retakeSeeds: [5], variance: 0 });
    expect(equalBytes(same.latent, original.latent)).toBe(true);
    const varied = await engine.run({ task: 'retake', ...base, duration: SECONDS, seeds: [11], retakeSeeds: [5], variance: 0.5 });
    expect(equalBytes(varied.latent, original.latent)).toBe(false);
    expect(varied.retakeSeeds).toEqual([5]);
    expectAudio(varied, framesOf(SECONDS));
  });
});

describe('repaint', () => {
  it('keeps every frame outside the range exactly equal to the source latent', async () => {
    const source = await engine.run({ task: 'text2music', ...base, duration: SECONDS, seeds: [21] });
    const frames = source.frames;
    const result = await engine.run({
      task: 'repaint', ...base, seeds: [21], retakeSeeds: [22], start: 1, end: 2, variance: 0.7,
      source: { kind: 'latent', latent: source.latent, frames },
    });
    expectAudio(result, frames);
    const [a, b] = [framesOf(1), framesOf(2)];
    let insideDiffers = false;
    for (let row = 0; row < 128; row++) {
      for (let t = 0; t < frames; t++) {
        const i = row * frames + t;
        if (t < a || t >= b) expect(result.latent[i]).toBe(source.latent[i]);
        else if (result.latent[i] !== source.latent[i]) insideDiffers = true;
      }
    }
    expect(insideDiffers).toBe(true);
  });

  it('encodes uploaded audio as the source', async () => {
    const sampleRate = 44100;
    const tone = Float32Array.from({ length: sampleRate * 2 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
    const result = await engine.run({ task: 'repaint', ...base, seeds: [1], start: 0.5, end: 1, source: { kind: 'audio', channels: [tone], sampleRate } });
    expectAudio(result, Math.ceil((2 * sampleRate) / 4096));
  });

  it('refuses a range past the end of the source', async () => {
    const latent = new Float32Array(128 * 20);
    await expect(engine.run({ task: 'repaint', ...base, start: 5, end: 6, source: { kind: 'latent', latent, frames: 20 } })).rejects.toThrow(/start: 5 s is past the end/);
  });
});

describe('extend', () => {
  it('keeps the source exactly and adds frames on both sides', async () => {
    const source = await engine.run({ task: 'text2music', ...base, duration: 2, seeds: [31] });
    const result = await engine.run({ task: 'extend', ...base, seeds: [31], left: 1, right: 1, source: { kind: 'latent', latent: source.latent, frames: source.frames } });
    const [left, right] = [framesOf(1), framesOf(1)];
    expectAudio(result, left + source.frames + right);
    for (let row = 0; row < 128; row += 7) {
      for (let t = 0; t < source.frames; t++) {
        expect(result.latent[row * result.frames + left + t]).toBe(source.latent[row * source.frames + t]);
      }
    }
  });
});

describe('edit', () => {
  it('runs both presets and keeps the source length', async () => {
    const source = await engine.run({ task: 'text2music', ...base, duration: 2, seeds: [41] });
    for (const preset of ['only_lyrics', 'remix'] as const) {
      const result = await engine.run({
        task: 'edit', ...base, preset, targetLyrics: '[verse]\ndance with me tonight', seeds: [41], retakeSeeds: [42],
        source: { kind: 'latent', latent: source.latent, frames: source.frames },
      });
      expectAudio(result, source.frames);
      expect(equalBytes(result.latent, source.latent)).toBe(false);
    }
  });
});

describe('audio2audio', () => {
  it('follows the reference more with more strength', async () => {
    const reference = await engine.run({ task: 'text2music', ...base, duration: 2, seeds: [51] });
    const source = { kind: 'latent' as const, latent: reference.latent, frames: reference.frames };
    const distance = (latent: Float32Array) => latent.reduce((sum, v, i) => sum + (v - reference.latent[i]!) ** 2, 0);
    const strong = await engine.run({ task: 'audio2audio', ...base, seeds: [52], strength: 0.9, source });
    const weak = await engine.run({ task: 'audio2audio', ...base, seeds: [52], strength: 0.1, source });
    expectAudio(strong, reference.frames);
    expect(distance(strong.latent)).toBeLessThan(distance(weak.latent));
  });
});
