import { describe, expect, it } from 'vitest';

import { cfgZeroStar } from '../../../src/engine/guidance/cfg-star.js';

const DIMS = { batch: 1, channels: 1, plane: 2 };

describe('cfgZeroStar', () => {
  it('scales u by α = ⟨c,u⟩/(‖u‖² + 1e−8) before guiding', () => {
    // c = [2, 1], u = [1, 1]: α = 3/2; αu = [1.5, 1.5]; v = αu + 4·(c − αu) = [3.5, −0.5].
    const v = cfgZeroStar(Float32Array.from([2, 1]), Float32Array.from([1, 1]), 4, 5, DIMS);
    expect(v[0]).toBeCloseTo(3.5, 6);
    expect(v[1]).toBeCloseTo(-0.5, 6);
  });

  it('zeroes steps ≤ zeroSteps when zero-init is on (spec §2.3, §13)', () => {
    const c = Float32Array.from([2, 1]);
    const u = Float32Array.from([1, 1]);
    expect(Array.from(cfgZeroStar(c, u, 4, 0, DIMS))).toEqual([0, 0]);
    expect(Array.from(cfgZeroStar(c, u, 4, 1, DIMS))).toEqual([0, 0]);
    expect(cfgZeroStar(c, u, 4, 2, DIMS)[0]).toBeCloseTo(3.5, 6);
    expect(cfgZeroStar(c, u, 4, 3, DIMS, { zeroSteps: 3 })[0]).toBe(0);
    expect(cfgZeroStar(c, u, 4, 0, DIMS, { useZeroInit: false })[0]).toBeCloseTo(3.5, 6);
  });

  it('computes α per batch item', () => {
    // Item 0 as above (α = 1.5); item 1: c = [1, 0], u = [0, 2] → α = 0, v = 4·c.
    const v = cfgZeroStar(Float32Array.from([2, 1, 1, 0]), Float32Array.from([1, 1, 0, 2]), 4, 9, {
      batch: 2,
      channels: 1,
      plane: 2,
    });
    expect(v[0]).toBeCloseTo(3.5, 6);
    expect(Array.from(v.subarray(2))).toEqual([4, 0]);
  });

  it('handles a zero u (α = 0) without dividing by zero', () => {
    const v = cfgZeroStar(Float32Array.from([1, -1]), new Float32Array(2), 3, 9, DIMS);
    expect(Array.from(v)).toEqual([3, -3]);
  });
});
