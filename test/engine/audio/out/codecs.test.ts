import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../../../src/engine/errors.js';
import { decodeUpload } from '../../../../src/engine/audio/in/decode-upload.js';
import { scanMp3 } from '../../../../src/engine/audio/in/mp3-frames.js';
import { readAudioTags } from '../../../../src/engine/audio/in/tags.js';
import { encodeAudioFile, formatFile } from '../../../../src/engine/audio/out/encode.js';
import { flacMetadata } from '../../../../src/engine/audio/out/flac.js';
import type { OutputFormat } from '../../../../src/engine/audio/out/formats.js';
import { crc16, predictMp3Size } from '../../../../src/engine/audio/out/mp3.js';
import { oggPackets, readOggPages } from '../../../../src/engine/audio/out/ogg.js';
import { predictOpusSize } from '../../../../src/engine/audio/out/opus.js';
import { recipeTags } from '../../../../src/engine/audio/out/tags.js';
import { dominantFrequency, noise, sine } from './signals.js';

const TAGS = recipeTags({ songId: 'Ab3dE5gH9k', seeds: [42], tags: 'lofi, piano', pack: 'acestep-v1', title: 'Café ☕' });
const LIMITS = { maxBytes: 200e6, maxSeconds: 240 };
/** One codec frame in seconds: what a decoded length may differ by. */
const FRAME_S: Record<OutputFormat, number> = { wav16: 0, wav24: 0, flac: 0, mp3: 1152 / 48000, opus: 960 / 48000 };

describe('encodeAudioFile round trips (what we encode, we decode back)', () => {
  const rate = 48000;
  const seconds = 3.3;
  const left = sine(440, seconds, rate);
  const right = sine(660, seconds, rate, 0.3);

  for (const format of ['wav16', 'wav24', 'flac', 'mp3', 'opus'] as const) {
    it(`${format}: duration ± one frame, channels, a sine's frequency and the tags survive`, async () => {
      const data = await encodeAudioFile(format, [left, right], rate, { tags: TAGS });
      const back = await decodeUpload(data, LIMITS);
      expect(back.format).toBe({ wav16: 'wav', wav24: 'wav', flac: 'flac', mp3: 'mp3', opus: 'ogg-opus' }[format]);
      expect(back.channels.length).toBe(2);
      expect(back.sampleRate).toBe(rate);
      expect(Math.abs(back.seconds - left.length / rate)).toBeLessThanOrEqual(FRAME_S[format] + 1e-9);
      expect(dominantFrequency(back.channels[0]!, rate)).toBeCloseTo(440, 0);
      expect(dominantFrequency(back.channels[1]!, rate)).toBeCloseTo(660, 0);
      expect(back.tags).toEqual(TAGS);
      expect(readAudioTags(data)).toEqual(TAGS);
      expect(formatFile(format).ext).toBe({ wav16: 'wav', wav24: 'wav', flac: 'flac', mp3: 'mp3', opus: 'opus' }[format]);
    });
  }

  it('mono stays mono, and lossless formats give the samples back to 16/24-bit precision', async () => {
    const mono = noise(10000, 3, 0.9);
    for (const [format, bits] of [['wav16', 16], ['wav24', 24], ['flac', 16]] as const) {
      const back = await decodeUpload(await encodeAudioFile(format, [mono], 22050), LIMITS);
      expect(back.channels.length).toBe(1);
      expect(back.sampleRate).toBe(22050);
      const step = 2 ** -(bits - 1);
      // @wasm-audio-decoders/flac divides by 2^(bits−1) − 1 where wavefile (and our writer) use 2^(bits−1).
      const scale = format === 'flac' ? 32767 / 32768 : 1;
      let worst = 0;
      back.channels[0]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v * scale - mono[i]!))));
      expect(worst).toBeLessThanOrEqual(step / 2 + 1e-7); // + float32 rounding of the decoders
    }
    for (const format of ['mp3', 'opus'] as const) {
      const back = await decodeUpload(await encodeAudioFile(format, [sine(1000, 1, 44100)], 44100), LIMITS);
      expect(back.channels.length).toBe(1);
      expect(dominantFrequency(back.channels[0]!, back.sampleRate)).toBeCloseTo(1000, 0);
    }
  });
});

describe('MP3', () => {
  it('decodes to exactly the input length through the LAME Info frame we write (gapless)', async () => {
    for (const [rate, kbps, n] of [[48000, 128, 48000], [44100, 320, 44100 * 2 + 17], [24000, 64, 24000 + 577], [16000, 32, 999]] as const) {
      const data = await encodeAudioFile('mp3', [sine(440, n / rate, rate)], rate, { bitrateKbps: kbps });
      const scan = scanMp3(data)!;
      expect(scan.info).toMatchObject({ kind: 'Info', delay: 576, frames: scan.frames });
      expect(scan.samples).toBe(n);
      const back = await decodeUpload(data, LIMITS);
      expect(back.channels[0]!.length).toBe(n);
      expect(Math.abs(data.length - predictMp3Size(n, rate, kbps))).toBeLessThanOrEqual(2);
    }
  });

  it('fills in the LAME tag CRC over the first 190 bytes of the Info frame', async () => {
    const tone = sine(440, 0.5, 48000);
    const data = await encodeAudioFile('mp3', [tone, tone], 48000, { bitrateKbps: 192 }); // MPEG-1 stereo: 32 bytes of side info
    const at = scanMp3(data)!.firstFrame;
    const frame = data.subarray(at, at + 192 + 4);
    expect(new DataView(frame.buffer, frame.byteOffset).getUint16(190)).toBe(crc16(frame.subarray(0, 190)));
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0xbb3d); // CRC-16/ARC check value
  });

  it('resamples rates LAME does not take to 48 kHz', async () => {
    const back = await decodeUpload(await encodeAudioFile('mp3', [sine(440, 1, 96000)], 96000), LIMITS);
    expect(back.sampleRate).toBe(48000);
    expect(back.seconds).toBeCloseTo(1, 3);
  });

  it('refuses a bitrate LAME has no frame for', async () => {
    await expect(encodeAudioFile('mp3', [sine(440, 0.1, 48000)], 48000, { bitrateKbps: 100 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(encodeAudioFile('mp3', [sine(440, 0.1, 16000)], 16000, { bitrateKbps: 320 })).rejects.toThrow(/MP3 at 16000 Hz/);
  });
});

describe('Ogg Opus (RFC 7845)', () => {
  it('writes OpusHead and OpusTags on their own pages and the exact length in the last granule position', async () => {
    const n = 48000 + 123;
    const data = await encodeAudioFile('opus', [sine(440, n / 48000, 48000), sine(660, n / 48000, 48000)], 48000, { bitrateKbps: 96, tags: TAGS });
    const pages = readOggPages(data).pages;
    expect(pages.every((p) => p.crcOk)).toBe(true);
    const [head, tags] = oggPackets(pages, 2);
    expect(Buffer.from(head!.subarray(0, 8)).toString()).toBe('OpusHead');
    expect(head![9]).toBe(2);
    const preSkip = new DataView(head!.buffer).getUint16(10, true);
    expect(preSkip).toBeGreaterThan(0);
    expect(Buffer.from(tags!.subarray(0, 8)).toString()).toBe('OpusTags');
    expect(pages[0]!.lacing.length).toBe(1);
    expect(pages[1]!.granule).toBe(0n);
    expect(pages.at(-1)!.granule).toBe(BigInt(preSkip + n));
    const back = await decodeUpload(data, LIMITS);
    expect(back.channels[0]!.length).toBe(n);
    expect(data.length).toBeLessThanOrEqual(predictOpusSize(n, 48000, 96, TAGS));
  });

  it('resamples 44.1 kHz to 48 kHz', async () => {
    const back = await decodeUpload(await encodeAudioFile('opus', [sine(440, 2, 44100)], 44100), LIMITS);
    expect(back.sampleRate).toBe(48000);
    expect(back.seconds).toBeCloseTo(2, 2);
    expect(dominantFrequency(back.channels[0]!, 48000)).toBeCloseTo(440, 0);
  });

  it('stays within the predicted size at every ladder bitrate on noise (the hardest case for VBR)', async () => {
    const n = 48000 * 4;
    const channels = [noise(n, 1), noise(n, 2)];
    for (const kbps of [160, 128, 96, 64, 48]) {
      const data = await encodeAudioFile('opus', channels, 48000, { bitrateKbps: kbps });
      expect(data.length).toBeLessThanOrEqual(predictOpusSize(n, 48000, kbps));
    }
  });
});

describe('FLAC', () => {
  it('patches STREAMINFO (MD5 of the 16-bit samples, frame sizes, total) and replaces the VORBIS_COMMENT', async () => {
    const n = 30000;
    const left = noise(n, 5, 0.5);
    const right = sine(300, n / 44100, 44100);
    const data = await encodeAudioFile('flac', [left, right], 44100, { tags: TAGS });
    const meta = flacMetadata(data)!;
    expect(meta.blocks.map((b) => b.type)).toEqual([0, 4]);
    const info = meta.blocks[0]!.body;
    const pcm = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) {
      pcm.writeInt16LE(Math.min(32767, Math.round(left[i]! * 32768)), 4 * i);
      pcm.writeInt16LE(Math.min(32767, Math.round(right[i]! * 32768)), 4 * i + 2);
    }
    expect(Buffer.from(info.subarray(18, 34)).toString('hex')).toBe(createHash('md5').update(pcm).digest('hex'));
    expect((info[4]! << 16) | (info[5]! << 8) | info[6]!).toBeGreaterThan(0); // min frame size
    expect(((info[14]! << 24) >>> 0) + (info[15]! << 16) + (info[16]! << 8) + info[17]!).toBe(n);
    expect(Buffer.from(meta.blocks[1]!.body).toString()).toContain('ACEJAM_SONG_ID=Ab3dE5gH9k');
  });

  it('takes up to 8 channels', async () => {
    const six = Array.from({ length: 6 }, (_, c) => sine(200 + 100 * c, 0.2, 48000));
    const meta = flacMetadata(await encodeAudioFile('flac', six, 48000))!;
    expect(((meta.blocks[0]!.body[12]! >> 1) & 7) + 1).toBe(6);
  });
});

describe('encodeAudioFile input checks', () => {
  it('refuses unknown formats, no channels, unequal lengths, too many channels and bad rates', async () => {
    const a = sine(440, 0.1, 48000);
    await expect(encodeAudioFile('ogg' as OutputFormat, [a], 48000)).rejects.toThrow(/unknown audio format/);
    await expect(encodeAudioFile('wav16', [], 48000)).rejects.toThrow(/no channels/);
    await expect(encodeAudioFile('flac', [a, a.subarray(1)], 48000)).rejects.toThrow(/differ in length/);
    await expect(encodeAudioFile('mp3', [a, a, a], 48000)).rejects.toThrow(/at most 2/);
    await expect(encodeAudioFile('opus', [a], 0)).rejects.toThrow(/sample rate/);
    await expect(encodeAudioFile('opus', [a], 48000, { bitrateKbps: 1000 })).rejects.toThrow(/6–510/);
  });
});
