/**
 * WAV output (spec ../shared/spec/acestep-v1.md §1.9: the engine's result is 48 kHz stereo). 16-bit PCM by default; 24-bit PCM or
 * 32-bit IEEE float on request. Float samples are clamped to [−1, 1] and scaled by 2^(bits−1) with
 * rounding, clipped to the integer range (so +1.0 becomes 32767), which is what torchaudio/sox do;
 * `readAudio` (read.ts) divides by the same power of two.
 */
import { writeFile } from 'node:fs/promises';

import wavefile from 'wavefile';

import { AcejamError } from '../errors.js';

/** 16 and 24 are integer PCM; 32 is IEEE float32 (format tag 3). */
export type WavBitDepth = 16 | 24 | 32;

function quantise(channel: Float32Array, bits: 16 | 24): Int32Array {
  const scale = 2 ** (bits - 1);
  const max = scale - 1;
  const out = new Int32Array(channel.length);
  for (let i = 0; i < channel.length; i++) {
    const x = channel[i]!;
    // NaN maps to 0 rather than poisoning the file.
    const v = Math.round((x > 1 ? 1 : x < -1 ? -1 : x || 0) * scale);
    out[i] = v > max ? max : v;
  }
  return out;
}

/**
 * Encodes channels (all the same length) as a RIFF WAV file in memory.
 * Throws INVALID_INPUT for no channels, unequal lengths, a bad sample rate or bit depth.
 */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, bitDepth: WavBitDepth = 16): Uint8Array {
  if (channels.length === 0) throw new AcejamError('INVALID_INPUT', 'encodeWav: no channels');
  const length = channels[0]!.length;
  if (channels.some((c) => c.length !== length)) {
    throw new AcejamError('INVALID_INPUT', `encodeWav: channels differ in length (${channels.map((c) => c.length).join(', ')})`);
  }
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) {
    throw new AcejamError('INVALID_INPUT', `encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  }
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) {
    throw new AcejamError('INVALID_INPUT', `encodeWav: bit depth must be 16, 24 or 32 (float), got ${String(bitDepth)}`);
  }
  const samples = bitDepth === 32
    ? channels.map((c) => Float32Array.from(c, (x) => (Number.isFinite(x) ? x : 0)))
    : channels.map((c) => quantise(c, bitDepth));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels.length, sampleRate, bitDepth === 32 ? '32f' : String(bitDepth), samples);
  return wav.toBuffer();
}

/** Writes channels to `path` as a WAV file (see {@link encodeWav}). */
export async function writeWav(path: string, channels: readonly Float32Array[], sampleRate: number, bitDepth: WavBitDepth = 16): Promise<void> {
  await writeFile(path, encodeWav(channels, sampleRate, bitDepth));
}
