/**
 * Polyphase windowed-sinc resampling between integer sample rates (spec ../shared/spec/acestep-v1.md §1.7 encode side, §1.9 and §13
 * output side: 44.1 kHz → 48 kHz gives ceil(L·160/147) samples, 4096·32 → 142,664).
 *
 * The ratio is reduced by the gcd to `up/down` (44100→48000 = 160/147). Output sample n sits at input
 * time t = n·down/up and is y[n] = Σ_k x[k]·h(k − t), with samples outside the signal taken as zero.
 * The kernel is a low-pass sinc at cutoff fc = ½·rolloff·min(1, up/down) cycles per input sample
 * (so downsampling also removes what would alias), windowed to `zeroCrossings` zero crossings of the
 * sinc on each side, i.e. a half-width of zeroCrossings/(2·fc) input samples.
 *
 * The defaults (Hann window, 6 zero crossings, rolloff 0.99) follow torchaudio's `sinc_interp_hann`,
 * which ACE-Step uses for its 48 kHz output and for reference audio, so output stays within about
 * −60 dB of upstream's. One deliberate difference: each phase's taps are normalised to sum to 1, so DC
 * passes exactly. That default filter has a wide transition band: the response is −6 dB at the cutoff
 * and only ≈ −9 dB at 23 kHz when going 48 kHz → 44.1 kHz; a Kaiser window with more zero crossings
 * (`{ window: { kaiserBeta: 8.6 }, zeroCrossings: 32, rolloff: 0.95 }`) gives > 100 dB there.
 */
import { AcejamError } from '../errors.js';

export interface ResampleOptions {
  /** Zero crossings of the sinc kept on each side of the centre (torchaudio's lowpass_filter_width). Default 6. */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. Default 0.99. */
  rolloff?: number;
  /** 'hann' (cos², default, torchaudio's `sinc_interp_hann`) or a Kaiser window with shape β. */
  window?: 'hann' | { kaiserBeta: number };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(name: string, rate: number): void {
  if (!Number.isSafeInteger(rate) || rate <= 0) {
    throw new AcejamError('INVALID_INPUT', `${name} sample rate must be a positive integer, got ${rate}`);
  }
}

/** The reduced ratio: output rate / input rate = up / down. */
export function resampleRatio(from: number, to: number): { up: number; down: number } {
  checkRate('source', from);
  checkRate('target', to);
  const g = gcd(from, to);
  return { up: to / g, down: from / g };
}

/** Output length for `length` input samples: ceil(length·up/down) (spec §13). */
export function resampledLength(length: number, from: number, to: number): number {
  const { up, down } = resampleRatio(from, to);
  // Exact integer ceiling; length·up stays far below 2^53 for any real audio.
  return Math.floor((length * up + down - 1) / down);
}

/** Modified Bessel function of the first kind, order 0 (power series; converges for every x). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** A polyphase filter bank: `up` phases of `taps` coefficients, the first at input offset `first`. */
interface FilterBank {
  up: number;
  down: number;
  taps: number;
  first: number;
  coefficients: Float64Array;
}

const bankCache = new Map<string, FilterBank>();

function filterBank(from: number, to: number, options: ResampleOptions): FilterBank {
  const zeroCrossings = options.zeroCrossings ?? 6;
  const rolloff = options.rolloff ?? 0.99;
  const window = options.window ?? 'hann';
  if (!(zeroCrossings >= 1)) throw new AcejamError('INVALID_INPUT', `resample zeroCrossings must be ≥ 1, got ${zeroCrossings}`);
  if (!(rolloff > 0 && rolloff <= 1)) throw new AcejamError('INVALID_INPUT', `resample rolloff must be in (0, 1], got ${rolloff}`);
  const key = `${from}/${to}/${zeroCrossings}/${rolloff}/${window === 'hann' ? 'hann' : window.kaiserBeta}`;
  const cached = bankCache.get(key);
  if (cached) return cached;

  const { up, down } = resampleRatio(from, to);
  const fc = 0.5 * rolloff * Math.min(1, up / down); // cycles per input sample
  const halfWidth = zeroCrossings / (2 * fc); // input samples
  const reach = Math.ceil(halfWidth);
  const first = -reach; // tap j covers input k0 + j, j in [first, reach]
  const taps = 2 * reach + 1;
  const beta = window === 'hann' ? 0 : window.kaiserBeta;
  const i0Beta = besselI0(beta);
  const coefficients = new Float64Array(up * taps);
  for (let phase = 0; phase < up; phase++) {
    const frac = phase / up;
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      const tau = first + i - frac; // input samples from the output instant
      let value = 0;
      if (Math.abs(tau) <= halfWidth) {
        const x = 2 * fc * tau;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const r = tau / halfWidth;
        const w = window === 'hann'
          ? Math.cos((Math.PI / 2) * r) ** 2
          : besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
        value = 2 * fc * sinc * w;
      }
      coefficients[phase * taps + i] = value;
      sum += value;
    }
    for (let i = 0; i < taps; i++) coefficients[phase * taps + i]! /= sum;
  }
  const bank = { up, down, taps, first, coefficients };
  if (bankCache.size > 32) bankCache.clear();
  bankCache.set(key, bank);
  return bank;
}

/**
 * Resamples one channel from `from` Hz to `to` Hz (integers). Returns ceil(L·to/from) samples (exact
 * after gcd reduction); equal rates return a copy. See the module comment for the filter.
 */
export function resample(channel: Float32Array, from: number, to: number, options: ResampleOptions = {}): Float32Array {
  const { up, down } = resampleRatio(from, to);
  if (up === down) return channel.slice();
  const bank = filterBank(from, to, options);
  const { taps, first, coefficients } = bank;
  const length = channel.length;
  const out = new Float32Array(resampledLength(length, from, to));
  const whole = Math.floor(down / up); // input samples advanced per output sample, integer part…
  const rest = down - whole * up; // …and remainder in 1/up steps
  let k0 = 0; // floor(n·down/up)
  let phase = 0; // n·down mod up
  for (let n = 0; n < out.length; n++) {
    const base = phase * taps;
    const start = k0 + first;
    let acc = 0;
    if (start >= 0 && start + taps <= length) {
      for (let i = 0; i < taps; i++) acc += channel[start + i]! * coefficients[base + i]!;
    } else {
      const lo = Math.max(0, -start);
      const hi = Math.min(taps, length - start);
      for (let i = lo; i < hi; i++) acc += channel[start + i]! * coefficients[base + i]!;
    }
    out[n] = acc;
    k0 += whole;
    phase += rest;
    if (phase >= up) {
      phase -= up;
      k0 += 1;
    }
  }
  return out;
}
