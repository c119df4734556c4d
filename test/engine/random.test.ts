import { describe, expect, it } from 'vitest';

import { NoiseGenerator, randomSeed, splitmix32 } from '../../src/engine/random.js';

/**
 * An independent reference written with BigInt arithmetic (no Math.imul, no >>> tricks), checked against
 * xoshiro128**'s published reference outputs before it is trusted for anything else.
 */
const MASK = (1n << 32n) - 1n;
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & MASK;

function referenceXoshiro(state: readonly bigint[]): () => bigint {
  let [a, b, c, d] = state as [bigint, bigint, bigint, bigint];
  return () => {
    const result = (rotl((b * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (b << 9n) & MASK;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11n);
    return result;
  };
}

/** splitmix32 as documented in random.ts: golden-ratio increment, then MurmurHash3 fmix32. */
function referenceSeedState(seed: number): bigint[] {
  let state = BigInt(seed);
  const words: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    state = (state + 0x9e3779b9n) & MASK;
    let z = state;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & MASK;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & MASK;
    words.push(z ^ (z >> 16n));
  }
  return words;
}

/** Box–Muller on the reference stream, exactly as documented (u1 = 1 − U, u2 = U, 53-bit U). */
function referenceNormals(seed: number, count: number): number[] {
  const next = referenceXoshiro(referenceSeedState(seed));
  const uniform = (): number => {
    const hi = Number(next() >> 5n);
    const lo = Number(next() >> 6n);
    return (hi * 2 ** 26 + lo) / 2 ** 53;
  };
  const out: number[] = [];
  while (out.length < count) {
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(Math.fround(r * Math.cos(2 * Math.PI * u2)), Math.fround(r * Math.sin(2 * Math.PI * u2)));
  }
  return out.slice(0, count);
}

describe('reference xoshiro128** (test oracle)', () => {
  it('reproduces the published reference outputs from state {1, 2, 3, 4}', () => {
    // From xoshiro128starstar.c 1.1, as listed in rand_xoshiro's reference test.
    const next = referenceXoshiro([1n, 2n, 3n, 4n]);
    const got = Array.from({ length: 10 }, () => Number(next()));
    expect(got).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });
});

describe('NoiseGenerator', () => {
  it('produces the reference xoshiro128** stream seeded by splitmix32', () => {
    for (const seed of [0, 1, 42, 123456789, 4294967295]) {
      const gen = new NoiseGenerator(seed);
      const next = referenceXoshiro(referenceSeedState(seed));
      for (let i = 0; i < 64; i++) expect(gen.nextUint32()).toBe(Number(next()));
    }
  });

  it('keeps its golden first words (guards against an accidental change of the stream)', () => {
    const take = (seed: number): number[] => {
      const gen = new NoiseGenerator(seed);
      return Array.from({ length: 6 }, () => gen.nextUint32());
    };
    expect(take(0)).toEqual([3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335]);
    expect(take(42)).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290]);
  });

  it('splitmix32 steps by the golden-ratio increment and outputs fmix32 of the new state', () => {
    expect(splitmix32(0x61c88647)).toEqual({ state: 0, value: 0 }); // 0x61C88647 + 0x9E3779B9 = 2^32
    const step = splitmix32(7);
    expect(step.state).toBe(7 + 0x9e3779b9);
    expect(step.value).toBe(Number(referenceSeedState(7)[0]));
  });

  it('gives the Box–Muller normals of the reference stream', () => {
    for (const seed of [0, 7, 99999]) {
      expect(Array.from(new NoiseGenerator(seed).normal(9))).toEqual(referenceNormals(seed, 9));
    }
  });

  it('gives the hand-derived first pair for seed 0', () => {
    // Words 3809008728, 1133695204, 53579671, 2891528803: U1 = ((3809008728>>>5)·2^26 + (1133695204>>>6))/2^53
    // ≈ 0.8868540, u1 = 1 − U1 ≈ 0.1131460, r = √(−2 ln u1) ≈ 2.087619; U2 ≈ 0.01247499, θ = 2πU2 ≈ 0.07838267.
    const [z0, z1] = new NoiseGenerator(0).normal(2);
    expect(z0).toBeCloseTo(2.087619 * Math.cos(0.07838267), 5);
    expect(z1).toBeCloseTo(2.087619 * Math.sin(0.07838267), 5);
    expect([z0, z1]).toEqual([Math.fround(2.0812089443206787), Math.fround(0.16346561908721924)]);
  });

  it('gives identical arrays for the same seed and different ones for different seeds', () => {
    const a = new NoiseGenerator(1234).normal(4096);
    const b = new NoiseGenerator(1234).normal(4096);
    const c = new NoiseGenerator(1235).normal(4096);
    expect(b).toEqual(a);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === c[i]) same++;
    expect(same).toBe(0);
  });

  it('does not depend on how the stream is split into calls', () => {
    const whole = new NoiseGenerator(5).normal(7);
    const gen = new NoiseGenerator(5);
    const parts = [...gen.normal(3), ...gen.normal(1), ...gen.normal(0), ...gen.normal(3)];
    expect(parts).toEqual(Array.from(whole));
    const filled = new NoiseGenerator(5).fillNormal(new Float32Array(7));
    expect(filled).toEqual(whole);
  });

  it('has mean ≈ 0, std ≈ 1 and Gaussian shape over 1e6 samples', () => {
    const n = 1_000_000;
    const x = new NoiseGenerator(2024).normal(n);
    let sum = 0;
    let sq = 0;
    let quad = 0;
    let within1 = 0;
    for (const v of x) {
      sum += v;
      sq += v * v;
      quad += v ** 4;
      if (Math.abs(v) < 1) within1++;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    // Standard errors: mean 0.001, std 0.0007, kurtosis ≈ 0.005, P(|z|<1) ≈ 0.0005.
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.004);
    expect(quad / n / (variance * variance)).toBeCloseTo(3, 1);
    expect(within1 / n).toBeCloseTo(0.6827, 2);
  });

  it('draws uniforms in [0, 1) with mean ½', () => {
    const gen = new NoiseGenerator(3);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = gen.uniform();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  it.each([-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects seed %s with a TypeError naming seed',
    (seed) => {
      expect(() => new NoiseGenerator(seed)).toThrow(TypeError);
      expect(() => new NoiseGenerator(seed)).toThrow(/seed/);
    },
  );

  it('accepts the uint32 extremes', () => {
    expect(new NoiseGenerator(0).normal(2)).toHaveLength(2);
    expect(new NoiseGenerator(4294967295).normal(2)).toHaveLength(2);
  });

  it('rejects a negative or fractional count', () => {
    expect(() => new NoiseGenerator(0).normal(-1)).toThrow(RangeError);
    expect(() => new NoiseGenerator(0).normal(2.5)).toThrow(RangeError);
  });
});

describe('randomSeed', () => {
  it('returns uint32 values that vary', () => {
    const seeds = Array.from({ length: 8 }, () => randomSeed());
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(4294967295);
    }
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});
