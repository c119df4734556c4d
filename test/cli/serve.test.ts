/**
 * `acejam serve`: the Discord bot and the MCP HTTP server over one Studio. A song composed in Discord
 * (real discord.js against the local stand-in) is continued over MCP (the real SDK client) by its id.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runServeCommand } from '../../src/cli/commands/serve.js';
import { loadConfig } from '../../src/config/load.js';
import { nextStatus, result, snapshot, songIdOf } from '../bot/harness.js';
import { DiscordStandIn } from '../bot/stand-in/server.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');
const TOKEN = 'serve-test-token-0123456789';
let standIn: DiscordStandIn;
let dataDir: string;
let stop: () => void;
let served: Promise<number>;
let ready: { mcpUrl: string };
let alice: ReturnType<DiscordStandIn['world']['addUser']>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'acejam-serve-'));
  standIn = await new DiscordStandIn().start();
  alice = standIn.world.addUser('alice');
  const guild = standIn.world.addGuild('acejam test', alice, ['general'], []);
  const config = loadConfig({ env: { ACEJAM_PACK: TINY, ACEJAM_DATA_DIR: dataDir, ACEJAM_LOG_LEVEL: 'silent' } });
  const until = new Promise<void>((resolveStop) => (stop = resolveStop));
  const env = {
    DISCORD_TOKEN: standIn.token,
    DISCORD_APPLICATION_ID: standIn.applicationId,
    ACEJAM_DISCORD_API: standIn.apiBase,
    DISCORD_GUILD_ID: guild.id,
    ACEJAM_MCP_TOKENS: `agent=${TOKEN}`,
    ACEJAM_MCP_PORT: '0',
  };
  ready = await new Promise((resolveReady, reject) => {
    served = runServeCommand([], config, { until, env, onReady: resolveReady });
    served.catch(reject);
  });
}, 90_000);

afterAll(async () => {
  stop();
  expect(await served).toBe(0);
  await standIn.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('acejam serve', () => {
  it('shares one store: a song composed in Discord is retaken over MCP by its id', async () => {
    const general = standIn.world.channelByName('general');
    const before = snapshot(standIn, general.id);
    standIn.command('compose', { tags: 'lofi, piano', duration: 2, seed: 3 }, { user: alice, channel: general });
    const message = await result(standIn, await nextStatus(standIn, general.id, before));
    const songId = songIdOf(message);

    const client = new Client({ name: 'serve-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(ready.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    const song = await client.callTool({ name: 'get_song', arguments: { song_id: songId } });
    expect(song.isError).toBeFalsy();
    const retake = await client.callTool({ name: 'retake_music', arguments: { song_id: songId, variance: 0.3, wait_seconds: 60 } });
    expect(retake.isError, JSON.stringify(retake.content)).toBeFalsy();
    expect(retake.structuredContent).toMatchObject({ job: { state: 'done' }, songs: [{ parent_id: songId, operation: 'retake' }] });
    await client.close();
  });
});
