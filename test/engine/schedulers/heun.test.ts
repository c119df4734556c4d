import { describe, expect, it } from 'vitest';

import { guidanceInterval, inGuidanceInterval, scaleAt } from '../../../src/engine/guidance/interval.js';
import { eulerStep } from '../../../src/engine/schedulers/euler.js';
import { heunCorrect, heunPredict, heunTimeline } from '../../../src/engine/schedulers/heun.js';
import { flowMatchSigmas, omegaPrime } from '../../../src/engine/schedulers/schedule.js';

describe('heunTimeline', () => {
  it('lists 2N−1 calls at [σ0, σ1, σ1, …, σ_{N−1}, σ_{N−1}] (spec §2.1)', () => {
    const s = flowMatchSigmas(4);
    const calls = heunTimeline(s);
    expect(calls).toHaveLength(7);
    expect(calls.map((c) => c.sigma)).toEqual([s[0], s[1], s[1], s[2], s[2], s[3], s[3]]);
    expect(calls.map((c) => c.phase)).toEqual([
      'predict',
      'correct',
      'predict',
      'correct',
      'predict',
      'correct',
      'predict',
    ]);
    expect(calls.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // The corrector advances the same interval as its predictor; the last call goes to 0.
    expect([calls[2]!.sigmaFrom, calls[2]!.sigmaTo]).toEqual([s[1], s[2]]);
    expect([calls[3]!.sigmaFrom, calls[3]!.sigmaTo]).toEqual([s[1], s[2]]);
    expect([calls[6]!.sigmaFrom, calls[6]!.sigmaTo]).toEqual([s[3], 0]);
  });

  it('has one predictor for one step and nothing for none', () => {
    expect(heunTimeline(flowMatchSigmas(1)).map((c) => [c.phase, c.sigma, c.sigmaTo])).toEqual([['predict', 1, 0]]);
    expect(heunTimeline(flowMatchSigmas(0))).toEqual([]);
  });

  it('guides calls 0–4 of 11 at N=6, interval 0.7, and decay 1 runs the scale 7 → 3 (spec §13, §10.5)', () => {
    const calls = heunTimeline(flowMatchSigmas(6));
    expect(calls).toHaveLength(11);
    const range = guidanceInterval(6, 0.7);
    expect(range).toEqual({ start: 0, end: 5 });
    const guided = calls.filter((c) => inGuidanceInterval(c.index, range)).map((c) => c.index);
    expect(guided).toEqual([0, 1, 2, 3, 4]);
    const scales = guided.map((i) => scaleAt(i, { ...range, scale: 7, minScale: 3, decay: 1 }));
    expect(scales).toEqual([7, 6, 5, 4, 3]);
  });
});

describe('heunPredict / heunCorrect', () => {
  it('predicts exactly like an Euler step with omega', () => {
    const x = Float32Array.from([0.5, -1, 2, 0.25]);
    const d1 = Float32Array.from([1, 0.5, -2, 3]);
    expect(heunPredict(x, d1, 0.9, 0.8, 1.04)).toEqual(eulerStep(x, d1, 0.9, 0.8, 1.04));
  });

  it('corrects from x with the mean slope and the omega rescale', () => {
    const x = Float32Array.from([0, 0, 0, 0]);
    const d1 = Float32Array.from([1, 2, 3, 6]);
    const d2 = Float32Array.from([3, 2, 1, 2]);
    // d = [2, 2, 2, 4], dx = −0.5·d = [−1, −1, −1, −2], m = −1.25, out = m + 1.1·(dx − m).
    const out = heunCorrect(x, d1, d2, 1, 0.5, 1.1);
    [-0.975, -0.975, -0.975, -2.075].forEach((e, i) => expect(out[i]).toBeCloseTo(e, 6));
  });

  it('integrates a curved flow to second order where Euler is first order', () => {
    // dx/dσ = x (exact: x(σ) = e^(σ−1) from x(1) = 1), integrated from σ = 1 to 0.5 on uniform grids of N and 2N
    // steps: halving the step halves Euler's error and quarters Heun's.
    const run = (steps: number): { euler: number; heun: number } => {
      let euler: Float32Array = Float32Array.from([1]);
      let heun: Float32Array = Float32Array.from([1]);
      for (let i = 0; i < steps; i++) {
        const s = 1 - (0.5 * i) / steps;
        const sn = 1 - (0.5 * (i + 1)) / steps;
        euler = eulerStep(euler, Float32Array.from(euler), s, sn, 1);
        const d1 = Float32Array.from(heun);
        const predicted = heunPredict(heun, d1, s, sn, 1);
        heun = heunCorrect(heun, d1, Float32Array.from(predicted), s, sn, 1);
      }
      const exact = Math.exp(-0.5);
      return { euler: Math.abs(euler[0]! - exact), heun: Math.abs(heun[0]! - exact) };
    };
    const coarse = run(10);
    const fine = run(20);
    expect(coarse.euler / fine.euler).toBeCloseTo(2, 0);
    expect(coarse.heun / fine.heun).toBeGreaterThan(3.5);
    expect(coarse.heun / fine.heun).toBeLessThan(4.5);
    expect(coarse.heun).toBeLessThan(coarse.euler / 20);
  });

  it('applies omega to the corrector (default ω = 10)', () => {
    const x = new Float32Array(4);
    const d1 = Float32Array.from([1, 2, 3, 6]);
    const plain = heunCorrect(x, d1, d1, 1, 0.5, 1);
    const shifted = heunCorrect(x, d1, d1, 1, 0.5, omegaPrime(10));
    expect(shifted[0]).not.toBeCloseTo(plain[0]!, 3);
    expect(shifted[0]).toBeCloseTo(-1.5 + omegaPrime(10) * 1, 6);
  });

  it('rejects mismatched lengths', () => {
    expect(() => heunCorrect(new Float32Array(2), new Float32Array(2), new Float32Array(3), 1, 0.5, 1)).toThrow(
      RangeError,
    );
  });
});
