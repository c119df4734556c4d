import { describe, expect, it } from 'vitest';

import { ApgMomentum, apg } from '../../../src/engine/guidance/apg.js';
import { cfg } from '../../../src/engine/guidance/cfg.js';
import { mulberry32 } from '../../helpers/mulberry32.js';

const rand = mulberry32;

/**
 * A straightforward float64 APG over a `[B, C, H, T]` tensor, step by step as spec §2.3 reads:
 * momentum, per-plane norm clip, normalise c, project, combine. `state` carries the momentum between calls.
 */
function referenceApg(
  c: Float32Array,
  u: Float32Array,
  g: number,
  state: { m: number[] | null } | null,
  shape: [number, number, number, number],
  threshold = 2.5,
  eta = 0,
): number[] {
  const [B, C, H, T] = shape;
  let diff = Array.from(c, (ci, i) => ci - u[i]!);
  if (state !== null) {
    const prev = state.m ?? diff.map(() => 0);
    diff = diff.map((d, i) => d + -0.75 * prev[i]!);
    state.m = diff;
  }
  const out = new Array<number>(c.length).fill(0);
  const at = (b: number, ch: number, h: number, t: number): number => ((b * C + ch) * H + h) * T + t;
  for (let b = 0; b < B; b++) {
    for (let ch = 0; ch < C; ch++) {
      let norm = 0;
      let cNorm = 0;
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++) {
          norm += diff[at(b, ch, h, t)]! ** 2;
          cNorm += c[at(b, ch, h, t)]! ** 2;
        }
      }
      norm = Math.sqrt(norm);
      cNorm = Math.max(Math.sqrt(cNorm), 1e-12);
      const clip = threshold > 0 ? Math.min(1, threshold / norm) : 1;
      const clipped: number[] = [];
      const unit: number[] = [];
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++) {
          clipped.push(diff[at(b, ch, h, t)]! * clip);
          unit.push(c[at(b, ch, h, t)]! / cNorm);
        }
      }
      const dot = clipped.reduce((acc, d, k) => acc + d * unit[k]!, 0);
      let k = 0;
      for (let h = 0; h < H; h++) {
        for (let t = 0; t < T; t++, k++) {
          const parallel = dot * unit[k]!;
          const orthogonal = clipped[k]! - parallel;
          const i = at(b, ch, h, t);
          out[i] = c[i]! + (g - 1) * (orthogonal + eta * parallel);
        }
      }
    }
  }
  return out;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return worst;
}

const ONE_PLANE = { batch: 1, channels: 1, plane: 2 };

describe('apg, hand-computed cases', () => {
  it('removes the part of Δ parallel to c', () => {
    // Δ = [1, −1] (‖Δ‖ < 2.5, no clip); ĉ = [1, 0]; Δ⊥ = [0, −1]; v = c + 2·Δ⊥.
    const v = apg(Float32Array.from([1, 0]), Float32Array.from([0, 1]), 3, null, ONE_PLANE);
    expect(Array.from(v)).toEqual([1, -2]);
  });

  it('clips Δ to norm 2.5 before projecting', () => {
    // Δ = [4, −4], ‖Δ‖ = √32 → Δ·2.5/√32 = [1.7678, −1.7678]; Δ⊥ = [0, −1.7678]; g = 2.
    const v = apg(Float32Array.from([1, 0]), Float32Array.from([-3, 4]), 2, null, ONE_PLANE);
    expect(v[0]).toBeCloseTo(1, 6);
    expect(v[1]).toBeCloseTo(-10 / Math.sqrt(32), 6);
  });

  it('keeps momentum across calls: M ← Δ − 0.75·M', () => {
    const m = new ApgMomentum();
    const c = Float32Array.from([1, 0]);
    const u = Float32Array.from([0, 1]);
    expect(Array.from(apg(c, u, 3, m, ONE_PLANE))).toEqual([1, -2]); // M = [1, −1]
    expect(Array.from(m.runningAverage ?? [])).toEqual([1, -1]);
    // M = [1, −1] − 0.75·[1, −1] = [0.25, −0.25]; Δ⊥ = [0, −0.25]; v = [1, −0.5].
    expect(Array.from(apg(c, u, 3, m, ONE_PLANE))).toEqual([1, -0.5]);
    // M = [1, −1] − 0.75·[0.25, −0.25] = [0.8125, −0.8125]; v = [1, 0 + 2·(−0.8125)].
    expect(Array.from(apg(c, u, 3, m, ONE_PLANE))).toEqual([1, -1.625]);
    m.reset();
    expect(Array.from(apg(c, u, 3, m, ONE_PLANE))).toEqual([1, -2]);
  });

  it('clips each (batch, channel) plane on its own', () => {
    // Plane 0: Δ = [0, 5] → clipped to [0, 2.5]; plane 1: Δ = [0, 1] → kept. c ⟂ Δ in both.
    const c = Float32Array.from([1, 0, 1, 0]);
    const u = Float32Array.from([1, -5, 1, -1]);
    const v = apg(c, u, 2, null, { batch: 1, channels: 2, plane: 2 });
    expect(Array.from(v)).toEqual([1, 2.5, 1, 1]);
    const batched = apg(c, u, 2, null, { batch: 2, channels: 1, plane: 2 });
    expect(batched).toEqual(v);
  });

  it('keeps all of Δ when c is zero (normalise with ε)', () => {
    const v = apg(Float32Array.from([0, 0]), Float32Array.from([-1, 0.5]), 3, null, ONE_PLANE);
    expect(Array.from(v)).toEqual([2, -1]);
  });

  it('is CFG when η = 1 and the clip is off', () => {
    const r = rand(9);
    const c = Float32Array.from({ length: 64 }, () => r() - 0.5);
    const u = Float32Array.from({ length: 64 }, () => r() - 0.5);
    const dims = { batch: 1, channels: 4, plane: 16 };
    const v = apg(c, u, 7, null, dims, { eta: 1, normThreshold: 0 });
    expect(maxRelDiff(v, cfg(c, u, 7))).toBeLessThan(1e-6);
  });

  it('returns c at scale 1', () => {
    const c = Float32Array.from([0.3, -0.2, 0.9, 0.1]);
    expect(apg(c, Float32Array.from([1, 2, 3, 4]), 1, null, { batch: 1, channels: 2, plane: 2 })).toEqual(c);
  });
});

describe('apg against a float64 reference', () => {
  it('matches over three guided steps with momentum on a [2, 8, 16, 12] latent', () => {
    const shape: [number, number, number, number] = [2, 8, 16, 12];
    const n = shape.reduce((a, b) => a * b, 1);
    const plane = 16 * 12;
    const dims = { batch: 2, channels: 8, plane };
    const r = rand(42);
    const momentum = new ApgMomentum();
    const state: { m: number[] | null } = { m: null };
    let clippedPlanes = 0;
    for (let call = 0; call < 3; call++) {
      const c = Float32Array.from({ length: n }, () => r() * 2 - 0.8);
      // Odd planes differ a lot (norm ≫ 2.5, clipped), even planes a little (not clipped).
      const u = Float32Array.from(c, (ci, i) => ci - (r() - 0.4) * (Math.floor(i / plane) % 2 === 1 ? 1 : 0.05));
      const got = apg(c, u, 15 - call, momentum, dims);
      const want = referenceApg(c, u, 15 - call, state, shape);
      expect(maxRelDiff(got, want)).toBeLessThan(2e-6);
      if (call === 0) {
        for (let p = 0; p < 16; p++) {
          let sq = 0;
          for (let i = p * plane; i < (p + 1) * plane; i++) sq += (c[i]! - u[i]!) ** 2;
          if (Math.sqrt(sq) > 2.5) clippedPlanes++;
        }
      }
    }
    expect(clippedPlanes).toBe(8); // both regimes were exercised
  });

  it('matches without momentum, with η ≠ 0 and another threshold', () => {
    const shape: [number, number, number, number] = [1, 8, 16, 7];
    const n = 8 * 16 * 7;
    const r = rand(5);
    const c = Float32Array.from({ length: n }, () => r() - 0.5);
    const u = Float32Array.from({ length: n }, () => r() - 0.5);
    const got = apg(c, u, 4, null, { batch: 1, channels: 8, plane: 112 }, { eta: 0.3, normThreshold: 3 });
    expect(maxRelDiff(got, referenceApg(c, u, 4, null, shape, 3, 0.3))).toBeLessThan(2e-6);
  });

  it('writes into out, which may be cond', () => {
    const r = rand(11);
    const c = Float32Array.from({ length: 32 }, () => r() - 0.5);
    const u = Float32Array.from({ length: 32 }, () => r() - 0.5);
    const dims = { batch: 1, channels: 2, plane: 16 };
    const expected = apg(c, u, 5, null, dims);
    apg(c, u, 5, null, dims, { out: c });
    expect(c).toEqual(expected);
  });
});

describe('apg validation', () => {
  it('rejects dims that do not match, and a momentum buffer of another size', () => {
    const a = new Float32Array(8);
    expect(() => apg(a, a, 3, null, { batch: 1, channels: 3, plane: 2 })).toThrow(RangeError);
    expect(() => apg(a, new Float32Array(4), 3, null, { batch: 1, channels: 4, plane: 2 })).toThrow(RangeError);
    const m = new ApgMomentum();
    apg(a, a, 3, m, { batch: 1, channels: 4, plane: 2 });
    const b = new Float32Array(4);
    expect(() => apg(b, b, 3, m, { batch: 1, channels: 2, plane: 2 })).toThrow(/momentum/);
  });
});
