/**
 * The Music-DCAE / vocoder log-mel front end (spec ../shared/spec/acestep-v1.md §1.7): reflect pad 768 | 768, uncentred STFT with
 * the pack's 2048-point Hann window and hop 512, magnitude sqrt(re² + im² + 1e−6), the pack's Slaney
 * filterbank [1025, 128], then log(clamp(·, 1e−5)). A signal of L samples gives ⌊L/512⌋ frames (L/512
 * for the multiples of 4096 the encoder feeds it). Matches `log_mel_reference` in
 * tools/export/modules/vocoder.py (upstream's `LogMelSpectrogram`).
 */
import FFT from 'fft.js';

import { AcejamError, PackError } from '../errors.js';

/** The pack's mel tables (`mel_filterbank.safetensors`): filterbank [1025, 128] row-major, window [2048]. */
export interface MelTables {
  filterbank: Float32Array;
  window: Float32Array;
}

export const N_FFT = 2048;
export const HOP = 512;
export const N_MELS = 128;
export const N_FREQS = N_FFT / 2 + 1;
/** Reflect padding each side: (win − hop)/2 = 768 (spec §1.7). */
export const MEL_PAD = (N_FFT - HOP) / 2;
const MAGNITUDE_EPS = 1e-6;
const LOG_CLAMP = 1e-5;

/** A tensor as read from a safetensors file (structurally; see src/engine/safetensors.ts). */
interface TensorLike {
  dtype: string;
  shape: readonly number[];
  data: ArrayLike<number | bigint>;
}

/**
 * Picks and checks the mel tables out of `mel_filterbank.safetensors`'s tensors (`filterbank` F32
 * [1025, 128], `window` F32 [2048]). `source` names the file in errors.
 */
export function melTablesFrom(tensors: ReadonlyMap<string, TensorLike>, source = 'mel_filterbank.safetensors'): MelTables {
  const pick = (name: string, shape: number[]): Float32Array => {
    const tensor = tensors.get(name);
    if (!tensor) throw new PackError(`${source}: tensor ${name} is missing`);
    if (tensor.dtype !== 'F32' || !(tensor.data instanceof Float32Array)) {
      throw new PackError(`${source}: tensor ${name} is ${tensor.dtype}, expected F32`);
    }
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new PackError(`${source}: tensor ${name} has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    return tensor.data;
  };
  return { filterbank: pick('filterbank', [N_FREQS, N_MELS]), window: pick('window', [N_FFT]) };
}

/** For each mel bin, the range of FFT bins with a nonzero weight (Slaney triangles are sparse). */
interface SparseBank {
  start: Int32Array;
  end: Int32Array;
}

const sparseCache = new WeakMap<Float32Array, SparseBank>();

function sparseBank(filterbank: Float32Array): SparseBank {
  const cached = sparseCache.get(filterbank);
  if (cached) return cached;
  const start = new Int32Array(N_MELS).fill(0);
  const end = new Int32Array(N_MELS).fill(0);
  for (let m = 0; m < N_MELS; m++) {
    let lo = -1;
    let hi = -1;
    for (let k = 0; k < N_FREQS; k++) {
      if (filterbank[k * N_MELS + m] !== 0) {
        if (lo < 0) lo = k;
        hi = k + 1;
      }
    }
    start[m] = Math.max(lo, 0);
    end[m] = Math.max(hi, 0);
  }
  const bank = { start, end };
  sparseCache.set(filterbank, bank);
  return bank;
}

/** Number of mel frames for `length` samples: ⌊length/512⌋ (spec §1.7; needs length > 768). */
export function melFrames(length: number): number {
  return Math.floor((length + 2 * MEL_PAD - N_FFT) / HOP) + 1;
}

/**
 * Log-mel of one channel of 44.1 kHz audio: [128, ⌊L/512⌋] row-major (mel bin major). Spectra are
 * computed in float64 and rounded to float32 at the end. Throws for L ≤ 768 (reflect padding needs
 * more samples than it pads, as in torch).
 */
export function logMel(channel: Float32Array, tables: MelTables): Float32Array {
  const length = channel.length;
  if (length <= MEL_PAD) {
    throw new AcejamError('INVALID_INPUT', `audio of ${length} samples is too short for the mel front end (needs more than ${MEL_PAD})`);
  }
  if (tables.filterbank.length !== N_FREQS * N_MELS || tables.window.length !== N_FFT) {
    throw new PackError(`mel tables have ${tables.filterbank.length} filterbank and ${tables.window.length} window values, expected ${N_FREQS * N_MELS} and ${N_FFT}`);
  }
  const frames = melFrames(length);
  const out = new Float32Array(N_MELS * frames);
  const { start, end } = sparseBank(tables.filterbank);
  const { filterbank, window } = tables;
  const fft = new FFT(N_FFT);
  const frame = new Float64Array(N_FFT);
  const spectrum = new Float64Array(2 * N_FFT);
  const magnitude = new Float64Array(N_FREQS);
  // Padded sample i (0 ≤ i < L + 1536) in terms of the signal: reflect without repeating the edge.
  const sample = (i: number): number => {
    const j = i - MEL_PAD;
    if (j < 0) return channel[-j]!;
    if (j >= length) return channel[2 * (length - 1) - j]!;
    return channel[j]!;
  };
  for (let f = 0; f < frames; f++) {
    const offset = f * HOP;
    const inside = offset >= MEL_PAD && offset - MEL_PAD + N_FFT <= length;
    for (let n = 0; n < N_FFT; n++) {
      frame[n] = (inside ? channel[offset - MEL_PAD + n]! : sample(offset + n)) * window[n]!;
    }
    fft.realTransform(spectrum, frame);
    for (let k = 0; k < N_FREQS; k++) {
      const re = spectrum[2 * k]!;
      const im = spectrum[2 * k + 1]!;
      magnitude[k] = Math.sqrt(re * re + im * im + MAGNITUDE_EPS);
    }
    for (let m = 0; m < N_MELS; m++) {
      let acc = 0;
      for (let k = start[m]!; k < end[m]!; k++) acc += magnitude[k]! * filterbank[k * N_MELS + m]!;
      out[m * frames + f] = Math.log(Math.max(acc, LOG_CLAMP));
    }
  }
  return out;
}
