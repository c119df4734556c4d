import { describe, expect, it } from 'vitest';

import { cfg } from '../../../src/engine/guidance/cfg.js';

describe('cfg', () => {
  it('is u + g·(c − u)', () => {
    const v = cfg(Float32Array.from([1, 2, -1]), Float32Array.from([0.5, 2, 1]), 3);
    expect(Array.from(v)).toEqual([2, 2, -5]);
  });

  it('gives c at g = 1 and u at g = 0', () => {
    const c = Float32Array.from([0.1, 0.7]);
    const u = Float32Array.from([-0.3, 0.2]);
    // float32 arithmetic as upstream: u + (c − u) may differ from c by one rounding.
    cfg(c, u, 1).forEach((v, i) => expect(v).toBeCloseTo(c[i]!, 7));
    expect(cfg(c, u, 0)).toEqual(u);
  });

  it('writes in place and rejects mismatched lengths', () => {
    const c = Float32Array.from([1, 1]);
    cfg(c, Float32Array.from([0, 2]), 2, c);
    expect(Array.from(c)).toEqual([2, 0]);
    expect(() => cfg(c, new Float32Array(3), 2)).toThrow(RangeError);
  });
});
