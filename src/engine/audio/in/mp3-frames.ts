/**
 * MPEG audio (MP3, and layers I/II) frame headers, walked without decoding (issue 3/5 item 5: over-long
 * and truncated uploads are refused before decoding). ISO/IEC 11172-3 §2.4.1.3 and 13818-3 give the
 * header layout; the Xing/Info and LAME tags (the first, silent frame LAME writes; "Mp3 Info Tag rev 1
 * specifications", gabriel.mp3-tech.org) give the frame count and the encoder delay and padding that
 * gapless decoders remove. out/mp3.ts uses the same tables to write that frame.
 */
import { id3Size } from '../out/id3.js';

/** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5. */
export type MpegVersion = 1 | 2 | 2.5;

export interface Mp3Header {
  version: MpegVersion;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  padding: boolean;
  /** A 16-bit CRC follows the header. */
  crc: boolean;
  channels: 1 | 2;
  samplesPerFrame: number;
  /** Whole frame in bytes, header included. */
  frameLength: number;
  /** Layer III side information bytes (0 for layers I/II). */
  sideInfo: number;
}

const BITRATES: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Record<MpegVersion, readonly number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] };

/** Frame length in bytes for a layer/version/bitrate/rate/padding. */
export function mp3FrameLength(version: MpegVersion, layer: 1 | 2 | 3, bitrateKbps: number, sampleRate: number, padding: boolean): number {
  const bps = bitrateKbps * 1000;
  if (layer === 1) return (Math.floor((12 * bps) / sampleRate) + (padding ? 1 : 0)) * 4;
  const perFrame = layer === 3 && version !== 1 ? 72 : 144;
  return Math.floor((perFrame * bps) / sampleRate) + (padding ? 1 : 0);
}

/** The bitrate index of `kbps` for this version and layer, or −1. */
export function mp3BitrateIndex(version: MpegVersion, layer: 1 | 2 | 3, kbps: number): number {
  return BITRATES[`${version === 1 ? 1 : 2}-${layer}`]!.indexOf(kbps);
}

/** Parses the 4-byte header at `at`; null when it is not a valid, non-free-format frame header. */
export function parseMp3Header(bytes: Uint8Array, at: number): Mp3Header | null {
  if (at + 4 > bytes.length) return null;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const b3 = bytes[at + 3]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  if (versionBits === 1 || layerBits === 0) return null;
  const version: MpegVersion = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  if ((b3 & 3) === 2) return null; // reserved emphasis
  const bitrateKbps = BITRATES[`${version === 1 ? 1 : 2}-${layer}`]![bitrateIndex]!;
  const sampleRate = RATES[version][rateIndex]!;
  const padding = ((b2 >> 1) & 1) === 1;
  const channels = (b3 >> 6) === 3 ? 1 : 2;
  const samplesPerFrame = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
  const sideInfo = layer !== 3 ? 0 : version === 1 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17;
  return {
    version,
    layer,
    bitrateKbps,
    sampleRate,
    padding,
    crc: (b1 & 1) === 0,
    channels,
    samplesPerFrame,
    frameLength: mp3FrameLength(version, layer, bitrateKbps, sampleRate, padding),
    sideInfo,
  };
}

/** What a Xing/Info (and LAME) or VBRI tag in the first frame says. */
export interface Mp3InfoTag {
  kind: 'Xing' | 'Info' | 'VBRI';
  /** Audio frames after the tag frame, when given. */
  frames: number | null;
  /** Stream bytes (tag frame included), when given. */
  bytes: number | null;
  /** Encoder delay and end padding in samples (LAME tag), when given. */
  delay: number | null;
  padding: number | null;
}

function readInfoTag(bytes: Uint8Array, at: number, header: Mp3Header): Mp3InfoTag | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = at + header.frameLength;
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  let o = at + 4 + (header.crc ? 2 : 0) + header.sideInfo;
  if (o + 8 <= end && (tag(o) === 'Xing' || tag(o) === 'Info')) {
    const kind = tag(o) as 'Xing' | 'Info';
    const flags = view.getUint32(o + 4);
    o += 8;
    let frames: number | null = null;
    let size: number | null = null;
    if (flags & 1 && o + 4 <= end) {
      frames = view.getUint32(o);
      o += 4;
    }
    if (flags & 2 && o + 4 <= end) {
      size = view.getUint32(o);
      o += 4;
    }
    if (flags & 4) o += 100;
    if (flags & 8) o += 4;
    let delay: number | null = null;
    let padding: number | null = null;
    if (o + 24 <= end && /^[A-Za-z]{4}/.test(String.fromCharCode(...bytes.subarray(o, o + 4)))) {
      const d = (bytes[o + 21]! << 16) | (bytes[o + 22]! << 8) | bytes[o + 23]!;
      delay = d >> 12;
      padding = d & 0xfff;
    }
    return { kind, frames, bytes: size, delay, padding };
  }
  o = at + 4 + 32;
  if (o + 18 <= end && tag(o) === 'VBRI') return { kind: 'VBRI', bytes: view.getUint32(o + 10), frames: view.getUint32(o + 14), delay: null, padding: null };
  return null;
}

/** The result of walking an MP3 stream's frames. */
export interface Mp3Scan {
  /** Offset of the first frame (after ID3v2 tags and any junk). */
  firstFrame: number;
  /** Audio frames found (the Xing/Info frame excluded). */
  frames: number;
  sampleRate: number;
  channels: 1 | 2;
  samplesPerFrame: number;
  info: Mp3InfoTag | null;
  /** Samples a gapless decoder returns: frames·samplesPerFrame minus the LAME delay (+529) and padding (−529) when known. */
  samples: number;
  /** The last frame runs past the end of the bytes. */
  cutFrame: boolean;
  /** Bytes between frames that were not frames or tags. */
  junkBytes: number;
}

/** The first offset ≥ `from` (within `window` bytes) with two consecutive matching frame headers. */
function findSync(bytes: Uint8Array, from: number, window: number): number {
  const stop = Math.min(bytes.length - 4, from + window);
  for (let at = from; at <= stop; at++) {
    if (bytes[at] !== 0xff) continue;
    const h = parseMp3Header(bytes, at);
    if (!h) continue;
    const next = at + h.frameLength;
    if (next === bytes.length || next + 4 > bytes.length) return at; // a single frame, or one cut frame
    const h2 = parseMp3Header(bytes, next);
    if (h2 && h2.version === h.version && h2.layer === h.layer && h2.sampleRate === h.sampleRate) return at;
  }
  return -1;
}

/** Length of a trailing tag (ID3v1 "TAG", APEv2 "APETAGEX", Lyrics3) starting at `at`, or 0. */
function trailingTag(bytes: Uint8Array, at: number): number {
  const text = String.fromCharCode(...bytes.subarray(at, at + 9));
  if (text.startsWith('TAG') && bytes.length - at >= 128) return 128;
  if (text.startsWith('APETAGEX') || text.startsWith('LYRICSBEG') || text.startsWith('ID3')) return bytes.length - at;
  return 0;
}

/**
 * Walks the MPEG audio frames of `bytes`. Returns null when no frame sync is found in the first
 * 64 KiB after the ID3v2 tag (not MPEG audio).
 */
export function scanMp3(bytes: Uint8Array): Mp3Scan | null {
  let start = 0;
  for (let size = id3Size(bytes, start); size > 0; size = id3Size(bytes, start)) start += size;
  const first = findSync(bytes, start, 65536);
  if (first < 0) return null;
  const head = parseMp3Header(bytes, first)!;
  const info = head.layer === 3 ? readInfoTag(bytes, first, head) : null;
  let frames = 0;
  let junkBytes = first - start;
  let cutFrame = false;
  let at = info ? first + head.frameLength : first;
  while (at < bytes.length) {
    const h = parseMp3Header(bytes, at);
    if (h && h.version === head.version && h.layer === head.layer && h.sampleRate === head.sampleRate) {
      if (at + h.frameLength > bytes.length) {
        cutFrame = true;
        break;
      }
      frames++;
      at += h.frameLength;
      continue;
    }
    const tag = trailingTag(bytes, at);
    if (tag > 0) {
      at += tag;
      continue;
    }
    const next = findSync(bytes, at + 1, bytes.length);
    if (next < 0) {
      junkBytes += bytes.length - at;
      break;
    }
    junkBytes += next - at;
    at = next;
  }
  let samples = frames * head.samplesPerFrame;
  if (info?.delay != null && info.padding != null) samples = Math.max(0, samples - info.delay - info.padding);
  return { firstFrame: first, frames, sampleRate: head.sampleRate, channels: head.channels, samplesPerFrame: head.samplesPerFrame, info, samples, cutFrame, junkBytes };
}
