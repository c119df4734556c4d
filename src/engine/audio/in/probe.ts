/**
 * Reading an upload's headers without decoding it (issue 3/5 item 5): how long it says it is, so an
 * over-long file is refused before any decoding work or memory, and whether it is cut short or damaged.
 *
 * - WAV: `fmt ` and `data` chunks (riff.ts). Cut short when the data chunk declares more bytes than the
 *   file has (sizes 0 and 0xFFFFFFFF are streaming placeholders and mean "to the end").
 * - MP3: every frame header walked (mp3-frames.ts). Cut short when the last frame runs past the end, or
 *   the Xing/Info/VBRI tag counts more frames than there are.
 * - FLAC: STREAMINFO's total samples (0 = unknown), checked against the decoded count later.
 * - Ogg: every page read with its CRC (ogg.ts). Damaged when a CRC fails or non-page bytes sit between
 *   pages; cut short when a page is incomplete or the last page lacks the end-of-stream flag. The length
 *   comes from the last page's granule position (Opus: minus pre-skip, at 48 kHz).
 */
import { riffChunks } from '../out/riff.js';
import { OGG_EOS, oggPackets, readOggPages } from '../out/ogg.js';
import { flacMetadata } from '../out/flac.js';
import { scanMp3 } from './mp3-frames.js';
import type { UploadFormat } from './sniff.js';

export interface Problem {
  kind: 'truncated' | 'corrupt';
  detail: string;
}

export interface Probe {
  channels: number | null;
  sampleRate: number | null;
  /** Samples per channel the headers declare; null when they do not say. */
  samples: number | null;
  /** WAVE_FORMAT_EXTENSIBLE speaker mask, when the WAV file has one. */
  channelMask: number | null;
  problem: Problem | null;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function probeWav(bytes: Uint8Array): Probe {
  const chunks = riffChunks(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fmt = chunks.find((c) => c.id === 'fmt ');
  const data = chunks.find((c) => c.id === 'data');
  const none: Probe = { channels: null, sampleRate: null, samples: null, channelMask: null, problem: null };
  if (!fmt || fmt.available < 16) {
    return { ...none, problem: { kind: fmt || bytes.length < 64 ? 'truncated' : 'corrupt', detail: 'the WAV header (fmt chunk) is missing or cut short' } };
  }
  const tag = view.getUint16(fmt.offset, true);
  const channels = view.getUint16(fmt.offset + 2, true);
  const sampleRate = view.getUint32(fmt.offset + 4, true);
  const blockAlign = view.getUint16(fmt.offset + 12, true);
  const channelMask = tag === 0xfffe && fmt.available >= 24 ? view.getUint32(fmt.offset + 20, true) : null;
  const base = { channels, sampleRate, channelMask };
  if (!data) return { ...base, samples: null, problem: { kind: 'truncated', detail: 'the WAV file has no data chunk (cut short after the header?)' } };
  const placeholder = data.size === 0 || data.size === 0xffffffff;
  const dataBytes = placeholder ? bytes.length - data.offset : data.size;
  const samples = blockAlign > 0 ? Math.floor(Math.min(dataBytes, data.available) / blockAlign) : null;
  if (!placeholder && data.available < data.size) {
    const missing = blockAlign > 0 && sampleRate > 0 ? ` (${((data.size - data.available) / blockAlign / sampleRate).toFixed(1)} s missing)` : '';
    return { ...base, samples, problem: { kind: 'truncated', detail: `the WAV data chunk declares ${data.size} bytes but only ${data.available} are present${missing}` } };
  }
  return { ...base, samples, problem: null };
}

function probeMp3(bytes: Uint8Array): Probe {
  const scan = scanMp3(bytes);
  if (!scan || scan.frames === 0) {
    return { channels: null, sampleRate: null, samples: null, channelMask: null, problem: { kind: scan ? 'truncated' : 'corrupt', detail: 'no complete MPEG audio frame found' } };
  }
  const base = { channels: scan.channels, sampleRate: scan.sampleRate, samples: scan.samples, channelMask: null };
  const declared = scan.info?.frames ?? null;
  if (declared !== null && declared > scan.frames + 1) {
    const missing = ((declared - scan.frames) * scan.samplesPerFrame) / scan.sampleRate;
    return { ...base, problem: { kind: 'truncated', detail: `the MP3 header announces ${declared} frames but only ${scan.frames} are present (${missing.toFixed(1)} s missing)` } };
  }
  if (scan.cutFrame) return { ...base, problem: { kind: 'truncated', detail: 'the last MP3 frame is cut off' } };
  return { ...base, problem: null };
}

function probeFlac(bytes: Uint8Array): Probe {
  const parsed = flacMetadata(bytes);
  const info = parsed?.blocks[0];
  if (!parsed || !info || info.type !== 0 || info.body.length < 18) {
    return { channels: null, sampleRate: null, samples: null, channelMask: null, problem: { kind: parsed === null && bytes.length < 8192 ? 'truncated' : 'corrupt', detail: 'the FLAC header (STREAMINFO) is missing or cut short' } };
  }
  const b = info.body;
  const sampleRate = (b[10]! << 12) | (b[11]! << 4) | (b[12]! >> 4);
  const channels = ((b[12]! >> 1) & 7) + 1;
  const total = (b[13]! & 0x0f) * 2 ** 32 + ((b[14]! << 24) >>> 0) + (b[15]! << 16) + (b[16]! << 8) + b[17]!;
  const problem: Problem | null = parsed.framesAt >= bytes.length ? { kind: 'truncated', detail: 'the FLAC file ends after its header, with no audio frames' } : null;
  return { channels, sampleRate, samples: total > 0 ? total : null, channelMask: null, problem };
}

function probeOgg(bytes: Uint8Array, format: UploadFormat): Probe {
  const scan = readOggPages(bytes);
  const first = scan.pages[0];
  const none: Probe = { channels: null, sampleRate: null, samples: null, channelMask: null, problem: null };
  if (!first) return { ...none, problem: { kind: 'truncated', detail: 'the Ogg file ends inside its first page' } };
  const serial = first.serial;
  const own = scan.pages.filter((p) => p.serial === serial);
  const head = oggPackets(own, 1)[0] ?? new Uint8Array(0);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let channels: number | null = null;
  let sampleRate: number | null = null;
  let preSkip = 0;
  if (format === 'ogg-opus' && head.length >= 19) {
    channels = head[9]!;
    preSkip = view.getUint16(10, true);
    sampleRate = 48000;
  } else if (format === 'ogg-vorbis' && head.length >= 16) {
    channels = head[11]!;
    sampleRate = view.getUint32(12, true);
  }
  const last = own[own.length - 1]!;
  const granule = Number(last.granule);
  const samples = sampleRate !== null && granule > 0 && format !== 'ogg-flac' ? Math.max(0, granule - preSkip) : null;
  const base = { channels, sampleRate, samples, channelMask: null };
  const bad = scan.pages.find((p) => !p.crcOk);
  if (bad) return { ...base, problem: { kind: 'corrupt', detail: `Ogg page ${bad.sequence} at byte ${bad.offset} fails its checksum` } };
  if (scan.truncatedAt !== null) return { ...base, problem: { kind: 'truncated', detail: `the file ends inside an Ogg page (byte ${scan.truncatedAt})` } };
  if (scan.garbageAt !== null && !(last.headerType & OGG_EOS)) {
    return { ...base, problem: { kind: 'corrupt', detail: `unexpected bytes at ${scan.garbageAt} where an Ogg page should start (${JSON.stringify(ascii(bytes, scan.garbageAt, 4))})` } };
  }
  if (!(last.headerType & OGG_EOS)) return { ...base, problem: { kind: 'truncated', detail: 'the Ogg stream has no end-of-stream page (cut short?)' } };
  return { ...base, problem: null };
}

/** Probes `bytes` (already sniffed as `format`) as the module comment describes. */
export function probeUpload(bytes: Uint8Array, format: UploadFormat): Probe {
  switch (format) {
    case 'wav':
      return probeWav(bytes);
    case 'mp3':
      return probeMp3(bytes);
    case 'flac':
      return probeFlac(bytes);
    default:
      return probeOgg(bytes, format);
  }
}
