/**
 * Window plans for the overlapped decode (spec ../shared/spec/acestep-v1.md §5.2), as pure functions: which slice of the input each
 * model call sees and which part of its output is kept, so that the kept parts tile the whole output
 * exactly once, plus the linear cross-fade used at vocoder seams. decode.ts and encode.ts run the plans.
 *
 * Latent plan (Music-DCAE; upstream `decode_overlap`, generalised to any window W divisible by 4):
 * windows of W latent frames start every W/2 frames; each keeps its middle, dropping W/4 frames at every
 * inner edge (W = 512: hop 256, trim 128 latent = 1024 mel frames). The last window ends at the input's
 * end and may be shorter than W (at least W/2 + 1 frames), as upstream. Kept parts are joined without a
 * cross-fade (as upstream).
 *
 * Vocoder plan (upstream's, generalised; samples = 512 · mel frames): windows of V mel frames; seams
 * every V·512 − 2·O samples, the first at V·512 − O, each seam O samples inside the window that
 * starts there (V = 512, O = 1024: windows of 262,144 samples, hop 260,096). A window keeps from its
 * seam to the next one, and the C samples before each seam are a linear cross-fade between the two
 * windows (C = 128). Deliberate difference from upstream: a window that would run past the end of the
 * mel is moved back to end exactly there, instead of being zero-padded (a zero log-mel is a loud
 * constant, and its effect reaches back into the kept samples through the vocoder's receptive field).
 * An input no longer than one window is a single call on exactly the input.
 */
import { AcejamError } from '../errors.js';

/** One model call: input frames [start, end) and the kept output, in the same frame units. */
export interface LatentWindow {
  start: number;
  end: number;
  keepStart: number;
  keepEnd: number;
}

/** One vocoder call: mel frames [start, end); output samples kept [keepStart, keepEnd) (absolute). */
export interface VocoderWindow {
  start: number;
  end: number;
  keepStart: number;
  keepEnd: number;
  /** Cross-fade with the previous window over samples [keepStart − crossfade, keepStart); 0 for the first. */
  crossfade: number;
}

export interface VocoderPlanOptions {
  /** Mel frames per vocoder call (V). Default 512. */
  window?: number;
  /** Samples between a window's edge and its seam (O). Must be a multiple of hopSamples/2. Default 1024. */
  overlap?: number;
  /** Cross-fade length in samples (C ≤ O). Default 128. */
  crossfade?: number;
  /** Samples per mel frame. Default 512. */
  hopSamples?: number;
}

export const DEFAULT_LATENT_WINDOW = 512;
export const DEFAULT_VOCODER_WINDOW = 512;
export const DEFAULT_VOCODER_OVERLAP = 1024;
export const DEFAULT_CROSSFADE = 128;

function invalid(message: string): never {
  throw new AcejamError('INVALID_INPUT', message);
}

/**
 * The latent-domain plan for `frames` frames and window `window` (a multiple of 4, ≥ 4). An input of
 * at most `window` frames is one window keeping everything. Returns [] for 0 frames.
 */
export function latentWindowPlan(frames: number, window = DEFAULT_LATENT_WINDOW): LatentWindow[] {
  if (!Number.isSafeInteger(frames) || frames < 0) invalid(`frames must be a non-negative integer, got ${frames}`);
  if (!Number.isSafeInteger(window) || window < 4 || window % 4 !== 0) invalid(`latent window must be a positive multiple of 4, got ${window}`);
  if (frames === 0) return [];
  const trim = window / 4;
  const hop = window / 2;
  const anchors: number[] = [];
  for (let anchor = trim; anchor < frames - trim; anchor += hop) anchors.push(anchor);
  if (anchors.length === 0) anchors.push(trim);
  return anchors.map((anchor, i) => {
    const start = anchor - trim;
    const end = Math.min(frames, start + window);
    const first = i === 0;
    const last = i === anchors.length - 1;
    return {
      start,
      end,
      keepStart: first ? start : start + trim,
      keepEnd: last ? end : end - trim,
    };
  });
}

/**
 * The vocoder plan for `melFrames` mel frames (see the module comment). Every output sample in
 * [0, melFrames·hopSamples) is kept by exactly one window.
 */
export function vocoderWindowPlan(melFrames: number, options: VocoderPlanOptions = {}): VocoderWindow[] {
  const window = options.window ?? DEFAULT_VOCODER_WINDOW;
  const overlap = options.overlap ?? DEFAULT_VOCODER_OVERLAP;
  const crossfade = options.crossfade ?? DEFAULT_CROSSFADE;
  const hopSamples = options.hopSamples ?? 512;
  if (!Number.isSafeInteger(melFrames) || melFrames < 0) invalid(`mel frames must be a non-negative integer, got ${melFrames}`);
  if (!Number.isSafeInteger(hopSamples) || hopSamples < 2 || hopSamples % 2 !== 0) invalid(`hopSamples must be an even positive integer, got ${hopSamples}`);
  if (!Number.isSafeInteger(window) || window < 1) invalid(`vocoder window must be a positive integer, got ${window}`);
  if (!Number.isSafeInteger(overlap) || overlap < 0 || overlap % (hopSamples / 2) !== 0) {
    invalid(`vocoder overlap must be a non-negative multiple of ${hopSamples / 2} samples, got ${overlap}`);
  }
  const windowSamples = window * hopSamples;
  const hop = windowSamples - 2 * overlap;
  if (hop <= 0) invalid(`vocoder window of ${windowSamples} samples leaves no hop after trimming ${overlap} samples at both edges`);
  if (!Number.isSafeInteger(crossfade) || crossfade < 0 || crossfade > overlap || crossfade > hop) {
    invalid(`cross-fade must be an integer in [0, min(overlap ${overlap}, hop ${hop})], got ${crossfade}`);
  }
  const total = melFrames * hopSamples;
  if (melFrames === 0) return [];
  if (melFrames <= window) return [{ start: 0, end: melFrames, keepStart: 0, keepEnd: total, crossfade: 0 }];

  const plan: VocoderWindow[] = [];
  let seam = windowSamples - overlap; // end of the first window's kept part
  plan.push({ start: 0, end: window, keepStart: 0, keepEnd: Math.min(seam, total), crossfade: 0 });
  while (seam < total) {
    // seam − overlap = k·hop, and hop = V·hopSamples − 2·overlap is a multiple of hopSamples: an integer frame.
    const nominalStart = (seam - overlap) / hopSamples;
    const start = Math.min(nominalStart, melFrames - window);
    const next = seam + hop;
    plan.push({ start, end: start + window, keepStart: seam, keepEnd: Math.min(next, total), crossfade });
    seam = next;
  }
  return plan;
}

/**
 * The cross-fade ramps of length n (upstream: torch.linspace(1, 0, n) and linspace(0, 1, n)): the
 * outgoing window's weight falls from 1 to 0 and the incoming one's rises from 0 to 1; at every sample
 * they sum to 1.
 */
export function crossfadeRamps(n: number): { fadeOut: Float32Array; fadeIn: Float32Array } {
  const fadeOut = new Float32Array(n);
  const fadeIn = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const w = n === 1 ? 0 : i / (n - 1);
    fadeIn[i] = w;
    fadeOut[i] = 1 - w;
  }
  return { fadeOut, fadeIn };
}
