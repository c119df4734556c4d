/**
 * A small in-memory stand-in for the Studio (docs/studio-contract.md), for tests of the MCP layer's own
 * behaviour (progress ordering, errors, transports) that do not need the engine. Jobs run one at a
 * time, one timer tick per diffusion step; songs are short sine WAVs with a tiny PNG waveform.
 */
import { EventEmitter } from 'node:events';

import { PNG } from 'pngjs';

import { AcejamError, InvalidInputError } from '../../src/engine/index.js';
import { encodeAudioFile } from '../../src/engine/audio/out/index.js';
import { lyricSections } from '../../src/engine/studio/sections.js';
import type { Actor, FileKind, JobInfo, Operation, OperationParams, SongView, StudioPort, SongTree } from '../../src/mcp/studio.js';

class FakeNotFound extends AcejamError {
  constructor(message: string) {
    super('NOT_FOUND' as never, message);
  }
}
class FakeForbidden extends AcejamError {
  constructor(message: string) {
    super('FORBIDDEN' as never, message);
  }
}

interface FakeJob {
  info: JobInfo;
  operation: Operation;
  params: Record<string, unknown>;
  steps: number;
  timer: NodeJS.Timeout | null;
}

export class FakeStudio implements StudioPort {
  readonly songs = new Map<string, SongView>();
  private readonly queue: FakeJob[] = [];
  private readonly all = new Map<string, FakeJob>();
  private readonly emitter = new EventEmitter();
  private running: FakeJob | null = null;
  private seq = 0;
  readonly jobs = {
    events: this.emitter as unknown as StudioPort['jobs']['events'],
    get: (id: string): JobInfo | undefined => {
      const job = this.all.get(id);
      return job ? { ...job.info, position: job.info.state === 'queued' ? this.queue.indexOf(job) + 1 : null } : undefined;
    },
  };

  constructor(private readonly stepMs = 2) {}

  info() {
    return { pack: 'fake', provider: 'cpu', limits: { minDuration: 1, maxDuration: 240, maxSteps: 200, maxBatch: 4, maxTagChars: 4000, maxLyricChars: 20000 } };
  }

  async packs() {
    return [{ name: 'fake', description: 'a fake pack', lora: null }];
  }

  async submit<O extends Operation>(actor: Actor, operation: O, params: OperationParams[O]): Promise<JobInfo> {
    const p = params as unknown as Record<string, unknown>;
    if (typeof p.songId === 'string') await this.getSong(p.songId, actor);
    const source = p.source as { songId?: string } | undefined;
    if (source?.songId) await this.getSong(source.songId, actor);
    if (operation === 'repaint' && p.section === undefined && (p.start === undefined || p.end === undefined)) throw new InvalidInputError('start', 'give start and end seconds, or a lyric section');
    const id = `job${++this.seq}`;
    const job: FakeJob = {
      info: { id, user: actor.user, origin: actor.origin, state: 'queued', position: null, etaSeconds: null, progress: null, result: null, error: null },
      operation,
      params: p,
      steps: typeof p.steps === 'number' ? p.steps : 5,
      timer: null,
    };
    this.all.set(id, job);
    this.queue.push(job);
    const snapshot = this.jobs.get(id)!;
    this.emitter.emit('queued', { type: 'queued', job: snapshot });
    setImmediate(() => this.pump());
    return snapshot;
  }

  private update(job: FakeJob, patch: Partial<JobInfo>, event: string): void {
    job.info = { ...job.info, ...patch };
    this.emitter.emit(event, { type: event, job: this.jobs.get(job.info.id)! });
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.running = job;
    this.update(job, { state: 'running' }, 'started');
    for (const waiting of this.queue) this.emitter.emit('positions', { type: 'positions', jobs: [] }), void waiting;
    let step = 0;
    const tick = () => {
      step += 1;
      if (step <= job.steps) {
        const percent = 8 + (84 * step) / job.steps;
        this.update(job, { progress: { stage: 'diffuse', step, steps: job.steps, percent: Math.round(percent * 10) / 10, etaSeconds: null, message: `step ${step}/${job.steps}` } }, 'progress');
        job.timer = setTimeout(tick, this.stepMs);
        return;
      }
      this.update(job, { progress: { stage: 'decode', step: 1, steps: 1, percent: 100, etaSeconds: 0, message: 'decode' } }, 'progress');
      this.running = null;
      if (String(job.params.tags ?? '').includes('FAIL')) this.update(job, { state: 'failed', error: { code: 'MODEL_ERROR', message: 'the fake model failed' } }, 'failed');
      else this.update(job, { state: 'done', result: { songIds: this.makeSongs(job) } }, 'done');
      this.pump();
    };
    job.timer = setTimeout(tick, this.stepMs);
  }

  private makeSongs(job: FakeJob): string[] {
    const p = job.params;
    const parent = typeof p.songId === 'string' ? this.songs.get(p.songId)! : null;
    const count = typeof p.variants === 'number' ? p.variants : 1;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `song${this.songs.size + 1}x${Math.random().toString(36).slice(2, 6)}`;
      const duration = typeof p.duration === 'number' ? p.duration : (parent?.durationSeconds ?? 2) + (typeof p.right === 'number' ? p.right : 0);
      const seed = typeof p.seed === 'number' ? p.seed + i : 1000 + i;
      this.songs.set(id, {
        id,
        parentId: parent?.id ?? null,
        operation: job.operation,
        owner: job.info.user,
        contributors: [job.info.user],
        origin: job.info.origin,
        createdAt: Date.now(),
        visibility: p.visibility === 'private' ? 'private' : 'public',
        tags: typeof p.tags === 'string' ? p.tags : (parent?.tags ?? ''),
        lyrics: typeof p.lyrics === 'string' ? p.lyrics : (parent?.lyrics ?? ''),
        durationSeconds: duration,
        sampleRate: 48000,
        seeds: parent ? parent.seeds : [seed],
        retakeSeeds: parent ? [typeof p.seed === 'number' ? p.seed : 7] : null,
        pack: 'fake',
        request: { task: job.operation, ...p, source: undefined, duration },
        uri: `acejam://songs/${id}`,
        files: [
          { kind: 'flac', mime: 'audio/flac', bytes: 2000 },
          { kind: 'mp3', mime: 'audio/mpeg', bytes: 1000 },
          { kind: 'waveform', mime: 'image/png', bytes: 100 },
        ],
      });
      ids.push(id);
    }
    return ids;
  }

  wait(jobId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<JobInfo> {
    return new Promise((resolve) => {
      const finishedNow = () => {
        const info = this.jobs.get(jobId)!;
        return info.state === 'done' || info.state === 'failed' || info.state === 'cancelled' ? info : null;
      };
      const now = finishedNow();
      if (now) return resolve(now);
      const done = () => {
        const info = finishedNow();
        if (info) finish(info);
      };
      const finish = (info: JobInfo) => {
        clearTimeout(timer);
        for (const e of ['done', 'failed', 'cancelled']) this.emitter.off(e, done);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(info);
      };
      const onAbort = () => finish(this.jobs.get(jobId)!);
      const timer = options.timeoutMs !== undefined ? setTimeout(() => finish(this.jobs.get(jobId)!), options.timeoutMs) : undefined;
      for (const e of ['done', 'failed', 'cancelled']) this.emitter.on(e, done);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async cancel(actor: Actor, jobId: string): Promise<boolean> {
    const job = this.all.get(jobId);
    if (!job) throw new FakeNotFound(`no job ${jobId}`);
    if (job.info.user !== actor.user) throw new FakeForbidden(`job ${jobId} is not yours`);
    if (job.info.state !== 'queued' && job.info.state !== 'running') return false;
    if (job.timer) clearTimeout(job.timer);
    const index = this.queue.indexOf(job);
    if (index >= 0) this.queue.splice(index, 1);
    if (this.running === job) this.running = null;
    this.update(job, { state: 'cancelled', error: { code: 'CANCELLED', message: 'cancelled' } }, 'cancelled');
    setImmediate(() => this.pump());
    return true;
  }

  async getSong(id: string, viewer?: Actor): Promise<SongView> {
    const song = this.songs.get(id);
    if (!song) throw new FakeNotFound(`no song ${JSON.stringify(id)}`);
    if (song.visibility === 'private' && viewer && viewer.user !== song.owner) throw new FakeForbidden(`song ${id} is private`);
    return song;
  }

  async listSongs(query: { user?: string; limit?: number }, _viewer?: Actor): Promise<SongView[]> {
    return [...this.songs.values()].filter((s) => s.owner === query.user).reverse().slice(0, query.limit ?? 20);
  }

  async tree(id: string, viewer?: Actor): Promise<SongTree> {
    let root = await this.getSong(id, viewer);
    while (root.parentId) root = this.songs.get(root.parentId)!;
    const build = (song: SongView): SongTree => ({ song, children: [...this.songs.values()].filter((s) => s.parentId === song.id).map(build) });
    return build(root);
  }

  async sections(id: string) {
    const song = this.songs.get(id)!;
    return lyricSections(song.lyrics, song.durationSeconds);
  }

  async file(id: string, kind: FileKind, viewer?: Actor) {
    await this.getSong(id, viewer);
    const data = kind === 'waveform' ? png() : kind === 'latent' ? new Uint8Array(16) : await sine(kind);
    const mime = { waveform: 'image/png', latent: 'application/x-npy', flac: 'audio/flac', mp3: 'audio/mpeg' }[kind];
    return { path: `/fake/${id}.${kind}`, mime, bytes: data.length, data: async () => data };
  }

  async deliver(id: string, limitBytes: number, viewer?: Actor) {
    await this.getSong(id, viewer);
    const data = await sine('mp3');
    return data.length > limitBytes ? { link: true as const, uri: `acejam://songs/${id}` } : { link: false as const, name: `${id}.mp3`, mime: 'audio/mpeg', data, format: 'mp3' };
  }

  /** Adds a finished song directly (another user's, a private one, …). */
  addSong(song: Partial<SongView> & { id: string; owner: string }): SongView {
    const full: SongView = {
      parentId: null, operation: 'compose', contributors: [song.owner], origin: 'discord', createdAt: Date.now(), visibility: 'public',
      tags: 'pop', lyrics: '[verse]\nla la\n[chorus]\nhey hey', durationSeconds: 10, sampleRate: 48000, seeds: [1], retakeSeeds: null, pack: 'fake',
      request: {}, uri: `acejam://songs/${song.id}`, files: [{ kind: 'mp3', mime: 'audio/mpeg', bytes: 100 }], ...song,
    };
    this.songs.set(full.id, full);
    return full;
  }
}

const encoded = new Map<string, Promise<Uint8Array>>();

/** 0.1 s of a stereo 440 Hz tone, encoded once per format. */
function sine(format: 'flac' | 'mp3'): Promise<Uint8Array> {
  let file = encoded.get(format);
  if (!file) {
    const samples = new Float32Array(4800).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    encoded.set(format, (file = encodeAudioFile(format, [samples, samples], 48000)));
  }
  return file;
}

function png(): Uint8Array {
  const image = new PNG({ width: 8, height: 4 });
  image.data.fill(200);
  return PNG.sync.write(image);
}
