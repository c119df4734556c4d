/**
 * Reading reference / source audio for encoding (spec ../shared/spec/acestep-v1.md §1.7 encode side; §3.3–§3.6 tasks that start from
 * audio). WAV (integer PCM 8–32 bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, A-law/µ-law) via wavefile;
 * MP3 (MPEG layer I/II/III) via mpg123-decoder (wasm, gapless trimming on). The format is recognised
 * from the bytes, not the file name. Samples come back as float32 in [−1, 1], one array per channel, at
 * the file's own rate (resample.ts converts).
 */
import { readFile } from 'node:fs/promises';

import { MPEGDecoder } from 'mpg123-decoder';
import wavefile from 'wavefile';

import { AcejamError } from '../errors.js';

export interface DecodedAudio {
  channels: Float32Array[];
  sampleRate: number;
}

type Format = 'wav' | 'mp3';

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** 'wav' (RIFF/RIFX/RF64 … WAVE), 'mp3' (ID3 tag or an MPEG audio frame sync), else undefined. */
export function sniffFormat(bytes: Uint8Array): Format | undefined {
  if (bytes.length >= 12 && ['RIFF', 'RIFX', 'RF64'].includes(ascii(bytes, 0, 4)) && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  if (bytes.length >= 3 && ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  // Frame sync: 11 set bits, a valid version (not 01) and layer (not 00).
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0 && (bytes[1]! & 0x18) !== 0x08 && (bytes[1]! & 0x06) !== 0) return 'mp3';
  return undefined;
}

/**
 * Little-endian 16/24/32-bit integer PCM and 32/64-bit float read straight from the data chunk: the same
 * values as wavefile's `getSamples` (integers divided by 2^(bits−1)), about 10× faster (wavefile unpacks
 * sample by sample through generic code: 2 s for a minute of 48 kHz stereo). Other encodings return null.
 */
function readPcmFast(wav: InstanceType<typeof wavefile.WaveFile>, channelCount: number, depth: string): Float32Array[] | null {
  if (!['16', '24', '32', '32f', '64'].includes(depth) || channelCount < 1 || (wav as unknown as { container: string }).container === 'RIFX') return null;
  const raw = (wav.data as { samples?: Uint8Array }).samples;
  if (!(raw instanceof Uint8Array)) return null;
  const bytesPer = depth === '16' ? 2 : depth === '24' ? 3 : depth === '64' ? 8 : 4;
  const frames = Math.floor(raw.length / (bytesPer * channelCount));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let c = 0; c < channelCount; c++) {
    const out = channels[c]!;
    const stride = bytesPer * channelCount;
    let at = c * bytesPer;
    for (let i = 0; i < frames; i++, at += stride) {
      switch (depth) {
        case '16':
          out[i] = view.getInt16(at, true) / 32768;
          break;
        case '24':
          out[i] = ((view.getInt8(at + 2) << 16) | (view.getUint8(at + 1) << 8) | view.getUint8(at)) / 8388608;
          break;
        case '32':
          out[i] = view.getInt32(at, true) / 2147483648;
          break;
        case '32f':
          out[i] = view.getFloat32(at, true);
          break;
        default:
          out[i] = view.getFloat64(at, true);
      }
    }
  }
  return channels;
}

function decodeWav(bytes: Uint8Array, source: string): DecodedAudio {
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (error) {
    throw new AcejamError('INVALID_INPUT', `${source}: not a readable WAV file (${(error as Error).message})`, { cause: error });
  }
  const fmt = wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number };
  if (fmt.audioFormat === 6) wav.fromALaw();
  else if (fmt.audioFormat === 7) wav.fromMuLaw();
  const depth = wav.bitDepth;
  const isFloat = depth === '32f' || depth === '64';
  const bits = Number.parseInt(depth, 10);
  if (!isFloat && !(bits >= 8 && bits <= 32 && /^\d+$/.test(depth))) {
    throw new AcejamError('INVALID_INPUT', `${source}: WAV format ${fmt.audioFormat} with bit depth ${depth} is not supported`, {
      hint: 'use PCM (8–32 bit) or IEEE float WAV, or MP3',
    });
  }
  const fast = readPcmFast(wav, fmt.numChannels, depth);
  if (fast) {
    if (fast.length === 0 || fast[0]!.length === 0) throw new AcejamError('INVALID_INPUT', `${source}: the WAV file holds no samples`);
    return { channels: fast, sampleRate: fmt.sampleRate };
  }
  const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  const planes = fmt.numChannels > 1 ? (raw as Float64Array[]) : [raw as Float64Array];
  // 8-bit WAV is unsigned with a 128 offset; other PCM is signed.
  const offset = !isFloat && bits === 8 ? 128 : 0;
  const scale = isFloat ? 1 : 2 ** (bits - 1);
  const channels = planes.map((plane) => Float32Array.from(plane, (v) => (v - offset) / scale));
  if (channels.length === 0 || channels[0]!.length === 0) throw new AcejamError('INVALID_INPUT', `${source}: the WAV file holds no samples`);
  return { channels, sampleRate: fmt.sampleRate };
}

async function decodeMp3(bytes: Uint8Array, source: string): Promise<DecodedAudio> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const result = decoder.decode(bytes);
    if (result.samplesDecoded === 0 || result.channelData.length === 0) {
      const why = result.errors[0]?.message ?? 'no audio frames';
      throw new AcejamError('INVALID_INPUT', `${source}: could not decode any MP3 audio (${why})`);
    }
    // The decoder's arrays are views on its wasm heap until copied.
    const channels = result.channelData.map((c) => c.slice(0, result.samplesDecoded));
    return { channels, sampleRate: result.sampleRate };
  } finally {
    decoder.free();
  }
}

/**
 * Reads WAV or MP3 audio from a path or from bytes. Throws INVALID_INPUT naming the file for an
 * unreadable path, an unknown format or undecodable data.
 */
export async function readAudio(pathOrBytes: string | Uint8Array): Promise<DecodedAudio> {
  let bytes: Uint8Array;
  const source = typeof pathOrBytes === 'string' ? pathOrBytes : 'audio bytes';
  if (typeof pathOrBytes === 'string') {
    try {
      bytes = await readFile(pathOrBytes);
    } catch (error) {
      throw new AcejamError('INVALID_INPUT', `${source}: cannot read (${(error as Error).message})`, { cause: error });
    }
  } else {
    bytes = pathOrBytes;
  }
  const format = sniffFormat(bytes);
  if (format === 'wav') return decodeWav(bytes, source);
  if (format === 'mp3') return decodeMp3(bytes, source);
  throw new AcejamError('INVALID_INPUT', `${source}: unrecognised audio format (first bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`, {
    hint: 'supported: WAV and MP3',
  });
}
