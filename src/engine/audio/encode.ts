/**
 * Audio → DiT-space latents (spec ../shared/spec/acestep-v1.md §1.7 encode side, upstream `MusicDCAE.encode`): mono is duplicated to
 * stereo, each channel is resampled to 44.1 kHz, right-padded with zeros to a multiple of 4096 samples,
 * turned into a log-mel [128, Tm] (mel.ts), and the stereo image [1, 2, 128, Tm] goes through the
 * `dcae_encoder` graph (mel normalisation and the latent scale/shift are folded into it) → latents
 * [1, 8, 16, T], T = Tm/8 = ceil(L·44100/sr/4096).
 *
 * Long inputs are encoded in windows with the latent plan of windows.ts (default 512 latent frames =
 * 47.5 s, hop 256, trimming 128 frames at inner edges): an input up to one window long is one call,
 * exactly upstream's; longer ones keep the encoder's working memory bounded (upstream encodes any
 * length in one call). The Music-DCAE encoder's linear attention sees one window, so windowed latents
 * differ slightly from a one-call encode (measured in test/engine/audio/encode.test.ts).
 */
import { AcejamError } from '../errors.js';
import { HOP, N_MELS, logMel, type MelTables } from './mel.js';
import { resample, resampledLength, type ResampleOptions } from './resample.js';
import { DEFAULT_LATENT_WINDOW, latentWindowPlan } from './windows.js';

/** The encoder graph as a plain function: raw log-mel [b, 2, 128, tm] → latents [b, 8, 16, tm/8]. */
export interface EncodeGraphs {
  dcaeEncoder(mel: Float32Array, batch: number, melFrames: number): Promise<Float32Array>;
}

export interface EncodeOptions {
  /** Latent frames per encoder call (multiple of 4). Default 512. */
  latentWindow?: number;
  /** Resampler settings (resample.ts); the default matches upstream's torchaudio resampler. */
  resample?: ResampleOptions;
}

export const MODEL_SAMPLE_RATE = 44100;
/** Samples per latent frame at 44.1 kHz (spec §1.9). */
export const SAMPLES_PER_FRAME = 4096;
const MEL_PER_LATENT = 8;
const LATENT_ROWS = 8 * 16;

/** Latent frames for `length` samples at `sampleRate`: ceil(ceil(L·44100/sr)/4096) = ceil(L·44100/sr/4096). */
export function encodedFrames(length: number, sampleRate: number): number {
  return Math.ceil(resampledLength(length, sampleRate, MODEL_SAMPLE_RATE) / SAMPLES_PER_FRAME);
}

/**
 * Encodes one clip (1 or 2 channels of equal length, any integer sample rate) to latents
 * [1, 8, 16, frames]. Throws INVALID_INPUT for no/too many channels, unequal lengths or empty audio.
 */
export async function encodeAudio(
  channels: readonly Float32Array[],
  sampleRate: number,
  graphs: EncodeGraphs,
  tables: MelTables,
  options: EncodeOptions = {},
): Promise<{ latent: Float32Array; frames: number }> {
  if (channels.length < 1 || channels.length > 2) {
    throw new AcejamError('INVALID_INPUT', `audio must have 1 or 2 channels, got ${channels.length}`, { hint: 'mix down to stereo first' });
  }
  const length = channels[0]!.length;
  if (channels.some((c) => c.length !== length)) {
    throw new AcejamError('INVALID_INPUT', `audio channels differ in length (${channels.map((c) => c.length).join(', ')})`);
  }
  if (length === 0) throw new AcejamError('INVALID_INPUT', 'audio has no samples');
  // Mono is duplicated to stereo: one resample and one mel serve both channels.
  const frames = encodedFrames(length, sampleRate);
  const padded = frames * SAMPLES_PER_FRAME;
  const melFrames = padded / HOP;
  const mels = channels.map((c) => {
    const at44k = resample(c, sampleRate, MODEL_SAMPLE_RATE, options.resample);
    const p = new Float32Array(padded); // right-padded with zeros
    p.set(at44k);
    return logMel(p, tables);
  });
  const image = new Float32Array(2 * N_MELS * melFrames);
  image.set(mels[0]!, 0);
  image.set(mels[1] ?? mels[0]!, N_MELS * melFrames);

  const latent = new Float32Array(LATENT_ROWS * frames);
  for (const window of latentWindowPlan(frames, options.latentWindow ?? DEFAULT_LATENT_WINDOW)) {
    const length = window.end - window.start;
    const tm = length * MEL_PER_LATENT;
    const input = new Float32Array(2 * N_MELS * tm);
    for (let row = 0; row < 2 * N_MELS; row++) {
      const from = row * melFrames + window.start * MEL_PER_LATENT;
      input.set(image.subarray(from, from + tm), row * tm);
    }
    const z = await graphs.dcaeEncoder(input, 1, tm);
    if (z.length !== LATENT_ROWS * length) {
      throw new AcejamError('MODEL_ERROR', `dcae_encoder returned ${z.length} values for ${tm} mel frames, expected [1, 8, 16, ${length}]`);
    }
    const keep = window.keepEnd - window.keepStart;
    for (let row = 0; row < LATENT_ROWS; row++) {
      const from = row * length + (window.keepStart - window.start);
      latent.set(z.subarray(from, from + keep), row * frames + window.keepStart);
    }
  }
  return { latent, frames };
}
