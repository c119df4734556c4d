import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { PackError } from '../../src/engine/errors.js';
import { parseSafetensors, readSafetensors } from '../../src/engine/safetensors.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');

/** Builds a safetensors file: header JSON (padded with spaces to a multiple of 8, as the Rust writer does), then data. */
function build(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('readSafetensors', () => {
  it('reads the tiny pack mel tables: shapes, dtype, metadata and known values', async () => {
    const file = await readSafetensors(resolve(TINY, 'mel_filterbank.safetensors'));
    expect([...file.keys()]).toEqual(['filterbank', 'window']);
    expect(file.metadata.layout).toBe('filterbank [n_fft/2+1, n_mels], window [n_fft]');
    const window = file.require('window');
    expect(window.dtype).toBe('F32');
    expect(window.shape).toEqual([2048]);
    expect(window.data).toBeInstanceOf(Float32Array);
    // torch.hann_window(2048) is periodic: w[n] = sin²(πn/2048).
    const w = window.data as Float32Array;
    expect(w[0]).toBe(0);
    expect(w[1024]).toBeCloseTo(1, 6);
    expect(w[512]).toBeCloseTo(0.5, 6);
    // (torch computes 0.5 − 0.5·cos in float32: a few ulps of error.)
    for (const n of [1, 100, 700, 1500]) expect(Math.abs(w[n]! - Math.sin((Math.PI * n) / 2048) ** 2)).toBeLessThan(5e-7);
    const bank = file.require('filterbank');
    expect(bank.shape).toEqual([1025, 128]);
    expect(bank.data.length).toBe(1025 * 128);
    const values = bank.data as Float32Array;
    // Slaney filterbank over 40–16000 Hz: bin 0 (DC) and bins above 16 kHz have no weight, and every
    // mel filter has some.
    for (let m = 0; m < 128; m++) expect(values[m]).toBe(0);
    const above16k = Math.ceil((16000 / 22050) * 1024) + 1;
    for (let k = above16k; k < 1025; k++) for (let m = 0; m < 128; m++) expect(values[k * 128 + m]).toBe(0);
    for (let m = 0; m < 128; m++) {
      let sum = 0;
      for (let k = 0; k < 1025; k++) sum += values[k * 128 + m]!;
      expect(sum).toBeGreaterThan(0);
    }
  });

  it('decodes each dtype and copies data into aligned buffers', () => {
    const data = new Uint8Array(4 + 8 + 2 + 3);
    const dv = new DataView(data.buffer);
    dv.setInt16(0, -2, true);
    dv.setInt16(2, 7, true);
    dv.setBigInt64(4, -5n, true);
    dv.setUint16(12, 0x3c00, true);
    data.set([1, 0, 1], 14);
    const file = parseSafetensors(
      build(
        {
          __metadata__: { classes: '["en","fr"]' },
          a: { dtype: 'I16', shape: [2], data_offsets: [0, 4] },
          b: { dtype: 'I64', shape: [1, 1], data_offsets: [4, 12] },
          h: { dtype: 'F16', shape: [], data_offsets: [12, 14] },
          m: { dtype: 'BOOL', shape: [3], data_offsets: [14, 17] },
        },
        data,
      ),
    );
    expect(Array.from(file.require('a').data as Int16Array)).toEqual([-2, 7]);
    expect(file.require('b').data).toBeInstanceOf(BigInt64Array);
    expect((file.require('b').data as BigInt64Array)[0]).toBe(-5n);
    expect(file.require('b').shape).toEqual([1, 1]);
    expect(Array.from(file.require('h').data as Uint16Array)).toEqual([0x3c00]);
    expect(Array.from(file.require('m').data as Uint8Array)).toEqual([1, 0, 1]);
    expect(JSON.parse(file.metadata.classes!)).toEqual(['en', 'fr']);
  });

  it('rejects truncated files, bad headers, inconsistent offsets and unknown dtypes with a PackError', () => {
    const good = build({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => parseSafetensors(good.subarray(0, good.length - 1), 'x.safetensors')).toThrow(/tensor x spans bytes \[0, 8\).*7 bytes/);
    expect(() => parseSafetensors(new Uint8Array(4), 'x.safetensors')).toThrow(PackError);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(() => parseSafetensors(huge)).toThrow(/header length 1000 does not fit/);
    const notJson = new Uint8Array(12);
    new DataView(notJson.buffer).setBigUint64(0, 4n, true);
    notJson.set([0x7b, 0x7b, 0x7b, 0x7b], 8);
    expect(() => parseSafetensors(notJson)).toThrow(/header is not JSON/);
    expect(() => parseSafetensors(build({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(
      /F32 \[3\] = 12 bytes, but its offsets span 8/,
    );
    expect(() => parseSafetensors(build({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(/unsupported dtype C64/);
    expect(() => parseSafetensors(good).require('y', 'f.safetensors')).toThrow(/f.safetensors: tensor y is missing \(has x\)/);
  });

  it('names the path when the file cannot be read', async () => {
    await expect(readSafetensors('/nonexistent/file.safetensors')).rejects.toThrow(/\/nonexistent\/file.safetensors: cannot read/);
  });
});
