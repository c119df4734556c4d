/**
 * The life of a generation tool call: submit to the Studio, wait at most `wait_seconds` while sending
 * progress, cancel the job if the client cancels the request, then render the outcome: the songs (text
 * summary, resource links, optional inline audio, output_dir file) or, past the wait, the job id and
 * state so the caller can come back with get_job.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ContentBlock, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

import { InvalidInputError } from '../../engine/index.js';
import type { AudioFormat, JobInfo, Operation, OperationParams, SongView } from '../studio.js';
import type { ToolContext } from './context.js';
import { guarded } from './errors.js';
import { ProgressReporter, progressMessage, watchJob } from './progress.js';
import { outputDirectory, writeNew } from './roots.js';
import { describeSong, mainAudio, renderJob, renderSong, waveformUri, type GenerationOutput } from './schemas.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface Delivery {
  wait_seconds?: number | undefined;
  inline_audio?: boolean | undefined;
  output_dir?: string | undefined;
  output_format?: AudioFormat | undefined;
}

const VERB: Record<Operation, string> = { compose: 'Composed', retake: 'Retook', repaint: 'Repainted', extend: 'Extended', edit: 'Edited', remix: 'Remixed' };
const FINISHED = new Set(['done', 'failed', 'cancelled']);

/** Checks output_dir before any work is queued, so a bad path fails fast. */
export async function prepareOutputDir(ctx: ToolContext, requested: string | undefined): Promise<string | null> {
  if (requested === undefined) return null;
  if (!ctx.localFiles) {
    throw new InvalidInputError('output_dir', `is only available to local (stdio) clients; this connection is ${ctx.transport}`, {
      hint: 'read the song from its resource link (acejam://songs/{id}) instead',
    });
  }
  return outputDirectory(requested, await ctx.roots());
}

/**
 * Waits for a job for at most `waitSeconds`, forwarding progress when the request has a progress token
 * and (unless told otherwise: get_job only watches) cancelling the job when the request is cancelled.
 */
export async function awaitJob(ctx: ToolContext, job: JobInfo, extra: Extra, waitSeconds: number, options: { cancelOnAbort?: boolean } = {}): Promise<JobInfo> {
  if (FINISHED.has(job.state)) return job;
  const token = extra._meta?.progressToken;
  const reporter = token !== undefined ? new ProgressReporter(token, (n) => extra.sendNotification(n)) : null;
  const stop = reporter ? watchJob(ctx.studio, job.id, (info) => reporter.update(info)) : () => undefined;
  reporter?.update(ctx.studio.jobs.get(job.id) ?? job);
  const onAbort = () => {
    if (options.cancelOnAbort === false) return;
    ctx.logger.info({ jobId: job.id }, 'request cancelled by the client: cancelling its job');
    ctx.studio.cancel(ctx.actor, job.id).catch((error: unknown) => ctx.logger.warn({ jobId: job.id, err: error }, 'could not cancel the job'));
  };
  if (extra.signal.aborted) onAbort();
  else extra.signal.addEventListener('abort', onAbort, { once: true });
  const unregister = ctx.cancellations && options.cancelOnAbort !== false ? ctx.cancellations.add(ctx.actor.user, extra.requestId, onAbort) : () => undefined;
  try {
    if (waitSeconds <= 0) return ctx.studio.jobs.get(job.id) ?? job;
    return await ctx.studio.wait(job.id, { timeoutMs: Math.round(waitSeconds * 1000), signal: extra.signal });
  } finally {
    stop();
    unregister();
    extra.signal.removeEventListener('abort', onAbort);
    await reporter?.flush();
  }
}

async function saveSong(ctx: ToolContext, song: SongView, dir: string, format: AudioFormat | undefined): Promise<string> {
  const kind: AudioFormat = format ?? (song.files.some((f) => f.kind === 'flac') ? 'flac' : 'mp3');
  const file = await ctx.studio.file(song.id, kind, ctx.actor);
  return writeNew(dir, `${song.id}.${kind}`, await file.data());
}

async function saveAll(ctx: ToolContext, songs: SongView[], dir: string, format: AudioFormat | undefined): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const song of songs) paths[song.id] = await saveSong(ctx, song, dir, format);
  return paths;
}

function songLinks(song: SongView): ContentBlock[] {
  const audio = mainAudio(song);
  const link: ContentBlock = {
    type: 'resource_link',
    uri: song.uri,
    name: `${song.id}.${audio?.kind ?? 'mp3'}`,
    title: song.tags.slice(0, 120),
    description: `${song.durationSeconds.toFixed(1)} s song (${song.operation ?? 'compose'}) with its JSON recipe`,
  };
  if (audio) {
    link.mimeType = audio.mime;
    link.size = audio.bytes;
  }
  return [link, { type: 'resource_link', uri: waveformUri(song.id), name: `${song.id}-waveform.png`, mimeType: 'image/png', description: 'waveform image with lyric section markers' }];
}

async function inlineAudio(ctx: ToolContext, song: SongView): Promise<ContentBlock> {
  const delivered = await ctx.studio.deliver(song.id, ctx.limits.inlineAudioBytes, ctx.actor);
  if (delivered.link) {
    return { type: 'text', text: `${song.id} is too long to inline within ${Math.round(ctx.limits.inlineAudioBytes / 1024)} KiB; read ${song.uri} instead.` };
  }
  return { type: 'audio', data: Buffer.from(delivered.data).toString('base64'), mimeType: delivered.mime };
}

export interface OutcomeOptions {
  delivery: Delivery;
  outputDir: string | null;
  /** The operation, for the summary's verb (null for get_job: taken from the songs). */
  operation: Operation | null;
}

/** Renders a job's state as a tool result: its songs when done, else what to do next. */
export async function renderOutcome(ctx: ToolContext, job: JobInfo, options: OutcomeOptions): Promise<CallToolResult> {
  const base: GenerationOutput = { job: renderJob(job), song_id: null, songs: [] };
  if (job.state === 'done') {
    const songs = await Promise.all((job.result?.songIds ?? []).map((id) => ctx.studio.getSong(id, ctx.actor)));
    const saved = options.outputDir ? await saveAll(ctx, songs, options.outputDir, options.delivery.output_format) : (ctx.saves.savedPaths(job.id) ?? {});
    const out: GenerationOutput = { ...base, song_id: songs[0]?.id ?? null, songs: songs.map((song) => renderSong(song, saved[song.id])) };
    const operation = options.operation ?? songs[0]?.operation ?? 'compose';
    const lines = [`${VERB[operation]} ${songs.length === 1 ? 'a song' : `${songs.length} songs`} (job ${job.id}):`, ...songs.map((song) => `- ${describeSong(song)}${saved[song.id] ? `, saved to ${saved[song.id]}` : ''}`)];
    if (songs[0]) lines.push(`Continue with retake_music, repaint_music, extend_music or edit_music and song_id "${songs[0].id}"; read the audio from its resource link.`);
    const content: ContentBlock[] = [{ type: 'text', text: lines.join('\n') }, ...songs.flatMap(songLinks)];
    if (options.delivery.inline_audio) for (const song of songs) content.push(await inlineAudio(ctx, song));
    return { content, structuredContent: out };
  }
  if (job.state === 'queued' || job.state === 'running') {
    const pending = ctx.saves.pendingDir(job.id);
    const out: GenerationOutput = pending ? { ...base, saves_pending: [pending] } : base;
    const text = `Job ${job.id} is ${progressMessage(job)} and keeps running${job.etaSeconds !== null ? ` (about ${Math.max(1, Math.round(job.etaSeconds))} s left)` : ''}. Call get_job with job_id "${job.id}" (and wait_seconds to block until it is done) to get the song, or cancel_job to stop it.`;
    return { content: [{ type: 'text', text }], structuredContent: out };
  }
  const reason = job.error ? `${job.error.code}: ${job.error.message}` : job.state;
  return { isError: true, content: [{ type: 'text', text: `Job ${job.id} ${job.state === 'cancelled' ? 'was cancelled' : `failed (${reason})`}.` }], structuredContent: base };
}

/** The whole of a generation tool: validate local options, submit, wait, render. */
export function runGeneration<O extends Operation>(
  ctx: ToolContext,
  tool: string,
  operation: O,
  params: OperationParams[O] | (() => Promise<OperationParams[O]>),
  delivery: Delivery,
  extra: Extra,
): Promise<CallToolResult> {
  return guarded(tool, ctx.logger, async () => {
    const outputDir = await prepareOutputDir(ctx, delivery.output_dir);
    const resolved = typeof params === 'function' ? await params() : params;
    const job = await ctx.studio.submit(ctx.actor, operation, resolved);
    ctx.logger.info({ tool, jobId: job.id, user: ctx.actor.user }, 'job submitted');
    const waited = await awaitJob(ctx, job, extra, delivery.wait_seconds ?? ctx.limits.defaultWaitSeconds);
    if (outputDir && !extra.signal.aborted && (waited.state === 'queued' || waited.state === 'running')) {
      ctx.saves.schedule(job.id, outputDir, async (signal) => {
        const final = await ctx.studio.wait(job.id, { signal });
        if (final.state !== 'done') return {};
        const songs = await Promise.all((final.result?.songIds ?? []).map((id) => ctx.studio.getSong(id, ctx.actor)));
        return saveAll(ctx, songs, outputDir, delivery.output_format);
      });
    }
    return renderOutcome(ctx, waited, { delivery, outputDir: waited.state === 'done' ? outputDir : null, operation });
  });
}
