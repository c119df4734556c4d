import { resolve } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { AcejamError, PackError } from '../../../src/engine/errors.js';
import { logMel, melFrames, melTablesFrom, type MelTables } from '../../../src/engine/audio/mel.js';
import { readSafetensors } from '../../../src/engine/safetensors.js';
import { mulberry32 } from '../../helpers/mulberry32.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');

const random = mulberry32;

/**
 * The spec §1.7 front end written the slow, obvious way: explicit reflect-padded copy, a direct DFT per
 * frequency with cos/sin, dense filterbank product, log of the clamp.
 */
function naiveLogMel(x: Float32Array, tables: MelTables): Float64Array[] {
  const padded: number[] = [];
  for (let i = 768; i >= 1; i--) padded.push(x[i]!);
  padded.push(...x);
  for (let i = 1; i <= 768; i++) padded.push(x[x.length - 1 - i]!);
  const frames = Math.floor((padded.length - 2048) / 512) + 1;
  const out = Array.from({ length: 128 }, () => new Float64Array(frames));
  const cos = new Float64Array(2048);
  const sin = new Float64Array(2048);
  for (let n = 0; n < 2048; n++) {
    cos[n] = Math.cos((2 * Math.PI * n) / 2048);
    sin[n] = Math.sin((2 * Math.PI * n) / 2048);
  }
  for (let f = 0; f < frames; f++) {
    const frame = Array.from({ length: 2048 }, (_, n) => padded[f * 512 + n]! * tables.window[n]!);
    const magnitude = new Float64Array(1025);
    for (let k = 0; k < 1025; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < 2048; n++) {
        const idx = (k * n) % 2048;
        re += frame[n]! * cos[idx]!;
        im -= frame[n]! * sin[idx]!;
      }
      magnitude[k] = Math.sqrt(re * re + im * im + 1e-6);
    }
    for (let m = 0; m < 128; m++) {
      let acc = 0;
      for (let k = 0; k < 1025; k++) acc += magnitude[k]! * tables.filterbank[k * 128 + m]!;
      out[m]![f] = Math.log(Math.max(acc, 1e-5));
    }
  }
  return out;
}

/** Slaney mel scale (linear below 1 kHz, logarithmic above), for the expected bin of a tone. */
const hzToMel = (hz: number): number => (hz < 1000 ? (3 * hz) / 200 : 15 + Math.log(hz / 1000) / (Math.log(6.4) / 27));
const melToHz = (mel: number): number => (mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp(((mel - 15) * Math.log(6.4)) / 27));

describe('logMel', () => {
  let tables: MelTables;
  beforeAll(async () => {
    tables = melTablesFrom(await readSafetensors(resolve(TINY, 'mel_filterbank.safetensors')));
  });

  it('counts floor(L/512) frames', () => {
    expect(melFrames(4096)).toBe(8);
    expect(melFrames(4096 * 3 + 100)).toBe(24);
    expect(melFrames(769)).toBe(1);
    expect(logMel(new Float32Array(4096 + 300), tables).length).toBe(128 * 8);
  });

  it('matches a naive DFT implementation of spec §1.7 on 4096 samples of noise + tones', () => {
    const rand = random(7);
    const x = Float32Array.from({ length: 4096 }, (_, i) =>
      0.3 * (rand() - 0.5) + 0.4 * Math.sin((2 * Math.PI * 440 * i) / 44100) + 0.1 * Math.sin((2 * Math.PI * 9000 * i) / 44100 + 1),
    );
    // A quiet stretch so some bins sit near the clamp and the eps matters.
    for (let i = 3000; i < 3500; i++) x[i] = 1e-6 * (rand() - 0.5);
    const fast = logMel(x, tables);
    const slow = naiveLogMel(x, tables);
    expect(fast.length).toBe(128 * 8);
    let worst = 0;
    for (let m = 0; m < 128; m++) for (let f = 0; f < 8; f++) worst = Math.max(worst, Math.abs(fast[m * 8 + f]! - slow[m]![f]!));
    expect(worst).toBeLessThan(1e-6);
    // And the values are not trivially constant.
    expect(Math.max(...fast) - Math.min(...fast)).toBeGreaterThan(5);
  });

  it('gives log(max(1e-3·Σ filterbank, 1e-5)) for silence (magnitude = sqrt(1e-6))', () => {
    const mel = logMel(new Float32Array(4096), tables);
    for (const m of [0, 40, 127]) {
      let sum = 0;
      for (let k = 0; k < 1025; k++) sum += tables.filterbank[k * 128 + m]!;
      const expected = Math.log(Math.max(1e-3 * sum, 1e-5));
      for (let f = 0; f < 8; f++) expect(mel[m * 8 + f]).toBeCloseTo(expected, 5);
    }
  });

  it('puts a 1 kHz sine in the mel bin whose Slaney centre is nearest 1 kHz', () => {
    const lo = hzToMel(40);
    const hi = hzToMel(16000);
    const centres = Array.from({ length: 128 }, (_, m) => melToHz(lo + ((m + 1) * (hi - lo)) / 129));
    const expected = centres.reduce((best, hz, m) => (Math.abs(hz - 1000) < Math.abs(centres[best]! - 1000) ? m : best), 0);
    expect(expected).toBe(33);
    const frames = 44100 / 512;
    const x = Float32Array.from({ length: 44100 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 44100));
    const mel = logMel(x, tables);
    const F = Math.floor(frames);
    for (const f of [5, 40, 80]) {
      let peak = 0;
      for (let m = 1; m < 128; m++) if (mel[m * F + f]! > mel[peak * F + f]!) peak = m;
      expect(peak).toBe(expected);
      // Far bins see only the window's sidelobes: many nats below the peak.
      expect(mel[peak * F + f]! - mel[100 * F + f]!).toBeGreaterThan(8);
    }
  });

  it('rejects audio too short to reflect-pad and malformed tables', () => {
    expect(() => logMel(new Float32Array(768), tables)).toThrow(AcejamError);
    expect(() => logMel(new Float32Array(1000), { filterbank: new Float32Array(10), window: tables.window })).toThrow(PackError);
    const wrong = new Map([
      ['filterbank', { dtype: 'F32', shape: [128, 1025], data: new Float32Array(1025 * 128) }],
      ['window', { dtype: 'F32', shape: [2048], data: new Float32Array(2048) }],
    ]);
    expect(() => melTablesFrom(wrong, 'x.safetensors')).toThrow(/x.safetensors: tensor filterbank has shape \[128, 1025\], expected \[1025, 128\]/);
    expect(() => melTablesFrom(new Map(), 'x.safetensors')).toThrow(/tensor filterbank is missing/);
  });
});
