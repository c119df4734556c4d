/**
 * From a front end's operation (compose, retake, repaint, extend, edit, remix) and the parent song to a
 * JSON request the job queue can hold: the parent's recipe is carried over (tags, lyrics, sampling
 * settings, the original seeds), the caller's changes applied, and the source referenced by song id, so
 * nothing is re-encoded and the new song links to its parent.
 */
import { InvalidInputError } from '../errors.js';
import { findSection, lyricSections } from './sections.js';

export type Operation = 'compose' | 'retake' | 'repaint' | 'extend' | 'edit' | 'remix';

export interface ParentSong {
  /** The song id, or null for an uploaded file (which then is the source). */
  id: string | null;
  /** Where the audio comes from: the parent song's latent, or the upload. */
  source: SourceRef;
  request: Record<string, unknown>;
  seeds: number[];
  durationSeconds: number;
}

export interface SamplingParams {
  steps?: number | undefined;
  guidanceScale?: number | undefined;
  scheduler?: 'euler' | 'heun' | 'pingpong' | undefined;
  cfgType?: 'apg' | 'cfg' | 'cfg_star' | undefined;
  omegaScale?: number | undefined;
  guidanceInterval?: number | undefined;
  ergTag?: boolean | undefined;
  ergLyric?: boolean | undefined;
  ergDiffusion?: boolean | undefined;
  lyricsMode?: 'faithful' | 'fixed' | undefined;
}
export interface ComposeParams extends SamplingParams {
  tags: string;
  lyrics?: string | undefined;
  duration?: number | undefined;
  seed?: number | undefined;
  variants?: number | undefined;
  visibility?: 'public' | 'private' | undefined;
}
export interface RetakeParams { songId: string; variance?: number | undefined; seed?: number | undefined; steps?: number | undefined }
/** A song id, or an uploaded file as the source (then `tags`/`lyrics` describe it). */
export interface SourceParams { songId?: string | undefined; upload?: Uint8Array | undefined; name?: string | undefined }
export interface RepaintParams extends SourceParams { start?: number | undefined; end?: number | undefined; section?: string | undefined; tags?: string | undefined; lyrics?: string | undefined; variance?: number | undefined; seed?: number | undefined }
export interface ExtendParams extends SourceParams { left?: number | undefined; right?: number | undefined; tags?: string | undefined; lyrics?: string | undefined; seed?: number | undefined }
export interface EditParams extends SourceParams { tags?: string | undefined; lyrics?: string | undefined; mode?: 'only_lyrics' | 'remix' | undefined; seed?: number | undefined }
export interface RemixParams { source: { songId: string } | { upload: Uint8Array; name?: string | undefined }; tags: string; lyrics?: string | undefined; strength?: number | undefined; seed?: number | undefined; steps?: number | undefined }

export type SourceRef = { kind: 'song'; songId: string } | { kind: 'file'; sha256: string; name?: string };
export type QueuedRequest = Record<string, unknown> & { task: string; source?: SourceRef };

/** The sampling settings a child inherits from its parent's recipe. */
const INHERITED = ['steps', 'guidanceScale', 'scheduler', 'cfgType', 'omegaScale', 'guidanceInterval', 'guidanceIntervalDecay', 'minGuidanceScale', 'ergTag', 'ergLyric', 'ergDiffusion', 'guidanceScaleText', 'guidanceScaleLyric', 'lyricsMode'] as const;

function inherit(parent: ParentSong): Record<string, unknown> {
  const out: Record<string, unknown> = { tags: parent.request.tags, lyrics: parent.request.lyrics ?? '' };
  for (const key of INHERITED) if (parent.request[key] !== undefined) out[key] = parent.request[key];
  return out;
}

function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

export function composeRequest(params: ComposeParams, defaults: { duration?: number | undefined; steps?: number | undefined }): QueuedRequest {
  const { tags, lyrics, duration, seed, variants, visibility: _visibility, ...sampling } = params;
  return defined({
    task: 'text2music',
    tags,
    lyrics,
    duration: duration ?? defaults.duration,
    batch: variants ?? 1,
    seeds: seed === undefined ? undefined : [seed],
    ...defined({ steps: defaults.steps }),
    ...defined(sampling as Record<string, unknown>),
  }) as QueuedRequest;
}

export function retakeRequest(parent: ParentSong, params: RetakeParams): QueuedRequest {
  return defined({
    ...inherit(parent),
    task: 'retake',
    duration: parent.request.duration ?? parent.durationSeconds,
    seeds: parent.seeds.slice(0, 1),
    retakeSeeds: params.seed === undefined ? undefined : [params.seed],
    variance: params.variance ?? 0.2,
    steps: params.steps ?? parent.request.steps,
  }) as QueuedRequest;
}

export function repaintRequest(parent: ParentSong, params: RepaintParams): QueuedRequest {
  let { start, end } = params;
  if (params.section !== undefined) {
    const lyrics = String(parent.request.lyrics ?? '');
    const section = findSection(lyricSections(lyrics, parent.durationSeconds), params.section);
    if (!section) {
      const names = lyricSections(lyrics, parent.durationSeconds).map((s) => s.name);
      throw new InvalidInputError('section', `no section ${JSON.stringify(params.section)} in the song's lyrics${names.length ? ` (it has ${names.join(', ')})` : ' (it has no structured lyrics)'}`);
    }
    ({ start, end } = section);
  }
  if (start === undefined || end === undefined) throw new InvalidInputError('start', 'give start and end seconds, or a lyric section');
  if (end > parent.durationSeconds + 0.5) throw new InvalidInputError('end', `${end} s is past the end of the song (${parent.durationSeconds.toFixed(1)} s)`);
  return defined({
    ...inherit(parent),
    ...defined({ tags: params.tags, lyrics: params.lyrics }),
    task: 'repaint',
    source: parent.source,
    start,
    end: Math.min(end, parent.durationSeconds),
    variance: params.variance ?? 0.5,
    seeds: parent.seeds.slice(0, 1),
    retakeSeeds: params.seed === undefined ? undefined : [params.seed],
  }) as QueuedRequest;
}

export function extendRequest(parent: ParentSong, params: ExtendParams): QueuedRequest {
  return defined({
    ...inherit(parent),
    ...defined({ tags: params.tags, lyrics: params.lyrics }),
    task: 'extend',
    source: parent.source,
    left: params.left ?? 0,
    right: params.right ?? (params.left ? 0 : 30),
    seeds: parent.seeds.slice(0, 1),
    retakeSeeds: params.seed === undefined ? undefined : [params.seed],
  }) as QueuedRequest;
}

export function editRequest(parent: ParentSong, params: EditParams): QueuedRequest {
  if (params.tags === undefined && params.lyrics === undefined) throw new InvalidInputError('lyrics', 'an edit needs new tags or new lyrics');
  return defined({
    ...inherit(parent),
    task: 'edit',
    source: parent.source,
    targetTags: params.tags,
    targetLyrics: params.lyrics,
    preset: params.mode ?? 'only_lyrics',
    retakeSeeds: params.seed === undefined ? undefined : [params.seed],
  }) as QueuedRequest;
}

export function remixRequest(params: RemixParams, source: SourceRef): QueuedRequest {
  return defined({
    task: 'audio2audio',
    tags: params.tags,
    lyrics: params.lyrics,
    source,
    strength: params.strength ?? 0.5,
    seeds: params.seed === undefined ? undefined : [params.seed],
    steps: params.steps,
  }) as QueuedRequest;
}
