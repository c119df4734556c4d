import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatBytes, runPacksCommand, type CommandIo } from '../../../src/cli/commands/packs.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');

function io(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), isTTY: false };
}

let scratch: string;
let config: Config;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'acejam-cli-packs-'));
  config = Object.freeze({
    ...loadConfig({ env: {} }),
    packDir: TINY,
    dataDir: join(scratch, 'data'),
    provider: 'cpu',
    deviceId: 0,
    allowCpuFallback: false,
    threads: 1,
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('acejam packs', () => {
  it('adds a pack with a plain progress line per file, then lists it and verifies it by name', async () => {
    const add = io();
    expect(await runPacksCommand(['add', TINY], config, add)).toBe(0);
    const dir = join(config.dataDir, 'packs', 'tiny');
    expect(add.stdout[0]).toBe(`installed pack tiny (fp32, 5.7 MB) at ${dir}`);
    expect(add.stderr[0]).toBe(`installing ${TINY} into ${join(config.dataDir, 'packs')}`);
    expect(add.stderr.slice(1)).toHaveLength(10);
    expect(add.stderr.at(-1)).toBe('vocoder.onnx: 360.7 kB done (100% of 5.7 MB)');

    const list = io();
    expect(await runPacksCommand(['list'], config, list)).toBe(0);
    expect(list.stdout.filter((line) => !line.startsWith('    '))).toEqual([
      `* tiny  fp32  5.7 MB  ${TINY} (bundled)`,
      `  tiny  fp32  5.7 MB  ${dir}`,
    ]);

    const verify = io();
    expect(await runPacksCommand(['verify', 'tiny'], config, verify)).toBe(0);
    expect(verify.stdout[0]).toBe('pack tiny: manifest valid, 10 files match their sha256');
    expect(verify.stdout).toContain('  vocoder (fp32): 1 inputs, 1 outputs match the manifest');
  });

  it('prints an AcejamError with its code and exits 1', async () => {
    const out = io();
    expect(await runPacksCommand(['verify', 'no-such-pack'], config, out)).toBe(1);
    expect(out.stderr).toEqual([
      'error (PACK_NOT_FOUND): no-such-pack is neither a pack folder nor an installed pack\nhint: see `acejam packs list`',
    ]);
  });

  it.each([[[]], [['add']], [['list', 'extra']], [['remove', 'tiny']]])(
    'prints the usage and exits 64 for %j',
    async (argv) => {
      const out = io();
      expect(await runPacksCommand(argv, config, out)).toBe(64);
      expect(out.stderr[0]).toMatch(/^usage:\n {2}acejam packs list/);
    },
  );

  it('formats sizes in decimal units', () => {
    expect([formatBytes(132), formatBytes(360_748), formatBytes(5_700_000), formatBytes(12.6e9)]).toEqual([
      '132 B',
      '360.7 kB',
      '5.7 MB',
      '12.6 GB',
    ]);
  });
});
