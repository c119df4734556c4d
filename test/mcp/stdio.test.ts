/**
 * `acejam mcp` as an agent host runs it: a child process on stdio, driven by the SDK's
 * StdioClientTransport. stdout must carry nothing but protocol; the server exits when stdin closes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';

import type { GenerationOutput } from '../../src/mcp/shared/schemas.js';
import { decodeAudio } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'acejam-mcp-stdio-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** bin/acejam.js once the CLI knows `mcp`; until then the launcher beside this test. */
function command(): string[] {
  const wired = readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8').includes('runMcpCommand');
  return wired ? [join(ROOT, 'bin/acejam.js'), 'mcp'] : [join(ROOT, 'test/mcp/launch.mjs'), 'mcp'];
}

it('keeps stdout for protocol even when something in the server prints to it', async () => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [join(ROOT, 'test/mcp/launch.mjs'), 'mcp'], cwd: scratch, env: stdioEnv({ ACEJAM_MCP_FAKE_STUDIO: '1', ACEJAM_MCP_TEST_NOISE: '1' }), stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errors: Error[] = [];
  const client = new Client({ name: 'stdio-noise', version: '1.0.0' });
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  await new Promise((r) => setTimeout(r, 500));
  expect((await client.listTools()).tools.length).toBe(11);
  await client.close();
  expect(errors).toEqual([]);
  expect(stderr).toContain('noise on stdout');
});

export function stdioEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('ACEJAM_')) env[key] = value;
  return { ...env, ACEJAM_PACK: join(ROOT, 'models/tiny'), ACEJAM_DATA_DIR: join(scratch, 'data'), ACEJAM_LOG_LEVEL: 'info', ACEJAM_MCP_USER: 'local:stdio-test', ...extra };
}

describe('acejam mcp over stdio', () => {
  it('speaks only protocol on stdout, composes with progress, and exits when the client leaves', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: command(), cwd: scratch, env: stdioEnv(process.env.ACEJAM_MCP_FAKE_STUDIO ? { ACEJAM_MCP_FAKE_STUDIO: '1' } : {}), stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const errors: Error[] = [];
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    const pid = transport.pid!;
    expect(client.getServerVersion()?.name).toBe('acejam');
    expect((await client.listTools()).tools.length).toBe(11);

    const steps: string[] = [];
    const result = await client.callTool(
      { name: 'compose_music', arguments: { tags: 'lofi, piano', lyrics: '[verse]\nhello there\n[chorus]\nla la la', duration: 5, steps: 3, seed: 7, output_dir: 'out' } },
      undefined,
      { onprogress: (p) => steps.push(p.message ?? '') },
    );
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const out = result.structuredContent as GenerationOutput;
    expect(out.songs[0]).toMatchObject({ seeds: [7], owner: 'local:stdio-test', operation: 'compose' });
    expect(steps.filter((m) => m.startsWith('step '))).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']);
    expect(out.songs[0]!.saved_to).toBe(join(scratch, 'out', `${out.song_id}.flac`));
    expect((await decodeAudio(readFileSync(out.songs[0]!.saved_to!))).sampleRate).toBe(48000);

    const read = await client.readResource({ uri: out.songs[0]!.resource_uri });
    expect(read.contents[0]!.mimeType).toMatch(/^audio\//);

    await client.close();
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false);
    expect(errors).toEqual([]);
    expect(stderr).toMatch(/MCP server on stdio/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
