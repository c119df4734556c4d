import { existsSync, readFileSync } from 'node:fs';

import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createOggEncoder } from 'wasm-media-encoders';

import { InvalidInputError } from '../../../../src/engine/errors.js';
import { decodeUpload, LENGTH_TOLERANCE_S, type DecodeUploadOptions } from '../../../../src/engine/audio/in/decode-upload.js';
import { probeUpload } from '../../../../src/engine/audio/in/probe.js';
import { sniffUpload } from '../../../../src/engine/audio/in/sniff.js';
import { buildId3 } from '../../../../src/engine/audio/out/id3.js';
import { encodeAudioFile } from '../../../../src/engine/audio/out/encode.js';
import { encodeWav } from '../../../../src/engine/audio/wav.js';
import { dominantFrequency, sine } from '../out/signals.js';

const TRACK = '/work/shared/data/acestep-v1/test_track_001.mp3';
const OPTIONS: DecodeUploadOptions = { maxBytes: 50e6, maxSeconds: 240 };

/** The typed error decodeUpload throws, for message checks. */
async function refusal(bytes: Uint8Array, options: DecodeUploadOptions = OPTIONS): Promise<InvalidInputError> {
  try {
    await decodeUpload(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('upload');
    expect((error as InvalidInputError).code).toBe('INVALID_INPUT');
    return error as InvalidInputError;
  }
  throw new Error('expected decodeUpload to refuse the file');
}

async function oggVorbis(channels: Float32Array[], rate: number): Promise<Uint8Array> {
  const encoder = await createOggEncoder();
  encoder.configure({ channels: channels.length as 1 | 2, sampleRate: rate, vbrQuality: 3, oggSerialNo: 1234 });
  const a = encoder.encode(channels).slice();
  const b = encoder.finalize().slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe.runIf(existsSync(TRACK))('decodeUpload on the real MP3 (read in place, never copied)', () => {
  it('decodes ~60 s of 48 kHz stereo', async () => {
    const bytes = readFileSync(TRACK);
    const audio = await decodeUpload(bytes, { ...OPTIONS, name: 'test_track_001.mp3' });
    expect(audio.format).toBe('mp3');
    expect(audio.sampleRate).toBe(48000);
    expect(audio.channels.length).toBe(2);
    expect(audio.seconds).toBeGreaterThan(59.9);
    expect(audio.seconds).toBeLessThanOrEqual(60);
    expect(audio.channels[0]!.length).toBe(Math.round(audio.seconds * 48000));
    expect(audio.downmixedFrom).toBeNull();
  });

  it('refuses it cut in half (the Info tag counts the missing frames) and cut mid-frame', async () => {
    const bytes = readFileSync(TRACK);
    expect((await refusal(bytes.subarray(0, bytes.length >> 1))).message).toMatch(/cut short: the MP3 header announces 2500 frames but only \d+ are present \(30\.\d s missing\)/);
    expect((await refusal(bytes.subarray(0, bytes.length - 100))).message).toMatch(/cut short: the last MP3 frame is cut off/);
  });

  it('refuses it over a 30 s limit from its headers, and over a byte limit before parsing', async () => {
    const bytes = readFileSync(TRACK);
    expect((await refusal(bytes, { maxBytes: 50e6, maxSeconds: 30 })).message).toMatch(/is 60\.0 s long, over the 30 s limit/);
    expect((await refusal(bytes, { maxBytes: 1e6, maxSeconds: 240, name: 'big.mp3' })).message).toBe('upload: "big.mp3" is 1.4 MB, over the 1.0 MB upload limit');
  });
});

describe('decodeUpload refuses what is not usable audio, with a clear typed error', () => {
  it('a zero-byte file', async () => {
    expect((await refusal(new Uint8Array(0), { ...OPTIONS, name: 'empty.wav' })).message).toBe('upload: "empty.wav" is empty (0 bytes)');
  });

  it('a PNG renamed .wav (the bytes decide, not the name)', async () => {
    const png = new PNG({ width: 4, height: 4 });
    const bytes = new Uint8Array(PNG.sync.write(png));
    const error = await refusal(bytes, { ...OPTIONS, name: 'song.wav' });
    expect(error.message).toBe('upload: "song.wav" is a PNG image, not audio');
    expect(error.hint).toMatch(/WAV, MP3, FLAC, Ogg Vorbis or Ogg Opus/);
  });

  it('other files: text, MIDI, M4A, random bytes', async () => {
    expect((await refusal(new TextEncoder().encode('hello, this is not a song\n'))).message).toMatch(/is a text file, not audio/);
    expect((await refusal(new Uint8Array([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 1]))).message).toMatch(/MIDI file/);
    const m4a = new Uint8Array(64);
    m4a.set(new TextEncoder().encode('ftypM4A '), 4);
    expect((await refusal(m4a)).message).toMatch(/is an MP4\/M4A file \(AAC or ALAC audio\), which acejam does not decode/);
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff).map((v, i) => (i % 3 === 0 ? 0 : v));
    expect((await refusal(random)).message).toMatch(/not an audio file acejam recognises/);
  });

  it('an over-size file is refused before it is parsed', async () => {
    const wav = encodeWav([sine(440, 1, 8000)], 8000);
    expect((await refusal(wav, { maxBytes: 1000, maxSeconds: 240 })).message).toMatch(/is 16\.0 kB, over the 1\.0 kB upload limit/);
  });

  it('an over-long file; up to the tolerance it is accepted and trimmed', async () => {
    const rate = 8000;
    expect((await refusal(encodeWav([sine(440, 5, rate)], rate), { maxBytes: 1e6, maxSeconds: 4 })).message).toMatch(/is 5\.0 s long, over the 4 s limit/);
    const nearly = await decodeUpload(encodeWav([sine(440, 4 + LENGTH_TOLERANCE_S / 2, rate)], rate), { maxBytes: 1e6, maxSeconds: 4 });
    expect(nearly.seconds).toBe(4);
    expect(nearly.channels[0]!.length).toBe(4 * rate);
  });

  it('truncated WAV, FLAC and Ogg Opus files made by our encoders', async () => {
    const audio = [sine(440, 2, 48000), sine(660, 2, 48000)];
    for (const format of ['wav16', 'flac', 'opus'] as const) {
      const data = await encodeAudioFile(format, audio, 48000);
      expect((await refusal(data.subarray(0, Math.floor(data.length * 0.6)))).message).toMatch(/is cut short/);
    }
  });

  it('a damaged Ogg page (checksum) and a header-only WAV', async () => {
    const data = (await encodeAudioFile('opus', [sine(440, 2, 48000)], 48000)).slice();
    data[data.length >> 1]! ^= 0x55;
    expect((await refusal(data)).message).toMatch(/is damaged: Ogg page \d+ at byte \d+ fails its checksum/);
    expect((await refusal(encodeWav([sine(440, 1, 8000)], 8000).subarray(0, 40))).message).toMatch(/cut short/);
  });

  it('a sample rate the engine does not take', async () => {
    expect((await refusal(encodeWav([sine(100, 1, 4000)], 4000))).message).toMatch(/sample rate of 4000 Hz; 8000–192000 Hz are accepted/);
  });
});

describe('decodeUpload formats', () => {
  it('Ogg Vorbis (made by wasm-media-encoders) round-trips', async () => {
    const data = await oggVorbis([sine(440, 2, 44100), sine(660, 2, 44100)], 44100);
    expect(sniffUpload(data)).toEqual({ kind: 'audio', format: 'ogg-vorbis', offset: 0 });
    const audio = await decodeUpload(data, OPTIONS);
    expect(audio).toMatchObject({ format: 'ogg-vorbis', sampleRate: 44100 });
    expect(audio.channels.length).toBe(2);
    expect(audio.seconds).toBeCloseTo(2, 2);
    expect(dominantFrequency(audio.channels[1]!, 44100)).toBeCloseTo(660, 0);
  });

  it('FLAC behind an ID3v2 tag', async () => {
    const flac = await encodeAudioFile('flac', [sine(440, 1, 44100)], 44100, { tags: { title: 'inner' } });
    const id3 = buildId3({ title: 'outer' });
    const bytes = new Uint8Array(id3.length + flac.length);
    bytes.set(id3);
    bytes.set(flac, id3.length);
    const audio = await decodeUpload(bytes, OPTIONS);
    expect(audio.format).toBe('flac');
    expect(audio.seconds).toBe(1);
    expect(audio.tags).toEqual({ title: 'inner' });
  });

  it('mixes 5.1 down to stereo in the format’s channel order (WAV/FLAC: FL FR FC LFE BL BR)', async () => {
    const rate = 8000;
    const silent = new Float32Array(rate);
    const one = new Float32Array(rate).fill(0.5);
    // Only the front-left and the centre carry signal.
    const channels = [one, silent, one, silent, silent, silent];
    for (const format of ['wav16', 'flac'] as const) {
      const audio = await decodeUpload(await encodeAudioFile(format, channels, rate), OPTIONS);
      expect(audio.downmixedFrom).toBe(6);
      expect(audio.channels.length).toBe(2);
      const norm = 1 + Math.SQRT1_2 + Math.SQRT1_2; // FL + √½·FC + √½·BL
      expect(audio.channels[0]![100]).toBeCloseTo((0.5 * (1 + Math.SQRT1_2)) / norm, 3);
      expect(audio.channels[1]![100]).toBeCloseTo((0.5 * Math.SQRT1_2) / norm, 3);
    }
  });

  it('reads byte views that do not start at their buffer’s beginning (Node Buffers from a pool)', async () => {
    for (const format of ['wav16', 'mp3', 'flac', 'opus'] as const) {
      const data = await encodeAudioFile(format, [sine(440, 1, 48000)], 48000, { tags: { title: 'view' } });
      const padded = new Uint8Array(data.length + 7);
      padded.fill(0xaa);
      padded.set(data, 5);
      const audio = await decodeUpload(padded.subarray(5, 5 + data.length), OPTIONS);
      expect(audio.seconds).toBeCloseTo(1, 2);
      expect(audio.tags).toEqual({ title: 'view' });
      expect(dominantFrequency(audio.channels[0]!, 48000)).toBeCloseTo(440, 0);
    }
  });

  it('probes lengths from headers without decoding', async () => {
    const wav = encodeWav([sine(440, 3, 16000)], 16000);
    expect(probeUpload(wav, 'wav')).toMatchObject({ channels: 1, sampleRate: 16000, samples: 48000, problem: null });
    const opus = await encodeAudioFile('opus', [sine(440, 1.5, 48000)], 48000);
    expect(probeUpload(opus, 'ogg-opus')).toMatchObject({ channels: 1, sampleRate: 48000, samples: 72000, problem: null });
    const flac = await encodeAudioFile('flac', [sine(440, 1.5, 48000)], 48000);
    expect(probeUpload(flac, 'flac')).toMatchObject({ channels: 1, sampleRate: 48000, samples: 72000, problem: null });
  });
});
