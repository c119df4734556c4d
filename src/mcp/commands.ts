/**
 * `acejam mcp [--http] [--port N] [--host H]`: the MCP server as a command. Over stdio (the default, what
 * an agent host launches) stdout carries only protocol and logs go to stderr; with --http it serves
 * Streamable HTTP on loopback, with bearer tokens.
 */
import { parseArgs } from 'node:util';

import type { Config } from '../config/schema.js';
import { AcejamError } from '../engine/index.js';
import { createLogger, type Logger } from '../engine/logger.js';
import { Studio } from '../engine/studio/index.js';
import { localIdentity, parseTokenMap } from './identity.js';
import { DEFAULT_LIMITS } from './shared/context.js';
import { base64Limit } from './shared/uploads.js';
import { asPort, type StudioPort } from './studio.js';
import { serveHttp } from './transports/http.js';
import { reserveStdout, serveStdio } from './transports/stdio.js';

export const MCP_USAGE = `usage:
  acejam mcp                         serve MCP on stdio (what an agent host launches)
  acejam mcp --http [--port N] [--host H]
                                     serve MCP over Streamable HTTP at http://H:N/mcp (default 127.0.0.1:${8808})
Environment: ACEJAM_MCP_TOKENS="user=token,…" (HTTP bearer tokens → users), ACEJAM_MCP_USER (the stdio user),
ACEJAM_MCP_HOST, ACEJAM_MCP_PORT, ACEJAM_MCP_ALLOWED_ORIGINS (comma-separated browser origins).`;

/** The MCP server's settings (config fields when the config has them, else ACEJAM_MCP_* variables). */
export interface McpSettings {
  host: string;
  port: number;
  /** token → user id */
  tokens: Record<string, string>;
  /** The stdio user (and the owner of a generated HTTP token); null = local:<login>. */
  user: string | null;
  allowedOrigins: string[];
}

/** Config fields the MCP server reads if the configuration schema provides them. */
interface McpConfigFields {
  mcpHost?: string;
  mcpPort?: number;
  mcpTokens?: Record<string, string>;
  mcpUser?: string | null;
  mcpAllowedOrigins?: string[];
}

export const DEFAULT_MCP_PORT = 8808;

export function mcpSettings(config: Config, env: NodeJS.ProcessEnv = process.env): McpSettings {
  const fields = config as Config & McpConfigFields;
  const port = fields.mcpPort ?? (env.ACEJAM_MCP_PORT ? Number(env.ACEJAM_MCP_PORT) : DEFAULT_MCP_PORT);
  return {
    host: fields.mcpHost ?? env.ACEJAM_MCP_HOST ?? '127.0.0.1',
    port: checkPort(port, 'ACEJAM_MCP_PORT'),
    tokens: { ...fields.mcpTokens, ...parseTokenMap(env.ACEJAM_MCP_TOKENS ?? '') },
    user: fields.mcpUser ?? env.ACEJAM_MCP_USER ?? null,
    allowedOrigins: fields.mcpAllowedOrigins ?? (env.ACEJAM_MCP_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  };
}

function checkPort(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new AcejamError('INVALID_INPUT', `${name}: must be a port number from 0 to 65535, got ${value}`);
  return value;
}

/** Opens the Studio; a parameter so tests and the CLI can supply their own. */
export type OpenStudio = (config: Config, logger: Logger) => Promise<StudioPort & { close(): Promise<void> }>;

const openRealStudio: OpenStudio = async (config, logger) => asPort(await Studio.open(config, { logger }));

/** Resolves when SIGINT or SIGTERM arrives (or `other` settles). */
function untilStopped(other: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    void other.finally(() => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    });
  });
}

export async function runMcpCommand(argv: string[], config: Config, openStudio: OpenStudio = openRealStudio): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { http: { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    process.stderr.write(`${MCP_USAGE}\n`);
    return 0;
  }
  const settings = mcpSettings(config);
  const logger = createLogger({ level: config.logLevel });
  const limits = { ...DEFAULT_LIMITS, uploadBytes: config.maxUploadBytes };
  const identity = localIdentity(settings.user);

  if (!values.http) {
    const protocolOut = reserveStdout();
    const studio = await openStudio(config, logger);
    try {
      const { closed, close } = await serveStdio(studio, { identity, stdout: protocolOut, limits, logger, maxMessageBytes: base64Limit(limits.uploadBytes) + 1024 * 1024 });
      logger.info({ user: identity.user }, 'MCP server on stdio');
      await untilStopped(closed);
      await close();
      process.stdin.destroy();
    } finally {
      await studio.close();
    }
    return 0;
  }

  const host = values.host ?? settings.host;
  const port = values.port !== undefined ? checkPort(Number(values.port), '--port') : settings.port;
  const studio = await openStudio(config, logger);
  try {
    const server = await serveHttp(studio, {
      host,
      port,
      tokens: settings.tokens,
      localUser: identity,
      allowedOrigins: settings.allowedOrigins,
      maxBodyBytes: base64Limit(limits.uploadBytes) + 256 * 1024,
      limits,
      logger,
    });
    process.stderr.write(`acejam MCP server: ${server.url}\n`);
    if (server.generatedToken) {
      process.stderr.write(`No ACEJAM_MCP_TOKENS configured: this run's bearer token (user ${identity.user}) is\n  ${server.generatedToken}\n`);
    }
    await untilStopped(new Promise(() => undefined));
    await server.close();
  } finally {
    await studio.close();
  }
  return 0;
}
