import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../src/engine/errors.js';
import { NoiseSource } from '../../../src/engine/noise.js';
import { planAudio2Audio } from '../../../src/engine/tasks/audio2audio.js';
import { editWindow, planEdit } from '../../../src/engine/tasks/edit.js';
import { extendWindow, MAX_FRAMES, planExtend } from '../../../src/engine/tasks/extend.js';
import { framesOf, mixNoise } from '../../../src/engine/tasks/plan.js';
import { planRepaint } from '../../../src/engine/tasks/repaint.js';
import { planRetake } from '../../../src/engine/tasks/retake.js';
import { planText2Music } from '../../../src/engine/tasks/text2music.js';

const noise = (frames: number, seeds = [7], retake = [8], batch = 1) => new NoiseSource(batch, frames * 128, seeds, retake);

describe('frames (spec §1.9)', () => {
  it('truncates duration·44100/4096', () => {
    expect(framesOf(30)).toBe(322);
    expect(framesOf(60)).toBe(645);
    expect(framesOf(240)).toBe(2583);
  });
});

describe('retake (spec §3.2)', () => {
  it('variance 0 starts from exactly the original noise', () => {
    const original = planText2Music({ steps: 8, duration: 3 }, noise(framesOf(3)));
    const retake = planRetake({ steps: 8, duration: 3, variance: 0 }, noise(framesOf(3)));
    expect(retake.init).toEqual(original.init);
  });

  it('variance 1 is the fresh noise, and mixing keeps unit variance in between', () => {
    const a = new Float32Array([1, 0, 2]);
    const b = new Float32Array([0, 1, -1]);
    expect(Array.from(mixNoise(a, b, 1))).toEqual(Array.from(b).map((v, i) => Math.fround(Math.fround(Math.fround(Math.cos(Math.fround(Math.PI / 2))) * a[i]!) + v)));
    const half = mixNoise(new Float32Array([1]), new Float32Array([1]), 0.5);
    expect(half[0]).toBeCloseTo(Math.SQRT2, 6);
  });
});

describe('repaint (spec §3.3)', () => {
  it('masks frames [frames(start), frames(end)) and starts at int(N·(1 − variance))', () => {
    const frames = 100;
    const plan = planRepaint({ steps: 60, start: 2, end: 5, variance: 0.2 }, new Float32Array(128 * frames), frames, noise(frames));
    expect(plan.startStep).toBe(48);
    const masked = [...plan.frameMask.keys()].filter((i) => plan.frameMask[i] === 1);
    expect(masked[0]).toBe(framesOf(2));
    expect(masked.at(-1)).toBe(framesOf(5) - 1);
    // Outside the range the noise is ε_a untouched.
    const epsA = noise(frames).initial();
    expect(plan.z0[0]).toBe(epsA[0]);
  });

  it('refuses a start past the end of the source', () => {
    expect(() => planRepaint({ steps: 8, start: 30, end: 40, variance: 0.5 }, new Float32Array(128 * 50), 50, noise(50))).toThrow(InvalidInputError);
    expect(() => planRepaint({ steps: 8, start: 30, end: 40, variance: 0.5 }, new Float32Array(128 * 50), 50, noise(50))).toThrow(/start: 30 s is past the end/);
  });
});

describe('extend (spec §3.4, with upstream bugs fixed)', () => {
  it('pads both sides by exactly frames(left) and frames(right)', () => {
    const window = extendWindow({ left: 5, right: 10 }, 200);
    expect(window).toMatchObject({ left: framesOf(5), right: framesOf(10), frames: framesOf(5) + 200 + framesOf(10), beforeFrames: 0, afterFrames: 0 });
  });

  it('keeps the source in the middle and masks only the pads', () => {
    const sourceFrames = 20;
    const source = Float32Array.from({ length: 128 * sourceFrames }, (_, i) => i + 1);
    const window = extendWindow({ left: 1, right: 2 }, sourceFrames);
    const plan = planExtend({ steps: 10 }, window, source, 1, noise(window.frames));
    expect(plan.startStep).toBe(0);
    const left = window.left;
    for (let row = 0; row < 128; row += 37) {
      for (let t = 0; t < sourceFrames; t++) expect(plan.x0[row * window.frames + left + t]).toBe(source[row * sourceFrames + t]);
      expect(plan.x0[row * window.frames]).toBe(0);
    }
    expect(plan.frameMask.slice(0, left).every((m) => m === 1)).toBe(true);
    expect(plan.frameMask.slice(left, left + sourceFrames).every((m) => m === 0)).toBe(true);
    expect(plan.frameMask.slice(left + sourceFrames).every((m) => m === 1)).toBe(true);
  });

  it('past 240 s generates the 2583 frames next to the new material and re-attaches the rest on the time axis', () => {
    const window = extendWindow({ left: 0, right: 30 }, 2500);
    expect(window.frames).toBe(MAX_FRAMES);
    expect(window.beforeFrames).toBe(2500 + framesOf(30) - MAX_FRAMES);
    const source = Float32Array.from({ length: 128 * 2500 }, (_, i) => i % 2500);
    const plan = planExtend({ steps: 4 }, window, source, 1, noise(window.frames));
    expect(plan.reattach.beforeFrames).toBe(window.beforeFrames);
    expect(plan.reattach.before![window.beforeFrames - 1]).toBe(window.beforeFrames - 1);
    expect(plan.x0[0]).toBe(window.beforeFrames);
  });

  it('refuses both sides past 240 s, naming the limit', () => {
    expect(() => extendWindow({ left: 10, right: 10 }, 2500)).toThrow(/over 240 s: extend one side at a time/);
  });
});

describe('edit (spec §3.5)', () => {
  it('uses the UI presets and custom windows', () => {
    expect(editWindow({ steps: 60, preset: 'only_lyrics', nAvg: 1 })).toEqual({ nMin: 0.6, nMax: 1 });
    expect(editWindow({ steps: 60, preset: 'remix', nAvg: 1 })).toEqual({ nMin: 0.2, nMax: 0.4 });
    const plan = planEdit({ steps: 60, preset: 'remix', nAvg: 2 }, new Float32Array(128), 1);
    expect([plan.nMin, plan.nMax, plan.nAvg]).toEqual([12, 24, 2]);
  });
});

describe('audio2audio (spec §3.6)', () => {
  it('noises the reference to φ(1 − strength) and runs int((1 − strength)·N) steps', () => {
    const reference = new Float32Array(128 * 4).fill(1);
    const plan = planAudio2Audio({ steps: 60, strength: 0.5 }, reference, 4, noise(4));
    expect(plan.sigmas.length - 1).toBe(30);
    expect(plan.intervalSteps).toBe(30);
    expect(plan.sigmas[0]).toBeCloseTo(0.9, 2);
    const epsA = noise(4).initial();
    expect(plan.init[0]).toBeCloseTo(0.25 * 1 + 0.75 * epsA[0]!, 5);
  });
});

describe('noise', () => {
  it('reports drawn seeds, consecutive for extra batch items, and rejects wrong-sized overrides', () => {
    const source = new NoiseSource(3, 128, [10], undefined);
    expect(source.seeds).toEqual([10, 11, 12]);
    expect(source.retakeSeeds).toHaveLength(3);
    expect(() => new NoiseSource(1, 128, [1], undefined, { init: new Float32Array(5) })).toThrow(/noise.init/);
    const override = Float32Array.from({ length: 128 }, (_, i) => i);
    expect(new NoiseSource(1, 128, [1], undefined, { init: override }).initial()).toEqual(override);
  });
});
