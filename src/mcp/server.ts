/**
 * The acejam MCP server: every acejam operation as a tool, songs as resources, a song-writing prompt.
 * One McpServer per connection (per request in stateless HTTP), bound to one caller's identity; the
 * Studio behind it is shared. No music logic lives here.
 *
 *   const { server, cleanup } = createServer(studio, { identity: localIdentity(), transport: 'stdio' });
 *   await server.connect(new StdioServerTransport());
 */
import { readFileSync } from 'node:fs';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CancelledNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { createLogger, type Logger } from '../engine/logger.js';
import type { Identity } from './identity.js';
import { registerWriteSongPrompt } from './prompts/write-song.js';
import { registerReferenceResource } from './resources/reference.js';
import { registerSongResource } from './resources/songs.js';
import { registerWaveformResource } from './resources/waveform.js';
import { BackgroundSaves } from './shared/background.js';
import type { CancelRegistry } from './shared/cancellations.js';
import { JobTaskStore } from './shared/task-store.js';
import { DEFAULT_LIMITS, type Limits, type ToolContext, type TransportKind } from './shared/context.js';
import { allowedRoots } from './shared/roots.js';
import type { StudioPort } from './studio.js';
import { registerCancelJob } from './tools/cancel-job.js';
import { registerComposeMusic } from './tools/compose-music.js';
import { registerEditMusic } from './tools/edit-music.js';
import { registerExtendMusic } from './tools/extend-music.js';
import { registerGetJob } from './tools/get-job.js';
import { registerGetSong } from './tools/get-song.js';
import { registerListPacks } from './tools/list-packs.js';
import { registerListSongs } from './tools/list-songs.js';
import { registerRemixAudio } from './tools/remix-audio.js';
import { registerRepaintMusic } from './tools/repaint-music.js';
import { registerRetakeMusic } from './tools/retake-music.js';

export interface CreateServerOptions {
  /** Who is calling: every song and job of this connection belongs to this user. */
  identity: Identity;
  /** stdio allows local files (output_dir, file_path) by default; http never does. Default 'memory'. */
  transport?: TransportKind;
  /** Allow output_dir and file_path (default: only over stdio). */
  localFiles?: boolean;
  /** The root for local files when the client declares no roots (default: the working directory). */
  cwd?: string;
  /** Allow remix URLs on loopback or private addresses (default: not over http). */
  allowPrivateUrls?: boolean;
  limits?: Partial<Limits>;
  logger?: Logger;
  /** Stateless HTTP: routes `notifications/cancelled` to the request's job, whichever server runs it. */
  cancellations?: CancelRegistry;
  /**
   * Offer MCP tasks (2025-11-25, experimental in the SDK) on the generation tools: a store to use (HTTP
   * shares one per user across requests), true for a store of this connection's own (default), or false.
   */
  tasks?: JobTaskStore | boolean;
  /** Aborts when the service stops; background work (tasks, output_dir saves) ends then. Default: this server's cleanup. */
  lifetime?: AbortSignal;
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const INSTRUCTIONS = `acejam makes music with ACE-Step v1. Start with compose_music (style tags + lyrics with [verse]/[chorus] tags; the write_song prompt and the acejam://reference/tags resource help write them). Every result has a song_id: continue a song with retake_music (new take), repaint_music (redo a section by name or seconds), extend_music (make it longer) or edit_music (new words or style, same music); each makes a new song linked to its parent (list_songs with song_id shows the version tree). Generation reports progress and returns a job_id instead of the song when it takes longer than wait_seconds: then call get_job. The audio is the resource acejam://songs/{id}.`;

export function createServer(studio: StudioPort, options: CreateServerOptions): { server: McpServer; cleanup: () => Promise<void> } {
  const transport = options.transport ?? 'memory';
  const logger = (options.logger ?? createLogger({ level: 'silent' })).child({ component: 'mcp', user: options.identity.user });
  const ownTasks = options.tasks === undefined || options.tasks === true;
  const tasks: JobTaskStore | null = ownTasks ? new JobTaskStore() : options.tasks instanceof JobTaskStore ? options.tasks : null;
  const server = new McpServer(
    { name: 'acejam', title: 'acejam music', version: VERSION },
    {
      instructions: INSTRUCTIONS,
      // Tool arguments here are flat; a huge nested payload is refused before validation.
      maxToolInputElements: 1000,
      capabilities: { ...(tasks ? { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } } : {}) },
      ...(tasks ? { taskStore: tasks, defaultTaskPollInterval: 500 } : {}),
    },
  );
  const closing = new AbortController();
  const cwd = options.cwd ?? process.cwd();
  const saves = new BackgroundSaves(logger);
  const ctx: ToolContext = {
    studio,
    identity: options.identity,
    actor: { user: options.identity.user, origin: 'mcp', ...(options.identity.name ? { name: options.identity.name } : {}) },
    transport,
    localFiles: options.localFiles ?? transport === 'stdio',
    roots: () => allowedRoots(server, cwd, logger),
    allowPrivateUrls: options.allowPrivateUrls ?? transport !== 'http',
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    logger,
    server,
    saves,
    cancellations: options.cancellations ?? null,
    tasks,
    closing: options.lifetime ?? closing.signal,
  };
  const { cancellations } = options;
  if (cancellations) {
    server.server.setNotificationHandler(CancelledNotificationSchema, (notification) => {
      if (notification.params.requestId !== undefined) cancellations.cancel(ctx.actor.user, notification.params.requestId);
    });
  }

  for (const register of [
    registerComposeMusic,
    registerRetakeMusic,
    registerRepaintMusic,
    registerEditMusic,
    registerExtendMusic,
    registerRemixAudio,
    registerGetSong,
    registerListSongs,
    registerGetJob,
    registerCancelJob,
    registerListPacks,
    registerSongResource,
    registerWaveformResource,
    registerReferenceResource,
    registerWriteSongPrompt,
  ]) {
    register(ctx);
  }

  return {
    server,
    cleanup: async () => {
      closing.abort();
      saves.close();
      if (ownTasks) tasks?.close();
      await server.close();
    },
  };
}
