/**
 * The wire shapes shared by the tools: input fragments (delivery options, seeds) and the output
 * schemas every tool declares, with the functions that render Studio objects into them. Names are
 * snake_case, as models expect in tool arguments and results.
 */
import { z } from 'zod';

import { AUDIO_FORMATS, JOB_STATES, OPERATIONS, type JobInfo, type SongView } from '../studio.js';
import type { Limits } from './context.js';

export const SEED_DESCRIPTION = 'Random seed, a whole number from 0 to 4294967295. The same seed and parameters give the same audio; omit it for a fresh random one (it is reported back).';
export const seedSchema = z.int().min(0).max(0xffffffff);
export const songIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'a song id is letters, digits, _ or - (as returned by compose_music, e.g. "a1B2c3D4e5")' });

/** wait_seconds, inline_audio, output_dir and output_format: how a generation tool hands back its song. */
export function deliveryShape(limits: Limits) {
  return {
    wait_seconds: z
      .number()
      .min(0)
      .max(limits.maxWaitSeconds)
      .optional()
      .describe(
        `How long to wait for the result, in seconds (default ${limits.defaultWaitSeconds}, at most ${limits.maxWaitSeconds}). If the job is not finished by then, the tool returns its job_id and state instead of failing, and the job keeps running: call get_job with the job_id (it can wait too) to get the song. Use 0 to return at once. Use a value below your client's tool-call timeout.`,
      ),
    inline_audio: z
      .boolean()
      .optional()
      .describe(
        `Also return the audio itself as an audio content item when it fits in ${Math.round(limits.inlineAudioBytes / 1024)} KiB (a compressed preview). Default false: you get a resource link to acejam://songs/{id}, which any client can read.`,
      ),
    output_dir: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe(
        'Local (stdio) clients only: a folder inside the workspace roots where the audio file is written as <song_id>.<format>. A relative path is resolved against the first root. Written when the job finishes, even if that is after wait_seconds.',
      ),
    output_format: z.enum(AUDIO_FORMATS).optional().describe('File format for output_dir: flac (default, the lossless master) or mp3.'),
  };
}

export const jobOutput = z.object({
  job_id: z.string(),
  state: z.enum(JOB_STATES),
  position: z.number().int().nullable().describe('1-based place in the queue while queued'),
  eta_seconds: z.number().nullable(),
  progress: z
    .object({ stage: z.string(), step: z.number().int(), steps: z.number().int(), percent: z.number(), message: z.string() })
    .nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type JobOutput = z.infer<typeof jobOutput>;

export const songOutput = z.object({
  song_id: z.string(),
  parent_id: z.string().nullable(),
  operation: z.enum(OPERATIONS).nullable(),
  owner: z.string(),
  visibility: z.enum(['public', 'private']),
  created_at: z.string().describe('ISO 8601'),
  tags: z.string(),
  lyrics: z.string(),
  seeds: z.array(z.number().int()),
  retake_seeds: z.array(z.number().int()).nullable(),
  duration_seconds: z.number(),
  sample_rate: z.number().int(),
  format: z.string().describe('format of the audio at resource_uri (mp3; files lists the lossless flac master too)'),
  pack: z.string(),
  parameters: z.record(z.string(), z.unknown()).describe('the resolved request that made the song'),
  resource_uri: z.string(),
  waveform_uri: z.string(),
  files: z.array(z.object({ kind: z.string(), mime: z.string(), bytes: z.number().int() })),
  saved_to: z.string().optional().describe('where output_dir wrote the audio file'),
});
export type SongOutput = z.infer<typeof songOutput>;

/** What every generation tool and get_job return. */
export const generationOutput = z.object({
  job: jobOutput,
  song_id: z.string().nullable().describe('the first (usually only) song made, once the job is done'),
  songs: z.array(songOutput).describe('every song the job made (one per variant), empty until done'),
  saves_pending: z.array(z.string()).optional().describe('output_dir files that will be written when the job finishes'),
});
export type GenerationOutput = z.infer<typeof generationOutput>;

export function renderJob(job: JobInfo): JobOutput {
  const p = job.progress;
  return {
    job_id: job.id,
    state: job.state,
    position: job.position,
    eta_seconds: job.etaSeconds,
    progress: p ? { stage: p.stage, step: p.step, steps: p.steps, percent: p.percent, message: p.message } : null,
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
  };
}

/**
 * The audio a song is served as (its resource, links and `format`): the MP3 when there is one (every
 * host plays it, a fraction of the master's size), else the first audio file. output_dir defaults to
 * the lossless master instead.
 */
export function mainAudio(song: SongView): { kind: string; mime: string; bytes: number } | undefined {
  return song.files.find((f) => f.kind === 'mp3') ?? song.files.find((f) => f.mime.startsWith('audio/'));
}

export function waveformUri(id: string): string {
  return `acejam://songs/${id}/waveform.png`;
}

export function renderSong(song: SongView, savedTo?: string): SongOutput {
  const out: SongOutput = {
    song_id: song.id,
    parent_id: song.parentId,
    operation: song.operation,
    owner: song.owner,
    visibility: song.visibility,
    created_at: new Date(song.createdAt).toISOString(),
    tags: song.tags,
    lyrics: song.lyrics,
    seeds: song.seeds,
    retake_seeds: song.retakeSeeds,
    duration_seconds: song.durationSeconds,
    sample_rate: song.sampleRate,
    format: mainAudio(song)?.kind ?? 'mp3',
    pack: song.pack,
    parameters: song.request,
    resource_uri: song.uri,
    waveform_uri: waveformUri(song.id),
    files: song.files.map((f) => ({ kind: f.kind, mime: f.mime, bytes: f.bytes })),
  };
  if (savedTo !== undefined) out.saved_to = savedTo;
  return out;
}

/** One line about a song for the text summary. */
export function describeSong(song: SongView): string {
  const seeds = song.retakeSeeds?.length ? `seed ${song.seeds.join(',')}, retake seed ${song.retakeSeeds.join(',')}` : `seed ${song.seeds.join(',')}`;
  const lineage = song.parentId ? `, from ${song.parentId}` : '';
  return `${song.id}: ${song.durationSeconds.toFixed(1)} s at ${song.sampleRate / 1000} kHz, ${seeds}, pack ${song.pack}${lineage} (${song.uri})`;
}
