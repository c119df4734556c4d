/**
 * RIFF/WAVE chunks: a chunk walker (used to check uploads, in/probe.ts) and the LIST/INFO chunk that
 * carries a WAV file's tags (issue 3/5 item 6; Microsoft "Multimedia Programming Interface and Data
 * Specifications 1.0", INFO list). Standard keys get their INFO ids (tags.ts); every other key is a
 * `key=value` line in ICMT after the comment text, because INFO has no user-defined fields. INFO strings
 * are NUL-terminated and written as UTF-8; chunks are padded to an even size.
 */
import { RIFF_INFO_IDS } from './tags.js';

const utf8 = new TextEncoder();

/** One chunk: its id, where its body starts, its declared size and how many body bytes exist. */
export interface RiffChunk {
  id: string;
  offset: number;
  size: number;
  available: number;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/**
 * The top-level chunks of a RIFF WAVE file, in order. Stops at the end of the bytes; a chunk whose
 * declared size runs past the end is returned with `available < size`.
 */
export function riffChunks(bytes: Uint8Array): RiffChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: RiffChunk[] = [];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at, 4);
    const size = view.getUint32(at + 4, true);
    const available = Math.min(size, bytes.length - at - 8);
    chunks.push({ id, offset: at + 8, size, available });
    if (available < size) break;
    at += 8 + size + (size & 1);
  }
  return chunks;
}

function subchunk(id: string, text: string): Uint8Array {
  const body = utf8.encode(`${text}\0`);
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

/** The LIST/INFO chunk for `tags`, or an empty array when there are none. */
export function buildInfoChunk(tags: Readonly<Record<string, string>>): Uint8Array {
  const parts: Uint8Array[] = [];
  const extra: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    const id = RIFF_INFO_IDS[key];
    if (id && key !== 'comment') parts.push(subchunk(id, value));
    else if (key !== 'comment') extra.push(`${key}=${value.replace(/[\r\n]+/g, ' ')}`);
  }
  const comment = [tags.comment, ...extra].filter((line): line is string => line !== undefined).join('\n');
  if (comment.length > 0) parts.push(subchunk('ICMT', comment));
  if (parts.length === 0) return new Uint8Array(0);
  const bodySize = 4 + parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(8 + bodySize);
  out.set([0x4c, 0x49, 0x53, 0x54], 0); // "LIST"
  new DataView(out.buffer).setUint32(4, bodySize, true);
  out.set([0x49, 0x4e, 0x46, 0x4f], 8); // "INFO"
  let at = 12;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Inserts `chunk` (a whole chunk, even-sized) into a RIFF WAVE file just before its `data` chunk and
 * fixes the RIFF size. Returns the file unchanged when `chunk` is empty.
 */
export function insertChunkBeforeData(wav: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (chunk.length === 0) return wav;
  const data = riffChunks(wav).find((c) => c.id === 'data');
  if (!data) throw new RangeError('insertChunkBeforeData: the WAV file has no data chunk');
  const at = data.offset - 8;
  const out = new Uint8Array(wav.length + chunk.length);
  out.set(wav.subarray(0, at), 0);
  out.set(chunk, at);
  out.set(wav.subarray(at), at + chunk.length);
  const view = new DataView(out.buffer);
  view.setUint32(4, view.getUint32(4, true) + chunk.length, true);
  return out;
}

/** Reads a WAV file's LIST/INFO tags back into tags.ts keys (ICMT `key=value` lines become keys). */
export function parseRiffInfo(bytes: Uint8Array): Record<string, string> | null {
  if (bytes.length < 12 || ascii(bytes, 8, 4) !== 'WAVE') return null;
  const list = riffChunks(bytes).find((c) => c.id === 'LIST' && c.available >= 4 && ascii(bytes, c.offset, 4) === 'INFO');
  if (!list) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byId = Object.fromEntries(Object.entries(RIFF_INFO_IDS).map(([key, id]) => [id, key]));
  const decoder = new TextDecoder('utf-8');
  const tags: Record<string, string> = {};
  const end = list.offset + list.available;
  let at = list.offset + 4;
  while (at + 8 <= end) {
    const id = ascii(bytes, at, 4);
    const size = view.getUint32(at + 4, true);
    const text = decoder.decode(bytes.subarray(at + 8, Math.min(end, at + 8 + size))).replace(/\0+$/, '');
    at += 8 + size + (size & 1);
    if (id === 'ICMT') {
      const comment: string[] = [];
      for (const line of text.split('\n')) {
        const match = /^([a-z0-9_]+)=(.*)$/.exec(line);
        if (match && !(match[1]! in RIFF_INFO_IDS)) tags[match[1]!] = match[2]!;
        else comment.push(line);
      }
      if (comment.length > 0) tags.comment = comment.join('\n');
    } else if (byId[id] !== undefined) {
      tags[byId[id]!] = text;
    }
  }
  return tags;
}
