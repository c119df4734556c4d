import { describe, expect, it } from 'vitest';

import { eulerStep, plainEulerStep } from '../../../src/engine/schedulers/euler.js';
import { omegaPrime } from '../../../src/engine/schedulers/schedule.js';
import { mulberry32 } from '../../helpers/mulberry32.js';

const rand = mulberry32;

function filled(n: number, seed: number, offset = 0): Float32Array {
  const r = rand(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 4 + offset);
}

/** The spec's formula in float64, written out directly: dx = (σn − σ)v, m = mean(dx), x + m + ω'(dx − m). */
function directEuler(x: Float32Array, v: Float32Array, s: number, sn: number, w: number): number[] {
  const dx = Array.from(v, (vi) => (sn - s) * vi);
  const m = dx.reduce((a, b) => a + b, 0) / dx.length;
  return Array.from(x, (xi, i) => xi + m + w * (dx[i]! - m));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('eulerStep', () => {
  it('computes a hand-worked case', () => {
    // dx = −0.5·[1, 2, 3, 6] = [−0.5, −1, −1.5, −3], m = −1.5, out = −1.5 + 1.1·(dx + 1.5).
    const out = eulerStep(new Float32Array(4), Float32Array.from([1, 2, 3, 6]), 1, 0.5, 1.1);
    const expected = [-0.4, -0.95, -1.5, -3.15];
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 6));
  });

  it('matches the direct float64 computation on a [2, 8, 16, 40] latent', () => {
    const n = 2 * 8 * 16 * 40;
    const x = filled(n, 1);
    const v = filled(n, 2, 0.7); // non-zero mean, so the omega rescale matters
    const w = omegaPrime(10);
    const out = eulerStep(x, v, 0.80084, 0.69379, w);
    expect(maxAbsDiff(out, directEuler(x, v, 0.80084, 0.69379, w))).toBeLessThan(2e-6);
  });

  it('takes the mean over the whole tensor, across batch items (spec §10.2)', () => {
    const item = 8 * 16 * 4;
    const x = new Float32Array(2 * item);
    const v = new Float32Array(2 * item);
    v.fill(1, 0, item);
    v.fill(3, item); // item means differ: 1 vs 3, whole mean 2
    const out = eulerStep(x, v, 1, 0.5, 1.1);
    // Whole-tensor m = −1: item 0 gets −1 + 1.1·(−0.5 + 1) = −0.45; a per-item mean would give −0.5.
    expect(out[0]).toBeCloseTo(-0.45, 6);
    expect(out[item]).toBeCloseTo(-1 + 1.1 * (-1.5 + 1), 6);
  });

  it('preserves the mean update and equals plain Euler at ω′ = 1', () => {
    const n = 8 * 16 * 10;
    const x = filled(n, 3);
    const v = filled(n, 4, 0.3);
    const out = eulerStep(x, v, 0.5, 0.3, 1.08);
    let meanStep = 0;
    let meanDx = 0;
    for (let i = 0; i < n; i++) {
      meanStep += out[i]! - x[i]!;
      meanDx += -0.2 * v[i]!;
    }
    expect(meanStep / n).toBeCloseTo(meanDx / n, 6);
    expect(maxAbsDiff(eulerStep(x, v, 0.5, 0.3, 1), plainEulerStep(x, v, 0.5, 0.3))).toBeLessThan(1e-6);
  });

  it('writes into out, also in place over x', () => {
    const x = Float32Array.from([1, 2, 3, 4]);
    const v = Float32Array.from([1, -1, 2, 0]);
    const expected = eulerStep(x, v, 0.9, 0.7, 1.05);
    const buf = new Float32Array(4);
    expect(eulerStep(x, v, 0.9, 0.7, 1.05, buf)).toBe(buf);
    expect(buf).toEqual(expected);
    eulerStep(x, v, 0.9, 0.7, 1.05, x);
    expect(x).toEqual(expected);
  });

  it('rejects mismatched lengths and non-finite σ', () => {
    expect(() => eulerStep(new Float32Array(4), new Float32Array(3), 1, 0.5, 1)).toThrow(RangeError);
    expect(() => eulerStep(new Float32Array(4), new Float32Array(4), Number.NaN, 0.5, 1)).toThrow(RangeError);
    expect(() => eulerStep(new Float32Array(4), new Float32Array(4), 1, 0.5, 1, new Float32Array(2))).toThrow(
      RangeError,
    );
  });
});

describe('plainEulerStep', () => {
  it('is x + (σn − σ)·v without omega', () => {
    const out = plainEulerStep(Float32Array.from([1, 2]), Float32Array.from([4, -2]), 0.5, 0.25);
    expect(Array.from(out)).toEqual([0, 2.5]);
  });

  it('lands on x̂0 = x − σv at σn = 0', () => {
    const out = plainEulerStep(Float32Array.from([0.3]), Float32Array.from([0.5]), 0.0089286, 0);
    expect(out[0]).toBeCloseTo(0.3 - 0.0089286 * 0.5, 7);
  });
});
