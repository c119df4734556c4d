/**
 * What an uploaded file is, from its first bytes and never from its name (issue 3/5 item 5: "a PNG
 * renamed .wav" is refused as a PNG). Audio we decode: WAV and MP3 (recognised by read.ts's
 * `sniffFormat`), FLAC, and Ogg carrying Opus, Vorbis or FLAC (told apart by the first packet's magic).
 * Common other files are named so the error can say what was sent instead of audio.
 */
import { sniffFormat } from '../read.js';
import { id3Size } from '../out/id3.js';
import { readOggPages } from '../out/ogg.js';

export type UploadFormat = 'wav' | 'mp3' | 'flac' | 'ogg-opus' | 'ogg-vorbis' | 'ogg-flac';

export type Sniffed =
  /** `offset`: where the stream starts (after an ID3v2 tag some taggers put in front of FLAC). */
  | { kind: 'audio'; format: UploadFormat; offset: number }
  /** Recognised, but not something we decode: `what` names it for the error message. */
  | { kind: 'other'; what: string; audio: boolean }
  | { kind: 'unknown' };

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function startsWith(bytes: Uint8Array, at: number, signature: readonly number[]): boolean {
  return bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
}

/** Files people send by mistake, and audio formats we do not decode. */
const OTHERS: readonly { test: (b: Uint8Array) => boolean; what: string; audio: boolean }[] = [
  { test: (b) => startsWith(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), what: 'a PNG image', audio: false },
  { test: (b) => startsWith(b, 0, [0xff, 0xd8, 0xff]), what: 'a JPEG image', audio: false },
  { test: (b) => ascii(b, 0, 4) === 'GIF8', what: 'a GIF image', audio: false },
  { test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP', what: 'a WebP image', audio: false },
  { test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'AVI ', what: 'an AVI video', audio: false },
  { test: (b) => ascii(b, 0, 5) === '%PDF-', what: 'a PDF document', audio: false },
  { test: (b) => startsWith(b, 0, [0x50, 0x4b, 0x03, 0x04]), what: 'a ZIP archive', audio: false },
  { test: (b) => startsWith(b, 0, [0x1f, 0x8b]), what: 'a gzip archive', audio: false },
  { test: (b) => ascii(b, 0, 4) === 'MThd', what: 'a MIDI file (notes, not recorded audio)', audio: false },
  { test: (b) => ascii(b, 4, 4) === 'ftyp', what: 'an MP4/M4A file (AAC or ALAC audio)', audio: true },
  { test: (b) => startsWith(b, 0, [0x1a, 0x45, 0xdf, 0xa3]), what: 'a Matroska/WebM file', audio: true },
  { test: (b) => ascii(b, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(b, 8, 4)), what: 'an AIFF file', audio: true },
  { test: (b) => ascii(b, 0, 4) === 'caff', what: 'a Core Audio (CAF) file', audio: true },
  { test: (b) => ascii(b, 0, 4) === '.snd', what: 'a Sun/NeXT AU file', audio: true },
  { test: (b) => startsWith(b, 0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]), what: 'a WMA/ASF file', audio: true },
  { test: (b) => b.length >= 2 && b[0] === 0xff && (b[1]! & 0xf6) === 0xf0, what: 'raw AAC (ADTS)', audio: true },
  { test: (b) => ascii(b, 0, 4) === 'MAC ', what: "a Monkey's Audio (APE) file", audio: true },
  { test: (b) => ascii(b, 0, 4) === 'wvpk', what: 'a WavPack file', audio: true },
];

/** Mostly printable UTF-8 text in the first kilobyte. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80) printable++;
  return head.length > 0 && printable / head.length > 0.97 && !head.includes(0);
}

/** The codec of an Ogg stream, from its first packet. */
function sniffOgg(bytes: Uint8Array): Sniffed {
  const first = readOggPages(bytes, 1).pages[0];
  if (!first) return { kind: 'other', what: 'a damaged Ogg file', audio: true };
  const data = first.data;
  if (ascii(data, 0, 8) === 'OpusHead') return { kind: 'audio', format: 'ogg-opus', offset: 0 };
  if (data[0] === 1 && ascii(data, 1, 6) === 'vorbis') return { kind: 'audio', format: 'ogg-vorbis', offset: 0 };
  if (data[0] === 0x7f && ascii(data, 1, 4) === 'FLAC') return { kind: 'audio', format: 'ogg-flac', offset: 0 };
  if (ascii(data, 0, 8) === 'Speex   ') return { kind: 'other', what: 'an Ogg Speex file', audio: true };
  if (data[0] === 0x80 && ascii(data, 1, 6) === 'theora') return { kind: 'other', what: 'an Ogg Theora video', audio: false };
  return { kind: 'other', what: 'an Ogg file with an unknown codec', audio: true };
}

/** Classifies `bytes` (see the module comment). */
export function sniffUpload(bytes: Uint8Array): Sniffed {
  if (ascii(bytes, 0, 4) === 'fLaC') return { kind: 'audio', format: 'flac', offset: 0 };
  if (ascii(bytes, 0, 4) === 'OggS') return sniffOgg(bytes);
  // An ID3v2 tag in front of FLAC happens (some taggers); sniffFormat reads any ID3 start as MP3.
  const tag = id3Size(bytes);
  if (tag > 0 && ascii(bytes, tag, 4) === 'fLaC') return { kind: 'audio', format: 'flac', offset: tag };
  const known = sniffFormat(bytes);
  if (known) return { kind: 'audio', format: known, offset: 0 };
  for (const other of OTHERS) if (other.test(bytes)) return { kind: 'other', what: other.what, audio: other.audio };
  if (looksLikeText(bytes)) return { kind: 'other', what: 'a text file', audio: false };
  return { kind: 'unknown' };
}
