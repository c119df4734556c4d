/**
 * ID3v2 tags for MP3 (issue 3/5 item 6: the recipe in the file; id3.org "ID3v2.4.0 structure" and
 * "native frames"). We write ID3v2.4 with UTF-8 text (encoding byte 3): TIT2/TPE1/TALB/TDRC/TCON/TSSE
 * for the standard keys, COMM (language "eng", empty description) for `comment`, and one TXXX frame per
 * other key (description = key). Sizes are "syncsafe" (7 bits per byte); no unsynchronisation, no
 * extended header, no padding. The reader accepts v2.3 and v2.4 with any of the four text encodings,
 * which covers what common tools write.
 */
import { ID3_FRAMES } from './tags.js';

const utf8 = new TextEncoder();

function syncsafe(value: number): number[] {
  return [(value >>> 21) & 0x7f, (value >>> 14) & 0x7f, (value >>> 7) & 0x7f, value & 0x7f];
}

function frame(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + body.length);
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  out.set(syncsafe(body.length), 4);
  out.set(body, 10);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const UTF8 = Uint8Array.of(3);
const NUL = Uint8Array.of(0);

/** An ID3v2.4 tag holding `tags` (see tags.ts for the key mapping); empty tags give an empty array. */
export function buildId3(tags: Readonly<Record<string, string>>): Uint8Array {
  const frames: Uint8Array[] = [];
  for (const [key, value] of Object.entries(tags)) {
    const text = utf8.encode(value);
    const known = ID3_FRAMES[key];
    if (known) frames.push(frame(known, concat([UTF8, text])));
    else if (key === 'comment') frames.push(frame('COMM', concat([UTF8, utf8.encode('eng'), NUL, text])));
    else frames.push(frame('TXXX', concat([UTF8, utf8.encode(key), NUL, text])));
  }
  if (frames.length === 0) return new Uint8Array(0);
  const body = concat(frames);
  const header = new Uint8Array(10);
  header.set([0x49, 0x44, 0x33, 4, 0, 0], 0); // "ID3", v2.4.0, no flags
  header.set(syncsafe(body.length), 6);
  return concat([header, body]);
}

/** Size in bytes of the ID3v2 tag at the start of `bytes` (header, body and footer), or 0 if none. */
export function id3Size(bytes: Uint8Array, at = 0): number {
  if (bytes.length < at + 10 || bytes[at] !== 0x49 || bytes[at + 1] !== 0x44 || bytes[at + 2] !== 0x33) return 0;
  const s = bytes.subarray(at + 6, at + 10);
  if (s.some((b) => b & 0x80)) return 0;
  const footer = bytes[at + 5]! & 0x10 ? 10 : 0;
  return 10 + ((s[0]! << 21) | (s[1]! << 14) | (s[2]! << 7) | s[3]!) + footer;
}

function decodeText(encoding: number, bytes: Uint8Array): string {
  let text: string;
  if (encoding === 0) text = new TextDecoder('latin1').decode(bytes);
  else if (encoding === 1) text = new TextDecoder('utf-16').decode(bytes); // BOM decides the byte order
  else if (encoding === 2) text = new TextDecoder('utf-16be').decode(bytes);
  else text = new TextDecoder('utf-8').decode(bytes);
  return text.replace(/\0+$/, '');
}

/** Splits a NUL-terminated first string (description) from the rest, in the frame's encoding. */
function splitTerminated(encoding: number, bytes: Uint8Array): [Uint8Array, Uint8Array] {
  const wide = encoding === 1 || encoding === 2;
  for (let i = 0; i + (wide ? 1 : 0) < bytes.length; i += wide ? 2 : 1) {
    if (bytes[i] === 0 && (!wide || bytes[i + 1] === 0)) return [bytes.subarray(0, i), bytes.subarray(i + (wide ? 2 : 1))];
  }
  return [bytes, new Uint8Array(0)];
}

/**
 * Reads an ID3v2.3/2.4 tag at the start of `bytes` into keys as tags.ts names them: the standard
 * frames by name, COMM as `comment`, TXXX by description. Returns null when there is no tag.
 */
export function parseId3(bytes: Uint8Array): Record<string, string> | null {
  const size = id3Size(bytes);
  if (size === 0) return null;
  const version = bytes[3]!;
  if (version !== 3 && version !== 4) return {};
  const flags = bytes[5]!;
  const end = Math.min(bytes.length, 10 + size - (flags & 0x10 ? 10 : 0));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 10;
  if (flags & 0x40) {
    // Extended header: v2.4 counts its own size (syncsafe), v2.3 does not.
    at += version === 4 ? (bytes[10]! << 21) | (bytes[11]! << 14) | (bytes[12]! << 7) | bytes[13]! : 4 + view.getUint32(10);
  }
  const byId = Object.fromEntries(Object.entries(ID3_FRAMES).map(([key, id]) => [id, key]));
  const tags: Record<string, string> = {};
  while (at + 10 <= end) {
    const id = String.fromCharCode(...bytes.subarray(at, at + 4));
    if (!/^[A-Z0-9]{4}$/.test(id)) break; // padding
    const frameSize = version === 4
      ? (bytes[at + 4]! << 21) | (bytes[at + 5]! << 14) | (bytes[at + 6]! << 7) | bytes[at + 7]!
      : view.getUint32(at + 4);
    const body = bytes.subarray(at + 10, Math.min(end, at + 10 + frameSize));
    at += 10 + frameSize;
    if (body.length === 0) continue;
    const encoding = body[0]!;
    if (id === 'TXXX') {
      const [description, value] = splitTerminated(encoding, body.subarray(1));
      const key = decodeText(encoding, description);
      if (!(key in tags)) tags[key] = decodeText(encoding, value);
    } else if (id === 'COMM') {
      const [description, value] = splitTerminated(encoding, body.subarray(4));
      const key = decodeText(encoding, description) === '' ? 'comment' : `comment:${decodeText(encoding, description)}`;
      if (!(key in tags)) tags[key] = decodeText(encoding, value);
    } else if (byId[id] !== undefined && !(byId[id]! in tags)) {
      tags[byId[id]!] = decodeText(encoding, body.subarray(1));
    }
  }
  return tags;
}
