/**
 * What every tool, resource and prompt of one MCP connection shares: the Studio, who is calling, what
 * the transport allows (local files only over stdio) and the size limits. Built once by createServer.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

import type { Logger } from '../../engine/logger.js';
import type { Identity } from '../identity.js';
import type { Actor, StudioPort } from '../studio.js';
import type { BackgroundSaves } from './background.js';
import type { CancelRegistry } from './cancellations.js';
import type { JobTaskStore } from './task-store.js';

export type TransportKind = 'stdio' | 'http' | 'memory';

export interface Limits {
  /** Largest audio returned inline (`inline_audio: true`), in bytes before base64. */
  inlineAudioBytes: number;
  /** Largest upload (remix_audio from base64, a URL or a file), in bytes. */
  uploadBytes: number;
  /** How long a generation tool blocks when `wait_seconds` is not given. */
  defaultWaitSeconds: number;
  /** The most a caller may ask to block. */
  maxWaitSeconds: number;
}

export const DEFAULT_LIMITS: Limits = {
  inlineAudioBytes: 1024 * 1024,
  uploadBytes: 50 * 1024 * 1024,
  defaultWaitSeconds: 45,
  maxWaitSeconds: 600,
};

export interface ToolContext {
  studio: StudioPort;
  identity: Identity;
  actor: Actor;
  /** Local files (output_dir, file_path) are only reachable over stdio, inside the allowed roots. */
  transport: TransportKind;
  localFiles: boolean;
  /** The folders local files may live in: the client's roots when it has them, else the working directory. */
  roots(): Promise<string[]>;
  /** Whether URLs may point at loopback / private addresses (only for a local stdio server). */
  allowPrivateUrls: boolean;
  limits: Limits;
  logger: Logger;
  server: McpServer;
  /** Files a generation tool promised to write after its wait ran out (output_dir). */
  saves: BackgroundSaves;
  /** Stateless HTTP: cancellations that arrive in another request (null elsewhere). */
  cancellations: CancelRegistry | null;
  /** The caller's task store when tasks are offered (generation tools become task-capable), else null. */
  tasks: JobTaskStore | null;
  /** Aborts when the server closes: background waits stop. */
  closing: AbortSignal;
}
