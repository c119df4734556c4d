/**
 * Vorbis comments: the tag format of Ogg Opus (the OpusTags packet, RFC 7845 §5.2), Ogg Vorbis (the
 * comment header) and FLAC (the VORBIS_COMMENT metadata block). Layout: vendor length (u32 LE), vendor
 * string (UTF-8), comment count (u32 LE), then each comment as length (u32 LE) + "NAME=value" (UTF-8).
 * Names are case-insensitive ASCII 0x20–0x7D without '='; we write them in upper case and read them back
 * in lower case, so lower-case keys such as `acejam_song_id` round-trip unchanged. Spec:
 * `../shared/spec/product.md` §1.1 (the recipe travels with the file).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** A Vorbis comment field name for `key`: upper case, characters outside 0x20–0x7D and '=' become '_'. */
export function vorbisFieldName(key: string): string {
  const name = key.toUpperCase().replace(/[^\x20-\x3c\x3e-\x7d]/g, '_');
  return name.length > 0 ? name : '_';
}

/** The comment structure (no framing bit, no packet magic) for `tags`. */
export function buildVorbisComment(vendor: string, tags: Readonly<Record<string, string>>): Uint8Array {
  const vendorBytes = encoder.encode(vendor);
  const entries = Object.entries(tags).map(([key, value]) => encoder.encode(`${vorbisFieldName(key)}=${value}`));
  const size = 4 + vendorBytes.length + 4 + entries.reduce((sum, e) => sum + 4 + e.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, vendorBytes.length, true);
  out.set(vendorBytes, 4);
  let at = 4 + vendorBytes.length;
  view.setUint32(at, entries.length, true);
  at += 4;
  for (const entry of entries) {
    view.setUint32(at, entry.length, true);
    out.set(entry, at + 4);
    at += 4 + entry.length;
  }
  return out;
}

/** Parsed comments: the vendor string and the fields (names in lower case; a repeated name keeps the first). */
export interface VorbisComment {
  vendor: string;
  tags: Record<string, string>;
}

/** Reads the comment structure at `bytes` (after any packet magic). Returns null when it is malformed. */
export function parseVorbisComment(bytes: Uint8Array): VorbisComment | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) return null;
  const vendorLength = view.getUint32(0, true);
  if (8 + vendorLength > bytes.length) return null;
  const vendor = decoder.decode(bytes.subarray(4, 4 + vendorLength));
  let at = 4 + vendorLength;
  const count = view.getUint32(at, true);
  at += 4;
  const tags: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) return null;
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.length) return null;
    const text = decoder.decode(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
    const eq = text.indexOf('=');
    if (eq <= 0) continue;
    const name = text.slice(0, eq).toLowerCase();
    if (!(name in tags)) tags[name] = text.slice(eq + 1);
  }
  return { vendor, tags };
}
