/**
 * Pictures of a song (issue 3/5 item 7; `../shared/spec/product.md` §1.1 voice messages): a PNG
 * waveform for every song, and the ≤ 256-point waveform Discord voice messages carry.
 *
 * The PNG (pngjs, RGB, default 1200×240): the upper half shows the left channel rising from the centre
 * line and the lower half the right channel falling from it (mono draws the same channel in both), each
 * column as the peak |sample| of its slice in a muted colour with the RMS in a bright one, on a linear
 * scale where full scale (1.0) reaches the edge of its half. Below it a time axis: ticks every 1, 2, 5,
 * 10, 15, 30 s, 1, 2, 5 min (the finest whose labels do not collide) labelled m:ss in a built-in 5×7
 * bitmap font (out/bitmap-font.ts). Optional section markers (a line with the label at its top) and a
 * highlighted time range (a tinted band with edge lines, e.g. the part a repaint changed).
 *
 * The voice-message waveform: `min(256, samples)` points, each the RMS of its slice of the (channel-
 * averaged) signal, scaled so the loudest point is 255, base64-encoded as Discord's `waveform` field
 * expects, with `duration_secs`.
 */
import { PNG } from 'pngjs';

import { InvalidInputError } from '../errors.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './out/bitmap-font.js';

export interface WaveformSection {
  label: string;
  /** Seconds from the start. */
  start: number;
}

export interface WaveformOptions {
  width?: number;
  height?: number;
  sections?: readonly WaveformSection[];
  /** Seconds; drawn as a tinted band. */
  highlight?: { start: number; end: number };
}

type Rgb = readonly [number, number, number];

export const WAVEFORM_COLOURS = {
  background: [0x12, 0x16, 0x1c],
  axis: [0x5a, 0x63, 0x70],
  label: [0xc8, 0xd0, 0xda],
  centre: [0x2c, 0x33, 0x3d],
  peak: [0x2f, 0x6d, 0xa8],
  rms: [0x8c, 0xc4, 0xff],
  highlight: [0x3b, 0x31, 0x14],
  highlightEdge: [0xf0, 0xb4, 0x29],
  section: [0xd8, 0x6c, 0xc4],
} as const satisfies Record<string, Rgb>;

/** Height of the time axis strip under the waveform. */
const AXIS_HEIGHT = 14;
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

function checkChannels(channels: readonly Float32Array[], sampleRate: number): number {
  if (channels.length === 0) throw new InvalidInputError('audio', 'waveform: no channels');
  const length = channels[0]!.length;
  if (channels.some((c) => c.length !== length)) throw new InvalidInputError('audio', 'waveform: channels differ in length');
  if (!(sampleRate > 0)) throw new InvalidInputError('audio', `waveform: sample rate must be positive, got ${sampleRate}`);
  return length;
}

/** "m:ss" for a whole number of seconds. */
export function clockLabel(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Draws the waveform PNG described in the module comment. */
export function waveformPng(channels: readonly Float32Array[], sampleRate: number, options: WaveformOptions = {}): Uint8Array {
  const length = checkChannels(channels, sampleRate);
  const width = options.width ?? 1200;
  const height = options.height ?? 240;
  if (!Number.isInteger(width) || width < 16 || width > 8192) throw new InvalidInputError('width', `must be a whole number from 16 to 8192, got ${width}`);
  if (!Number.isInteger(height) || height < 32 || height > 4096) throw new InvalidInputError('height', `must be a whole number from 32 to 4096, got ${height}`);
  const duration = length / sampleRate;
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: false, bgColor: { red: 0, green: 0, blue: 0 } });
  const data = png.data; // RGBA, 4 bytes per pixel, whatever colorType is written
  const set = (x: number, y: number, [r, g, b]: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const at = (y * width + x) * 4;
    data[at] = r;
    data[at + 1] = g;
    data[at + 2] = b;
    data[at + 3] = 255;
  };
  const fillRect = (x0: number, y0: number, x1: number, y1: number, colour: Rgb) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) set(x, y, colour);
  };
  const xOf = (seconds: number) => (duration > 0 ? Math.round((seconds / duration) * width) : 0);

  fillRect(0, 0, width, height, WAVEFORM_COLOURS.background);
  const waveBottom = height - AXIS_HEIGHT;
  const centre = Math.floor(waveBottom / 2);
  const half = centre - 1; // pixels from the centre line to the edge of a half

  if (options.highlight) {
    const { start, end } = options.highlight;
    const x0 = Math.max(0, xOf(Math.min(start, end)));
    const x1 = Math.min(width, Math.max(x0 + 1, xOf(Math.max(start, end))));
    fillRect(x0, 0, x1, waveBottom, WAVEFORM_COLOURS.highlight);
    fillRect(x0, 0, x0 + 1, waveBottom, WAVEFORM_COLOURS.highlightEdge);
    fillRect(x1 - 1, 0, x1, waveBottom, WAVEFORM_COLOURS.highlightEdge);
  }

  const upper = channels[0]!;
  const lower = channels[1] ?? channels[0]!;
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x * length) / width);
    const to = Math.max(from + 1, Math.floor(((x + 1) * length) / width));
    for (const [channel, direction] of [[upper, -1], [lower, 1]] as const) {
      let peak = 0;
      let sum = 0;
      const end = Math.min(to, length);
      for (let i = from; i < end; i++) {
        const v = channel[i]!;
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
        sum += v * v;
      }
      const count = Math.max(1, end - from);
      const peakPx = Math.round(Math.min(1, peak) * half);
      const rmsPx = Math.round(Math.min(1, Math.sqrt(sum / count)) * half);
      for (let d = 1; d <= peakPx; d++) set(x, centre + direction * d, d <= rmsPx ? WAVEFORM_COLOURS.rms : WAVEFORM_COLOURS.peak);
    }
    set(x, centre, WAVEFORM_COLOURS.centre);
  }

  for (const section of options.sections ?? []) {
    if (!(section.start >= 0 && section.start <= duration)) continue;
    const x = Math.min(width - 1, xOf(section.start));
    for (let y = 0; y < waveBottom; y += 2) set(x, y, WAVEFORM_COLOURS.section); // dotted line
    const label = section.label.trim();
    if (label.length === 0) continue;
    const w = textWidth(label);
    const left = Math.min(x + 2, width - w - 3);
    fillRect(left - 1, 1, left + w + 2, 2 + GLYPH_HEIGHT + 2, WAVEFORM_COLOURS.background);
    drawText(label, left + 1, 3, (px, py) => set(px, py, WAVEFORM_COLOURS.section));
  }

  // Time axis.
  fillRect(0, waveBottom, width, waveBottom + 1, WAVEFORM_COLOURS.axis);
  if (duration > 0) {
    const widest = textWidth(clockLabel(duration)) + 12;
    const step = TICK_STEPS.find((s) => (s / duration) * width >= widest) ?? Math.ceil(duration);
    let lastRight = -Infinity;
    for (let t = 0; t <= duration + 1e-9; t += step) {
      const x = Math.min(width - 1, xOf(t));
      fillRect(x, waveBottom + 1, x + 1, waveBottom + 4, WAVEFORM_COLOURS.axis);
      const label = clockLabel(t);
      const w = textWidth(label);
      const left = Math.max(1, Math.min(width - w - 1, x - Math.floor(w / 2)));
      if (left < lastRight + 4) continue; // clamped at an edge into its neighbour: tick only
      drawText(label, left, waveBottom + 5, (px, py) => set(px, py, WAVEFORM_COLOURS.label));
      lastRight = left + w;
    }
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

/** Discord's voice-message waveform: up to 256 bytes (0–255) plus base64 and the duration. */
export interface VoiceWaveform {
  bytes: Uint8Array;
  base64: string;
  durationSecs: number;
}

/** The voice-message waveform described in the module comment. */
export function voiceWaveform(channels: readonly Float32Array[], sampleRate: number): VoiceWaveform {
  const length = checkChannels(channels, sampleRate);
  const points = Math.min(256, length);
  const rms = new Float64Array(points);
  for (let p = 0; p < points; p++) {
    const from = Math.floor((p * length) / points);
    const to = Math.floor(((p + 1) * length) / points);
    let sum = 0;
    for (let i = from; i < to; i++) {
      let v = 0;
      for (const channel of channels) v += channel[i]!;
      v /= channels.length;
      sum += v * v;
    }
    rms[p] = Math.sqrt(sum / Math.max(1, to - from));
  }
  const loudest = rms.reduce((m, v) => Math.max(m, v), 0);
  const bytes = Uint8Array.from(rms, (v) => (loudest > 0 ? Math.round((v / loudest) * 255) : 0));
  return { bytes, base64: Buffer.from(bytes).toString('base64'), durationSecs: length / sampleRate };
}
