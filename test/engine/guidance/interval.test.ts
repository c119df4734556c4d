import { describe, expect, it } from 'vitest';

import {
  guidanceActive,
  guidanceInterval,
  inGuidanceInterval,
  scaleAt,
} from '../../../src/engine/guidance/interval.js';

describe('guidanceInterval', () => {
  it('guides [15, 45) at N=60, [6, 20) at N=27, [2, 6) at N=8 with interval 0.5 (spec §2.3, §13)', () => {
    expect(guidanceInterval(60, 0.5)).toEqual({ start: 15, end: 45 });
    expect(guidanceInterval(27, 0.5)).toEqual({ start: 6, end: 20 });
    expect(guidanceInterval(8, 0.5)).toEqual({ start: 2, end: 6 });
  });

  it('gives 30 guided steps of 60, all at interval 1 and none at 0', () => {
    const r = guidanceInterval(60, 0.5);
    expect(Array.from({ length: 60 }, (_, i) => i).filter((i) => inGuidanceInterval(i, r))).toHaveLength(30);
    expect(guidanceInterval(60, 1)).toEqual({ start: 0, end: 60 });
    const none = guidanceInterval(60, 0);
    expect(none.end - none.start).toBe(0);
  });

  it('truncates like Python int() at N=6, interval 0.7 (spec §13)', () => {
    expect(guidanceInterval(6, 0.7)).toEqual({ start: 0, end: 5 });
  });

  it('rejects an interval outside [0, 1]', () => {
    expect(() => guidanceInterval(60, 1.5)).toThrow(RangeError);
    expect(() => guidanceInterval(-1, 0.5)).toThrow(RangeError);
  });
});

describe('scaleAt', () => {
  const range = guidanceInterval(60, 0.5);

  it('keeps g without decay and gives 1 (unguided) outside the interval', () => {
    const s = { ...range, scale: 15, minScale: 3, decay: 0 };
    expect(scaleAt(15, s)).toBe(15);
    expect(scaleAt(44, s)).toBe(15);
    expect(scaleAt(14, s)).toBe(1);
    expect(scaleAt(45, s)).toBe(1);
  });

  it('decays linearly from g to g_min over the interval at decay 1', () => {
    const s = { ...range, scale: 15, minScale: 3, decay: 1 };
    expect(scaleAt(15, s)).toBe(15);
    expect(scaleAt(44, s)).toBeCloseTo(3, 12);
    expect(scaleAt(15 + 29 / 2, s)).toBeCloseTo(9, 12);
  });

  it('decays part of the way at decay 0.5', () => {
    const s = { ...range, scale: 15, minScale: 3, decay: 0.5 };
    expect(scaleAt(44, s)).toBeCloseTo(9, 12);
    expect(scaleAt(30, s)).toBeCloseTo(15 - 12 * (15 / 29) * 0.5, 12);
  });

  it('gives g on a one-step interval instead of dividing by zero', () => {
    expect(scaleAt(4, { start: 4, end: 5, scale: 7, minScale: 3, decay: 1 })).toBe(7);
  });
});

describe('guidanceActive', () => {
  it('is false for g = 0 and g = 1 only', () => {
    expect(guidanceActive(0)).toBe(false);
    expect(guidanceActive(1)).toBe(false);
    expect(guidanceActive(15)).toBe(true);
    expect(guidanceActive(0.5)).toBe(true);
  });
});
