/**
 * The part of the Studio API (docs/studio-contract.md) the MCP server calls. The server holds no music
 * logic: every tool validates its own wire format, calls one of these methods and renders the result.
 * Kept as a structural port so the tools can be tested against a fake as well as the real Studio;
 * {@link asPort} proves at compile time that the real one fits.
 */
import type { ProgressEvent } from '../engine/index.js';
import type { Studio, SongView as StudioSongView } from '../engine/studio/index.js';

export type Origin = 'discord' | 'mcp' | 'cli';
export type Operation = 'compose' | 'retake' | 'repaint' | 'extend' | 'edit' | 'remix';
export const OPERATIONS = ['compose', 'retake', 'repaint', 'extend', 'edit', 'remix'] as const satisfies readonly Operation[];

export interface Actor {
  user: string;
  origin: Origin;
  name?: string;
  channelId?: string | null;
  guildId?: string | null;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const satisfies readonly JobState[];

export interface JobInfo {
  id: string;
  user: string;
  origin: Origin;
  state: JobState;
  position: number | null;
  etaSeconds: number | null;
  progress: ProgressEvent | null;
  result: { songIds: string[] } | null;
  error: { code: string; message: string } | null;
}

/** What the port reads of a song: the Studio's SongView without the fields the front end does not use. */
export type SongView = Omit<StudioSongView, 'channelId' | 'guildId' | 'frames'>;

export interface SongTree {
  song: SongView;
  children: SongTree[];
}

export type FileKind = 'flac' | 'mp3' | 'latent' | 'waveform';
/** Audio files every song has: the lossless FLAC master and an MP3. */
export const AUDIO_FORMATS = ['flac', 'mp3'] as const satisfies readonly FileKind[];
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

export interface StudioFile {
  path: string;
  mime: string;
  bytes: number;
  data(): Promise<Uint8Array>;
}

// The Studio's own request types: the port narrows the Studio's methods and results, never its inputs.
export type { ComposeParams, EditParams, ExtendParams, RemixParams, RepaintParams, RetakeParams } from '../engine/studio/index.js';
import type { ComposeParams, EditParams, ExtendParams, RemixParams, RepaintParams, RetakeParams } from '../engine/studio/index.js';

export interface OperationParams {
  compose: ComposeParams;
  retake: RetakeParams;
  repaint: RepaintParams;
  extend: ExtendParams;
  edit: EditParams;
  remix: RemixParams;
}

/** The job runner's events the server listens to (progress notifications). */
export interface JobEvents {
  on(event: string, listener: (event: { job?: JobInfo }) => void): unknown;
  off(event: string, listener: (event: { job?: JobInfo }) => void): unknown;
}

export interface StudioLimits {
  minDuration: number;
  maxDuration: number;
  maxSteps: number;
  maxBatch: number;
  maxTagChars: number;
  maxLyricChars: number;
}

export interface PackInfo {
  name: string;
  description: string;
  lora: unknown;
}

/** What the MCP server needs from the Studio. */
export interface StudioPort {
  submit<O extends Operation>(actor: Actor, operation: O, params: OperationParams[O]): Promise<JobInfo>;
  wait(jobId: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<JobInfo>;
  readonly jobs: { readonly events: JobEvents; get(jobId: string): JobInfo | undefined };
  cancel(actor: Actor, jobId: string): Promise<boolean>;
  getSong(id: string, viewer?: Actor): Promise<SongView>;
  listSongs(query: { user?: string; channelId?: string; limit?: number; before?: string }, viewer?: Actor): Promise<SongView[]>;
  tree(id: string, viewer?: Actor): Promise<SongTree>;
  sections(id: string, viewer?: Actor): Promise<{ name: string; start: number; end: number }[]>;
  file(id: string, kind: FileKind, viewer?: Actor): Promise<StudioFile>;
  deliver(id: string, limitBytes: number, viewer?: Actor): Promise<{ link: false; name: string; mime: string; data: Uint8Array; format: string } | { link: true; uri: string; reason?: string }>;
  packs(): Promise<PackInfo[]>;
  info(): { pack: string; provider: string; limits: StudioLimits };
}

/** The real Studio, as the port (a compile error here means the two have drifted apart). */
export function asPort(studio: Studio): StudioPort & { close(): Promise<void> } {
  return studio;
}
