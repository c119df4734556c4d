/**
 * The Ogg container (RFC 3533): a page writer for our Ogg Opus files and a page reader used to check
 * uploads (in/) and to read tags back. Spec: `../shared/spec/product.md` §1.1 (Discord plays Ogg Opus
 * inline); RFC 3533 §6 (page layout) and RFC 7845 §3–§5 (how Opus uses it).
 *
 * Page layout: "OggS", version 0, header type (1 = continues a packet, 2 = first page, 4 = last page),
 * 64-bit granule position, 32-bit serial number, 32-bit page sequence number, 32-bit CRC, the number of
 * lacing values, the lacing values, then the packet data. Integers are little-endian. The CRC is
 * CRC-32 with polynomial 0x04C11DB7, initial value 0, no reflection and no final XOR, over the whole
 * page with the CRC field taken as zero.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32 over `bytes` (the page with its CRC field zeroed). */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc;
}

export const OGG_CONTINUED = 0x01;
export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;

/** Most lacing values one page may hold (RFC 3533 §6). */
const MAX_SEGMENTS = 255;

/**
 * Collects whole packets into Ogg pages of one logical stream. Packets never span pages here (each of
 * ours is far below the 255·255-byte page limit), so every page ends on a packet boundary and carries
 * the granule position of its last packet.
 */
export class OggPageWriter {
  private readonly pages: Uint8Array[] = [];
  private pending: Uint8Array[] = [];
  private pendingSegments = 0;
  private pendingGranule = 0n;
  private sequence = 0;
  private size = 0;

  constructor(private readonly serial: number) {}

  /** Bytes written so far in finished pages. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Adds one packet ending at `granule`. The current page is flushed first when the packet would not
   * fit in its lacing table; `flushAfter` ends the page right after this packet (headers need that).
   */
  packet(data: Uint8Array, granule: bigint, flushAfter = false): void {
    const segments = Math.floor(data.length / 255) + 1;
    if (segments > MAX_SEGMENTS) throw new RangeError(`Ogg packet of ${data.length} bytes is too large for one page`);
    if (this.pendingSegments + segments > MAX_SEGMENTS) this.flush(false);
    this.pending.push(data);
    this.pendingSegments += segments;
    this.pendingGranule = granule;
    if (flushAfter) this.flush(false);
  }

  /** Packets waiting for the current page. */
  get pendingPackets(): number {
    return this.pending.length;
  }

  /** Writes the pending packets as one page (`last` sets the end-of-stream flag). */
  flush(last: boolean): void {
    if (this.pending.length === 0 && !last) return;
    const lacing: number[] = [];
    let dataBytes = 0;
    for (const packet of this.pending) {
      for (let left = packet.length; ; left -= 255) {
        lacing.push(Math.min(left, 255));
        if (left < 255) break;
      }
      dataBytes += packet.length;
    }
    const page = new Uint8Array(27 + lacing.length + dataBytes);
    const view = new DataView(page.buffer);
    page.set([0x4f, 0x67, 0x67, 0x53], 0); // "OggS"
    page[4] = 0; // version
    page[5] = (this.sequence === 0 ? OGG_BOS : 0) | (last ? OGG_EOS : 0);
    view.setBigInt64(6, this.pendingGranule, true);
    view.setUint32(14, this.serial >>> 0, true);
    view.setUint32(18, this.sequence, true);
    page[26] = lacing.length;
    page.set(lacing, 27);
    let at = 27 + lacing.length;
    for (const packet of this.pending) {
      page.set(packet, at);
      at += packet.length;
    }
    view.setUint32(22, oggCrc(page), true);
    this.pages.push(page);
    this.size += page.length;
    this.sequence++;
    this.pending = [];
    this.pendingSegments = 0;
  }

  /** Flushes the last page (with the end-of-stream flag) and returns the whole stream. */
  finish(): Uint8Array {
    this.flush(true);
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const page of this.pages) {
      out.set(page, at);
      at += page.length;
    }
    return out;
  }
}

/** One parsed page: header fields and where its data lies in the file. */
export interface OggPage {
  offset: number;
  headerType: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crcOk: boolean;
  lacing: Uint8Array;
  data: Uint8Array;
}

/** What {@link readOggPages} found: whole pages, and why it stopped early if it did. */
export interface OggScan {
  pages: OggPage[];
  /** Set when the bytes end inside a page (a truncated file). */
  truncatedAt: number | null;
  /** Set when bytes that are not a page were found where a page should start. */
  garbageAt: number | null;
}

/**
 * Reads pages from the start of `bytes` until the end, a cut page or non-page bytes. The CRC of
 * each page is checked and reported (`crcOk`), not thrown on.
 */
export function readOggPages(bytes: Uint8Array, limit = Infinity): OggScan {
  const pages: OggPage[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length && pages.length < limit) {
    const magic = [0x4f, 0x67, 0x67, 0x53, 0]; // "OggS", version 0
    const check = Math.min(magic.length, bytes.length - at);
    for (let i = 0; i < check; i++) if (bytes[at + i] !== magic[i]) return { pages, truncatedAt: null, garbageAt: at };
    if (bytes.length - at < 27) return { pages, truncatedAt: at, garbageAt: null };
    const count = bytes[at + 26]!;
    if (bytes.length - at < 27 + count) return { pages, truncatedAt: at, garbageAt: null };
    const lacing = bytes.subarray(at + 27, at + 27 + count);
    let dataBytes = 0;
    for (const v of lacing) dataBytes += v;
    const end = at + 27 + count + dataBytes;
    if (end > bytes.length) return { pages, truncatedAt: at, garbageAt: null };
    const page = bytes.slice(at, end);
    const stored = view.getUint32(at + 22, true);
    page.fill(0, 22, 26);
    pages.push({
      offset: at,
      headerType: bytes[at + 5]!,
      granule: view.getBigInt64(at + 6, true),
      serial: view.getUint32(at + 14, true),
      sequence: view.getUint32(at + 18, true),
      crcOk: oggCrc(page) === stored,
      lacing,
      data: bytes.subarray(at + 27 + count, end),
    });
    at = end;
  }
  return { pages, truncatedAt: null, garbageAt: null };
}

/**
 * Joins the pages' lacing into packets of the first logical stream (the serial of the first page),
 * up to `limit` packets. A packet still open at the last page is dropped.
 */
export function oggPackets(pages: readonly OggPage[], limit = Infinity): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const serial = pages[0]?.serial;
  let parts: Uint8Array[] = [];
  for (const page of pages) {
    if (page.serial !== serial) continue;
    let at = 0;
    let start = 0;
    for (const value of page.lacing) {
      at += value;
      if (value < 255) {
        parts.push(page.data.subarray(start, at));
        const size = parts.reduce((sum, p) => sum + p.length, 0);
        const packet = new Uint8Array(size);
        let o = 0;
        for (const p of parts) {
          packet.set(p, o);
          o += p.length;
        }
        packets.push(packet);
        if (packets.length >= limit) return packets;
        parts = [];
        start = at;
      }
    }
    if (start < at) parts.push(page.data.subarray(start, at));
  }
  return packets;
}
