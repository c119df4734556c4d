/**
 * The Studio: the one API the CLI, the MCP server and the Discord bot call (docs/studio-contract.md). It
 * owns the engine (in a worker thread), the fair job runner, the song store and the artifact files;
 * front ends validate their wire format, call it, and render what it returns.
 */
import { readPack } from '../models/pack.js';
import type { Config } from '../../config/schema.js';
import { ArtifactStore } from '../artifacts/index.js';
import { decodeUpload, sniffUpload } from '../audio/in/index.js';
import { fitToLimit, recipeTags, type FitFormat } from '../audio/out/index.js';
import { voiceWaveform } from '../audio/waveform.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import { EngineWorker } from '../jobs/engine-worker.js';
import { createJobRunner } from '../jobs/runner.js';
import type { JobInfo, JobRunner, QueuedRequest, SourceRef } from '../jobs/types.js';
import { createLogger, type Logger } from '../logger.js';
import { LIMITS, parseRequest } from '../request.js';
import { openStore, type Song, type SongStore, type SongTree, type UserSettings, userSettingsSchema } from '../store/index.js';
import { createExecutor, type JobMeta } from './executor.js';
import {
  composeRequest, editRequest, extendRequest, remixRequest, repaintRequest, retakeRequest,
  type ComposeParams, type EditParams, type ExtendParams, type Operation, type ParentSong, type RemixParams, type RepaintParams, type RetakeParams,
} from './operations.js';
import { lyricSections } from './sections.js';

export type Origin = 'discord' | 'mcp' | 'cli';
export interface Actor { user: string; origin: Origin; name?: string | undefined; channelId?: string | null | undefined; guildId?: string | null | undefined }
export type FileKind = 'flac' | 'mp3' | 'latent' | 'waveform';

export interface SongView {
  id: string; parentId: string | null; operation: Song['operation']; owner: string; contributors: string[]; origin: Origin;
  createdAt: number; visibility: 'public' | 'private'; channelId: string | null; guildId: string | null;
  tags: string; lyrics: string; durationSeconds: number; sampleRate: number; frames: number;
  seeds: number[]; retakeSeeds: number[] | null; pack: string; request: Record<string, unknown>;
  uri: string; files: { kind: string; mime: string; bytes: number }[];
}
export interface SongTreeView { song: SongView; children: SongTreeView[] }

const EXT: Record<FileKind, string> = { flac: 'flac', mp3: 'mp3', latent: 'npy', waveform: 'png' };

export class Studio {
  private constructor(
    readonly config: Config,
    readonly jobs: JobRunner,
    private readonly store: SongStore<JobInfo>,
    private readonly artifacts: ArtifactStore,
    private readonly worker: EngineWorker,
    private readonly packName: string,
    readonly logger: Logger,
  ) {}

  /**
   * @param options.persistQueue - keep the queue in the store so a restart resumes it (servers: the bot,
   *   the MCP server, `acejam serve`). One-shot CLI commands pass false: they wait for their own job, and
   *   must not pick up (and run a second time) the queue of a server sharing the same store.
   */
  static async open(config: Config, options: { logger?: Logger; persistQueue?: boolean } = {}): Promise<Studio> {
    const logger = options.logger ?? createLogger({ level: config.logLevel });
    const pack = await readPack(config.packDir);
    const store = await openStore<JobInfo>(config);
    const artifacts = new ArtifactStore(config.dataDir);
    const worker = await EngineWorker.start(config);
    const executor = createExecutor({ config, worker, store, artifacts, packName: pack.manifest.name });
    const persistence = options.persistQueue === false ? undefined : store.jobs;
    const jobs = await createJobRunner({ config, executor, ...(persistence ? { persistence } : {}), logger });
    return new Studio(config, jobs, store, artifacts, worker, pack.manifest.name, logger);
  }

  info() {
    return { pack: this.packName, packDir: this.config.packDir, provider: this.config.provider, limits: LIMITS, dataDir: this.config.dataDir, store: this.store.target };
  }

  /** Validates, resolves the parent song and queues the job; typed errors before anything is queued. */
  async submit(actor: Actor, operation: 'compose', params: ComposeParams): Promise<JobInfo>;
  async submit(actor: Actor, operation: 'retake', params: RetakeParams): Promise<JobInfo>;
  async submit(actor: Actor, operation: 'repaint', params: RepaintParams): Promise<JobInfo>;
  async submit(actor: Actor, operation: 'extend', params: ExtendParams): Promise<JobInfo>;
  async submit(actor: Actor, operation: 'edit', params: EditParams): Promise<JobInfo>;
  async submit(actor: Actor, operation: 'remix', params: RemixParams): Promise<JobInfo>;
  async submit(actor: Actor, operation: Operation, params: unknown): Promise<JobInfo>;
  async submit(actor: Actor, operation: Operation, params: unknown): Promise<JobInfo> {
    const settings = await this.store.getSettings(actor.user);
    let request: QueuedRequest;
    let parent: Song | null = null;
    let sourceFrames: number | null = null;
    let highlight: JobMeta['highlight'];
    switch (operation) {
      case 'compose':
        request = composeRequest(params as ComposeParams, { duration: settings.duration, steps: settings.steps }) as QueuedRequest;
        break;
      case 'retake':
      case 'repaint':
      case 'extend':
      case 'edit': {
        const given = params as { songId?: string; upload?: Uint8Array; name?: string; tags?: string; lyrics?: string };
        let view: ParentSong;
        if (given.upload) {
          // A file instead of a song: it is the source, and the caller's tags and lyrics describe it.
          const decoded = await decodeUpload(given.upload, { maxBytes: this.config.maxUploadBytes, maxSeconds: LIMITS.maxDuration, ...(given.name ? { name: given.name } : {}) });
          view = { id: null, source: await this.storeUpload(given.upload, given.name), request: { tags: given.tags ?? '', lyrics: given.lyrics ?? '' }, seeds: [], durationSeconds: decoded.seconds };
          sourceFrames = Math.ceil((decoded.seconds * 44100) / 4096);
        } else {
          parent = await this.readable(given.songId ?? '', actor);
          view = parentOf(parent);
          sourceFrames = parent.frames;
        }
        request = (operation === 'retake' ? retakeRequest(view, params as RetakeParams)
          : operation === 'repaint' ? repaintRequest(view, params as RepaintParams)
          : operation === 'extend' ? extendRequest(view, params as ExtendParams)
          : editRequest(view, params as EditParams)) as QueuedRequest;
        if (operation === 'repaint') {
          const range = request as unknown as { start: number; end: number };
          highlight = { start: range.start, end: range.end };
        }
        break;
      }
      case 'remix': {
        const remix = params as RemixParams;
        let source: SourceRef;
        if ('songId' in remix.source) {
          parent = await this.readable(remix.source.songId, actor);
          source = { kind: 'song', songId: parent.id };
          sourceFrames = parent.frames;
        } else {
          source = await this.storeUpload(remix.source.upload, remix.source.name);
          sourceFrames = 1;
        }
        request = remixRequest(remix, source) as QueuedRequest;
        break;
      }
      default:
        throw new InvalidInputError('operation', `unknown operation ${JSON.stringify(operation)} (compose, retake, repaint, extend, edit, remix)`);
    }
    validateQueued(request, sourceFrames);
    const visibility = (params as { visibility?: 'public' | 'private' }).visibility ?? (parent?.visibility === 'private' ? 'private' : settings.visibility ?? 'public');
    const meta: JobMeta = {
      operation: operation === 'compose' ? 'compose' : operation,
      parentId: parent?.id ?? null,
      contributors: parent ? parent.contributors : [],
      channelId: actor.channelId ?? null,
      guildId: actor.guildId ?? null,
      visibility,
      highlight,
    };
    return this.jobs.submit({ user: actor.user, origin: actor.origin, request, meta: meta as unknown as Record<string, unknown> });
  }

  /**
   * Queues a request given in full (the CLI's flags and ACE-Step parameter files): every engine field is
   * allowed; a source is a song id or an upload. The new song links to `parentId` when given.
   */
  async submitRequest(actor: Actor, request: QueuedRequest, options: { operation: Operation; upload?: { bytes: Uint8Array; name?: string } | undefined; visibility?: 'public' | 'private' | undefined }): Promise<JobInfo> {
    let parent: Song | null = null;
    let sourceFrames: number | null = null;
    let queued = request;
    if (request.source?.kind === 'song') {
      parent = await this.readable(request.source.songId, actor);
      sourceFrames = parent.frames;
    } else if (options.upload) {
      const decoded = await decodeUpload(options.upload.bytes, { maxBytes: this.config.maxUploadBytes, maxSeconds: LIMITS.maxDuration, ...(options.upload.name ? { name: options.upload.name } : {}) });
      queued = { ...request, source: await this.storeUpload(options.upload.bytes, options.upload.name) } as QueuedRequest;
      sourceFrames = Math.ceil((decoded.seconds * 44100) / 4096);
    }
    validateQueued(queued, sourceFrames);
    const settings = await this.store.getSettings(actor.user);
    const meta: JobMeta = {
      operation: options.operation, parentId: parent?.id ?? null, contributors: parent?.contributors ?? [],
      channelId: actor.channelId ?? null, guildId: actor.guildId ?? null,
      visibility: options.visibility ?? parent?.visibility ?? settings.visibility ?? 'public', highlight: undefined,
    };
    return this.jobs.submit({ user: actor.user, origin: actor.origin, request: queued, meta: meta as unknown as Record<string, unknown> });
  }

  /** Resolves when the job has finished, or at the timeout with its current state. */
  wait(jobId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<JobInfo> {
    const finished = (job: JobInfo | undefined) => !job || job.state === 'done' || job.state === 'failed' || job.state === 'cancelled';
    const current = this.jobs.get(jobId);
    if (!current) return Promise.reject(new NotFoundError('job', jobId));
    if (finished(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const check = () => {
        const job = this.jobs.get(jobId);
        if (finished(job) || options.signal?.aborted) done(job ?? current);
      };
      const events = ['done', 'failed', 'cancelled'] as const;
      const timer = options.timeoutMs === undefined ? null : setTimeout(() => done(this.jobs.get(jobId) ?? current), options.timeoutMs);
      const done = (job: JobInfo) => {
        for (const event of events) this.jobs.events.off(event, check);
        options.signal?.removeEventListener('abort', check);
        if (timer) clearTimeout(timer);
        resolve(job);
      };
      for (const event of events) this.jobs.events.on(event, check);
      options.signal?.addEventListener('abort', check);
    });
  }

  async cancel(actor: Actor, jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError('job', jobId);
    if (job.user !== actor.user) throw new ForbiddenError(`job ${jobId} belongs to someone else`);
    return this.jobs.cancel(jobId);
  }

  async getSong(id: string, viewer?: Actor): Promise<SongView> {
    return this.view(await this.readable(id, viewer));
  }

  async listSongs(query: { user?: string; channelId?: string; limit?: number; before?: string }, viewer?: Actor): Promise<SongView[]> {
    const before = query.before ? await this.store.getSong(query.before) : null;
    const options = { limit: query.limit ?? 20, ...(before ? { before: { createdAt: before.createdAt, id: before.id } } : {}) };
    const songs = query.channelId ? await this.store.listByChannel(query.channelId, options)
      : await this.store.listByUser(query.user ?? viewer?.user ?? '', options);
    return songs.filter((song) => visibleTo(song, viewer)).map((song) => this.view(song));
  }

  /** The whole version tree the song belongs to, from its root ancestor. */
  async tree(id: string, viewer?: Actor): Promise<SongTreeView> {
    const song = await this.readable(id, viewer);
    const root = (await this.store.ancestors(song.id)).at(-1) ?? song;
    const tree = await this.store.tree(root.id);
    if (!tree) throw new NotFoundError('song', id);
    const toView = (node: SongTree): SongTreeView => ({ song: this.view(node.song), children: node.children.filter((c) => visibleTo(c.song, viewer)).map(toView) });
    return toView(tree);
  }

  async sections(id: string, viewer?: Actor) {
    const song = await this.readable(id, viewer);
    return lyricSections(String(song.request.lyrics ?? ''), song.durationSeconds).map(({ name, start, end }) => ({ name, start, end }));
  }

  async file(id: string, kind: FileKind, viewer?: Actor) {
    const song = await this.readable(id, viewer);
    const ref = song.artifacts[kind];
    if (!ref) throw new NotFoundError(`${kind} file of song`, id);
    const path = this.artifacts.path(ref.sha256, EXT[kind]);
    return { path, mime: ref.mime, bytes: ref.bytes, name: `acejam-${id}.${EXT[kind]}`, data: () => this.artifacts.read(ref.sha256, EXT[kind]) };
  }

  /** The song as a file that fits `limitBytes` (MP3, else a smaller MP3 or Opus), or a link when nothing fits. */
  async deliver(id: string, limitBytes: number, viewer?: Actor, preferred: readonly FitFormat[] = ['mp3', 'opus']) {
    const song = await this.readable(id, viewer);
    const mp3 = song.artifacts.mp3;
    if (mp3 && mp3.bytes <= limitBytes && preferred[0] === 'mp3') {
      return { link: false as const, name: `acejam-${id}.mp3`, mime: mp3.mime, format: 'mp3', data: await this.artifacts.read(mp3.sha256, 'mp3') };
    }
    const master = await this.master(song);
    const tags = recipeTags({ songId: id, seeds: song.seeds, tags: String(song.request.tags ?? ''), pack: song.pack, parentId: song.parentId ?? undefined });
    const fitted = await fitToLimit(master.channels, master.sampleRate, limitBytes, { preferred, tags });
    if (fitted.link) return { link: true as const, uri: `acejam://songs/${id}`, reason: fitted.reason };
    return { link: false as const, name: `acejam-${id}.${fitted.ext}`, mime: fitted.mime, format: fitted.format, data: fitted.data };
  }

  async voiceWaveform(id: string, viewer?: Actor) {
    const master = await this.master(await this.readable(id, viewer));
    return voiceWaveform(master.channels, master.sampleRate);
  }

  settings = {
    get: (user: string): Promise<UserSettings> => this.store.getSettings(user),
    put: async (user: string, patch: Partial<UserSettings>): Promise<UserSettings> => {
      const parsed = userSettingsSchema.safeParse({ ...(await this.store.getSettings(user)), ...patch });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InvalidInputError(`settings.${issue.path.join('.')}`, issue.message);
      }
      await this.store.putSettings(user, parsed.data);
      return parsed.data;
    },
  };

  lastSeeds(user: string) {
    return this.store.getLastSeeds(user);
  }

  async packs() {
    const pack = await readPack(this.config.packDir);
    return [{ name: pack.manifest.name, description: pack.manifest.description, lora: pack.manifest.lora, active: true }];
  }

  async close(): Promise<void> {
    await this.jobs.close();
    await this.worker.terminate();
    await this.store.close();
  }

  private async readable(id: string, viewer?: Actor): Promise<Song> {
    if (!/^[0-9A-Za-z]{10}$/.test(id)) throw new InvalidInputError('songId', `${JSON.stringify(id)} is not a song id (10 characters of [0-9A-Za-z])`);
    const song = await this.store.getSong(id);
    if (!song) throw new NotFoundError('song', id);
    if (!visibleTo(song, viewer)) throw new ForbiddenError(`song ${id} is private to its owner`);
    return song;
  }

  private async master(song: Song) {
    const ref = song.artifacts.flac;
    if (!ref) throw new NotFoundError('audio of song', song.id);
    const audio = await decodeUpload(await this.artifacts.read(ref.sha256, 'flac'), { maxBytes: 2 ** 31 - 1, maxSeconds: 24 * 3600 });
    return { channels: audio.channels, sampleRate: audio.sampleRate };
  }

  private async storeUpload(bytes: Uint8Array, name: string | undefined): Promise<SourceRef> {
    // Decode now so a bad upload is refused before it is queued (and never stored).
    await decodeUpload(bytes, { maxBytes: this.config.maxUploadBytes, maxSeconds: LIMITS.maxDuration, ...(name ? { name } : {}) });
    const sniffed = sniffUpload(bytes);
    const ext = sniffed.kind === 'audio' ? sniffed.format.replace(/^ogg-.*/, 'ogg') : 'bin';
    const ref = await this.artifacts.put(bytes, ext);
    return { kind: 'file', sha256: ref.sha256, name: `upload.${ext}` };
  }

  private view(song: Song): SongView {
    return {
      id: song.id, parentId: song.parentId, operation: song.operation, owner: song.owner, contributors: song.contributors, origin: song.origin,
      createdAt: song.createdAt, visibility: song.visibility, channelId: song.channelId, guildId: song.guildId,
      tags: String(song.request.tags ?? ''), lyrics: String(song.request.lyrics ?? ''),
      durationSeconds: song.durationSeconds, sampleRate: song.sampleRate, frames: song.frames,
      seeds: song.seeds, retakeSeeds: song.retakeSeeds, pack: song.pack, request: song.request,
      uri: `acejam://songs/${song.id}`,
      files: Object.entries(song.artifacts).map(([kind, ref]) => ({ kind, mime: ref.mime, bytes: ref.bytes })),
    };
  }
}

function visibleTo(song: Song, viewer?: Actor): boolean {
  return song.visibility === 'public' || viewer === undefined || viewer.user === song.owner;
}

function parentOf(song: Song): ParentSong {
  return { id: song.id, source: { kind: 'song', songId: song.id }, request: song.request, seeds: song.seeds, durationSeconds: song.durationSeconds };
}

/** The engine's own validation, run before queueing, with the source swapped for a placeholder latent. */
function validateQueued(request: QueuedRequest, sourceFrames: number | null): void {
  const { source, ...rest } = request as Record<string, unknown>;
  const frames = Math.max(1, sourceFrames ?? 1);
  parseRequest(source ? { ...rest, source: { kind: 'latent', latent: new Float32Array(128 * frames), frames } } : rest);
}
