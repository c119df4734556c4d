import { describe, expect, it } from 'vitest';

import { queryScales } from '../../../src/engine/guidance/erg.js';

describe('queryScales', () => {
  it('puts τ = 0.01 at DiT blocks 15–19 for the ERG call (spec §2.4)', () => {
    const s = queryScales(24, [15, 16, 17, 18, 19], true);
    expect(s).toHaveLength(24);
    s.forEach((value, i) => expect(value).toBe(i >= 15 && i <= 19 ? Math.fround(0.01) : 1));
  });

  it('is all ones when inactive, and honours another τ', () => {
    expect(Array.from(queryScales(6, [4, 5], false))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(queryScales(3, [0], true, 0.5))).toEqual([0.5, 1, 1]);
  });

  it('rejects layer indices the model does not have', () => {
    expect(() => queryScales(4, [15], true)).toThrow(RangeError);
    expect(() => queryScales(4, [-1], false)).toThrow(RangeError);
  });
});
