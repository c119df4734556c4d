/**
 * End-to-end rig: the strict Discord stand-in, the real Studio on the tiny pack (temporary data dir), and
 * the real bot (discord.js) connected to the stand-in. Helpers run a command or press a button as a user
 * and wait for what the bot posts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'vitest';

import { startBot, type RunningBot } from '../../src/bot/client.js';
import { openStudio, type ClosableStudio } from '../../src/bot/studio-open.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/engine/logger.js';
import type { Actor } from './stand-in/interactions.js';
import { DiscordStandIn } from './stand-in/server.js';
import type { ChannelFixture, GuildFixture, InteractionRecord, StoredMessage, UserFixture } from './stand-in/world.js';

export const TINY_PACK = new URL('../../models/tiny', import.meta.url).pathname;
export const MiB = 1024 * 1024;

export interface Harness {
  standIn: DiscordStandIn;
  studio: ClosableStudio;
  bot: RunningBot;
  config: Config;
  guild: GuildFixture;
  general: ChannelFixture;
  alice: UserFixture;
  bob: UserFixture;
  carol: UserFixture;
  as(user: UserFixture, extra?: Partial<Actor>): Actor;
  /** Restarts the bot (and, with `studio: true`, the Studio) over the same data dir and stand-in. */
  restart(options?: { studio?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'acejam-bot-'));
  const config = loadConfig({ env: { ACEJAM_PACK: TINY_PACK, ACEJAM_DATA_DIR: dataDir, ACEJAM_LOG_LEVEL: 'warn', ...env } });
  const logger = createLogger({ level: (process.env.ACEJAM_TEST_LOG as Config['logLevel'] | undefined) ?? 'silent' });
  const standIn = await new DiscordStandIn().start();
  const alice = standIn.world.addUser('alice');
  const bob = standIn.world.addUser('bob');
  const carol = standIn.world.addUser('carol');
  const guild = standIn.world.addGuild('acejam test', alice, ['general', 'music'], ['DJ']);
  const general = standIn.world.channelByName('general');

  let studio = await openStudio(config, logger);
  const boot = () =>
    startBot({ studio, token: standIn.token, applicationId: standIn.applicationId, api: standIn.apiBase, guildId: guild.id, dataDir, maxUploadBytes: config.maxUploadBytes, logger });
  let bot = await boot();

  const harness: Harness = {
    standIn,
    get studio() {
      return studio;
    },
    get bot() {
      return bot;
    },
    config,
    guild,
    general,
    alice,
    bob,
    carol,
    as: (user, extra = {}) => ({ user, channel: general, ...extra }),
    async restart(options = {}) {
      await bot.stop();
      if (options.studio) {
        await studio.close();
        studio = await openStudio(config, logger);
      }
      bot = await boot();
    },
    async close() {
      await bot.stop();
      await studio.close();
      await standIn.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Bot-authored channel messages (status/result), not interaction responses, in creation order. */
export function botChannelMessages(standIn: DiscordStandIn, channelId: string): StoredMessage[] {
  return standIn.channelMessages(channelId).filter((m) => m.author.bot && !m.interactionId);
}

/** The ids of the bot's channel messages now, to find the ones a later action posts. */
export function snapshot(standIn: DiscordStandIn, channelId: string): Set<string> {
  return new Set(botChannelMessages(standIn, channelId).map((m) => m.id));
}

/** The first status message the bot posts after `before`. */
export async function nextStatus(standIn: DiscordStandIn, channelId: string, before: Set<string>, timeoutMs = 15_000): Promise<StoredMessage> {
  return standIn.waitFor(() => botChannelMessages(standIn, channelId).find((m) => !before.has(m.id)), 'a new status message', timeoutMs);
}

export function isResult(message: StoredMessage): boolean {
  return message.embeds[0]?.title?.toString().startsWith('🎵') === true && message.components.length >= 2;
}

/** Waits until a status message has become a result (or a failure, which fails the test). */
export async function result(standIn: DiscordStandIn, message: StoredMessage, timeoutMs = 60_000): Promise<StoredMessage> {
  return standIn.waitFor(() => {
    const current = standIn.message(message.id)!;
    const description = String(current.embeds[0]?.description ?? '');
    if (/Failed:|Cancelled/.test(description)) throw new Error(`the job ended without a song: ${description}`);
    return isResult(current) ? current : undefined;
  }, `the result in message ${message.id}`, timeoutMs);
}

/** The song id a result message is about (from its buttons). */
export function songIdOf(message: StoredMessage): string {
  const ids = message.components.flatMap((row) => (row.components as { custom_id?: string }[]).map((c) => c.custom_id ?? ''));
  const full = ids.find((id) => id.startsWith('full:'));
  if (!full) throw new Error('not a result message');
  return full.split(':')[1]!;
}

/** The ephemeral reply the bot left for an interaction (after its type-5 defer). */
export async function ephemeralReply(standIn: DiscordStandIn, record: InteractionRecord, match?: RegExp): Promise<StoredMessage> {
  return standIn.waitFor(() => {
    const candidates = [record.originalMessageId, ...record.followups].map((id) => standIn.message(id)).filter((m): m is StoredMessage => m !== undefined && !m.deleted && (m.flags & 64) !== 0);
    return candidates.find((m) => m.content && (!match || match.test(m.content)));
  }, `an ephemeral reply to ${record.id}${match ? ` matching ${match}` : ''}`);
}

/** Asserts the bot never sent a request Discord would refuse (other than those a test provokes). */
export function expectNoRefusals(standIn: DiscordStandIn, allowed: (code: number | null) => boolean = () => false): void {
  const failures = standIn.failures().filter((f) => !allowed(f.code));
  expect(failures.map((f) => `${f.method} ${f.route} → ${f.status} ${f.code}: ${JSON.stringify(f.json).slice(0, 300)}`)).toEqual([]);
}
