import { describe, expect, it } from 'vitest';

import { AcejamError } from '../../../src/engine/errors.js';
import { resample, resampledLength, resampleRatio } from '../../../src/engine/audio/resample.js';

const sine = (hz: number, rate: number, length: number, amplitude = 0.5): Float32Array =>
  Float32Array.from({ length }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));

const rms = (x: Float32Array, from: number, to: number): number => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / (to - from));
};
const db = (ratio: number): number => 20 * Math.log10(ratio);

describe('resample', () => {
  it('reduces the ratio by the gcd and gives ceil(L·up/down) samples (spec §13)', () => {
    expect(resampleRatio(44100, 48000)).toEqual({ up: 160, down: 147 });
    expect(resampledLength(4096 * 32, 44100, 48000)).toBe(142_664);
    expect(resample(new Float32Array(4096 * 32), 44100, 48000).length).toBe(142_664);
    for (const length of [1, 146, 147, 148, 1000, 44_100]) {
      expect(resample(new Float32Array(length), 44100, 48000).length).toBe(Math.ceil((length * 160) / 147));
      expect(resample(new Float32Array(length), 48000, 44100).length).toBe(Math.ceil((length * 147) / 160));
    }
    expect(resample(new Float32Array(1001), 22050, 44100).length).toBe(2002);
    expect(resample(new Float32Array(0), 44100, 48000).length).toBe(0);
  });

  it('returns a copy at equal rates', () => {
    const x = sine(440, 44100, 100);
    const y = resample(x, 44100, 44100);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
  });

  it('keeps a 1 kHz sine a 1 kHz sine: 44.1 → 48 kHz matches the analytic sine within 2e-4 (−68 dB) away from the edges', () => {
    const y = resample(sine(1000, 44100, 44100), 44100, 48000);
    expect(y.length).toBe(48000);
    let inner = 0;
    for (let n = 32; n < y.length - 32; n++) inner = Math.max(inner, Math.abs(y[n]! - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 48000)));
    expect(inner).toBeLessThan(2e-4);
    // The same on the way down.
    const z = resample(sine(1000, 48000, 48000), 48000, 44100);
    let down = 0;
    for (let n = 32; n < z.length - 32; n++) down = Math.max(down, Math.abs(z[n]! - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 44100)));
    expect(down).toBeLessThan(2e-4);
  });

  it('passes DC exactly (each phase sums to 1) for up-, down- and odd-ratio resampling', () => {
    for (const [from, to] of [[44100, 48000], [48000, 44100], [8000, 44100], [44100, 16000], [32000, 44100]] as const) {
      const y = resample(new Float32Array(3000).fill(0.25), from, to);
      const margin = 40;
      let worst = 0;
      for (let n = margin; n < y.length - margin; n++) worst = Math.max(worst, Math.abs(y[n]! - 0.25));
      expect(worst).toBeLessThan(1e-6);
      // At the edges the zero padding outside the signal pulls the value down, never up.
      expect(y[0]!).toBeLessThan(0.25);
    }
  });

  it('attenuates out-of-band tones: the torchaudio-like default matches its analytic response, a Kaiser option removes them', () => {
    // 48 → 44.1 kHz, 23 kHz tone (aliases to 21.1 kHz). Hann, 6 zero crossings, rolloff 0.99 puts −6 dB
    // at 21.83 kHz; the analytic response at 23 kHz is −9.3 dB.
    const tone = sine(23000, 48000, 48000);
    const reference = 0.5 / Math.SQRT2;
    const torchLike = resample(tone, 48000, 44100);
    const torchLikeDb = db(rms(torchLike, 200, torchLike.length - 200) / reference);
    expect(torchLikeDb).toBeLessThan(-8);
    expect(torchLikeDb).toBeGreaterThan(-11);
    // A tone far outside the passband is strongly attenuated by the default filter: 96 → 44.1 kHz, 30 kHz.
    const far = resample(sine(30000, 96000, 96000), 96000, 44100);
    expect(db(rms(far, 200, far.length - 200) / reference)).toBeLessThan(-40);
    // A steeper filter on request: Kaiser β 8.6, 32 zero crossings, rolloff 0.95.
    const steep = { window: { kaiserBeta: 8.6 }, zeroCrossings: 32, rolloff: 0.95 } as const;
    const strong = resample(tone, 48000, 44100, steep);
    expect(db(rms(strong, 400, strong.length - 400) / reference)).toBeLessThan(-80);
    // …which still passes 1 kHz unchanged.
    const pass = resample(sine(1000, 48000, 48000), 48000, 44100, steep);
    expect(db(rms(pass, 400, pass.length - 400) / reference)).toBeCloseTo(0, 2);
  });

  it('rejects non-integer or non-positive rates and bad filter settings', () => {
    expect(() => resample(new Float32Array(4), 44100.5, 48000)).toThrow(AcejamError);
    expect(() => resample(new Float32Array(4), 0, 48000)).toThrow(/source sample rate must be a positive integer/);
    expect(() => resample(new Float32Array(4), 44100, -1)).toThrow(/target sample rate/);
    expect(() => resample(new Float32Array(4), 44100, 48000, { rolloff: 1.5 })).toThrow(/rolloff/);
  });
});
