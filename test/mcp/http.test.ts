/**
 * Streamable HTTP: the real SDK client against serveHttp, plus raw requests for what a client would
 * never send (no token, a wrong one, a foreign Origin or Host, an oversized body). The server must
 * answer each with a clear HTTP status and keep serving.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger } from '../../src/engine/logger.js';
import type { GenerationOutput } from '../../src/mcp/shared/schemas.js';
import { serveHttp, type HttpServerHandle } from '../../src/mcp/transports/http.js';
import { FakeStudio } from './fake-studio.js';
import { textOf } from './helpers.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdefgh';
const logger = createLogger({ level: 'silent' });
const studio = new FakeStudio(10);
let http: HttpServerHandle;

beforeAll(async () => {
  http = await serveHttp(studio, { host: '127.0.0.1', port: 0, tokens: { [ALICE]: 'test:alice', [BOB]: 'test:bob' }, localUser: { user: 'local:me' }, maxBodyBytes: 64 * 1024, logger });
});
afterAll(() => http.close());

async function client(token: string | null, headers: Record<string, string> = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(http.url), {
    requestInit: { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } },
  });
  const c = new Client({ name: 'http-test', version: '1.0.0' });
  await c.connect(transport);
  return c;
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

/** A raw POST, with full control over Host and the other headers. */
function post(headers: Record<string, string>, body = INIT): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(http.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Streamable HTTP', () => {
  it('serves tools to a client with a token, with progress on the response stream', async () => {
    const c = await client(ALICE);
    try {
      expect((await c.listTools()).tools.length).toBe(11);
      const events: number[] = [];
      const result = await c.callTool({ name: 'compose_music', arguments: { tags: 'funk', steps: 6 } }, undefined, { onprogress: (p) => events.push(p.progress) });
      const out = result.structuredContent as GenerationOutput;
      expect(out.songs[0]!.owner).toBe('test:alice');
      expect(events.length).toBeGreaterThanOrEqual(6);
      for (let i = 1; i < events.length; i++) expect(events[i]).toBeGreaterThan(events[i - 1]!);
      const local = await c.callTool({ name: 'compose_music', arguments: { tags: 'funk', output_dir: '/tmp' } });
      expect(local.isError).toBe(true);
      expect(textOf(local)).toMatch(/only available to local/);
    } finally {
      await c.close();
    }
  });

  it('maps each token to its own user', async () => {
    const a = await client(ALICE);
    const b = await client(BOB);
    try {
      const song = ((await a.callTool({ name: 'compose_music', arguments: { tags: 'secret', visibility: 'private' } })).structuredContent as GenerationOutput).songs[0]!;
      const denied = await b.callTool({ name: 'get_song', arguments: { song_id: song.song_id } });
      expect(denied.isError).toBe(true);
      expect((await a.callTool({ name: 'get_song', arguments: { song_id: song.song_id } })).isError).toBeFalsy();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('answers 401 without a token or with a wrong one, and the SDK client fails to connect', async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(JSON.parse(none.body).error.message).toMatch(/Authorization: Bearer/);
    const wrong = await post({ Authorization: 'Bearer not-the-right-token-at-all' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.message).toMatch(/unknown bearer token/);
    await expect(client('not-the-right-token-at-all')).rejects.toThrow();
  });

  it('answers 403 to a foreign Origin or Host, and accepts its own origin', async () => {
    const evil = await post({ Authorization: `Bearer ${ALICE}`, Origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.message).toMatch(/Origin/);
    const rebound = await post({ Authorization: `Bearer ${ALICE}`, Host: 'evil.example:80' });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.message).toMatch(/Host/);
    await expect(client(ALICE, { Origin: 'https://evil.example' })).rejects.toThrow();
    const port = new URL(http.url).port;
    const own = await post({ Authorization: `Bearer ${ALICE}`, Origin: `http://localhost:${port}` });
    expect(own.status).toBe(200);
  });

  it('answers 413 to an oversized body, 405 to GET and 404 elsewhere', async () => {
    const big = await post({ Authorization: `Bearer ${ALICE}` }, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(70 * 1024) } }));
    expect(big.status).toBe(413);
    const get = await fetch(http.url, { headers: { Authorization: `Bearer ${ALICE}` } });
    expect(get.status).toBe(405);
    const elsewhere = await fetch(http.url.replace('/mcp', '/other'), { method: 'POST', headers: { Authorization: `Bearer ${ALICE}` } });
    expect(elsewhere.status).toBe(404);
    const c = await client(ALICE);
    expect((await c.listTools()).tools.length).toBe(11);
    await c.close();
  });

  it('cancels the job when the client aborts the request', async () => {
    const c = await client(ALICE);
    try {
      const controller = new AbortController();
      let jobId: string | null = null;
      studio.jobs.events.on('started', ({ job }) => (jobId ??= job?.id ?? null));
      const call = c.callTool({ name: 'compose_music', arguments: { tags: 'long drone', steps: 200 } }, undefined, { signal: controller.signal, onprogress: () => controller.abort() });
      await expect(call).rejects.toThrow();
      await expect.poll(() => studio.jobs.get(jobId!)?.state, { timeout: 3000 }).toBe('cancelled');
    } finally {
      await c.close();
    }
  });
});

describe('binding', () => {
  it('refuses a non-loopback address without tokens', async () => {
    await expect(serveHttp(studio, { host: '0.0.0.0', port: 0, tokens: {}, localUser: { user: 'local:me' }, maxBodyBytes: 1024, logger })).rejects.toThrow(/non-loopback.*without a bearer token/);
  });

  it('generates a token for the local user on loopback when none is configured', async () => {
    const local = await serveHttp(studio, { host: '127.0.0.1', port: 0, tokens: {}, localUser: { user: 'local:me' }, maxBodyBytes: 1024 * 1024, logger });
    try {
      expect(local.generatedToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const transport = new StreamableHTTPClientTransport(new URL(local.url), { requestInit: { headers: { Authorization: `Bearer ${local.generatedToken}` } } });
      const c = new Client({ name: 't', version: '1' });
      await c.connect(transport);
      const out = (await c.callTool({ name: 'compose_music', arguments: { tags: 'x' } })).structuredContent as GenerationOutput;
      expect(out.songs[0]!.owner).toBe('local:me');
      await c.close();
      expect((await fetch(local.url, { method: 'POST', body: INIT })).status).toBe(401);
    } finally {
      await local.close();
    }
  });

  it('refuses tokens shorter than 16 characters', async () => {
    await expect(serveHttp(studio, { host: '127.0.0.1', port: 0, tokens: { short: 'u' }, localUser: { user: 'local:me' }, maxBodyBytes: 1024, logger })).rejects.toThrow(/at least 16/);
  });
});

describe('acejam mcp --http as a process, on the tiny pack', () => {
  it('serves a client with its token, refuses one without or from a foreign origin, and stops on SIGTERM', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const scratch = mkdtempSync(join(tmpdir(), 'acejam-mcp-http-'));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('ACEJAM_')) env[key] = value;
    const token = 'process-token-0123456789abcdef';
    const child = spawn(process.execPath, [join(root, 'test/mcp/launch.mjs'), 'mcp', '--http', '--port', '0'], {
      cwd: scratch,
      env: { ...env, ACEJAM_PACK: join(root, 'models/tiny'), ACEJAM_DATA_DIR: join(scratch, 'data'), ACEJAM_LOG_LEVEL: 'warn', ACEJAM_MCP_TOKENS: `test:carol=${token}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      await expect.poll(() => /acejam MCP server: (\S+)/.exec(stderr)?.[1], { timeout: 30_000 }).toBeTruthy();
      const url = /acejam MCP server: (\S+)/.exec(stderr)![1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
      const c = new Client({ name: 'process-test', version: '1.0.0' });
      await c.connect(transport);
      const steps: string[] = [];
      const result = await c.callTool({ name: 'compose_music', arguments: { tags: 'synthwave', duration: 2, steps: 3, seed: 3 } }, undefined, { onprogress: (p) => steps.push(p.message ?? '') });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect((result.structuredContent as GenerationOutput).songs[0]).toMatchObject({ owner: 'test:carol', seeds: [3] });
      expect(steps.filter((m) => m.startsWith('step '))).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
      await c.close();
      expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: INIT })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, Origin: 'http://evil.example' }, body: INIT })).status).toBe(403);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
