import { describe, expect, it } from 'vitest';

import { AcejamError } from '../../../src/engine/errors.js';
import { crossfadeRamps, latentWindowPlan, vocoderWindowPlan, type LatentWindow, type VocoderWindow } from '../../../src/engine/audio/windows.js';

/**
 * Every index in [0, total) is kept by exactly one window: the kept parts are non-empty, start at 0,
 * each begins where the previous ended, and the last ends at `total`; each lies inside its window
 * (window bounds times `scale`, e.g. 512 samples per mel frame).
 */
function expectTiling(plan: readonly (LatentWindow | VocoderWindow)[], total: number, scale = 1): void {
  expect(plan.length).toBeGreaterThan(0);
  expect(plan[0]!.keepStart).toBe(0);
  expect(plan.at(-1)!.keepEnd).toBe(total);
  plan.forEach((w, i) => {
    expect(w.keepEnd).toBeGreaterThan(w.keepStart);
    expect(w.keepStart).toBeGreaterThanOrEqual(w.start * scale);
    expect(w.keepEnd).toBeLessThanOrEqual(w.end * scale);
    if (i > 0) expect(w.keepStart).toBe(plan[i - 1]!.keepEnd);
  });
}

describe('latentWindowPlan (spec §5.2 DCAE windows)', () => {
  it('reproduces upstream decode_overlap for W = 512: windows every 256 frames, 128 trimmed at inner edges', () => {
    // 60 s → 645 frames: anchors 128, 384 → windows [0, 512) and [256, 645).
    expect(latentWindowPlan(645)).toEqual([
      { start: 0, end: 512, keepStart: 0, keepEnd: 384 },
      { start: 256, end: 645, keepStart: 384, keepEnd: 645 },
    ]);
    // 240 s → 2583 frames: anchors 128 … 2432 (10 windows), the last [2304, 2583).
    const long = latentWindowPlan(2583);
    expect(long).toHaveLength(10);
    expect(long[1]).toEqual({ start: 256, end: 768, keepStart: 384, keepEnd: 640 });
    expect(long[9]).toEqual({ start: 2304, end: 2583, keepStart: 2432, keepEnd: 2583 });
    expectTiling(long, 2583);
    // Up to one window: a single call that keeps everything.
    expect(latentWindowPlan(512)).toEqual([{ start: 0, end: 512, keepStart: 0, keepEnd: 512 }]);
    expect(latentWindowPlan(1)).toEqual([{ start: 0, end: 1, keepStart: 0, keepEnd: 1 }]);
    expect(latentWindowPlan(0)).toEqual([]);
  });

  it('tiles every length exactly once for several window sizes; windows never exceed W and are > W/2', () => {
    for (const window of [4, 8, 16, 20, 512]) {
      for (let frames = 1; frames <= 3 * window + 7; frames++) {
        const plan = latentWindowPlan(frames, window);
        expectTiling(plan, frames);
        for (const w of plan) {
          expect(w.end - w.start).toBeLessThanOrEqual(window);
          if (plan.length > 1) expect(w.end - w.start).toBeGreaterThan(window / 2);
          // Inner edges are trimmed by W/4: a kept frame is ≥ W/4 from any edge that is not the signal's.
          if (w.start > 0) expect(w.keepStart - w.start).toBe(window / 4);
          if (w.end < frames) expect(w.end - w.keepEnd).toBe(window / 4);
        }
      }
    }
  });

  it('rejects windows that are not a positive multiple of 4', () => {
    expect(() => latentWindowPlan(10, 6)).toThrow(AcejamError);
    expect(() => latentWindowPlan(10, 0)).toThrow(/multiple of 4/);
    expect(() => latentWindowPlan(-1)).toThrow(/non-negative/);
  });
});

describe('vocoderWindowPlan (spec §5.2 vocoder windows)', () => {
  it("uses upstream's geometry at the defaults: 262,144-sample windows, seams every 260,096 samples, 1024 in", () => {
    const melFrames = 8 * 2583;
    const plan = vocoderWindowPlan(melFrames);
    expect(plan[0]).toEqual({ start: 0, end: 512, keepStart: 0, keepEnd: 262_144 - 1024, crossfade: 0 });
    expect(plan[1]).toEqual({ start: 508, end: 1020, keepStart: 261_120, keepEnd: 261_120 + 260_096, crossfade: 128 });
    expect(plan[2]!.start).toBe(1016);
    expectTiling(plan, melFrames * 512, 512);
    // The last window is moved back to end at the mel's end instead of being zero-padded.
    const last = plan.at(-1)!;
    expect(last.end).toBe(melFrames);
    expect(last.end - last.start).toBe(512);
    expect(last.keepEnd).toBe(melFrames * 512);
    for (const w of plan) expect(w.end - w.start).toBe(512);
  });

  it('is one exact call for inputs up to one window', () => {
    expect(vocoderWindowPlan(512)).toEqual([{ start: 0, end: 512, keepStart: 0, keepEnd: 262_144, crossfade: 0 }]);
    expect(vocoderWindowPlan(8)).toEqual([{ start: 0, end: 8, keepStart: 0, keepEnd: 4096, crossfade: 0 }]);
    expect(vocoderWindowPlan(0)).toEqual([]);
  });

  it('tiles every sample exactly once, keeps seams O samples inside the incoming window and the cross-fade inside both', () => {
    for (const options of [
      { window: 8, overlap: 1024, crossfade: 128 },
      { window: 16, overlap: 512, crossfade: 512 },
      { window: 5, overlap: 256, crossfade: 1 },
      { window: 64, overlap: 12_800, crossfade: 128 },
      { window: 6, overlap: 0, crossfade: 0 },
    ]) {
      for (let melFrames = 1; melFrames <= 5 * options.window + 3; melFrames++) {
        const plan = vocoderWindowPlan(melFrames, options);
        expectTiling(plan, melFrames * 512, 512);
        plan.forEach((w, i) => {
          expect(w.end).toBeLessThanOrEqual(melFrames);
          expect(w.end - w.start).toBe(Math.min(options.window, melFrames));
          if (i === 0) {
            expect(w.crossfade).toBe(0);
            return;
          }
          expect(w.crossfade).toBe(options.crossfade);
          // The incoming window starts at least O samples before its seam (more when moved back at the end)…
          expect(w.keepStart - w.start * 512).toBeGreaterThanOrEqual(options.overlap);
          // …and the outgoing one runs at least O samples past it, unless it ends at the mel's end.
          const previous = plan[i - 1]!;
          if (previous.end < melFrames) expect(previous.end * 512 - previous.keepEnd).toBeGreaterThanOrEqual(options.overlap);
          // The cross-fade region lies inside the incoming window and inside the outgoing kept part.
          expect(w.keepStart - w.crossfade).toBeGreaterThanOrEqual(w.start * 512);
          expect(w.keepStart - w.crossfade).toBeGreaterThanOrEqual(previous.keepStart);
        });
      }
    }
  });

  it('rejects geometry that leaves no hop, an overlap off the frame grid, or a cross-fade longer than the overlap', () => {
    expect(() => vocoderWindowPlan(100, { window: 4, overlap: 1024 })).toThrow(/leaves no hop/);
    expect(() => vocoderWindowPlan(100, { window: 8, overlap: 1000 })).toThrow(/multiple of 256/);
    expect(() => vocoderWindowPlan(100, { window: 8, overlap: 256, crossfade: 300 })).toThrow(/cross-fade/);
  });
});

describe('crossfadeRamps', () => {
  it("are upstream's linspace ramps and sum to 1 at every sample", () => {
    const { fadeOut, fadeIn } = crossfadeRamps(128);
    expect(fadeIn[0]).toBe(0);
    expect(fadeIn[127]).toBe(1);
    expect(fadeOut[0]).toBe(1);
    expect(fadeOut[127]).toBe(0);
    expect(fadeIn[64]).toBeCloseTo(64 / 127, 7);
    for (let i = 0; i < 128; i++) expect(Math.abs(fadeIn[i]! + fadeOut[i]! - 1)).toBeLessThan(1e-7);
    for (let i = 1; i < 128; i++) expect(fadeIn[i]!).toBeGreaterThan(fadeIn[i - 1]!);
    expect(Array.from(crossfadeRamps(1).fadeOut)).toEqual([1]);
    expect(crossfadeRamps(0).fadeIn.length).toBe(0);
  });
});
