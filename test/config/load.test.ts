import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEFAULT_CONFIG_FILE, defaultDataDir, loadConfig } from '../../src/config/load.js';
import { ENV_VARS } from '../../src/config/schema.js';
import { AcejamError } from '../../src/engine/errors.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');
const HOME = { HOME: '/home/ada' };

/** The INVALID_INPUT error loadConfig throws, or a failure when it does not throw one. */
function configError(run: () => unknown): AcejamError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AcejamError);
    expect((error as AcejamError).code).toBe('INVALID_INPUT');
    return error as AcejamError;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'acejam-config-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('loadConfig defaults', () => {
  it('runs the bundled tiny pack on cpu with ONNX Runtime choosing threads', () => {
    expect(loadConfig({ env: HOME })).toEqual({
      packDir: TINY,
      dataDir: '/home/ada/.local/share/acejam',
      provider: 'cpu',
      deviceId: 0,
      allowCpuFallback: false,
      threads: 0,
      logLevel: 'info',
      storeUrl: null,
      concurrency: 1,
      maxQueued: 200,
      maxQueuedPerUser: 5,
      maxCostPerUser: 200000,
      jobTimeoutSeconds: 3600,
      retentionDays: 0,
      diskBudgetMb: 0,
      maxUploadBytes: 52428800,
    });
  });

  it('keeps data under $XDG_DATA_HOME when it is absolute, and ignores a relative one (XDG spec)', () => {
    expect(loadConfig({ env: { ...HOME, XDG_DATA_HOME: '/xdg/data' } }).dataDir).toBe('/xdg/data/acejam');
    expect(defaultDataDir({ ...HOME, XDG_DATA_HOME: 'relative/data' })).toBe('/home/ada/.local/share/acejam');
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ env: HOME });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { threads: number }).threads = 3;
    }).toThrow(TypeError);
  });

  it('reads config/default.json, which holds only fields the schema knows', async () => {
    const defaults = JSON.parse(await readFile(DEFAULT_CONFIG_FILE, 'utf8'));
    expect(Object.keys(defaults).sort()).toEqual([
      '$comment',
      'allowCpuFallback',
      'concurrency',
      'dataDir',
      'deviceId',
      'diskBudgetMb',
      'jobTimeoutSeconds',
      'logLevel',
      'maxCostPerUser',
      'maxQueued',
      'maxQueuedPerUser',
      'maxUploadBytes',
      'packDir',
      'provider',
      'retentionDays',
      'storeUrl',
      'threads',
    ]);
  });
});

describe('loadConfig from the environment', () => {
  it('reads every ACEJAM_* variable, normalising case and resolving relative paths against the cwd', () => {
    const config = loadConfig({
      env: {
        ...HOME,
        ACEJAM_PACK: 'models/custom',
        ACEJAM_DATA_DIR: '/srv/acejam',
        ACEJAM_PROVIDER: 'CUDA',
        ACEJAM_DEVICE_ID: '3',
        ACEJAM_ALLOW_CPU_FALLBACK: 'yes',
        ACEJAM_THREADS: '8',
        ACEJAM_LOG_LEVEL: 'Debug',
        ACEJAM_STORE_URL: 'redis://127.0.0.1:6399/2',
        ACEJAM_CONCURRENCY: '2',
        ACEJAM_MAX_QUEUED: '50',
        ACEJAM_MAX_QUEUED_PER_USER: '3',
        ACEJAM_MAX_COST_PER_USER: '99999',
        ACEJAM_JOB_TIMEOUT: '600',
        ACEJAM_RETENTION_DAYS: '30',
        ACEJAM_DISK_BUDGET_MB: '2048',
        ACEJAM_MAX_UPLOAD_BYTES: '1000000',
      },
    });
    expect(config).toEqual({
      packDir: resolve('models/custom'),
      dataDir: '/srv/acejam',
      provider: 'cuda',
      deviceId: 3,
      allowCpuFallback: true,
      threads: 8,
      logLevel: 'debug',
      storeUrl: 'redis://127.0.0.1:6399/2',
      concurrency: 2,
      maxQueued: 50,
      maxQueuedPerUser: 3,
      maxCostPerUser: 99999,
      jobTimeoutSeconds: 600,
      retentionDays: 30,
      diskBudgetMb: 2048,
      maxUploadBytes: 1000000,
    });
  });

  it.each([
    ['1', true],
    ['true', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['NO', false],
  ])('reads ACEJAM_ALLOW_CPU_FALLBACK=%s as %s', (value, expected) => {
    expect(loadConfig({ env: { ...HOME, ACEJAM_ALLOW_CPU_FALLBACK: value } }).allowCpuFallback).toBe(expected);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ env: { ...HOME, ACEJAM_THREADS: '', ACEJAM_PROVIDER: ' ' } })).toMatchObject({
      threads: 0,
      provider: 'cpu',
    });
  });

  it.each([
    ['ACEJAM_PROVIDER', 'gpu', 'must be one of cpu, cuda'],
    ['ACEJAM_DEVICE_ID', '-1', 'must be a whole number from 0 to 255'],
    ['ACEJAM_DEVICE_ID', '256', 'must be a whole number from 0 to 255'],
    ['ACEJAM_THREADS', 'four', "must be a whole number from 0 to 1024 (0 = ONNX Runtime's default)"],
    ['ACEJAM_THREADS', '2.5', "must be a whole number from 0 to 1024 (0 = ONNX Runtime's default)"],
    ['ACEJAM_THREADS', '5000', "must be a whole number from 0 to 1024 (0 = ONNX Runtime's default)"],
    ['ACEJAM_ALLOW_CPU_FALLBACK', 'maybe', 'must be one of 1, 0, true, false, yes, no, on, off'],
    ['ACEJAM_LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
  ])('rejects %s=%s naming the variable and what it accepts', (name, value, allowed) => {
    const error = configError(() => loadConfig({ env: { ...HOME, [name]: value } }));
    expect(error.message).toBe(
      `invalid configuration in the environment:\n  ${name}: ${allowed} (got ${JSON.stringify(value)})`,
    );
    expect(error.hint).toMatch(/config\/README\.md/);
  });

  it('reports every bad variable at once', () => {
    const error = configError(() => loadConfig({ env: { ...HOME, ACEJAM_PROVIDER: 'tpu', ACEJAM_THREADS: '-2' } }));
    expect(error.message.split('\n').slice(1)).toEqual([
      '  ACEJAM_PROVIDER: must be one of cpu, cuda (got "tpu")',
      `  ACEJAM_THREADS: must be a whole number from 0 to 1024 (0 = ONNX Runtime's default) (got "-2")`,
    ]);
  });

  it('documents every variable in config/README.md', async () => {
    const readme = await readFile(resolve(import.meta.dirname, '../../config/README.md'), 'utf8');
    for (const name of Object.keys(ENV_VARS)) expect(readme).toContain(`| \`${name}\``);
  });
});

describe('loadConfig from a file', () => {
  it('layers a file over the defaults, resolves its relative paths against the file, and lets the environment win', async () => {
    const file = join(scratch, 'local.json');
    await writeFile(
      file,
      JSON.stringify({ packDir: 'packs/big', threads: 2, provider: 'cuda', allowCpuFallback: true, dataDir: null }),
    );
    expect(loadConfig({ file, env: HOME })).toMatchObject({
      packDir: join(scratch, 'packs/big'),
      dataDir: '/home/ada/.local/share/acejam',
      threads: 2,
      provider: 'cuda',
      allowCpuFallback: true,
    });
    expect(loadConfig({ file, env: { ...HOME, ACEJAM_THREADS: '6', ACEJAM_PACK: '/abs/pack' } })).toMatchObject({
      threads: 6,
      packDir: '/abs/pack',
    });
  });

  it('rejects an unknown field and a wrong value, naming the file and the fields', async () => {
    const file = join(scratch, 'bad.json');
    await writeFile(file, JSON.stringify({ thread: 2, deviceId: 'zero' }));
    const error = configError(() => loadConfig({ file, env: HOME }));
    expect(error.message).toContain(`invalid configuration in ${file}:`);
    expect(error.message).toContain('deviceId: must be a whole number from 0 to 255 (got "zero")');
    expect(error.message).toMatch(/\(root\): Unrecognized key: "thread"/);
  });

  it('names a file that cannot be read or parsed', async () => {
    const missing = join(scratch, 'missing.json');
    expect(configError(() => loadConfig({ file: missing, env: HOME })).message).toMatch(
      new RegExp(`^cannot read config file ${missing}: ENOENT`),
    );
    const broken = join(scratch, 'broken.json');
    await writeFile(broken, '{ "threads": ');
    expect(configError(() => loadConfig({ file: broken, env: HOME })).message).toMatch(
      new RegExp(`^cannot read config file ${broken}: `),
    );
  });
});
