/**
 * The part of the Studio API (docs/studio-contract.md) the bot calls, as a structural port: the bot holds
 * no music logic, it validates Discord's wire format, calls these methods and renders what they return.
 * The real `Studio` from src/engine/studio satisfies it (checked at compile time in studio-check.ts).
 */
import type { ProgressEvent } from '../engine/events.js';

// The Studio's own request types: the port narrows the Studio's methods and results, never its inputs.
import type { SongView as StudioSongView } from '../engine/studio/index.js';
export type { Actor, ComposeParams, EditParams, ExtendParams, Operation, Origin, RemixParams, RepaintParams, RetakeParams } from '../engine/studio/index.js';
import type { Actor, ComposeParams, EditParams, ExtendParams, Operation, Origin, RemixParams, RepaintParams, RetakeParams } from '../engine/studio/index.js';

export interface OperationParams {
  compose: ComposeParams;
  retake: RetakeParams;
  repaint: RepaintParams;
  extend: ExtendParams;
  edit: EditParams;
  remix: RemixParams;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

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
  createdAt?: number;
}

/** What the port reads of a song: the Studio's SongView without the fields the front end does not use. */
export type SongView = Omit<StudioSongView, 'channelId' | 'guildId' | 'frames'>;

export interface SongTree {
  song: SongView;
  children: SongTree[];
}

export interface Section {
  name: string;
  start: number;
  end: number;
}

export type DeliveryFormat = 'mp3' | 'opus' | 'flac' | 'wav16';

/** The delivery order for a preferred format: it first, then the lossy formats that fit more. */
export function deliveryOrder(format: UserSettings['format'] | undefined): DeliveryFormat[] {
  switch (format) {
    case 'opus':
      return ['opus', 'mp3'];
    case 'flac':
      return ['flac', 'mp3', 'opus'];
    case 'wav16':
    case 'wav24':
      return ['wav16', 'flac', 'mp3', 'opus'];
    default:
      return ['mp3', 'opus'];
  }
}

/** A file that fits the limit, or a link (`acejam://songs/<id>`) when nothing does. */
export type Delivery = { link: false; name: string; mime: string; data: Uint8Array; format: string } | { link: true; uri: string; reason?: string };

export interface UserSettings {
  duration?: number;
  steps?: number;
  format?: 'wav16' | 'wav24' | 'flac' | 'mp3' | 'opus';
  pack?: string;
  guidance?: string;
  visibility?: 'public' | 'private';
}

export interface StoredFile {
  path: string;
  mime: string;
  bytes: number;
  data(): Promise<Uint8Array>;
}

export interface BotJobs {
  get(jobId: string): JobInfo | undefined;
  list(filter?: { user?: string; state?: JobState }): JobInfo[];
}

export interface BotStudio {
  submit<O extends Operation>(actor: Actor, operation: O, params: OperationParams[O]): Promise<JobInfo>;
  wait(jobId: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<JobInfo>;
  readonly jobs: BotJobs;
  cancel(actor: Actor, jobId: string): Promise<boolean>;
  getSong(id: string, viewer?: Actor): Promise<SongView>;
  listSongs(query: { user?: string; channelId?: string; limit?: number; before?: string }, viewer?: Actor): Promise<SongView[]>;
  tree(id: string, viewer?: Actor): Promise<SongTree>;
  sections(id: string, viewer?: Actor): Promise<Section[]>;
  file(id: string, kind: 'flac' | 'mp3' | 'latent' | 'waveform', viewer?: Actor): Promise<StoredFile>;
  /** `preferred`: formats to try first (the person's /settings format), best first. */
  deliver(id: string, limitBytes: number, viewer?: Actor, preferred?: readonly DeliveryFormat[]): Promise<Delivery>;
  readonly settings: {
    get(user: string): Promise<UserSettings>;
    put(user: string, patch: Partial<UserSettings>): Promise<UserSettings>;
  };
  packs(): Promise<{ name: string; description: string }[]>;
}

/** The store's user id of a Discord user: `discord:<snowflake>` (MCP maps tokens to the same ids). */
export function discordUser(id: string): string {
  return `discord:${id}`;
}

/** The Discord user id inside a store user id, or null for users of other front ends. */
export function discordIdOf(user: string): string | null {
  const match = /^discord:(\d+)$/.exec(user);
  return match ? match[1]! : null;
}
