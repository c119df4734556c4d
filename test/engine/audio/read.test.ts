import { existsSync } from 'node:fs';

import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';

import { AcejamError } from '../../../src/engine/errors.js';
import { readAudio, sniffFormat } from '../../../src/engine/audio/read.js';

const TRACK = '/work/shared/data/acestep-v1/test_track_001.mp3';
const haveTrack = existsSync(TRACK);

describe('readAudio', () => {
  it('reads 8-bit unsigned and 32-bit integer WAV to [−1, 1]', async () => {
    const w8 = new wavefile.WaveFile();
    w8.fromScratch(1, 8000, '8', [0, 128, 255, 64]);
    expect(Array.from((await readAudio(w8.toBuffer())).channels[0]!)).toEqual([-1, 0, 127 / 128, -0.5]);
    const w32 = new wavefile.WaveFile();
    w32.fromScratch(2, 16000, '32', [[-2147483648, 1073741824], [0, 2147483647]]);
    const back = await readAudio(w32.toBuffer());
    expect(back.sampleRate).toBe(16000);
    expect(Array.from(back.channels[0]!)).toEqual([-1, 0.5]);
    expect(back.channels[1]![1]).toBeCloseTo(1, 6);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE 16-bit PCM (what many tools write)', async () => {
    const samples = [1000, -1000, 32767, -32768]; // 2 frames × 2 channels
    const bytes = new Uint8Array(12 + 8 + 40 + 8 + samples.length * 2);
    const view = new DataView(bytes.buffer);
    const put = (at: number, text: string) => [...text].forEach((ch, i) => view.setUint8(at + i, ch.charCodeAt(0)));
    put(0, 'RIFF');
    view.setUint32(4, bytes.length - 8, true);
    put(8, 'WAVE');
    put(12, 'fmt ');
    view.setUint32(16, 40, true);
    view.setUint16(20, 0xfffe, true); // WAVE_FORMAT_EXTENSIBLE
    view.setUint16(22, 2, true);
    view.setUint32(24, 44100, true);
    view.setUint32(28, 44100 * 4, true);
    view.setUint16(32, 4, true);
    view.setUint16(34, 16, true);
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, 16, true); // valid bits
    view.setUint32(40, 3, true); // channel mask FL|FR
    // KSDATAFORMAT_SUBTYPE_PCM {00000001-0000-0010-8000-00aa00389b71}
    [0x01, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71].forEach((b, i) => view.setUint8(44 + i, b));
    put(60, 'data');
    view.setUint32(64, samples.length * 2, true);
    samples.forEach((s, i) => view.setInt16(68 + 2 * i, s, true));
    const audio = await readAudio(bytes);
    expect(audio.sampleRate).toBe(44100);
    expect(Array.from(audio.channels[0]!)).toEqual([1000 / 32768, 32767 / 32768]);
    expect(Array.from(audio.channels[1]!)).toEqual([-1000 / 32768, -1]);
  });

  it('decodes µ-law WAV through 16-bit PCM', async () => {
    const w = new wavefile.WaveFile();
    w.fromScratch(1, 8000, '16', [0, 16000, -16000, 8000]);
    w.toMuLaw();
    const back = await readAudio(w.toBuffer());
    const expected = [0, 16000, -16000, 8000].map((v) => v / 32768);
    back.channels[0]!.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(0.02));
  });

  it('recognises formats by their bytes and rejects others with the first bytes in the message', async () => {
    expect(sniffFormat(new TextEncoder().encode('ID3\u0004xxxx'))).toBe('mp3');
    expect(sniffFormat(Uint8Array.from([0xff, 0xfb, 0x90, 0x00]))).toBe('mp3');
    expect(sniffFormat(Uint8Array.from([0xff, 0xe9, 0x90, 0x00]))).toBeUndefined(); // reserved version 01
    expect(sniffFormat(new TextEncoder().encode('RIFF\0\0\0\0WAVE'))).toBe('wav');
    expect(sniffFormat(new TextEncoder().encode('fLaC\0\0\0\0'))).toBeUndefined();
    await expect(readAudio(new TextEncoder().encode('fLaC\0\0\0\0'))).rejects.toThrow(/unrecognised audio format \(first bytes 66 4c 61 43\)/);
    await expect(readAudio('/nonexistent.wav')).rejects.toThrow(AcejamError);
    await expect(readAudio(new TextEncoder().encode('RIFF\0\0\0\0WAVEjunk'))).rejects.toThrow(/not a readable WAV file/);
  });

  it.skipIf(!haveTrack)(`decodes the MP3 test track (${TRACK}): 48 kHz stereo, about 60 s, real signal`, async () => {
    const audio = await readAudio(TRACK);
    expect(audio.sampleRate).toBe(48000);
    expect(audio.channels).toHaveLength(2);
    const [left, right] = audio.channels as [Float32Array, Float32Array];
    expect(left.length).toBe(right.length);
    const seconds = left.length / 48000;
    expect(seconds).toBeGreaterThan(55);
    expect(seconds).toBeLessThan(65);
    let peak = 0;
    let energy = 0;
    let differ = 0;
    for (let i = 0; i < left.length; i++) {
      peak = Math.max(peak, Math.abs(left[i]!), Math.abs(right[i]!));
      energy += left[i]! ** 2;
      if (left[i] !== right[i]) differ++;
    }
    expect(peak).toBeLessThanOrEqual(1.0001);
    expect(Math.sqrt(energy / left.length)).toBeGreaterThan(0.01); // music, not silence
    expect(differ / left.length).toBeGreaterThan(0.5); // really stereo
  });
});
