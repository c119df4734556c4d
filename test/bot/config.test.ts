import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { runBotCommand } from '../../src/bot/commands.js';
import { DISCORD_API, loadBotConfig, redactBotConfig } from '../../src/bot/config.js';
import { loadConfig } from '../../src/config/load.js';
import { TINY_PACK } from './harness.js';
import { DiscordStandIn } from './stand-in/server.js';

describe('bot configuration', () => {
  it('reads the four variables and defaults to Discord', () => {
    expect(loadBotConfig({})).toEqual({ token: null, applicationId: null, guildId: null, api: DISCORD_API });
    const config = loadBotConfig({ DISCORD_TOKEN: 'x'.repeat(40), DISCORD_APPLICATION_ID: '123456789012345678', DISCORD_GUILD_ID: '223456789012345678', ACEJAM_DISCORD_API: 'http://127.0.0.1:9/api/' });
    expect(config).toEqual({ token: 'x'.repeat(40), applicationId: '123456789012345678', guildId: '223456789012345678', api: 'http://127.0.0.1:9/api' });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadBotConfig({ DISCORD_APPLICATION_ID: 'my-bot' })).toThrow(/DISCORD_APPLICATION_ID: must be a Discord application id/);
    expect(() => loadBotConfig({ ACEJAM_DISCORD_API: 'discord.com' })).toThrow(/ACEJAM_DISCORD_API: must be an http\(s\) URL/);
  });

  it('never shows the token in what may be logged', () => {
    const secret = 'MTIz.secret-token-value-xyz';
    expect(JSON.stringify(redactBotConfig(loadBotConfig({ DISCORD_TOKEN: secret })))).not.toContain(secret);
  });
});

describe('acejam bot', () => {
  it('connects through ACEJAM_DISCORD_API (gateway from /gateway/bot), registers the commands in DISCORD_GUILD_ID, serves, and stops', async () => {
    const standIn = await new DiscordStandIn().start();
    const guild = standIn.world.addGuild('g', standIn.world.addUser('owner'), ['general']);
    const dataDir = await mkdtemp(join(tmpdir(), 'acejam-botcmd-'));
    let logs = '';
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, next) => ((logs += String(chunk)), next()) }));
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const env = { DISCORD_TOKEN: standIn.token, DISCORD_APPLICATION_ID: standIn.applicationId, DISCORD_GUILD_ID: guild.id, ACEJAM_DISCORD_API: standIn.apiBase };
    const config = loadConfig({ env: { ACEJAM_PACK: TINY_PACK, ACEJAM_DATA_DIR: dataDir, ACEJAM_LOG_LEVEL: 'warn' } });
    const running = runBotCommand([], config, { env, until, logger });
    await standIn.waitFor(() => standIn.gatewayConnections === 1 || undefined, 'the bot on the gateway');
    expect(standIn.commandPuts.get(guild.id)).toBe(1);
    expect(standIn.world.guildCommands.get(guild.id)!.map((c) => c.name)).toContain('compose');
    expect(standIn.identifies[0]!.intents).toBe(1); // Guilds only: nothing privileged
    stop();
    expect(await running).toBe(0);
    expect(logs).toContain('bot connected');
    expect(logs).not.toContain(standIn.token);
    await standIn.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
});
