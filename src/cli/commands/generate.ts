/**
 * The generation commands, one per task mode, over the one engine API:
 *   compose (text2music), retake, repaint, extend, edit, remix (audio2audio).
 * Flags map onto the request; `--params FILE` loads an ACE-Step `*_input_params.json` (flags win).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import type { Config } from '../../config/schema.js';
import { readNpy, writeNpy } from '../../engine/audio/npy.js';
import { readAudio } from '../../engine/audio/read.js';
import { writeWav } from '../../engine/audio/wav.js';
import { Engine, InvalidInputError, type AudioSource, type RunResult, type Task } from '../../engine/index.js';
import type { NoiseOverrides } from '../../engine/noise.js';
import { mapParamsFile } from '../../engine/params-file.js';
import { progressView } from '../progress.js';
import { runThroughStudio } from '../studio-run.js';

export const GENERATE_COMMANDS: Record<string, Task> = {
  compose: 'text2music',
  retake: 'retake',
  repaint: 'repaint',
  extend: 'extend',
  edit: 'edit',
  remix: 'audio2audio',
};

const OPTIONS = {
  pack: { type: 'string' },
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  params: { type: 'string' },
  tags: { type: 'string', short: 't' },
  lyrics: { type: 'string', short: 'l' },
  'lyrics-text': { type: 'string' },
  'lyrics-mode': { type: 'string' },
  duration: { type: 'string', short: 'd' },
  seed: { type: 'string', multiple: true, short: 's' },
  'retake-seed': { type: 'string', multiple: true },
  batch: { type: 'string', short: 'b' },
  steps: { type: 'string' },
  'guidance-scale': { type: 'string' },
  scheduler: { type: 'string' },
  'cfg-type': { type: 'string' },
  omega: { type: 'string' },
  'guidance-interval': { type: 'string' },
  'guidance-decay': { type: 'string' },
  'min-guidance': { type: 'string' },
  'erg-tag': { type: 'boolean' },
  'no-erg-tag': { type: 'boolean' },
  'erg-lyric': { type: 'boolean' },
  'no-erg-lyric': { type: 'boolean' },
  'erg-diffusion': { type: 'boolean' },
  'no-erg-diffusion': { type: 'boolean' },
  'text-scale': { type: 'string' },
  'lyric-scale': { type: 'string' },
  oss: { type: 'string' },
  variance: { type: 'string' },
  source: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  left: { type: 'string' },
  right: { type: 'string' },
  'target-tags': { type: 'string' },
  'target-lyrics': { type: 'string' },
  preset: { type: 'string' },
  'n-min': { type: 'string' },
  'n-max': { type: 'string' },
  'n-avg': { type: 'string' },
  strength: { type: 'string' },
  'init-noise': { type: 'string' },
  'retake-noise': { type: 'string' },
  'step-noise': { type: 'string' },
  'latent-out': { type: 'string' },
  'bit-depth': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const GENERATE_USAGE = `usage: acejam <compose|retake|repaint|extend|edit|remix> [options]
  common:   --tags TEXT  --lyrics FILE|-  --lyrics-text TEXT  --duration S  --seed N (repeatable)  --batch N
            --steps N  --guidance-scale G  --scheduler euler|heun|pingpong  --cfg-type apg|cfg|cfg_star  --omega W
            --guidance-interval F  --guidance-decay F  --min-guidance G  --[no-]erg-tag  --[no-]erg-lyric  --[no-]erg-diffusion
            --text-scale G  --lyric-scale G  --oss "16,29,52"  --lyrics-mode faithful|fixed
            --out FILE.wav  --bit-depth 16|24|32  --json  --quiet  --pack DIR  --params ACE_STEP_input_params.json
  retake:   --source SONG_ID  --variance 0..1  --retake-seed N      (without --source: --seed of the original)
  repaint:  --source SONG_ID|AUDIO|LATENT.npy  --start S  --end S  --variance 0..1  --retake-seed N
  extend:   --source SONG_ID|AUDIO|LATENT.npy  --left S  --right S
  edit:     --source SONG_ID|AUDIO|LATENT.npy  --target-tags TEXT  --target-lyrics FILE  --preset only_lyrics|remix|custom  --n-min F --n-max F --n-avg N
  remix:    --source SONG_ID|AUDIO|LATENT.npy  --strength 0..1   (audio2audio)
  compare:  --init-noise FILE.npy  --retake-noise FILE.npy  --step-noise FILE.npy  (or a .npy --source): engine only, nothing stored
  output:   prints the new song id; --out FILE.wav|.flac|.mp3 copies the audio, --latent-out FILE.npy the latent`;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>['values'];

function number(values: Values, flag: keyof Values, field: string): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) throw new InvalidInputError(field, `--${String(flag)} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

async function textOf(pathOrDash: string): Promise<string> {
  if (pathOrDash === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(pathOrDash, 'utf8');
}

/** Loads `--source`: a .npy latent ([1|B,8,16,T]) acejam wrote with --latent-out, else an audio file. */
async function loadSource(path: string): Promise<AudioSource> {
  if (path.endsWith('.npy')) {
    const { data, shape } = readNpy(path);
    if (shape.length !== 4 || shape[1] !== 8 || shape[2] !== 16) throw new InvalidInputError('source', `${path} has shape [${shape.join(',')}], expected [B,8,16,T]`);
    return { kind: 'latent', latent: data, frames: shape[3]! };
  }
  const audio = await readAudio(path);
  return { kind: 'audio', channels: audio.channels, sampleRate: audio.sampleRate };
}

function loadNoise(values: Values): NoiseOverrides {
  const noise: NoiseOverrides = {};
  if (values['init-noise']) noise.init = readNpy(values['init-noise']).data;
  if (values['retake-noise']) noise.retake = readNpy(values['retake-noise']).data;
  if (values['step-noise']) noise.steps = readNpy(values['step-noise']).data;
  return noise;
}

export async function buildRequest(task: Task, values: Values, options: { loadSource: boolean } = { loadSource: true }): Promise<{ request: Record<string, unknown>; notes: string[]; source: string | undefined }> {
  let request: Record<string, unknown> = { task };
  const notes: string[] = [];
  let repaintEnd: number | undefined;
  if (values.params) {
    const mapped = mapParamsFile(JSON.parse(await readFile(values.params, 'utf8')));
    if (mapped.unknownFields.length > 0) notes.push(`--params: ignored unknown field(s): ${mapped.unknownFields.join(', ')}`);
    notes.push(...mapped.notes);
    const { repaintEnd: end, ...fields } = mapped.request as Record<string, unknown>;
    repaintEnd = typeof end === 'number' ? end : undefined;
    request = { ...fields, task };
    if (mapped.sourceAudioPath && !values.source) values = { ...values, source: mapped.sourceAudioPath };
  }
  const set = (field: string, value: unknown) => {
    if (value !== undefined) request[field] = value;
  };
  set('tags', values.tags);
  if (values.lyrics !== undefined) set('lyrics', await textOf(values.lyrics));
  set('lyrics', values['lyrics-text']);
  set('lyricsMode', values['lyrics-mode']);
  set('duration', number(values, 'duration', 'duration'));
  if (values.seed) set('seeds', values.seed.flatMap((s) => s.split(',')).map((s) => Number(s)));
  if (values['retake-seed']) set('retakeSeeds', values['retake-seed'].flatMap((s) => s.split(',')).map((s) => Number(s)));
  set('batch', number(values, 'batch', 'batch'));
  set('steps', number(values, 'steps', 'steps'));
  set('guidanceScale', number(values, 'guidance-scale', 'guidanceScale'));
  set('scheduler', values.scheduler);
  set('cfgType', values['cfg-type']);
  set('omegaScale', number(values, 'omega', 'omegaScale'));
  set('guidanceInterval', number(values, 'guidance-interval', 'guidanceInterval'));
  set('guidanceIntervalDecay', number(values, 'guidance-decay', 'guidanceIntervalDecay'));
  set('minGuidanceScale', number(values, 'min-guidance', 'minGuidanceScale'));
  for (const [flag, field] of [['erg-tag', 'ergTag'], ['erg-lyric', 'ergLyric'], ['erg-diffusion', 'ergDiffusion']] as const) {
    if (values[flag]) request[field] = true;
    if (values[`no-${flag}`]) request[field] = false;
  }
  set('guidanceScaleText', number(values, 'text-scale', 'guidanceScaleText'));
  set('guidanceScaleLyric', number(values, 'lyric-scale', 'guidanceScaleLyric'));
  if (values.oss) set('ossSteps', values.oss.split(',').filter((s) => s.trim()).map(Number));
  set('variance', number(values, 'variance', 'variance'));
  set('start', number(values, 'start', 'start'));
  set('end', number(values, 'end', 'end'));
  set('left', number(values, 'left', 'left'));
  set('right', number(values, 'right', 'right'));
  set('targetTags', values['target-tags']);
  if (values['target-lyrics'] !== undefined) set('targetLyrics', await textOf(values['target-lyrics']));
  set('preset', values.preset);
  set('nMin', number(values, 'n-min', 'nMin'));
  set('nMax', number(values, 'n-max', 'nMax'));
  set('nAvg', number(values, 'n-avg', 'nAvg'));
  set('strength', number(values, 'strength', 'strength'));
  if (task !== 'text2music' && task !== 'retake' && !options.loadSource) {
    if (!values.source) throw new InvalidInputError('source', `${task} needs --source SONG_ID|AUDIO|LATENT.npy`);
    if (task === 'extend' && repaintEnd !== undefined && values.right === undefined) notes.push('--params: set --right for an extend of a stored song');
  } else if (task !== 'text2music' && task !== 'retake') {
    if (!values.source) throw new InvalidInputError('source', `${task} needs --source SONG_ID|AUDIO|LATENT.npy`);
    const source = await loadSource(values.source);
    request.source = source;
    // ACE-Step's params store extend's right side as source duration + right seconds.
    if (task === 'extend' && repaintEnd !== undefined && values.right === undefined) {
      const seconds = source.kind === 'audio' ? source.channels[0]!.length / source.sampleRate : (source.frames * 4096) / 44100;
      request.right = Math.max(0, repaintEnd - seconds);
    }
  }
  return { request, notes, source: values.source };
}

export async function runGenerateCommand(command: string, argv: string[], config: Config): Promise<number> {
  const task = GENERATE_COMMANDS[command]!;
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  const bitDepth = values['bit-depth'] === undefined ? 16 : Number(values['bit-depth']);
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) throw new InvalidInputError('bitDepth', '--bit-depth must be 16, 24 or 32');
  const packConfig = values.pack ? { ...config, packDir: values.pack } : config;
  // Comparison mode (noise from files, or a raw latent as the source) runs the engine directly and stores nothing.
  const direct = Boolean(values['init-noise'] || values['retake-noise'] || values['step-noise'] || values.source?.endsWith('.npy'));
  if (!direct) {
    const { request, notes, source } = await buildRequest(task, values, { loadSource: false });
    for (const note of notes) process.stderr.write(`note: ${note}\n`);
    return runThroughStudio(packConfig, request, source, { out: values.out, latentOut: values['latent-out'], json: Boolean(values.json), quiet: Boolean(values.quiet), bitDepth, command });
  }
  const { request, notes } = await buildRequest(task, values);
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  const engine = await Engine.open(packConfig);
  const view = progressView(!values.quiet && !values.json);
  let result: RunResult;
  try {
    result = await engine.run(request, { onProgress: (event) => view.update(event), noise: loadNoise(values) });
  } finally {
    view.stop();
    await engine.close();
  }
  const files = await writeOutputs(result, values, command);
  const summary = summarize(result, files, engine.info().pack.name);
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    for (const file of files) process.stdout.write(`${file}\n`);
    process.stderr.write(`${task} (comparison mode, not stored): ${summary.durationSeconds.toFixed(2)} s at ${result.sampleRate} Hz, seed${result.seeds.length > 1 ? 's' : ''} ${result.seeds.join(', ')}, pack ${summary.pack}\n`);
  }
  return 0;
}

async function writeOutputs(result: RunResult, values: Values, command: string): Promise<string[]> {
  const bitDepth = values['bit-depth'] === undefined ? 16 : Number(values['bit-depth']);
  if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) throw new InvalidInputError('bitDepth', '--bit-depth must be 16, 24 or 32');
  const base = values.out ?? `acejam-${command}-${result.seeds[0]}.wav`;
  const files: string[] = [];
  for (const [index, channels] of result.audio.entries()) {
    const file = result.audio.length === 1 ? base : base.replace(/(\.wav)?$/i, `-${index + 1}.wav`);
    await writeWav(file, channels, result.sampleRate, bitDepth);
    files.push(file);
  }
  if (values['latent-out']) writeNpy(values['latent-out'], result.latent, [result.audio.length, 8, 16, result.frames]);
  return files;
}

function summarize(result: RunResult, files: string[], pack: string) {
  const { source: _source, ...request } = result.request as Record<string, unknown>;
  return {
    files,
    pack,
    seeds: result.seeds,
    retakeSeeds: result.retakeSeeds,
    sampleRate: result.sampleRate,
    channels: 2,
    durationSeconds: (result.audio[0]?.[0]?.length ?? 0) / result.sampleRate,
    frames: result.frames,
    request,
    lyricDetector: result.lyrics.detector,
    ditCalls: result.ditCalls,
    timings: result.timings,
  };
}
