import { describe, expect, it } from 'vitest';

import {
  audio2audioStart,
  flowMatchSigmas,
  omegaPrime,
  ossSigmas,
  roundToBfloat16,
  scheduleBounds,
  shift,
  toTimesteps,
} from '../../../src/engine/schedulers/schedule.js';

/** Asserts each value rounds to the spec's number as printed (half a unit in its last decimal). */
function expectSpec(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBeGreaterThanOrEqual(expected.length);
  expected.forEach((value, i) => {
    const decimals = (String(value).split('.')[1] ?? '').length;
    const tolerance = decimals === 0 ? 0 : 0.5 * 10 ** -decimals; // integers (1, 0) must be exact
    expect(Math.abs(actual[i]! - value), `index ${i}: ${actual[i]} vs ${value}`).toBeLessThanOrEqual(tolerance);
  });
}

describe('shift', () => {
  it('is φ(s) = 3s/(1 + 2s)', () => {
    expect(shift(0)).toBe(0);
    expect(shift(1)).toBe(1);
    expect(shift(0.5)).toBe(0.75);
    expect(shift(0.75)).toBeCloseTo(0.9, 15);
    expect(shift(0.5, 1)).toBe(0.5);
  });
});

describe('scheduleBounds', () => {
  it('gives σmax = 1 and σmin = φ(0.001) = 0.0029940 by default (spec §2.1)', () => {
    const { sigmaMax, sigmaMin } = scheduleBounds();
    expect(sigmaMax).toBe(1);
    expect(sigmaMin).toBeCloseTo(0.002994, 6);
    expect(sigmaMin).toBe(Math.fround(sigmaMin));
  });
});

describe('flowMatchSigmas', () => {
  it('reproduces the N=8 schedule confirmed by running upstream (spec §13)', () => {
    const s = flowMatchSigmas(8);
    expect(s).toHaveLength(9);
    expectSpec(s, [1, 0.94754, 0.88279, 0.80084, 0.69379, 0.54805, 0.33797, 0.0089286, 0]);
  });

  it('reproduces the N=60 ends (spec §2.1)', () => {
    const s = flowMatchSigmas(60);
    expect(s).toHaveLength(61);
    expectSpec(s.slice(0, 3), [1.0, 0.9943, 0.98847]);
    expectSpec(s.slice(-4), [0.10281, 0.05739, 0.00893, 0]);
  });

  it('reproduces the N=27 ends (spec §2.1)', () => {
    const s = flowMatchSigmas(27);
    expect(s).toHaveLength(28);
    expectSpec(s.slice(0, 2), [1.0, 0.98688]);
    expectSpec(s.slice(-3), [0.11455, 0.00893, 0]);
  });

  it('is the double shift of a linspace between the shifted ends', () => {
    // Independent float64 derivation: u_i = σmax + i(σmin − σmax)/(N − 1), σ_i = φ(u_i).
    const n = 13;
    const sMin = shift(0.001);
    const s = flowMatchSigmas(n);
    for (let i = 0; i < n; i++) {
      const u = 1 + (i * (sMin - 1)) / (n - 1);
      expect(s[i]).toBeCloseTo(shift(u), 6);
      expect(s[i]).toBe(Math.fround(s[i]!));
    }
    expect(s[n - 1]).toBeCloseTo(shift(sMin), 7);
  });

  it('decreases strictly and ends with 0', () => {
    const s = flowMatchSigmas(200);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThan(s[i - 1]!);
    expect(s[200]).toBe(0);
  });

  it('handles one step and zero steps', () => {
    expect(Array.from(flowMatchSigmas(1))).toEqual([1, 0]);
    expect(Array.from(flowMatchSigmas(0))).toEqual([0]);
  });

  it('rejects invalid steps and sigmaMax', () => {
    expect(() => flowMatchSigmas(-1)).toThrow(RangeError);
    expect(() => flowMatchSigmas(2.5)).toThrow(RangeError);
    expect(() => flowMatchSigmas(10, { sigmaMax: 1.5 })).toThrow(RangeError);
    expect(() => flowMatchSigmas(10, { shift: 0 })).toThrow(RangeError);
  });
});

describe('toTimesteps', () => {
  it('is σ·1000 in float32 without the trailing 0', () => {
    const t = toTimesteps(flowMatchSigmas(8));
    expect(t).toHaveLength(8);
    expect(t[0]).toBe(1000);
    expect(t[1]).toBeCloseTo(947.54, 1);
    expect(t[7]).toBeCloseTo(8.9286, 3);
    for (const v of t) expect(v).toBe(Math.fround(v));
  });
});

describe('omegaPrime', () => {
  it('is 1.0462117 at ω = 10 (spec §13) and 1 at ω = 0', () => {
    expect(omegaPrime(10)).toBeCloseTo(1.0462117, 7);
    expect(omegaPrime(0)).toBe(1);
  });

  it('stays inside (0.9, 1.1)', () => {
    expect(omegaPrime(-100)).toBeCloseTo(0.9 + 0.2 / (1 + Math.exp(10)), 12);
    expect(omegaPrime(100)).toBeGreaterThan(1.099);
    expect(omegaPrime(100)).toBeLessThan(1.1);
  });
});

describe('roundToBfloat16', () => {
  it('rounds to 8 significant bits, ties to even', () => {
    expect(roundToBfloat16(1)).toBe(1);
    expect(roundToBfloat16(1 + 2 ** -8)).toBe(1); // tie → even mantissa
    expect(roundToBfloat16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6); // tie → even mantissa
    expect(roundToBfloat16(1 + 2 ** -8 + 2 ** -12)).toBe(1 + 2 ** -7);
    expect(roundToBfloat16(8.929)).toBe(8.9375); // step 2^-4 in [8, 16)
    expect(roundToBfloat16(-3.14159)).toBe(-3.140625);
  });
});

describe('ossSigmas', () => {
  const EXAMPLE = [16, 29, 52, 96, 129, 158, 172, 183, 189, 200]; // spec §2.6

  it('reproduces the example string with bf16 rounding and the second shift', () => {
    // Golden from a numpy transcription of upstream's schedulers (float32 arrays, bf16 by bit rounding).
    const expected = [
      0.9907161593437195, 0.9824798107147217, 0.9621848464012146, 0.9092307686805725, 0.8356401324272156,
      0.7082474231719971, 0.6007025837898254, 0.4649595618247986, 0.3571428656578064, 0.02626529149711132, 0,
    ];
    expect(Array.from(ossSigmas(EXAMPLE))).toEqual(expected);
  });

  it('matches a hand derivation of the last step', () => {
    // N = 200: σ_199 = φ(σmin) ≈ 0.0089286 → t = 8.9286 → bf16 8.9375 → /1000 = 0.0089375 → bf16 146·2^-14
    // = 0.0089111 → φ again = 3·0.0089111/(1 + 2·0.0089111) ≈ 0.026265.
    const s = ossSigmas(EXAMPLE);
    expect(s[9]).toBeCloseTo((3 * 146 * 2 ** -14) / (1 + 2 * 146 * 2 ** -14), 6);
    expect(s[9]).toBeCloseTo(0.026265, 6);
  });

  it('equals φ of the picked, rounded timesteps (independent derivation)', () => {
    const base = flowMatchSigmas(200);
    const s = ossSigmas(EXAMPLE);
    EXAMPLE.forEach((k, i) => {
      const t = roundToBfloat16(Math.fround(base[k - 1]! * 1000));
      const picked = roundToBfloat16(t / 1000);
      expect(s[i]).toBeCloseTo(shift(picked), 6);
      expect(s[i]).not.toBeCloseTo(base[k - 1]!, 3); // the second shift moves every value
    });
    expect(s).toHaveLength(11);
    expect(s[10]).toBe(0);
  });

  it('skips the bf16 rounding for an fp32 pipeline', () => {
    const s = ossSigmas(EXAMPLE, { dtype: 'fp32' });
    const base = flowMatchSigmas(200);
    expect(s[9]).toBeCloseTo(shift(base[199]!), 6);
    expect(s[9]).not.toBe(ossSigmas(EXAMPLE)[9]);
  });

  it('rejects empty and non-positive indices', () => {
    expect(() => ossSigmas([])).toThrow(RangeError);
    expect(() => ossSigmas([0, 5])).toThrow(RangeError);
    expect(() => ossSigmas([1.5])).toThrow(RangeError);
  });
});

describe('audio2audioStart', () => {
  it('at strength 0.5 of 60 steps noises to 0.75, starts the model at ≈ 0.90 and runs 30 steps (spec §3.6)', () => {
    const a = audio2audioStart(60, 0.5);
    expect(a.initSigma).toBe(0.75);
    expect(a.steps).toBe(30);
    expect(a.sigmas).toHaveLength(31);
    expect(a.sigmas[0]).toBeCloseTo(0.9, 7);
    expect(a.sigmas[29]).toBeCloseTo(0.0089286, 6);
    expect(a.sigmas[30]).toBe(0);
  });

  it('uses the double shift φ(φ(s)) for the first σ at other strengths', () => {
    const a = audio2audioStart(50, 0.3);
    expect(a.steps).toBe(35);
    expect(a.initSigma).toBeCloseTo(shift(0.7), 6);
    expect(a.sigmas[0]).toBeCloseTo(shift(shift(0.7)), 6);
  });

  it('gives no steps at strength 1 and the full schedule at strength 0', () => {
    const none = audio2audioStart(60, 1);
    expect(none.steps).toBe(0);
    expect(Array.from(none.sigmas)).toEqual([0]);
    expect(none.initSigma).toBe(0);
    const full = audio2audioStart(60, 0);
    expect(full.initSigma).toBe(1);
    expect(full.sigmas).toEqual(flowMatchSigmas(60));
  });

  it('rejects a strength outside [0, 1]', () => {
    expect(() => audio2audioStart(60, 1.2)).toThrow(RangeError);
    expect(() => audio2audioStart(60, -0.1)).toThrow(RangeError);
  });
});
