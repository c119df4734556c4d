import { describe, expect, it } from 'vitest';

import { addNoise, repaintBlend } from '../../../src/engine/schedulers/renoise.js';
import { audio2audioStart } from '../../../src/engine/schedulers/schedule.js';

describe('addNoise', () => {
  it('is (1 − σ)·x0 + σ·z; audio2audio at strength 0.5 noises to 0.75 (spec §3.6)', () => {
    const { initSigma } = audio2audioStart(60, 0.5);
    const out = addNoise(Float32Array.from([4, -2]), Float32Array.from([1, 2]), initSigma);
    expect(Array.from(out)).toEqual([1.75, 1]);
  });

  it('keeps x0 at σ = 0 and gives the noise at σ = 1', () => {
    const x0 = Float32Array.from([0.3, -0.7]);
    const z = Float32Array.from([1.5, 2.5]);
    expect(addNoise(x0, z, 0)).toEqual(x0);
    expect(addNoise(x0, z, 1)).toEqual(z);
  });
});

describe('repaintBlend', () => {
  it('keeps masked frames and re-noises the others, per frame on every row (spec §3.3)', () => {
    // [1 batch, 1 channel, 2 rows, 3 frames], frames 1..2 regenerated.
    const x = Float32Array.from([9, 9, 9, 8, 8, 8]);
    const x0 = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const z0 = Float32Array.from([-1, -1, -1, 1, 1, 1]);
    const out = repaintBlend(x, x0, z0, Uint8Array.from([0, 1, 1]), 0.25);
    expect(Array.from(out)).toEqual([0.5, 9, 9, 3.25, 8, 8]);
  });

  it('gives the same result in place over x', () => {
    const x = Float32Array.from([9, 9, 9, 9, 8, 8, 8, 8]);
    const x0 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const z0 = Float32Array.from([-1, -1, -1, -1, 1, 1, 1, 1]);
    const mask = Uint8Array.from([1, 0, 0, 1]);
    const expected = repaintBlend(x, x0, z0, mask, 0.5);
    expect(Array.from(expected)).toEqual([9, 0.5, 1, 9, 8, 3.5, 4, 8]);
    expect(repaintBlend(x, x0, z0, mask, 0.5, x)).toBe(x);
    expect(x).toEqual(expected);
  });

  it('returns exactly x0 outside the mask at σ = 0', () => {
    const x0 = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const out = repaintBlend(new Float32Array(4), x0, Float32Array.from([5, 5, 5, 5]), Uint8Array.from([0, 0]), 0);
    expect(out).toEqual(x0);
  });

  it('rejects a mask that does not divide the latent', () => {
    const a = new Float32Array(6);
    expect(() => repaintBlend(a, a, a, new Uint8Array(4), 0.5)).toThrow(RangeError);
  });
});
