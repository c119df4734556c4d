import { describe, expect, it } from 'vitest';

import { cfg } from '../../../src/engine/guidance/cfg.js';
import { doubleConditionActive, doubleConditionGuidance } from '../../../src/engine/guidance/double.js';

describe('doubleConditionGuidance', () => {
  it('is (1 − g_t)·u + (g_t − g_l)·c_t + g_l·c', () => {
    // g_t = 5, g_l = 1.5: −4·u + 3.5·c_t + 1.5·c.
    const v = doubleConditionGuidance(
      Float32Array.from([1, 0]),
      Float32Array.from([0, 2]),
      Float32Array.from([1, 1]),
      5,
      1.5,
    );
    expect(Array.from(v)).toEqual([-4 + 1.5, -4 + 7]);
  });

  it('reduces to CFG on the full condition when g_t = g_l', () => {
    const c = Float32Array.from([0.5, -0.25, 1]);
    const ct = Float32Array.from([9, 9, 9]);
    const u = Float32Array.from([0.25, 0.5, -1]);
    expect(doubleConditionGuidance(c, ct, u, 3, 3)).toEqual(cfg(c, u, 3));
  });

  it('is active only when both scales exceed 1', () => {
    expect(doubleConditionActive(5, 1.5)).toBe(true);
    expect(doubleConditionActive(5, 1)).toBe(false);
    expect(doubleConditionActive(0, 1.5)).toBe(false);
  });
});
