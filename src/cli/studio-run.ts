/**
 * Generation through the Studio (runner + store): the new song is stored with its recipe and lineage,
 * and its files are copied where the user asked. Used by every generation command unless it asks for
 * number-for-number comparison mode (noise from .npy files, or a .npy latent source), which runs the
 * engine directly and stores nothing.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';

import type { Config } from '../config/schema.js';
import { decodeUpload } from '../engine/audio/in/index.js';
import { writeWav } from '../engine/audio/wav.js';
import { InvalidInputError, type Task } from '../engine/index.js';
import type { QueuedRequest } from '../engine/jobs/types.js';
import { Studio, type Actor, type Operation, type SongView } from '../engine/studio/index.js';
import { progressView } from './progress.js';

const OPERATION: Record<Task, Operation> = { text2music: 'compose', retake: 'retake', repaint: 'repaint', extend: 'extend', edit: 'edit', audio2audio: 'remix' };
const SONG_ID = /^[0-9A-Za-z]{10}$/;

export function localActor(): Actor {
  return { user: `local:${userInfo().username}`, origin: 'cli' };
}

export async function runThroughStudio(
  config: Config,
  request: Record<string, unknown>,
  source: string | undefined,
  options: { out?: string | undefined; latentOut?: string | undefined; json: boolean; quiet: boolean; bitDepth: 16 | 24 | 32; command: string },
): Promise<number> {
  const studio = await Studio.open(config, { persistQueue: false });
  const view = progressView(!options.quiet && !options.json);
  try {
    const actor = localActor();
    const job = await submit(studio, actor, request, source);
    const listener = (event: { job: { id: string; progress: unknown } }) => {
      if (event.job.id === job.id && event.job.progress) view.update(event.job.progress as never);
    };
    studio.jobs.events.on('progress', listener);
    const done = await studio.wait(job.id);
    studio.jobs.events.off('progress', listener);
    view.stop();
    if (done.state !== 'done') {
      throw new InvalidInputError('job', `${done.state}: ${done.error?.message ?? 'no result'}`);
    }
    const songs = await Promise.all(done.result!.songIds.map((id) => studio.getSong(id, actor)));
    const files = await writeOutputs(studio, songs, options);
    if (options.json) {
      const summary = songs.map((song, index) => ({ songId: song.id, parentId: song.parentId, operation: song.operation, seeds: song.seeds, retakeSeeds: song.retakeSeeds, durationSeconds: song.durationSeconds, sampleRate: song.sampleRate, pack: song.pack, uri: song.uri, file: files[index] ?? null, request: song.request }));
      process.stdout.write(`${JSON.stringify(summary.length === 1 ? summary[0] : summary, null, 2)}\n`);
    } else {
      for (const [index, song] of songs.entries()) {
        process.stdout.write(`${song.id}${files[index] ? `  ${files[index]}` : ''}\n`);
        process.stderr.write(`${song.operation}${song.parentId ? ` of ${song.parentId}` : ''}: ${song.durationSeconds.toFixed(2)} s, seed ${song.seeds.join(',')}, pack ${song.pack}\n`);
      }
    }
    return 0;
  } finally {
    view.stop();
    await studio.close();
  }
}

/** A stored song's retake/repaint/extend/edit inherits its recipe; anything else is queued as given. */
async function submit(studio: Studio, actor: Actor, request: Record<string, unknown>, source: string | undefined) {
  const task = request.task as Task;
  if (source !== undefined && SONG_ID.test(source) && task !== 'audio2audio' && task !== 'text2music') {
    const given = (key: string) => request[key] as never;
    const retakeSeed = Array.isArray(request.retakeSeeds) ? (request.retakeSeeds[0] as number) : undefined;
    switch (task) {
      case 'retake':
        return studio.submit(actor, 'retake', { songId: source, variance: given('variance'), seed: retakeSeed, steps: given('steps') });
      case 'repaint':
        return studio.submit(actor, 'repaint', { songId: source, start: given('start'), end: given('end'), variance: given('variance'), tags: given('tags'), lyrics: given('lyrics'), seed: retakeSeed });
      case 'extend':
        return studio.submit(actor, 'extend', { songId: source, left: given('left'), right: given('right'), tags: given('tags'), lyrics: given('lyrics'), seed: retakeSeed });
      case 'edit':
        return studio.submit(actor, 'edit', { songId: source, tags: given('targetTags'), lyrics: given('targetLyrics'), mode: request.preset === 'remix' ? 'remix' : 'only_lyrics', seed: retakeSeed });
    }
  }
  const queued = { ...request } as QueuedRequest;
  let upload: { bytes: Uint8Array; name: string } | undefined;
  if (source !== undefined && task !== 'retake' && task !== 'text2music') {
    if (SONG_ID.test(source)) queued.source = { kind: 'song', songId: source };
    else upload = { bytes: new Uint8Array(await readFile(source)), name: source.split('/').pop() ?? source };
  }
  return studio.submitRequest(actor, queued, { operation: OPERATION[task], upload });
}

async function writeOutputs(studio: Studio, songs: SongView[], options: { out?: string | undefined; latentOut?: string | undefined; bitDepth: 16 | 24 | 32; command: string }): Promise<string[]> {
  const files: string[] = [];
  for (const [index, song] of songs.entries()) {
    const base = options.out ?? `acejam-${options.command}-${song.id}.wav`;
    const file = songs.length === 1 ? base : base.replace(/(\.[a-z0-9]+)?$/i, (ext) => `-${index + 1}${ext || '.wav'}`);
    if (/\.flac$/i.test(file)) await copyFile((await studio.file(song.id, 'flac')).path, file);
    else if (/\.mp3$/i.test(file)) await copyFile((await studio.file(song.id, 'mp3')).path, file);
    else {
      const master = await decodeUpload(await (await studio.file(song.id, 'flac')).data(), { maxBytes: 2 ** 31 - 1, maxSeconds: 86400 });
      await writeWav(file, master.channels, master.sampleRate, options.bitDepth);
    }
    files.push(file);
    if (options.latentOut) {
      const latentFile = songs.length === 1 ? options.latentOut : options.latentOut.replace(/(\.npy)?$/i, `-${index + 1}.npy`);
      await copyFile((await studio.file(song.id, 'latent')).path, latentFile);
    }
  }
  return files;
}
