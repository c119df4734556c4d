/**
 * Latents → 44.1 kHz stereo audio with the overlapped decode of spec ../shared/spec/acestep-v1.md §5.2, generalised (windows.ts):
 * the Music-DCAE decoder runs on latent windows and the vocoder on mel windows, interleaved, so only a
 * few windows of mel are alive at a time and the working memory does not grow with the duration (the
 * returned audio itself is 2 × 4096·T float32 per item). Items are decoded one after another; each
 * vocoder call carries the item's two channels as two rows (spec §1.8).
 *
 * The graphs (docs/pack-format.md): `dcae_decoder` latents [b,8,16,t] → raw log-mel [b,2,128,8t]
 * (scale/shift and mel de-normalisation folded in); `vocoder` mel [n,128,f] → audio [n,1,512f].
 * Output per item and channel: exactly 4096·T samples (spec §1.9, §10.10; resample to 48 kHz after).
 *
 * Accuracy against a one-call decode (measured on the tiny pack, test/engine/audio/decode.test.ts):
 * vocoder windows are exact (float32 noise) for samples farther than the vocoder's receptive field
 * from a window edge; upstream's overlap of 1024 samples (2 mel frames) puts seams well inside it, so
 * samples near seams differ (tiny pack, 64-frame windows: ≈ 19 % relative RMS over the clip). An
 * overlap at least the receptive field (tiny: ≈ 26 frames; full vocoder by the same count ≈ 93 frames
 * theoretical, less in effect) makes seams exact. DCAE windows differ slightly everywhere because the
 * decoder's EfficientViT stage attends over the whole window (tiny, 16/32-frame windows: 2.6 % / 1.1 %).
 *
 * Every call gets freshly allocated input arrays, so graph functions may transfer them to a worker.
 */
import { AcejamError } from '../errors.js';
import {
  DEFAULT_LATENT_WINDOW,
  crossfadeRamps,
  latentWindowPlan,
  vocoderWindowPlan,
  type VocoderPlanOptions,
} from './windows.js';

/** The two decode graphs as plain functions over row-major float32 tensors. */
export interface DecodeGraphs {
  /** latents [b, 8, 16, t] → log-mel [b, 2, 128, 8t]. */
  dcaeDecoder(latent: Float32Array, batch: number, frames: number): Promise<Float32Array>;
  /** log-mel [n, 128, f] → audio [n, 1, 512f]. */
  vocoder(mel: Float32Array, rows: number, frames: number): Promise<Float32Array>;
}

export interface DecodeOptions {
  /** Latent frames per DCAE call (multiple of 4). Default 512 (spec §5.2). */
  latentWindow?: number;
  /**
   * Vocoder windowing: mel frames per call, overlap and cross-fade in samples. Defaults 512 / 1024 / 128
   * (upstream's); a larger overlap (a multiple of 256) trades vocoder compute for exact seams.
   */
  vocoder?: Omit<VocoderPlanOptions, 'hopSamples'>;
  /** Called after every model call with (calls done, calls in total) over the whole batch. */
  onProgress?: (done: number, total: number) => void;
}

const LATENT_CHANNELS = 8;
const LATENT_HEIGHT = 16;
const MEL_BINS = 128;
const AUDIO_CHANNELS = 2;
/** Mel frames per latent frame (the DCAE's time compression). */
const MEL_PER_LATENT = 8;
/** Audio samples per mel frame (the vocoder's hop). */
const SAMPLES_PER_MEL = 512;

/** A kept run of decoded mel: frames [start, end) of both channels, [2, 128, end − start]. */
interface MelChunk {
  start: number;
  end: number;
  data: Float32Array;
}

function modelError(message: string): never {
  throw new AcejamError('MODEL_ERROR', message);
}

/** Copies latent item `b`, frames [start, end), out of [B, 8, 16, T] into a [1, 8, 16, end − start] tensor. */
function sliceLatent(latent: Float32Array, b: number, frames: number, start: number, end: number): Float32Array {
  const length = end - start;
  const out = new Float32Array(LATENT_CHANNELS * LATENT_HEIGHT * length);
  for (let row = 0; row < LATENT_CHANNELS * LATENT_HEIGHT; row++) {
    const from = (b * LATENT_CHANNELS * LATENT_HEIGHT + row) * frames + start;
    out.set(latent.subarray(from, from + length), row * length);
  }
  return out;
}

/** Keeps mel frames [keepFrom, keepFrom + keepLength) of a [1, 2, 128, length] DCAE output. */
function keepMel(mel: Float32Array, length: number, keepFrom: number, keepLength: number): Float32Array {
  const out = new Float32Array(AUDIO_CHANNELS * MEL_BINS * keepLength);
  for (let row = 0; row < AUDIO_CHANNELS * MEL_BINS; row++) {
    const from = row * length + keepFrom;
    out.set(mel.subarray(from, from + keepLength), row * keepLength);
  }
  return out;
}

/** Assembles mel frames [start, end) of both channels as a vocoder input [2, 128, end − start]. */
function gatherMel(chunks: readonly MelChunk[], start: number, end: number): Float32Array {
  const length = end - start;
  const out = new Float32Array(AUDIO_CHANNELS * MEL_BINS * length);
  let covered = 0;
  for (const chunk of chunks) {
    const from = Math.max(start, chunk.start);
    const to = Math.min(end, chunk.end);
    if (to <= from) continue;
    covered += to - from;
    const chunkLength = chunk.end - chunk.start;
    for (let row = 0; row < AUDIO_CHANNELS * MEL_BINS; row++) {
      const source = row * chunkLength + (from - chunk.start);
      out.set(chunk.data.subarray(source, source + (to - from)), row * length + (from - start));
    }
  }
  if (covered !== length) modelError(`internal: mel frames [${start}, ${end}) are not all decoded (${covered} of ${length})`);
  return out;
}

/**
 * Decodes `batch` latents of `frames` frames ([B, 8, 16, T] row-major) to audio: result[item][channel],
 * each a Float32Array of 4096·T samples at 44.1 kHz. With windows at least as long as the input this
 * is exactly one DCAE call and one vocoder call per item.
 */
export async function decodeLatents(
  latent: Float32Array,
  batch: number,
  frames: number,
  graphs: DecodeGraphs,
  options: DecodeOptions = {},
): Promise<Float32Array[][]> {
  if (!Number.isSafeInteger(batch) || batch < 1) throw new AcejamError('INVALID_INPUT', `batch must be a positive integer, got ${batch}`);
  if (!Number.isSafeInteger(frames) || frames < 0) throw new AcejamError('INVALID_INPUT', `frames must be a non-negative integer, got ${frames}`);
  const expected = batch * LATENT_CHANNELS * LATENT_HEIGHT * frames;
  if (latent.length !== expected) {
    throw new AcejamError('INVALID_INPUT', `latent has ${latent.length} values, expected ${expected} = [${batch}, 8, 16, ${frames}]`);
  }
  const latentPlan = latentWindowPlan(frames, options.latentWindow ?? DEFAULT_LATENT_WINDOW);
  const melFrames = frames * MEL_PER_LATENT;
  const vocoderPlan = vocoderWindowPlan(melFrames, { ...options.vocoder, hopSamples: SAMPLES_PER_MEL });
  const totalCalls = batch * (latentPlan.length + vocoderPlan.length);
  let calls = 0;
  const tick = (): void => {
    calls += 1;
    options.onProgress?.(calls, totalCalls);
  };

  const results: Float32Array[][] = [];
  for (let b = 0; b < batch; b++) {
    const audio = Array.from({ length: AUDIO_CHANNELS }, () => new Float32Array(melFrames * SAMPLES_PER_MEL));
    let chunks: MelChunk[] = [];
    let nextLatent = 0;
    let melReady = 0;
    for (const window of vocoderPlan) {
      // Decode latent windows until this vocoder window's mel is available.
      while (melReady < window.end) {
        const lw = latentPlan[nextLatent++];
        if (!lw) modelError(`internal: the latent plan ends before mel frame ${window.end}`);
        const length = lw.end - lw.start;
        const mel = await graphs.dcaeDecoder(sliceLatent(latent, b, frames, lw.start, lw.end), 1, length);
        tick();
        const melLength = length * MEL_PER_LATENT;
        if (mel.length !== AUDIO_CHANNELS * MEL_BINS * melLength) {
          modelError(`dcae_decoder returned ${mel.length} values for ${length} latent frames, expected [1, 2, 128, ${melLength}]`);
        }
        const keepStart = lw.keepStart * MEL_PER_LATENT;
        const keepEnd = lw.keepEnd * MEL_PER_LATENT;
        chunks.push({ start: keepStart, end: keepEnd, data: keepMel(mel, melLength, keepStart - lw.start * MEL_PER_LATENT, keepEnd - keepStart) });
        melReady = keepEnd;
      }
      chunks = chunks.filter((chunk) => chunk.end > window.start);

      const length = window.end - window.start;
      const wave = await graphs.vocoder(gatherMel(chunks, window.start, window.end), AUDIO_CHANNELS, length);
      tick();
      const samples = length * SAMPLES_PER_MEL;
      if (wave.length !== AUDIO_CHANNELS * samples) {
        modelError(`vocoder returned ${wave.length} values for ${length} mel frames, expected [2, 1, ${samples}]`);
      }
      const origin = window.start * SAMPLES_PER_MEL;
      const { fadeOut, fadeIn } = crossfadeRamps(window.crossfade);
      for (let c = 0; c < AUDIO_CHANNELS; c++) {
        const out = audio[c]!;
        const row = wave.subarray(c * samples, (c + 1) * samples);
        const fadeStart = window.keepStart - window.crossfade;
        for (let i = 0; i < window.crossfade; i++) {
          const at = fadeStart + i;
          out[at] = out[at]! * fadeOut[i]! + row[at - origin]! * fadeIn[i]!;
        }
        out.set(row.subarray(window.keepStart - origin, window.keepEnd - origin), window.keepStart);
      }
    }
    results.push(audio);
  }
  return results;
}
