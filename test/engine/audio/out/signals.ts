/** Test signals and measurements shared by the audio in/out tests (not a test file itself). */

/** A sine of `frequency` Hz, `seconds` long at `rate`, amplitude `amplitude`. */
export function sine(frequency: number, seconds: number, rate: number, amplitude = 0.5): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate);
  return out;
}

/**
 * The frequency of a (near-)sinusoidal channel from its rising zero crossings over the middle half,
 * with linear interpolation between samples.
 */
export function dominantFrequency(channel: Float32Array, rate: number): number {
  const from = Math.floor(channel.length / 4);
  const to = Math.floor((3 * channel.length) / 4);
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = from + 1; i < to; i++) {
    const a = channel[i - 1]!;
    const b = channel[i]!;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      else count++;
      last = t;
    }
  }
  return count > 0 ? (count * rate) / (last - first) : 0;
}

/** Deterministic white noise in [−amplitude, amplitude]. */
export function noise(n: number, seed = 1, amplitude = 0.5): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 2 * amplitude;
  }
  return out;
}
