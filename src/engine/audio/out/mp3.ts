/**
 * MP3 delivery files (issue 3/5 item 6; `../shared/notes/ecosystem.md` §5: wasm-media-encoders' LAME is
 * the fastest encoder measured without native code). Constant bitrate, so the size is known before
 * encoding (fit.ts relies on it). The file is an ID3v2.4 tag with the recipe (id3.ts), then a LAME
 * "Info" frame, then the audio frames.
 *
 * The Info frame: wasm-media-encoders streams frames and never goes back to write LAME's tag frame, so a
 * decoder could not know the encoder delay (576 samples, + 529 in the decoder) and the end padding, and
 * every file would decode 1–2 frames longer than the song. We write that frame ourselves ("Mp3 Info Tag
 * rev 1", gabriel.mp3-tech.org): a silent frame holding "Info" (CBR), the frame and byte counts, a linear
 * seek table and the LAME extension with delay and padding, both CRC-16s filled in. mpg123 (and ffmpeg,
 * foobar2000, browsers) then trim to the exact length.
 */
import { createMp3Encoder } from 'wasm-media-encoders';

import { InvalidInputError } from '../../errors.js';
import { parseMp3Header, mp3BitrateIndex, mp3FrameLength, type MpegVersion } from '../in/mp3-frames.js';
import { resample } from '../resample.js';
import { FORMATS, MP3_BITRATES, type Mp3Bitrate } from './formats.js';
import { buildId3 } from './id3.js';
import { checkAudio } from './input.js';

/** Sample rates LAME writes without resampling (MPEG-1, 2 and 2.5). */
export const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
type Mp3Rate = (typeof MP3_RATES)[number];

/** LAME's encoder delay in samples (measured: decoded audio lags the input by 576 + 529). */
const ENCODER_DELAY = 576;
/** Input samples handed to the encoder at once. */
const CHUNK = 1152 * 64;
/** Bytes of "Info" frame content after the side information: tag, flags, frames, bytes, TOC, quality, LAME extension. */
const INFO_BYTES = 4 + 4 + 4 + 4 + 100 + 4 + 36;

let encoderPromise: ReturnType<typeof createMp3Encoder> | null = null;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[i] = crc;
  }
  return table;
})();

/** CRC-16/ARC (polynomial 0x8005 reflected, initial 0), as LAME computes its tag CRCs. */
export function crc16(bytes: Uint8Array, crc = 0): number {
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ CRC16_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc & 0xffff;
}

/** The MPEG version a sample rate belongs to. */
function versionOf(rate: number): MpegVersion {
  return rate >= 32000 ? 1 : rate >= 16000 ? 2 : 2.5;
}

/** Checks a bitrate against what this sample rate's MPEG version allows. */
function checkBitrate(kbps: number, rate: number): Mp3Bitrate {
  const version = versionOf(rate);
  const allowed = MP3_BITRATES.filter((b) => mp3BitrateIndex(version, 3, b) > 0);
  if (!(allowed as readonly number[]).includes(kbps)) {
    throw new InvalidInputError('bitrateKbps', `MP3 at ${rate} Hz takes one of ${allowed.join(', ')} kb/s, got ${kbps}`);
  }
  return kbps as Mp3Bitrate;
}

/** The rate the MP3 is written at: the input's if LAME takes it, else 48 kHz (resampled). */
export function mp3OutputRate(sampleRate: number): Mp3Rate {
  return (MP3_RATES as readonly number[]).includes(sampleRate) ? (sampleRate as Mp3Rate) : 48000;
}

/**
 * Frames LAME writes for `length` samples: the 576-sample delay plus at least 576 samples of end padding
 * (so the padding always covers mpg123's 529-sample decoder delay), i.e. ⌈(length + 1152) / samplesPerFrame⌉
 * (measured at MPEG-1 and MPEG-2 rates).
 */
function audioFrames(length: number, samplesPerFrame: number): number {
  return Math.ceil((length + 2 * ENCODER_DELAY) / samplesPerFrame);
}

/**
 * Predicted size of {@link encodeMp3}'s output: ID3 tag + Info frame + the CBR frames (MPEG-1 at
 * 44.1 kHz pads some frames by one byte; the average is used). Within a few bytes of the real size.
 */
export function predictMp3Size(length: number, sampleRate: number, bitrateKbps: number, tags: Readonly<Record<string, string>> = {}): number {
  const rate = mp3OutputRate(sampleRate);
  const outLength = rate === sampleRate ? length : Math.ceil((length * rate) / sampleRate);
  const version = versionOf(rate);
  const spf = version === 1 ? 1152 : 576;
  const frameBytes = ((version === 1 ? 144 : 72) * bitrateKbps * 1000) / rate;
  const info = infoFrameBitrate(version, rate, bitrateKbps, 2);
  return buildId3(tags).length + mp3FrameLength(version, 3, info, rate, false) + Math.ceil(audioFrames(outLength, spf) * frameBytes);
}

/** The smallest bitrate ≥ the stream's whose frame holds the Info tag. */
function infoFrameBitrate(version: MpegVersion, rate: number, kbps: number, channels: number): number {
  const side = version === 1 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17;
  const candidates = MP3_BITRATES.filter((b) => b >= kbps && mp3BitrateIndex(version, 3, b) > 0);
  for (const b of candidates) if (mp3FrameLength(version, 3, b, rate, false) >= 4 + side + INFO_BYTES) return b;
  return candidates[candidates.length - 1] ?? kbps;
}

/** Builds the LAME Info frame for an audio stream whose first frame header is at `audio[0..4)`. */
function infoFrame(audio: Uint8Array, frames: number, delay: number, padding: number, kbps: number): Uint8Array {
  const h = parseMp3Header(audio, 0);
  if (!h) throw new Error('mp3: the encoder did not start with a frame header');
  const bitrate = infoFrameBitrate(h.version, h.sampleRate, kbps, h.channels);
  const length = mp3FrameLength(h.version, 3, bitrate, h.sampleRate, false);
  const frame = new Uint8Array(length);
  const view = new DataView(frame.buffer);
  frame[0] = 0xff;
  frame[1] = (audio[1]! & 0xfe) | 1; // same version and layer, no CRC
  frame[2] = (mp3BitrateIndex(h.version, 3, bitrate) << 4) | (audio[2]! & 0x0c); // same rate, no padding
  frame[3] = audio[3]!;
  let at = 4 + h.sideInfo;
  const totalBytes = length + audio.length;
  frame.set([0x49, 0x6e, 0x66, 0x6f], at); // "Info": a CBR stream
  view.setUint32(at + 4, 0x0f); // frames, bytes, TOC, quality present
  view.setUint32(at + 8, frames);
  view.setUint32(at + 12, totalBytes);
  for (let i = 0; i < 100; i++) frame[at + 16 + i] = Math.min(255, Math.floor((i * 256) / 100));
  view.setUint32(at + 116, 0); // quality
  at += 120;
  const lame = 'LAME3.100';
  for (let i = 0; i < lame.length; i++) frame[at + i] = lame.charCodeAt(i);
  frame[at + 9] = 0x01; // tag revision 0, CBR
  frame[at + 20] = Math.min(255, kbps);
  frame[at + 21] = delay >> 4;
  frame[at + 22] = ((delay & 0x0f) << 4) | (padding >> 8);
  frame[at + 23] = padding & 0xff;
  view.setUint32(at + 28, totalBytes);
  view.setUint16(at + 32, crc16(audio));
  view.setUint16(at + 34, crc16(frame.subarray(0, at + 34)));
  return frame;
}

/**
 * Encodes 1 or 2 channels to a CBR MP3 with the recipe tags. Rates LAME does not take are resampled
 * to 48 kHz first. Default 192 kb/s.
 */
export async function encodeMp3(channels: readonly Float32Array[], sampleRate: number, options: { bitrateKbps?: number; tags?: Readonly<Record<string, string>> } = {}): Promise<Uint8Array> {
  checkAudio('mp3', channels, sampleRate, 2);
  const rate = mp3OutputRate(sampleRate);
  const input = rate === sampleRate ? channels : channels.map((c) => resample(c, sampleRate, rate));
  const kbps = checkBitrate(options.bitrateKbps ?? FORMATS.mp3.defaultKbps!, rate);
  const length = input[0]!.length;
  encoderPromise ??= createMp3Encoder();
  const encoder = await encoderPromise;
  encoder.configure({ sampleRate: rate, outputSampleRate: rate, channels: input.length as 1 | 2, bitrate: kbps });

  // Everything from here to the return is synchronous, so callers sharing the encoder cannot interleave.
  let out = new Uint8Array(Math.ceil(predictMp3Size(length, rate, kbps) * 1.05) + 8192);
  let size = 0;
  const append = (data: Uint8Array) => {
    if (size + data.length > out.length) {
      const grown = new Uint8Array(Math.max(out.length * 2, size + data.length));
      grown.set(out.subarray(0, size));
      out = grown;
    }
    out.set(data, size);
    size += data.length;
  };
  for (let start = 0; start < length; start += CHUNK) append(encoder.encode(input.map((c) => c.subarray(start, start + CHUNK))));
  append(encoder.finalize());
  const audio = out.subarray(0, size);

  const spf = versionOf(rate) === 1 ? 1152 : 576;
  let frames = 0;
  for (let at = 0; at < audio.length; ) {
    const h = parseMp3Header(audio, at);
    if (!h) throw new Error(`mp3: the encoder wrote an invalid frame at byte ${at}`);
    frames++;
    at += h.frameLength;
  }
  const padding = Math.max(0, frames * spf - length - ENCODER_DELAY);
  const id3 = buildId3(options.tags ?? {});
  const info = infoFrame(audio, frames, ENCODER_DELAY, padding, kbps);
  const file = new Uint8Array(id3.length + info.length + audio.length);
  file.set(id3, 0);
  file.set(info, id3.length);
  file.set(audio, id3.length + info.length);
  return file;
}
