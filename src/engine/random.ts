/**
 * Seeded noise for the sampler: xoshiro128** seeded by splitmix32, Gaussian samples by Box–Muller.
 *
 * ACE-Step draws its initial latent with `torch.randn` from one `torch.Generator` per batch item (Philox on
 * CUDA, MT19937 on CPU). Those streams cannot be reproduced outside PyTorch, so the same seed gives
 * different (equally valid) noise here than in ACE-Step (spec §2.1 "Initial noise", §10.12). What this
 * module does guarantee is that the same seed gives the same numbers on every machine and every run.
 *
 * Spec: ../shared/spec/acestep-v1.md §2.1, §10.12.
 */

import { randomBytes } from 'node:crypto';

const UINT32_RANGE = 0x1_0000_0000;
const TWO_PI = 2 * Math.PI;
/** 2^-53: turns a 53-bit integer into a double in [0, 1). */
const INV_2_53 = 1 / 9007199254740992;

/**
 * splitmix32: the 32-bit SplitMix step used to expand a seed into generator state.
 *
 * `state += 0x9E3779B9` (the golden-ratio increment), then MurmurHash3's `fmix32` finaliser of the new state
 * (`z ^= z >>> 16; z *= 0x85EBCA6B; z ^= z >>> 13; z *= 0xC2B2AE35; z ^= z >>> 16`, all mod 2^32).
 *
 * @param state - the running uint32 state (the seed for the first call)
 * @returns the next state and its output word
 */
export function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return { state: next, value: z };
}

/**
 * Checks that `seed` is an integer in 0..2^32−1.
 *
 * @throws TypeError naming `seed` otherwise
 */
function assertSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= UINT32_RANGE) {
    throw new TypeError(`seed must be an integer in 0..4294967295 (uint32), got ${String(seed)}`);
  }
}

/**
 * A seeded source of uniform and standard-normal numbers.
 *
 * * Generator: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), 128-bit
 *   state. The state words are the first four outputs of {@link splitmix32} started at the seed. Because
 *   fmix32 is a bijection and the four inputs differ, at most one word can be zero: the all-zero state
 *   (the generator's one fixed point) cannot occur.
 * * {@link NoiseGenerator.uniform}: 53 random bits, `((a >>> 5)·2^26 + (b >>> 6))·2^-53` from two
 *   consecutive words a, b — a double in [0, 1).
 * * {@link NoiseGenerator.normal}: Box–Muller in float64 on pairs `u1 = 1 − uniform()` (in (0, 1], so
 *   the log is finite) and `u2 = uniform()`: `r = √(−2 ln u1)`, `z0 = r cos 2πu2`, `z1 = r sin 2πu2`,
 *   each rounded to float32. A pair's second value is kept for the next call, so the stream does not
 *   depend on how it is split into calls (`normal(3)` twice equals `normal(6)`).
 *
 * Same seed → same numbers on every machine: the integer steps are exact and V8 computes `log`, `sin`,
 * `cos` with its own fdlibm port rather than the platform's libm.
 *
 * **PyTorch seeds cannot be reproduced**: a seed that ACE-Step printed gives different noise here
 * (spec §2.1, §10.12).
 */
export class NoiseGenerator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The unused second value of the last Box–Muller pair, or NaN when there is none. */
  private spare = Number.NaN;

  /**
   * @param seed - uint32 (integer in 0..2^32−1)
   * @throws TypeError naming `seed` when it is not a uint32
   */
  constructor(seed: number) {
    assertSeed(seed);
    let sm = splitmix32(seed);
    this.s0 = sm.value;
    sm = splitmix32(sm.state);
    this.s1 = sm.value;
    sm = splitmix32(sm.state);
    this.s2 = sm.value;
    sm = splitmix32(sm.state);
    this.s3 = sm.value;
  }

  /** The next raw xoshiro128** output, a uint32. */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    s2 ^= t;
    this.s2 = s2;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits (consumes two words). */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * INV_2_53;
  }

  /**
   * `count` independent standard-normal samples (mean 0, variance 1), float64 maths rounded to float32.
   *
   * @param count - a non-negative integer
   * @returns a new Float32Array of that length
   */
  normal(count: number): Float32Array {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${String(count)}`);
    }
    return this.fillNormal(new Float32Array(count));
  }

  /**
   * Fills `out` with standard-normal samples, the same stream {@link NoiseGenerator.normal} gives.
   *
   * @returns `out`
   */
  fillNormal(out: Float32Array): Float32Array {
    const n = out.length;
    let i = 0;
    if (n > 0 && !Number.isNaN(this.spare)) {
      out[0] = this.spare;
      this.spare = Number.NaN;
      i = 1;
    }
    for (; i + 1 < n; i += 2) {
      const u1 = 1 - this.uniform();
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = TWO_PI * u2;
      out[i] = r * Math.cos(theta);
      out[i + 1] = r * Math.sin(theta);
    }
    if (i < n) {
      const u1 = 1 - this.uniform();
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = TWO_PI * u2;
      out[i] = r * Math.cos(theta);
      // Rounded to float32 now so a value reads the same whether or not it was carried over.
      this.spare = Math.fround(r * Math.sin(theta));
    }
    return out;
  }
}

/** A fresh uint32 seed from the operating system's CSPRNG (node:crypto). */
export function randomSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}
