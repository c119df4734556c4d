/**
 * The composition root of the bot: load the commands, register them when they changed, connect discord.js
 * (the Guilds intent only: nothing privileged), route interactions, and pick up the jobs a previous run was
 * following. The REST base comes from config (`ACEJAM_DISCORD_API`), and discord.js takes the gateway URL
 * from that API's `/gateway/bot`, so the same code runs against Discord and against a local stand-in.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';

import type { Logger } from '../engine/logger.js';
import type { BotCommand, BotContext } from './context.js';
import { commandsJson, deployCommands } from './deploy.js';
import { BotState } from './guild-settings.js';
import { loadCommands } from './loader.js';
import { Messages } from './messages.js';
import { JobTracker } from './progress.js';
import { createRouter } from './router.js';
import type { BotStudio } from './studio.js';

export interface BotOptions {
  studio: BotStudio;
  token: string;
  applicationId: string;
  /** REST base without version (`https://discord.com/api`). */
  api: string;
  /** Register commands here (guild-scoped) instead of globally. */
  guildId: string | null;
  /** The bot keeps its own small state under `<dataDir>/discord/`. */
  dataDir: string;
  maxUploadBytes: number;
  logger: Logger;
  /** Register the commands at startup when they differ from what Discord has (default true). */
  registerCommands?: boolean;
  commands?: ReadonlyMap<string, BotCommand>;
  /** Floor between status edits (default 3000 ms). */
  minEditMs?: number;
}

export interface RunningBot {
  client: Client;
  tracker: JobTracker;
  state: BotState;
  commands: ReadonlyMap<string, BotCommand>;
  /** Stops following jobs (they stay remembered), disconnects. The Studio stays open: its owner closes it. */
  stop(): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { logger } = options;
  const commands = options.commands ?? (await loadCommands());
  const state = await BotState.open(options.dataDir);
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: options.api } });
  client.rest.setToken(options.token);

  if (options.registerCommands !== false) {
    const result = await deployCommands(client.rest, { applicationId: options.applicationId, guildId: options.guildId }, commandsJson(commands.values()));
    logger.info({ scope: result.scope, changed: result.changed, count: result.count }, result.changed ? 'registered slash commands' : 'slash commands up to date');
  }

  const messages = new Messages(client.rest);
  const tracker = new JobTracker({ studio: options.studio, messages, state, logger, ...(options.minEditMs ? { minEditMs: options.minEditMs } : {}) });
  const ctx: BotContext = { studio: options.studio, messages, tracker, state, logger, applicationId: options.applicationId, maxUploadBytes: options.maxUploadBytes };
  const route = createRouter(commands, ctx);
  client.on(Events.InteractionCreate, (interaction) => void route(interaction));
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(options.token);
  await ready;
  logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'bot connected');
  await tracker.resume();

  return {
    client,
    tracker,
    state,
    commands,
    async stop() {
      await tracker.stop();
      await client.destroy();
      await state.flush();
    },
  };
}
