/**
 * The stand-in answers what Discord would (product.md §1.1b), checked with the real @discordjs/rest client:
 * otherwise a bot test passing against it would prove nothing.
 */
import { DiscordAPIError, REST } from '@discordjs/rest';
import { Client, GatewayIntentBits, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DiscordStandIn, TOKEN_LIFETIME_MS } from './stand-in/server.js';

let standIn: DiscordStandIn;
let rest: REST;
let channelId: string;

beforeAll(async () => {
  standIn = await new DiscordStandIn().start();
  const owner = standIn.world.addUser('owner');
  standIn.world.addGuild('test', owner, ['general']);
  channelId = standIn.world.channelByName('general').id;
  rest = new REST({ api: standIn.apiBase, retries: 0 }).setToken(standIn.token);
});
afterAll(async () => standIn.stop());

async function refused(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DiscordAPIError) return error;
    throw error;
  }
  throw new Error('expected Discord to refuse the request');
}

describe('stand-in REST strictness', () => {
  it('refuses content over 2000 characters with a 50035 naming the field', async () => {
    const error = await refused(rest.post(Routes.channelMessages(channelId), { body: { content: 'x'.repeat(2001) } }));
    expect(error.code).toBe(50035);
    expect(error.rawError).toMatchObject({ errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
  });

  it('refuses 6 buttons in a row, 6 rows, long and duplicate custom ids', async () => {
    const button = (id: string) => ({ type: 2, style: 1, label: 'b', custom_id: id });
    const six = await refused(rest.post(Routes.channelMessages(channelId), { body: { content: 'a', components: [{ type: 1, components: ['1', '2', '3', '4', '5', '6'].map(button) }] } }));
    expect(JSON.stringify(six.rawError)).toContain('components');
    const rows = await refused(rest.post(Routes.channelMessages(channelId), { body: { content: 'a', components: ['1', '2', '3', '4', '5', '6'].map((id) => ({ type: 1, components: [button(id)] })) } }));
    expect(rows.code).toBe(50035);
    const long = await refused(rest.post(Routes.channelMessages(channelId), { body: { content: 'a', components: [{ type: 1, components: [button('x'.repeat(101))] }] } }));
    expect(long.rawError).toMatchObject({ errors: { components: { 0: { components: { 0: { custom_id: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } } } });
    const dup = await refused(rest.post(Routes.channelMessages(channelId), { body: { content: 'a', components: [{ type: 1, components: [button('same'), button('same')] }] } }));
    expect(JSON.stringify(dup.rawError)).toContain('COMPONENT_CUSTOM_ID_DUPLICATED');
  });

  it('refuses embeds over their limits and empty messages', async () => {
    const big = await refused(rest.post(Routes.channelMessages(channelId), { body: { embeds: [{ title: 't'.repeat(257) }] } }));
    expect(big.code).toBe(50035);
    const total = await refused(rest.post(Routes.channelMessages(channelId), { body: { embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(2001) }] } }));
    expect(JSON.stringify(total.rawError)).toContain('MAX_EMBED_SIZE_EXCEEDED');
    const empty = await refused(rest.post(Routes.channelMessages(channelId), { body: {} }));
    expect(empty.code).toBe(50006);
  });

  it('refuses a file over 10 MiB with 40005 (413)', async () => {
    const error = await refused(rest.post(Routes.channelMessages(channelId), { body: { content: 'big' }, files: [{ name: 'a.wav', data: Buffer.alloc(10 * 1024 * 1024 + 1) }] }));
    expect(error.code).toBe(40005);
    expect(error.status).toBe(413);
  });

  it('applies the v10 attachment rules on edit', async () => {
    const created = (await rest.post(Routes.channelMessages(channelId), { body: { content: 'a' }, files: [{ name: 'one.txt', data: Buffer.from('1') }] })) as { id: string; attachments: { id: string }[] };
    const kept = created.attachments[0]!.id;
    // New file without listing it: not added; the old one stays because no attachments array was sent.
    await rest.patch(Routes.channelMessage(channelId, created.id), { body: { content: 'b' }, files: [{ name: 'two.txt', data: Buffer.from('2') }] });
    expect(standIn.message(created.id)!.attachments.map((a) => a.filename)).toEqual(['one.txt']);
    // Listed: new added, old kept only if listed.
    await rest.patch(Routes.channelMessage(channelId, created.id), { body: { attachments: [{ id: '0' }] }, files: [{ name: 'three.txt', data: Buffer.from('3') }] });
    expect(standIn.message(created.id)!.attachments.map((a) => a.filename)).toEqual(['three.txt']);
    const unknown = await refused(rest.patch(Routes.channelMessage(channelId, created.id), { body: { attachments: [{ id: kept }] } }));
    expect(unknown.code).toBe(50035);
  });

  it('answers 401 without the bot token and 404 on routes Discord does not have', async () => {
    const anonymous = new REST({ api: standIn.apiBase, retries: 0 });
    const error = await refused(anonymous.post(Routes.channelMessages(channelId), { body: { content: 'x' }, auth: false }));
    expect(error.status).toBe(401);
    const missing = await refused(rest.get('/nope' as `/${string}`));
    expect(missing.status).toBe(404);
  });

  it('validates registered commands (names, option order, choices)', async () => {
    const bad = await refused(rest.put(Routes.applicationCommands(standIn.applicationId), { body: [{ name: 'Bad Name', description: 'x' }] }));
    expect(bad.code).toBe(50035);
    const order = await refused(rest.put(Routes.applicationCommands(standIn.applicationId), { body: [{ name: 'a', description: 'x', options: [{ type: 3, name: 'o', description: 'd' }, { type: 3, name: 'r', description: 'd', required: true }] }] }));
    expect(JSON.stringify(order.rawError)).toContain('APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID');
  });
});

describe('stand-in interactions with the real discord.js client', () => {
  let client: Client;
  const owner = () => [...standIn.world.users.values()].find((u) => u.username === 'owner')!;

  beforeAll(async () => {
    await rest.put(Routes.applicationCommands(standIn.applicationId), { body: [{ name: 'ping', description: 'p' }] });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiBase, retries: 0 } });
    const ready = new Promise((resolve) => client.once('clientReady', resolve));
    await client.login(standIn.token);
    await ready;
  });
  afterAll(async () => client.destroy());

  it('refuses a callback after 3 s (10062), a second ack (40060), and webhooks after 15 minutes (50027)', async () => {
    const results: { late?: unknown; double?: unknown; expired?: unknown } = {};
    let step: 'late' | 'double' | 'expired' = 'late';
    client.removeAllListeners('interactionCreate');
    client.on('interactionCreate', async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      if (step === 'late') {
        standIn.advance(3100);
        results.late = await interaction.deferReply().catch((e: DiscordAPIError) => e.code);
      } else if (step === 'double') {
        await interaction.deferReply();
        results.double = await interaction.client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 5 }, auth: false }).catch((e: DiscordAPIError) => e.code);
      } else {
        await interaction.deferReply();
        standIn.advance(TOKEN_LIFETIME_MS + 1000);
        results.expired = await interaction.editReply('late').catch((e: DiscordAPIError) => e.code);
      }
    });
    const actor = { user: owner(), channel: standIn.world.channelByName('general') };
    standIn.command('ping', {}, actor);
    await standIn.waitFor(() => results.late, 'late ack');
    expect(results.late).toBe(10062);
    step = 'double';
    standIn.command('ping', {}, actor);
    await standIn.waitFor(() => results.double, 'double ack');
    expect(results.double).toBe(40060);
    step = 'expired';
    standIn.command('ping', {}, actor);
    await standIn.waitFor(() => results.expired, 'expired token');
    expect(results.expired).toBe(50027);
  });

  it('refuses a modal over its limits (title ≤ 45, text input ≤ 4000) with a 50035', async () => {
    let answer: unknown;
    client.removeAllListeners('interactionCreate');
    client.on('interactionCreate', async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const data = { custom_id: 'm', title: 't'.repeat(46), components: [{ type: 18, label: 'Lyrics', component: { type: 4, custom_id: 'lyrics', style: 2, value: 'v'.repeat(4001) } }] };
      answer = await interaction.client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 9, data }, auth: false }).catch((e: DiscordAPIError) => e.rawError);
    });
    standIn.command('ping', {}, { user: owner(), channel: standIn.world.channelByName('general') });
    await standIn.waitFor(() => answer, 'the refused modal');
    expect(answer).toMatchObject({
      code: 50035,
      errors: { data: { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] }, components: { 0: { component: { value: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } } },
    });
  });

  it('answers callbacks with 204 and no content-type', async () => {
    const entries = standIn.log.filter((e) => e.route === 'interaction callback' && e.status === 204);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.responseType).toBeNull();
    const response = await fetch(`${standIn.apiBase}/v10/interactions/0/x/callback`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(404);
  });

  it('refuses a client that asks for a privileged intent', async () => {
    const greedy = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent], rest: { api: standIn.apiBase } });
    await expect(greedy.login(standIn.token)).rejects.toThrow(/intent/i);
    await greedy.destroy();
  });
});
