import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import { clockLabel, voiceWaveform, WAVEFORM_COLOURS, waveformPng } from '../../../src/engine/audio/waveform.js';
import { sine } from './out/signals.js';

const RATE = 8000;

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const at = (y * png.width + x) * 4;
  return [png.data[at]!, png.data[at + 1]!, png.data[at + 2]!];
}

const isBackground = (rgb: readonly number[]) => rgb.every((v, i) => v === WAVEFORM_COLOURS.background[i]);

describe('waveformPng', () => {
  // Left: silent for 5 s then a loud tone; right: a tone throughout. 10 s.
  const left = new Float32Array(10 * RATE);
  left.set(sine(300, 5, RATE, 0.9), 5 * RATE);
  const right = sine(300, 10, RATE, 0.5);

  it('decodes with pngjs at the asked size, with the stereo envelope above and below the centre', () => {
    const png = PNG.sync.read(Buffer.from(waveformPng([left, right], RATE, { width: 400, height: 120 })));
    expect([png.width, png.height]).toEqual([400, 120]);
    const waveBottom = 120 - 14;
    const centre = Math.floor(waveBottom / 2);
    // First half: the upper (left) half is background just above the centre line, the lower (right) half is not.
    expect(isBackground(pixel(png, 100, centre - 5))).toBe(true);
    expect(isBackground(pixel(png, 100, centre + 5))).toBe(false);
    // Second half: both.
    expect(isBackground(pixel(png, 300, centre - 5))).toBe(false);
    expect(isBackground(pixel(png, 300, centre + 5))).toBe(false);
    // Peak 0.9 reaches 90 % of the upper half; nothing beyond it.
    expect(isBackground(pixel(png, 300, centre - Math.round(0.85 * (centre - 1))))).toBe(false);
    expect(isBackground(pixel(png, 300, 1))).toBe(true);
    // The time axis carries label pixels.
    let lit = 0;
    for (let y = waveBottom + 5; y < 120; y++) for (let x = 0; x < 400; x++) if (pixel(png, x, y).join() === WAVEFORM_COLOURS.label.join()) lit++;
    expect(lit).toBeGreaterThan(50);
  });

  it('draws section markers with labels and the highlighted range', () => {
    const png = PNG.sync.read(Buffer.from(waveformPng([left, right], RATE, { width: 400, height: 120, sections: [{ label: 'Chorus', start: 5 }], highlight: { start: 1, end: 3 } })));
    const sectionPixels = (x0: number, x1: number) => {
      let n = 0;
      for (let y = 0; y < 12; y++) for (let x = x0; x < x1; x++) if (pixel(png, x, y).join() === WAVEFORM_COLOURS.section.join()) n++;
      return n;
    };
    expect(sectionPixels(200, 240)).toBeGreaterThan(30); // label "CHORUS" right of x = 200
    expect(pixel(png, 200, 30)).toEqual([...WAVEFORM_COLOURS.section]); // dotted line (even rows)
    expect(pixel(png, 80, 15)).toEqual([...WAVEFORM_COLOURS.highlight]); // inside 1–3 s, above the (silent) left channel
    expect(pixel(png, 40, 15)).toEqual([...WAVEFORM_COLOURS.highlightEdge]);
    expect(isBackground(pixel(png, 20, 15))).toBe(true);
  });

  it('handles mono, silence and a 1200×240 default', () => {
    const png = PNG.sync.read(Buffer.from(waveformPng([new Float32Array(RATE)], RATE)));
    expect([png.width, png.height]).toEqual([1200, 240]);
    const centre = Math.floor((240 - 14) / 2);
    expect(isBackground(pixel(png, 600, centre - 3))).toBe(true);
    expect(pixel(png, 600, centre)).toEqual([...WAVEFORM_COLOURS.centre]);
  });

  it('refuses bad sizes and inputs', () => {
    expect(() => waveformPng([left], RATE, { width: 5 })).toThrow(/width/);
    expect(() => waveformPng([], RATE)).toThrow(/no channels/);
    expect(clockLabel(125)).toBe('2:05');
  });
});

describe('voiceWaveform', () => {
  it('gives 256 points scaled to 0–255, their base64 and the duration, as Discord voice messages take', () => {
    const ramp = new Float32Array(30 * RATE);
    for (let i = 0; i < ramp.length; i++) ramp[i] = (i / ramp.length) * Math.sin(i * 0.3);
    const wave = voiceWaveform([ramp, ramp], RATE);
    expect(wave.bytes.length).toBe(256);
    expect(Math.max(...wave.bytes)).toBe(255);
    expect(wave.bytes[0]).toBeLessThan(5);
    expect(wave.bytes[128]).toBeGreaterThan(100);
    expect(Array.from(Buffer.from(wave.base64, 'base64'))).toEqual(Array.from(wave.bytes));
    expect(wave.durationSecs).toBe(30);
  });

  it('has fewer points for tiny audio and zeros for silence', () => {
    expect(voiceWaveform([new Float32Array(100)], RATE).bytes).toEqual(new Uint8Array(100));
  });
});
