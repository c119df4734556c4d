/**
 * What a job does when the runner starts it: resolve its source (a song's stored latent, or an upload),
 * render in the engine worker, write every artifact (lossless FLAC master, MP3, latent, waveform PNG)
 * atomically, and only then write the song records, so a crash never leaves a song without its files.
 */
import { readFile } from 'node:fs/promises';

import type { ArtifactStore } from '../artifacts/index.js';
import { encodeNpy, parseNpy } from '../audio/npy.js';
import { decodeUpload } from '../audio/in/index.js';
import { recipeTags } from '../audio/out/index.js';
import { NotFoundError } from '../errors.js';
import type { EngineWorker } from '../jobs/engine-worker.js';
import type { Executor, JobInfo, SourceRef } from '../jobs/types.js';
import type { AudioSource, RequestInput, RunResult } from '../index.js';
import type { SongStore, Song } from '../store/index.js';
import { newSongId } from '../store/index.js';
import type { Config } from '../../config/schema.js';

/** What the Studio attaches to a job so the executor can write the songs. */
export interface JobMeta {
  operation: Song['operation'];
  parentId: string | null;
  contributors: string[];
  channelId: string | null;
  guildId: string | null;
  visibility: 'public' | 'private';
  /** Seconds of the repainted range, drawn on the waveform. */
  highlight?: { start: number; end: number } | undefined;
}

export interface ExecutorDeps {
  config: Config;
  worker: EngineWorker;
  store: SongStore<JobInfo>;
  artifacts: ArtifactStore;
  packName: string;
}

export function createExecutor(deps: ExecutorDeps): Executor {
  return async (job, control) => {
    const meta = job.spec.meta as unknown as JobMeta;
    const { source, ...rest } = job.spec.request as Record<string, unknown> & { source?: SourceRef };
    const request = { ...rest, ...(source ? { source: await resolveSource(deps, source) } : {}) } as RequestInput;
    const result = await deps.worker.run(request, { signal: control.signal, onProgress: control.onProgress });
    const songIds = await storeSongs(deps, job, meta, result);
    await deps.store.putLastSeeds(job.spec.user, result.seeds);
    return { songIds };
  };
}

async function resolveSource(deps: ExecutorDeps, source: SourceRef): Promise<AudioSource> {
  if (source.kind === 'song') {
    const song = await deps.store.getSong(source.songId);
    const latent = song?.artifacts.latent;
    if (!song || !latent) throw new NotFoundError('song', source.songId);
    const { data, shape } = parseNpy(await readFile(deps.artifacts.path(latent.sha256, 'npy')), `song ${song.id} latent`);
    return { kind: 'latent', latent: data, frames: shape[3]! };
  }
  const ext = source.name?.split('.').pop()?.toLowerCase() ?? 'bin';
  const bytes = await readFile(deps.artifacts.path(source.sha256, /^[a-z0-9]{1,8}$/.test(ext) ? ext : 'bin'));
  const audio = await decodeUpload(new Uint8Array(bytes), { maxBytes: deps.config.maxUploadBytes, maxSeconds: 240, ...(source.name ? { name: source.name } : {}) });
  return { kind: 'audio', channels: audio.channels, sampleRate: audio.sampleRate };
}

async function storeSongs(deps: ExecutorDeps, job: JobInfo, meta: JobMeta, result: RunResult): Promise<string[]> {
  const { worker, artifacts, store } = deps;
  const songs: Song[] = [];
  const frames = result.frames;
  const itemSize = 128 * frames;
  for (const [index, channels] of result.audio.entries()) {
    const id = newSongId();
    const seed = result.seeds[index]!;
    const resolved: Record<string, unknown> = { ...(result.request as Record<string, unknown>), batch: 1, seeds: [seed] };
    if ('source' in resolved) resolved.source = (job.spec.request as { source?: SourceRef }).source;
    if (result.retakeSeeds) resolved.retakeSeeds = [result.retakeSeeds[index]!];
    const tags = recipeTags({ songId: id, seeds: [seed], tags: String(resolved.tags ?? ''), pack: deps.packName, parentId: meta.parentId ?? undefined });
    const durationSeconds = channels[0]!.length / result.sampleRate;
    // Files first (atomic, content-addressed), the record last: a crash leaves at most orphans the sweep removes.
    const [flac, mp3, png] = await Promise.all([
      worker.encode('flac', channels, result.sampleRate, { tags }),
      worker.encode('mp3', channels, result.sampleRate, { tags, bitrateKbps: 192 }),
      worker.waveformPng(channels, result.sampleRate, { width: 1200, height: 240, ...(meta.highlight ? { highlight: meta.highlight } : {}) }),
    ]);
    const latentBytes = encodeNpy(result.latent.slice(index * itemSize, (index + 1) * itemSize), [1, 8, 16, frames]);
    const [flacRef, mp3Ref, pngRef, latentRef] = await Promise.all([
      artifacts.put(flac, 'flac'),
      artifacts.put(mp3, 'mp3'),
      artifacts.put(png, 'png'),
      artifacts.put(latentBytes, 'npy'),
    ]);
    songs.push({
      id,
      owner: job.spec.user,
      origin: job.spec.origin,
      createdAt: Date.now(),
      parentId: meta.parentId,
      operation: meta.operation,
      contributors: [...new Set([...meta.contributors, job.spec.user])],
      channelId: meta.channelId,
      guildId: meta.guildId,
      visibility: meta.visibility,
      request: resolved,
      seeds: [seed],
      retakeSeeds: result.retakeSeeds ? [result.retakeSeeds[index]!] : null,
      pack: deps.packName,
      durationSeconds,
      sampleRate: result.sampleRate,
      frames,
      artifacts: {
        flac: { sha256: flacRef.sha256, bytes: flacRef.bytes, mime: 'audio/flac' },
        mp3: { sha256: mp3Ref.sha256, bytes: mp3Ref.bytes, mime: 'audio/mpeg' },
        waveform: { sha256: pngRef.sha256, bytes: pngRef.bytes, mime: 'image/png' },
        latent: { sha256: latentRef.sha256, bytes: latentRef.bytes, mime: 'application/x-npy' },
      },
    });
  }
  for (const song of songs) await store.putSong(song);
  return songs.map((song) => song.id);
}
