import { describe, expect, it } from 'vitest';

import { OGG_BOS, OGG_EOS, oggCrc, oggPackets, OggPageWriter, readOggPages } from '../../../../src/engine/audio/out/ogg.js';

describe('Ogg pages (RFC 3533)', () => {
  it('uses CRC-32 with polynomial 0x04C11DB7, initial 0, no reflection and no final XOR', () => {
    // The CRC-32/POSIX check value 0x765E7680 is this CRC XOR-ed with 0xFFFFFFFF.
    expect(oggCrc(new TextEncoder().encode('123456789'))).toBe((0x765e7680 ^ 0xffffffff) >>> 0); // 0x89A1897F
    expect(oggCrc(new Uint8Array(0))).toBe(0);
  });

  it('writes pages that read back to the same packets, with lacing edge cases', () => {
    const writer = new OggPageWriter(0x1234abcd);
    const sizes = [19, 0, 255, 510, 256, 1000, 3, 254];
    const packets = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + k) & 0xff));
    writer.packet(packets[0]!, 0n, true);
    packets.slice(1).forEach((p, k) => writer.packet(p, BigInt((k + 1) * 960)));
    const bytes = writer.finish();
    const scan = readOggPages(bytes);
    expect(scan.truncatedAt).toBeNull();
    expect(scan.garbageAt).toBeNull();
    expect(scan.pages.every((p) => p.crcOk)).toBe(true);
    expect(scan.pages[0]!.headerType & OGG_BOS).toBeTruthy();
    expect(scan.pages.at(-1)!.headerType & OGG_EOS).toBeTruthy();
    expect(scan.pages.at(-1)!.granule).toBe(BigInt(7 * 960));
    expect(scan.pages.map((p) => p.sequence)).toEqual(scan.pages.map((_, i) => i));
    expect(scan.pages.every((p) => p.serial === 0x1234abcd)).toBe(true);
    expect(oggPackets(scan.pages).map((p) => Array.from(p))).toEqual(packets.map((p) => Array.from(p)));
  });

  it('starts a new page when the lacing table would exceed 255 entries', () => {
    const writer = new OggPageWriter(1);
    for (let k = 0; k < 300; k++) writer.packet(new Uint8Array(10), BigInt(k));
    const scan = readOggPages(writer.finish());
    expect(scan.pages.length).toBe(2);
    expect(scan.pages[0]!.lacing.length).toBe(255);
    expect(scan.pages[0]!.granule).toBe(254n);
    expect(oggPackets(scan.pages).length).toBe(300);
  });

  it('reports cut pages, damaged checksums and non-page bytes', () => {
    const writer = new OggPageWriter(7);
    for (let k = 0; k < 3; k++) writer.packet(new Uint8Array(300).fill(k), BigInt(k), true);
    const bytes = writer.finish();
    expect(readOggPages(bytes.subarray(0, bytes.length - 5)).truncatedAt).not.toBeNull();
    const damaged = bytes.slice();
    damaged[100]! ^= 0xff;
    expect(readOggPages(damaged).pages.some((p) => !p.crcOk)).toBe(true);
    const junk = new Uint8Array(bytes.length + 4);
    junk.set(bytes);
    junk.set([1, 2, 3, 4], bytes.length);
    expect(readOggPages(junk).garbageAt).toBe(bytes.length);
  });
});
