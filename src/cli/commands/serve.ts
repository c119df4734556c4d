/**
 * `acejam serve [--port N] [--host H]`: the Discord bot and the MCP server (Streamable HTTP) over ONE
 * Studio, so both audiences share one engine, one fair queue and one song store in one process.
 */
import { parseArgs } from 'node:util';

import { startBot } from '../../bot/client.js';
import { loadBotConfig, redactBotConfig, requireBotCredentials } from '../../bot/config.js';
import type { Config } from '../../config/schema.js';
import { createLogger } from '../../engine/logger.js';
import { Studio } from '../../engine/studio/index.js';
import { mcpSettings } from '../../mcp/commands.js';
import { localIdentity } from '../../mcp/identity.js';
import { DEFAULT_LIMITS } from '../../mcp/shared/context.js';
import { base64Limit } from '../../mcp/shared/uploads.js';
import { asPort } from '../../mcp/studio.js';
import { serveHttp } from '../../mcp/transports/http.js';

export const SERVE_USAGE = `  acejam serve [--port N] [--host H]         the Discord bot and the MCP HTTP server over one engine and store`;

export async function runServeCommand(
  argv: string[],
  config: Config,
  options: { until?: Promise<unknown>; env?: NodeJS.ProcessEnv; onReady?: (ready: { mcpUrl: string; studio: Studio }) => void } = {},
): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' } }, strict: true });
  const env = options.env ?? process.env;
  const bot = loadBotConfig(env);
  const { token, applicationId } = requireBotCredentials(bot, 'acejam serve');
  const settings = mcpSettings(config, env);
  const logger = createLogger({ level: config.logLevel });
  logger.info(redactBotConfig(bot), 'starting the Discord bot and the MCP server over one Studio');
  const studio = await Studio.open(config, { logger });
  const limits = { ...DEFAULT_LIMITS, uploadBytes: config.maxUploadBytes };
  const stops: (() => Promise<void>)[] = [];
  try {
    const running = await startBot({ studio, token, applicationId, api: bot.api, guildId: bot.guildId, dataDir: config.dataDir, maxUploadBytes: config.maxUploadBytes, logger });
    stops.push(() => running.stop());
    const http = await serveHttp(asPort(studio), {
      host: values.host ?? settings.host,
      port: values.port !== undefined ? Number(values.port) : settings.port,
      tokens: settings.tokens,
      localUser: localIdentity(settings.user),
      allowedOrigins: settings.allowedOrigins,
      maxBodyBytes: base64Limit(limits.uploadBytes) + 256 * 1024,
      limits,
      logger,
    });
    stops.push(() => http.close());
    process.stderr.write(`acejam serve: Discord bot connected; MCP server at ${http.url}\n`);
    if (http.generatedToken) process.stderr.write(`MCP bearer token for this run: ${http.generatedToken}\n`);
    options.onReady?.({ mcpUrl: http.url, studio });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
      void options.until?.then(() => resolve());
    });
    logger.info('shutting down: the running job finishes or is re-queued');
  } finally {
    for (const stop of stops.reverse()) await stop();
    await studio.close();
  }
  return 0;
}
