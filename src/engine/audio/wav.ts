/**
 * WAV output (spec ../shared/spec/acestep-v1.md §1.9: the engine's result is 48 kHz stereo). 16-bit PCM
 * by default; 24-bit PCM or 32-bit IEEE float on request. Float samples are clamped to [−1, 1] and
 * scaled by 2^(bits−1) with rounding, clipped to the integer range (so +1.0 becomes 32767), as
 * torchaudio/sox do; `readAudio` (read.ts) divides by the same power of two. NaN becomes 0 (and
 * ±Infinity ±1 in PCM, 0 in float files).
 *
 * The file is written directly (RIFF header, `fmt `, for float also the `fact` chunk the WAVE format
 * requires of non-PCM data, then interleaved little-endian samples) rather than through wavefile:
 * wavefile interleaves into a Float64Array first, which for 4 minutes of 48 kHz stereo took 2.1 s and
 * 350 MB of extra memory, against one pass and the output buffer itself here. Reading still uses
 * wavefile (read.ts), which also checks these files in the tests.
 */
import { writeFile } from 'node:fs/promises';

import { AcejamError } from '../errors.js';

/** 16 and 24 are integer PCM; 32 is IEEE float32 (format tag 3). */
export type WavBitDepth = 16 | 24 | 32;

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;

function ascii(view: DataView, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(at + i, text.charCodeAt(i));
}

/**
 * Encodes channels (all the same length) as a RIFF WAV file in memory.
 * Throws INVALID_INPUT for no channels, unequal lengths, a bad sample rate or bit depth, or more than
 * 4 GiB of data.
 */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, bitDepth: WavBitDepth = 16): Uint8Array {
  if (channels.length === 0) throw new AcejamError('INVALID_INPUT', 'encodeWav: no channels');
  const length = channels[0]!.length;
  if (channels.some((c) => c.length !== length)) {
    throw new AcejamError('INVALID_INPUT', `encodeWav: channels differ in length (${channels.map((c) => c.length).join(', ')})`);
  }
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new AcejamError('INVALID_INPUT', `encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  }
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) {
    throw new AcejamError('INVALID_INPUT', `encodeWav: bit depth must be 16, 24 or 32 (float), got ${String(bitDepth)}`);
  }
  const float = bitDepth === 32;
  const bytesPerSample = bitDepth / 8;
  const blockAlign = channels.length * bytesPerSample;
  const dataBytes = length * blockAlign;
  const fmtBytes = float ? 18 : 16; // non-PCM fmt chunks carry cbSize
  const factBytes = float ? 12 : 0;
  const headerBytes = 12 + 8 + fmtBytes + factBytes + 8;
  if (headerBytes - 8 + dataBytes > 0xffffffff) throw new AcejamError('INVALID_INPUT', `encodeWav: ${dataBytes} bytes of audio exceed the 4 GiB WAV limit`);

  const out = new Uint8Array(headerBytes + dataBytes);
  const view = new DataView(out.buffer);
  ascii(view, 0, 'RIFF');
  view.setUint32(4, headerBytes - 8 + dataBytes, true);
  ascii(view, 8, 'WAVE');
  ascii(view, 12, 'fmt ');
  view.setUint32(16, fmtBytes, true);
  view.setUint16(20, float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitDepth, true);
  let at = 36;
  if (float) {
    view.setUint16(at, 0, true); // cbSize
    at += 2;
    ascii(view, at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, length, true);
    at += 12;
  }
  ascii(view, at, 'data');
  view.setUint32(at + 4, dataBytes, true);
  at += 8;

  const scale = 2 ** (bitDepth - 1);
  const max = scale - 1;
  for (let i = 0; i < length; i++) {
    for (const channel of channels) {
      const x = channel[i]!;
      if (float) {
        view.setFloat32(at, Number.isFinite(x) ? x : 0, true);
      } else {
        const clamped = x > 1 ? 1 : x < -1 ? -1 : x || 0; // NaN → 0
        const v = Math.min(max, Math.round(clamped * scale));
        if (bitDepth === 16) view.setInt16(at, v, true);
        else {
          view.setUint8(at, v & 0xff);
          view.setUint8(at + 1, (v >> 8) & 0xff);
          view.setInt8(at + 2, v >> 16);
        }
      }
      at += bytesPerSample;
    }
  }
  return out;
}

/** Writes channels to `path` as a WAV file (see {@link encodeWav}). */
export async function writeWav(path: string, channels: readonly Float32Array[], sampleRate: number, bitDepth: WavBitDepth = 16): Promise<void> {
  await writeFile(path, encodeWav(channels, sampleRate, bitDepth));
}
