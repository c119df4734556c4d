/**
 * FLAC delivery files (issue 3/5 item 6; `../shared/notes/ecosystem.md` §5: libflacjs, compression 5).
 * 16-bit samples (rounded as wav.ts does), libFLAC's default compression level 5.
 *
 * libflacjs streams the file through a write callback and cannot seek back, so STREAMINFO lacks the
 * frame sizes and the MD5 of the audio; libFLAC reports them when it finishes and we patch them in. The
 * VORBIS_COMMENT block libFLAC writes (vendor string only) is replaced by one holding the recipe
 * (vorbis-comment.ts). FLAC format: xiph.org/flac/format.html (METADATA_BLOCK_STREAMINFO, _VORBIS_COMMENT).
 *
 * The wasm build of libflacjs loads its binary with `fetch` whenever `fetch` exists, which fails in Node
 * for a file path; it is loaded with `fetch` hidden for that one synchronous call, so it reads the file.
 */
import { createRequire } from 'node:module';

import type libFactory from 'libflacjs';

import { checkAudio, toInt16 } from './input.js';
import { buildVorbisComment } from './vorbis-comment.js';

type Flac = libFactory.Flac;

const require = createRequire(import.meta.url);
/** FLAC carries up to 8 channels. */
const MAX_CHANNELS = 8;
const COMPRESSION = 5;
const CHUNK = 65536;
const VENDOR = 'acejam (reference libFLAC 1.3.4 via libflacjs)';

let flacPromise: Promise<Flac> | null = null;

function loadFlac(): Promise<Flac> {
  flacPromise ??= new Promise<Flac>((resolve, reject) => {
    const factory = require('libflacjs') as typeof libFactory;
    const savedFetch = globalThis.fetch;
    let flac: Flac;
    try {
      (globalThis as { fetch?: unknown }).fetch = undefined;
      flac = factory('wasm');
    } catch (error) {
      reject(error as Error);
      return;
    } finally {
      globalThis.fetch = savedFetch;
    }
    if (flac.isReady()) resolve(flac);
    else flac.onready = () => resolve(flac);
  });
  return flacPromise;
}

interface Block {
  type: number;
  body: Uint8Array;
}

function block(type: number, body: Uint8Array, last: boolean): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = (last ? 0x80 : 0) | type;
  out[1] = (body.length >> 16) & 0xff;
  out[2] = (body.length >> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** Splits a FLAC stream into its metadata blocks and the offset where the frames start. */
export function flacMetadata(bytes: Uint8Array): { blocks: Block[]; framesAt: number } | null {
  if (bytes.length < 8 || bytes[0] !== 0x66 || bytes[1] !== 0x4c || bytes[2] !== 0x61 || bytes[3] !== 0x43) return null; // "fLaC"
  const blocks: Block[] = [];
  let at = 4;
  for (;;) {
    if (at + 4 > bytes.length) return null;
    const header = bytes[at]!;
    const size = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (at + 4 + size > bytes.length) return null;
    blocks.push({ type: header & 0x7f, body: bytes.subarray(at + 4, at + 4 + size) });
    at += 4 + size;
    if (header & 0x80) return { blocks, framesAt: at };
  }
}

/** Encodes up to 8 channels to 16-bit FLAC with the recipe in a VORBIS_COMMENT block. */
export async function encodeFlac(channels: readonly Float32Array[], sampleRate: number, options: { tags?: Readonly<Record<string, string>> } = {}): Promise<Uint8Array> {
  const length = checkAudio('flac', channels, sampleRate, MAX_CHANNELS);
  const flac = await loadFlac();
  const count = channels.length;
  const encoder = flac.create_libflac_encoder(sampleRate, count, 16, COMPRESSION, length, false, 0);
  if (encoder === 0) throw new Error(`flac: libFLAC refused ${count} channels at ${sampleRate} Hz`);
  const chunks: Uint8Array[] = [];
  let stream: libFactory.StreamMetadata | undefined;
  try {
    const status = flac.init_encoder_stream(
      encoder,
      (data) => {
        chunks.push(data.slice());
      },
      (metadata) => {
        if (metadata) stream = metadata;
      },
    );
    if (status !== 0) throw new Error(`flac: encoder init failed with status ${status}`);
    const buffer = new Int32Array(CHUNK * count);
    for (let start = 0; start < length; start += CHUNK) {
      const n = Math.min(CHUNK, length - start);
      for (let c = 0; c < count; c++) {
        const channel = channels[c]!;
        for (let i = 0; i < n; i++) buffer[i * count + c] = toInt16(channel[start + i]!);
      }
      if (!flac.FLAC__stream_encoder_process_interleaved(encoder, buffer, n)) throw new Error('flac: encoding failed');
    }
    if (!flac.FLAC__stream_encoder_finish(encoder)) throw new Error('flac: finishing the stream failed');
  } finally {
    flac.FLAC__stream_encoder_delete(encoder);
  }

  const raw = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    raw.set(c, at);
    at += c.length;
  }
  const parsed = flacMetadata(raw);
  if (!parsed || parsed.blocks[0]?.type !== 0) throw new Error('flac: the encoder did not write STREAMINFO first');
  const info = parsed.blocks[0].body.slice();
  if (stream) {
    info.set([(stream.min_framesize >> 16) & 0xff, (stream.min_framesize >> 8) & 0xff, stream.min_framesize & 0xff], 4);
    info.set([(stream.max_framesize >> 16) & 0xff, (stream.max_framesize >> 8) & 0xff, stream.max_framesize & 0xff], 7);
    if (/^[0-9a-f]{32}$/i.test(stream.md5sum)) for (let i = 0; i < 16; i++) info[18 + i] = Number.parseInt(stream.md5sum.slice(2 * i, 2 * i + 2), 16);
  }
  const head = [block(0, info, false), block(4, buildVorbisComment(VENDOR, options.tags ?? {}), true)];
  const frames = raw.subarray(parsed.framesAt);
  const out = new Uint8Array(4 + head.reduce((sum, b) => sum + b.length, 0) + frames.length);
  out.set([0x66, 0x4c, 0x61, 0x43], 0);
  at = 4;
  for (const b of head) {
    out.set(b, at);
    at += b.length;
  }
  out.set(frames, at);
  return out;
}
