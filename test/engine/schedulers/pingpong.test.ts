import { describe, expect, it } from 'vitest';

import { pingpongStep } from '../../../src/engine/schedulers/pingpong.js';

describe('pingpongStep', () => {
  it('denoises to x̂0 = x − σv and re-noises to σn with fresh ε (spec §2.1)', () => {
    const x = Float32Array.from([1, -0.5, 0.25]);
    const v = Float32Array.from([0.5, 1, -1]);
    const eps = Float32Array.from([0.1, -0.2, 2]);
    const out = pingpongStep(x, v, 0.8, 0.6, eps);
    // x̂0 = [0.6, −1.3, 1.05]; 0.4·x̂0 + 0.6·ε = [0.3, −0.64, 1.62].
    [0.3, -0.64, 1.62].forEach((e, i) => expect(out[i]).toBeCloseTo(e, 6));
  });

  it('returns x̂0 at σn = 0 whatever the noise', () => {
    const x = Float32Array.from([0.3, 0.7]);
    const v = Float32Array.from([2, -2]);
    const out = pingpongStep(x, v, 0.1, 0, Float32Array.from([100, -100]));
    expect(out[0]).toBeCloseTo(0.1, 6);
    expect(out[1]).toBeCloseTo(0.9, 6);
  });

  it('ignores omega: the same inputs give the same output regardless of the mean of v', () => {
    const x = Float32Array.from([0, 0]);
    const v = Float32Array.from([1, 1]);
    const out = pingpongStep(x, v, 1, 0.5, Float32Array.from([0, 0]));
    expect(Array.from(out)).toEqual([-0.5, -0.5]);
  });

  it('writes in place and rejects a noise of the wrong length', () => {
    const x = Float32Array.from([1, 2]);
    pingpongStep(x, Float32Array.from([0, 0]), 0.5, 0.25, Float32Array.from([0, 4]), x);
    expect(Array.from(x)).toEqual([0.75, 2.5]);
    expect(() => pingpongStep(x, x, 0.5, 0.25, new Float32Array(3))).toThrow(RangeError);
  });
});
