/**
 * Surround uploads mixed down to stereo (issue 3/5 item 5: the engine takes 1 or 2 channels; we mix
 * down rather than refuse). Each channel's speaker position comes from the format's channel order:
 *
 * - WAV: the WAVE_FORMAT_EXTENSIBLE speaker mask when present (bit order FL FR FC LFE BL BR FLC FRC BC
 *   SL SR TC TFL TFC TFR TBL TBC TBR), else the default order FL FR FC LFE BL BR SL SR (FLAC uses the same);
 * - Ogg Vorbis / Ogg Opus (mapping family 1): Vorbis I §4.3.9 order, e.g. 5.1 = FL FC FR BL BR LFE.
 *
 * Coefficients follow ITU-R BS.775 (as ffmpeg's default downmix does): front left/right at 1, centre,
 * surrounds and rear at √½ on their side, centred rear/top channels at ½ on both, LFE dropped. Each
 * output is then divided by the larger of the two coefficient sums, so a full-scale signal in every
 * channel cannot clip.
 */

type Speaker = 'FL' | 'FR' | 'FC' | 'LFE' | 'BL' | 'BR' | 'FLC' | 'FRC' | 'BC' | 'SL' | 'SR' | 'TC' | 'TFL' | 'TFC' | 'TFR' | 'TBL' | 'TBC' | 'TBR' | '?';

export type ChannelOrder = 'wav' | 'vorbis';

const MASK_BITS: readonly Speaker[] = ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR', 'FLC', 'FRC', 'BC', 'SL', 'SR', 'TC', 'TFL', 'TFC', 'TFR', 'TBL', 'TBC', 'TBR'];

const WAV_ORDER: readonly Speaker[] = ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR', 'SL', 'SR'];

const VORBIS_ORDER: Readonly<Record<number, readonly Speaker[]>> = {
  3: ['FL', 'FC', 'FR'],
  4: ['FL', 'FR', 'BL', 'BR'],
  5: ['FL', 'FC', 'FR', 'BL', 'BR'],
  6: ['FL', 'FC', 'FR', 'BL', 'BR', 'LFE'],
  7: ['FL', 'FC', 'FR', 'SL', 'SR', 'BC', 'LFE'],
  8: ['FL', 'FC', 'FR', 'SL', 'SR', 'BL', 'BR', 'LFE'],
};

const S = Math.SQRT1_2;
const GAINS: Readonly<Record<Speaker, readonly [number, number]>> = {
  FL: [1, 0], FR: [0, 1], FC: [S, S], LFE: [0, 0], BL: [S, 0], BR: [0, S], FLC: [1, 0], FRC: [0, 1], BC: [0.5, 0.5],
  SL: [S, 0], SR: [0, S], TC: [0.5, 0.5], TFL: [S, 0], TFC: [0.5, 0.5], TFR: [0, S], TBL: [S, 0], TBC: [0.5, 0.5], TBR: [0, S],
  '?': [0.5, 0.5],
};

/** Speaker positions of `count` channels in `order` (with a WAV speaker mask if given). */
export function speakerLayout(count: number, order: ChannelOrder, mask: number | null = null): Speaker[] {
  if (order === 'wav' && mask !== null && mask !== 0) {
    const fromMask = MASK_BITS.filter((_, bit) => mask & (1 << bit));
    if (fromMask.length >= count) return fromMask.slice(0, count);
  }
  const table = order === 'vorbis' ? (VORBIS_ORDER[count] ?? []) : WAV_ORDER;
  return Array.from({ length: count }, (_, i) => table[i] ?? '?');
}

/** Mixes 3 or more channels down to [left, right] (see the module comment). Fewer are returned as they are. */
export function downmixToStereo(channels: readonly Float32Array[], order: ChannelOrder, mask: number | null = null): Float32Array[] {
  if (channels.length <= 2) return [...channels];
  const layout = speakerLayout(channels.length, order, mask);
  const gains = layout.map((s) => GAINS[s]);
  const norm = Math.max(gains.reduce((sum, g) => sum + g[0], 0), gains.reduce((sum, g) => sum + g[1], 0));
  const length = channels[0]!.length;
  const left = new Float32Array(length);
  const right = new Float32Array(length);
  channels.forEach((channel, c) => {
    const gl = gains[c]![0] / norm;
    const gr = gains[c]![1] / norm;
    if (gl !== 0) for (let i = 0; i < length; i++) left[i]! += gl * channel[i]!;
    if (gr !== 0) for (let i = 0; i < length; i++) right[i]! += gr * channel[i]!;
  });
  return [left, right];
}
