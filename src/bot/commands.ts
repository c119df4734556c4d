/**
 * The bot's two CLI commands, for src/cli/main.ts to wire:
 *   acejam bot                                    connect and serve (registers commands when they changed)
 *   acejam deploy-commands [--guild ID] [--global] [--print]
 * The token and application id come from the environment (DISCORD_TOKEN, DISCORD_APPLICATION_ID) and are
 * never printed; `--print` needs neither.
 */
import { parseArgs } from 'node:util';

import { REST } from '@discordjs/rest';

import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../engine/logger.js';
import { startBot } from './client.js';
import { loadBotConfig, redactBotConfig, requireBotCredentials } from './config.js';
import { commandsJson, deployCommands } from './deploy.js';
import { loadCommands } from './loader.js';

export const BOT_USAGE = `  acejam bot                                   run the Discord bot (env: DISCORD_TOKEN, DISCORD_APPLICATION_ID,
                                               optional DISCORD_GUILD_ID, ACEJAM_DISCORD_API)
  acejam deploy-commands [--guild ID] [--global] [--print]
                                               register the slash commands (only when they changed);
                                               --print shows the JSON without a token`;

interface Io {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown };
  /** Stops the bot when it settles (tests); SIGINT/SIGTERM otherwise. */
  until?: Promise<unknown>;
  /** Where logs go (tests); stderr otherwise. */
  logger?: Logger;
}

export async function runDeployCommand(argv: string[], _config: Config, io: Io = {}): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { guild: { type: 'string' }, global: { type: 'boolean' }, print: { type: 'boolean' } }, strict: true });
  const stdout = io.stdout ?? process.stdout;
  const body = commandsJson((await loadCommands()).values());
  if (values.print) {
    stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  const bot = loadBotConfig(io.env ?? process.env);
  const { token, applicationId } = requireBotCredentials(bot, 'deploy-commands');
  const guildId = values.global ? null : (values.guild ?? bot.guildId);
  if (guildId !== null && !/^\d{15,25}$/.test(guildId)) {
    process.stderr.write(`error: --guild must be a server id (15–25 digits), got ${JSON.stringify(guildId)}\n`);
    return 64;
  }
  const rest = new REST({ api: bot.api }).setToken(token);
  const result = await deployCommands(rest, { applicationId, guildId }, body);
  stdout.write(result.changed ? `registered ${result.count} commands (${result.scope})\n` : `${result.count} commands already registered (${result.scope}); nothing to do\n`);
  return 0;
}

export async function runBotCommand(argv: string[], config: Config, io: Io = {}): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true });
  const bot = loadBotConfig(io.env ?? process.env);
  const { token, applicationId } = requireBotCredentials(bot, 'acejam bot');
  const logger = io.logger ?? createLogger({ level: config.logLevel });
  logger.info(redactBotConfig(bot), 'starting the Discord bot');
  const { openStudio } = await import('./studio-open.js'); // loads the engine only when the bot runs
  const studio = await openStudio(config, logger);
  let running: Awaited<ReturnType<typeof startBot>> | null = null;
  try {
    running = await startBot({ studio, token, applicationId, api: bot.api, guildId: bot.guildId, dataDir: config.dataDir, maxUploadBytes: config.maxUploadBytes, logger });
  } catch (error) {
    await studio.close();
    throw error;
  }
  const signal = await new Promise<string>((resolve) => {
    const onSignal = (name: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(name);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    void io.until?.then(() => onSignal('stop requested'));
  });
  logger.info({ signal }, 'shutting down: the running job finishes or is re-queued');
  await running.stop();
  await studio.close();
  return 0;
}
