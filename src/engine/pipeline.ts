/**
 * One request from text to audio (spec §1.1):
 *   1. tokenize  prompt (UMT5) and lyrics (BPE, per-line language)        → ids
 *   2. encode    text + condition encoders (cond / null / text-only), source audio → latent
 *   3. plan      the task mode's start latent, σ schedule and fixed parts  (tasks/*)
 *   4. diffuse   the sampler with batched guidance                          (sampling/*)
 *   5. decode    windowed DCAE + vocoder, 44.1 → 48 kHz
 */
import { encodeAudio } from './audio/encode.js';
import { decodeLatents } from './audio/decode.js';
import type { MelTables } from './audio/mel.js';
import { resample } from './audio/resample.js';
import { buildConditioning, type Conditioning, type TokenizedPrompt } from './conditioning.js';
import { Denoiser } from './denoiser.js';
import { InvalidInputError } from './errors.js';
import { STAGE_SPAN, type ProgressEvent, type Stage } from './events.js';
import { doubleConditionActive } from './guidance/double.js';
import type { LyricTokens, LyricTokenizer } from './lyrics/tokenizer.js';
import type { PackGraphs } from './models/graphs.js';
import type { PackManifest } from './models/manifest.js';
import { NoiseSource, type NoiseOverrides } from './noise.js';
import { LIMITS, type AudioSource, type Request } from './request.js';
import { sampleFlow } from './sampling/flow.js';
import { sampleFlowEdit } from './sampling/flowedit.js';
import { GuidedVelocity } from './sampling/guided-velocity.js';
import { throwIfAborted } from './sampling/loop-control.js';
import { sampleRepaint } from './sampling/repaint.js';
import { planAudio2Audio } from './tasks/audio2audio.js';
import { planEdit } from './tasks/edit.js';
import { extendWindow, planExtend } from './tasks/extend.js';
import { framesOf, tileBatch, type SamplingPlan } from './tasks/plan.js';
import { planRepaint } from './tasks/repaint.js';
import { planRetake } from './tasks/retake.js';
import { planText2Music } from './tasks/text2music.js';
import type { TextTokenizer } from './text/umt5-tokenizer.js';

export const OUTPUT_SAMPLE_RATE = 48000;
const MODEL_SAMPLE_RATE = 44100;

export interface PipelineContext {
  manifest: PackManifest;
  graphs: PackGraphs;
  textTokenizer: TextTokenizer;
  lyricTokenizer: LyricTokenizer;
  melTables: () => Promise<MelTables>;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Noise to use instead of drawing it from the seeds (number-for-number comparisons). */
  noise?: NoiseOverrides;
  /** Decode windowing (tests force small windows); defaults follow spec §5.2. */
  decode?: { latentWindow?: number; vocoderWindow?: number };
}

export interface RunResult {
  /** The request as run: defaults applied, seeds filled in. */
  request: Request;
  seeds: number[];
  retakeSeeds: number[] | null;
  /** Per batch item, [left, right] at `sampleRate`. */
  audio: Float32Array[][];
  sampleRate: number;
  /** The final latent before decode, [B,8,16,T]. */
  latent: Float32Array;
  frames: number;
  lyrics: Pick<LyricTokens, 'detector' | 'lines'>;
  ditCalls: number;
  timings: Record<Stage, number>;
}

export async function runPipeline(context: PipelineContext, request: Request, options: RunOptions = {}): Promise<RunResult> {
  const { manifest, graphs } = context;
  const timings: Record<Stage, number> = { tokenize: 0, encode: 0, diffuse: 0, decode: 0 };
  const report = progressReporter(options.onProgress);
  const batch = request.batch;
  let clock = performance.now();
  const lap = (stage: Stage) => {
    const now = performance.now();
    timings[stage] += (now - clock) / 1000;
    clock = now;
  };

  // 1. Tokenize.
  report('tokenize', 0, 1, 'tokenizing prompt and lyrics');
  const prompt = await tokenize(context, request.tags, request.lyrics, request.lyricsMode, 'tags', 'lyrics');
  const target = request.task === 'edit'
    ? await tokenize(context, request.targetTags || request.tags, request.targetLyrics ?? request.lyrics, request.lyricsMode, 'targetTags', 'targetLyrics')
    : null;
  lap('tokenize');
  throwIfAborted(options.signal);

  // 2. Encode conditions and source audio.
  report('encode', 0, 1, 'encoding the conditions');
  const double = doubleConditionActive(request.guidanceScaleText, request.guidanceScaleLyric);
  const conditioningOptions = { ergTag: request.ergTag, ergLyric: request.ergLyric, doubleGuidance: double };
  const edit = request.task === 'edit';
  const conditioning = await buildConditioning(graphs, manifest, prompt.tokens, { ...conditioningOptions, flowEditNull: edit, doubleGuidance: double && !edit });
  const targetConditioning = target ? await buildConditioning(graphs, manifest, target.tokens, { ...conditioningOptions, flowEditNull: true, doubleGuidance: false }) : null;
  const source = 'source' in request ? await sourceLatent(context, request.source, batch) : null;
  lap('encode');
  throwIfAborted(options.signal);

  // 3. Plan the task.
  const { plan, noise } = planTask(request, source, options.noise);
  const frames = plan.frames;
  const dims = { batch, channels: 8, plane: 16 * frames };
  const denoiser = new Denoiser(graphs, conditioning, {
    batch,
    frames,
    ditLayers: Number(manifest.modules.transformer?.num_layers),
    ergLayers: manifest.erg.dit_layers,
    ergDiffusion: request.ergDiffusion && !edit,
    tau: manifest.erg.tau,
  });

  // 4. Diffuse.
  const started = performance.now();
  const control = {
    signal: options.signal,
    onStep: (done: number, total: number) => {
      const perStep = (performance.now() - started) / 1000 / done;
      report('diffuse', done, total, `step ${done}/${total}`, perStep * (total - done));
    },
  };
  report('diffuse', 0, 1, 'sampling');
  let latent = await diffuse(plan, { request, denoiser, conditioning, targetConditioning, noise, dims, control });
  if (plan.kind === 'repaint' && (plan.reattach.before || plan.reattach.after)) latent = reattach(latent, plan, batch);
  const outputFrames = latent.length / (batch * 128);
  lap('diffuse');
  throwIfAborted(options.signal);

  // 5. Decode.
  const decoded = await decodeLatents(latent, batch, outputFrames, {
    dcaeDecoder: (lat, b, t) => graphs.decodeLatents(lat, b, t),
    vocoder: (mel, n, f) => graphs.vocode(mel, n, f),
  }, {
    ...(options.decode?.latentWindow ? { latentWindow: options.decode.latentWindow } : {}),
    ...(options.decode?.vocoderWindow ? { vocoder: { window: options.decode.vocoderWindow } } : {}),
    onProgress: (done, total) => {
      throwIfAborted(options.signal);
      report('decode', done, total, `decoding ${done}/${total}`);
    },
  });
  const audio = decoded.map((channels) => channels.map((channel) => resample(channel, MODEL_SAMPLE_RATE, OUTPUT_SAMPLE_RATE)));
  lap('decode');
  report('decode', 1, 1, 'done');

  const resolved = { ...request, seeds: noise.seeds, ...(usesRetakeNoise(request) ? { retakeSeeds: noise.retakeSeeds } : {}) } as Request;
  return {
    request: resolved,
    seeds: noise.seeds,
    retakeSeeds: usesRetakeNoise(request) ? noise.retakeSeeds : null,
    audio,
    sampleRate: OUTPUT_SAMPLE_RATE,
    latent,
    frames: outputFrames,
    lyrics: { detector: prompt.lyrics.detector, lines: prompt.lyrics.lines },
    ditCalls: denoiser.calls,
    timings,
  };
}

function usesRetakeNoise(request: Request): boolean {
  return request.task === 'retake' || request.task === 'repaint' || request.task === 'extend' || request.task === 'edit';
}

async function tokenize(context: PipelineContext, tags: string, lyrics: string, mode: Request['lyricsMode'], tagsField: string, lyricsField: string) {
  const text = context.textTokenizer.encode(tags);
  if (text.truncated) {
    throw new InvalidInputError(tagsField, `is ${text.length} tokens; the limit is ${LIMITS.maxTagTokens}`, { hint: 'shorten the tag list' });
  }
  const lyricTokens = await context.lyricTokenizer.tokenize(lyrics, mode);
  if (lyricTokens.ids.length > LIMITS.maxLyricTokens) {
    throw new InvalidInputError(lyricsField, `is ${lyricTokens.ids.length} tokens; the limit is ${LIMITS.maxLyricTokens}`);
  }
  const tokens: TokenizedPrompt = { textIds: text.ids, textMask: text.mask, lyricIds: lyricTokens.ids, lyricMask: lyricTokens.mask };
  return { tokens, lyrics: lyricTokens };
}

/** A source as a latent for every batch item, [B,8,16,T]. */
async function sourceLatent(context: PipelineContext, source: AudioSource, batch: number): Promise<{ latent: Float32Array; frames: number }> {
  if (source.kind === 'latent') {
    if (source.latent.length !== source.frames * 128 && source.latent.length !== batch * source.frames * 128) {
      throw new InvalidInputError('source.latent', `has ${source.latent.length} values; expected [1 or ${batch},8,16,${source.frames}]`);
    }
    const latent = source.latent.length === source.frames * 128 ? tileBatch(source.latent, batch) : source.latent;
    return { latent, frames: source.frames };
  }
  const seconds = source.channels[0]!.length / source.sampleRate;
  if (seconds > LIMITS.maxDuration + 1) {
    throw new InvalidInputError('source', `is ${seconds.toFixed(1)} s long; the limit is ${LIMITS.maxDuration} s`);
  }
  const graphs = context.graphs;
  const encoded = await encodeAudio(source.channels, source.sampleRate, { dcaeEncoder: (mel, b, tm) => graphs.encodeMel(mel, b, tm) }, await context.melTables());
  return { latent: tileBatch(encoded.latent, batch), frames: encoded.frames };
}

function planTask(request: Request, source: { latent: Float32Array; frames: number } | null, overrides: NoiseOverrides | undefined): { plan: SamplingPlan; noise: NoiseSource } {
  const batch = request.batch;
  const retakeSeeds = 'retakeSeeds' in request ? request.retakeSeeds : undefined;
  const noiseFor = (frames: number) => new NoiseSource(batch, frames * 128, request.seeds, retakeSeeds, overrides);
  switch (request.task) {
    case 'text2music': {
      const noise = noiseFor(framesOf(request.duration));
      return { plan: planText2Music(request, noise), noise };
    }
    case 'retake': {
      const noise = noiseFor(framesOf(request.duration));
      return { plan: planRetake(request, noise), noise };
    }
    case 'repaint': {
      const noise = noiseFor(source!.frames);
      return { plan: planRepaint(request, source!.latent, source!.frames, noise), noise };
    }
    case 'extend': {
      const window = extendWindow(request, source!.frames);
      const noise = noiseFor(window.frames);
      return { plan: planExtend(request, window, source!.latent, batch, noise), noise };
    }
    case 'edit': {
      const noise = noiseFor(source!.frames);
      return { plan: planEdit(request, source!.latent, source!.frames), noise };
    }
    case 'audio2audio': {
      const noise = noiseFor(source!.frames);
      return { plan: planAudio2Audio(request, source!.latent, source!.frames, noise), noise };
    }
  }
}

interface DiffuseContext {
  request: Request;
  denoiser: Denoiser;
  conditioning: Conditioning;
  targetConditioning: Conditioning | null;
  noise: NoiseSource;
  dims: { batch: number; channels: number; plane: number };
  control: { signal?: AbortSignal | undefined; onStep?: (done: number, total: number) => void };
}

async function diffuse(plan: SamplingPlan, context: DiffuseContext): Promise<Float32Array> {
  const { request, denoiser, dims, control } = context;
  switch (plan.kind) {
    case 'flow':
      return sampleFlow(plan, new GuidedVelocity(denoiser, request, plan.intervalSteps, dims), request.scheduler, request.omegaScale, context.noise, control);
    case 'repaint':
      return sampleRepaint(plan, new GuidedVelocity(denoiser, request, plan.intervalSteps, dims), control);
    case 'flowedit':
      return sampleFlowEdit(plan, {
        denoiser,
        source: context.conditioning,
        target: context.targetConditioning!,
        guidanceScale: request.guidanceScale,
        scheduler: request.scheduler,
        dims,
        noise: context.noise,
      }, control);
  }
}

/** Put the source frames kept outside an extend window back on the time axis. */
function reattach(latent: Float32Array, plan: Extract<SamplingPlan, { kind: 'repaint' }>, batch: number): Float32Array {
  const { before, beforeFrames, after, afterFrames } = plan.reattach;
  const frames = plan.frames;
  const total = beforeFrames + frames + afterFrames;
  const rows = batch * 128;
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    if (before) out.set(before.subarray(r * beforeFrames, (r + 1) * beforeFrames), r * total);
    out.set(latent.subarray(r * frames, (r + 1) * frames), r * total + beforeFrames);
    if (after) out.set(after.subarray(r * afterFrames, (r + 1) * afterFrames), r * total + beforeFrames + frames);
  }
  return out;
}

function progressReporter(onProgress: RunOptions['onProgress']) {
  return (stage: Stage, step: number, steps: number, message: string, etaSeconds: number | null = null) => {
    if (!onProgress) return;
    const [from, to] = STAGE_SPAN[stage];
    const percent = from + ((to - from) * step) / Math.max(1, steps);
    onProgress({ stage, step, steps, percent: Math.round(percent * 10) / 10, etaSeconds, message });
  };
}
