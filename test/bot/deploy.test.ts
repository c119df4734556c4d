import { REST } from '@discordjs/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runDeployCommand } from '../../src/bot/commands.js';
import { commandsJson, deployCommands } from '../../src/bot/deploy.js';
import { loadCommands } from '../../src/bot/loader.js';
import type { Config } from '../../src/config/schema.js';
import { DiscordStandIn } from './stand-in/server.js';

const EXPECTED = ['cancel', 'compose', 'edit', 'extend', 'history', 'queue', 'remix', 'repaint', 'retake', 'settings', 'song'];

let standIn: DiscordStandIn;
let guildId: string;

beforeAll(async () => {
  standIn = await new DiscordStandIn().start();
  guildId = standIn.world.addGuild('test', standIn.world.addUser('owner'), ['general']).id;
});
afterAll(async () => standIn.stop());

describe('command definitions', () => {
  it('loads one module a command from commands/', async () => {
    const commands = await loadCommands();
    expect([...commands.keys()].sort()).toEqual(EXPECTED);
  });

  it('registers guild-scoped only when something changed, and Discord accepts every definition', async () => {
    const rest = new REST({ api: standIn.apiBase, retries: 0 }).setToken(standIn.token);
    const body = commandsJson((await loadCommands()).values());
    const first = await deployCommands(rest, { applicationId: standIn.applicationId, guildId }, body);
    expect(first).toEqual({ scope: `guild ${guildId}`, changed: true, count: EXPECTED.length });
    const second = await deployCommands(rest, { applicationId: standIn.applicationId, guildId }, body);
    expect(second.changed).toBe(false);
    expect(standIn.commandPuts.get(guildId)).toBe(1);
    const changed = body.map((c) => (c.name === 'queue' ? { ...c, description: 'Your jobs, and the queue' } : c));
    expect((await deployCommands(rest, { applicationId: standIn.applicationId, guildId }, changed)).changed).toBe(true);
    expect(standIn.commandPuts.get(guildId)).toBe(2);
    expect(standIn.commandPuts.get('global')).toBeUndefined();
  });

  it('registers globally without a guild id', async () => {
    const rest = new REST({ api: standIn.apiBase, retries: 0 }).setToken(standIn.token);
    const result = await deployCommands(rest, { applicationId: standIn.applicationId, guildId: null }, commandsJson((await loadCommands()).values()));
    expect(result.scope).toBe('global');
    expect(standIn.world.globalCommands.map((c) => c.name).sort()).toEqual(EXPECTED);
  });

  it('acejam deploy-commands --print prints the JSON without a token', async () => {
    let out = '';
    const code = await runDeployCommand(['--print'], {} as Config, { env: {}, stdout: { write: (text: string) => (out += text) } });
    expect(code).toBe(0);
    const printed = JSON.parse(out) as { name: string; options?: unknown[] }[];
    expect(printed.map((c) => c.name)).toEqual(EXPECTED);
  });

  it('acejam deploy-commands uses DISCORD_GUILD_ID, --guild and ACEJAM_DISCORD_API, and refuses to run without a token', async () => {
    let out = '';
    const env = { DISCORD_TOKEN: standIn.token, DISCORD_APPLICATION_ID: standIn.applicationId, ACEJAM_DISCORD_API: standIn.apiBase, DISCORD_GUILD_ID: guildId };
    expect(await runDeployCommand([], {} as Config, { env, stdout: { write: (t: string) => (out += t) } })).toBe(0);
    expect(out).toMatch(/already registered|registered/);
    await expect(runDeployCommand([], {} as Config, { env: {}, stdout: { write: () => true } })).rejects.toThrow(/DISCORD_TOKEN and DISCORD_APPLICATION_ID/);
  });
});
