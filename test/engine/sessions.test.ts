import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { AcejamError, PackError } from '../../src/engine/errors.js';
import { createLogger, type Logger } from '../../src/engine/logger.js';
import { readPack, type Pack } from '../../src/engine/models/pack.js';
import { choosePrecision, GraphSessions } from '../../src/engine/models/sessions.js';
import type { HostTensor } from '../../src/engine/runtime/ort.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');

const config = (overrides: Partial<Config> = {}): Config =>
  Object.freeze({
    ...loadConfig({ env: {} }),
    packDir: TINY,
    dataDir: '/nonexistent',
    provider: 'cpu',
    deviceId: 0,
    allowCpuFallback: false,
    threads: 1,
    logLevel: 'debug',
    ...overrides,
  });

/** A logger whose JSON lines land in an array. */
function capture(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

/** The vocoder's feeds: a [2,128,4] log-mel of a constant. */
const vocoderFeeds = (): Record<string, HostTensor> => ({
  mel: { dtype: 'float32', dims: [2, 128, 4], data: new Float32Array(2 * 128 * 4).fill(-4) },
});

let pack: Pack;
let scratch: string;
beforeAll(async () => {
  pack = await readPack(TINY);
  scratch = await mkdtemp(join(tmpdir(), 'acejam-sessions-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('GraphSessions on cpu', () => {
  it('opens no session until a graph first runs, then reuses it', async () => {
    const { logger, lines } = capture();
    const sessions = await GraphSessions.open(pack, config(), logger);
    try {
      expect(sessions.provider).toBe('cpu');
      expect(sessions.precision).toBe('fp32');
      expect(sessions.openGraphs).toEqual([]);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 30, provider: 'cpu', requested: 'cpu', precision: 'fp32', pack: 'tiny' }),
      );

      const first = await sessions.run('vocoder', vocoderFeeds());
      expect(Object.keys(first)).toEqual(['audio']);
      expect(first.audio!.dims).toEqual([2, 1, 4 * 512]);
      expect(sessions.openGraphs).toEqual(['vocoder']);
      const second = await sessions.run('vocoder', vocoderFeeds());
      expect(Array.from(second.audio!.data as Float32Array)).toEqual(Array.from(first.audio!.data as Float32Array));
      expect(lines.filter((line) => line.msg === 'session opened').map((line) => line.graph)).toEqual(['vocoder']);

      await sessions.run('dcae_decoder', {
        latents: { dtype: 'float32', dims: [1, 8, 16, 2], data: new Float32Array(256) },
      });
      expect(sessions.openGraphs).toEqual(['dcae_decoder', 'vocoder']);
    } finally {
      await sessions.close();
    }
    await expect(sessions.run('vocoder', vocoderFeeds())).rejects.toThrow(/the sessions are closed/);
  });

  it('names a missing, an extra and a mistyped input as MODEL_ERROR, before opening the graph', async () => {
    const sessions = await GraphSessions.open(pack, config(), capture().logger);
    try {
      const reject = (feeds: Record<string, HostTensor>) =>
        sessions.run('vocoder', feeds).catch((e: unknown) => e as AcejamError);
      const missing = await reject({});
      expect(missing).toBeInstanceOf(AcejamError);
      expect(missing.code).toBe('MODEL_ERROR');
      expect(missing.message).toBe('graph vocoder: input mel is missing (expects mel)');
      const extra = await reject({ ...vocoderFeeds(), speaker: vocoderFeeds().mel! });
      expect(extra.message).toBe('graph vocoder: unexpected input speaker (expects mel)');
      const dtype = await reject({ mel: { dtype: 'int64', dims: [1, 128, 1], data: new BigInt64Array(128) } });
      expect(dtype.message).toBe('graph vocoder: input mel is int64, expects float32');
      const dims = await reject({ mel: { dtype: 'float32', dims: [1, 64, 2], data: new Float32Array(128) } });
      expect(dims.message).toBe('graph vocoder: input mel has dims [1,64,2], expects [N,128,F]');
      expect(sessions.openGraphs).toEqual([]);
    } finally {
      await sessions.close();
    }
  });

  it('throws PackError naming the graph when its file disagrees with the manifest', async () => {
    const dir = join(scratch, 'io');
    await cp(TINY, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.graphs.vocoder.outputs[0].name = 'waveform';
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));

    const sessions = await GraphSessions.open(await readPack(dir), config(), capture().logger);
    try {
      const error = await sessions.run('vocoder', vocoderFeeds()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PackError);
      expect((error as PackError).message).toMatch(
        /^pack tiny: graph vocoder \(fp32\) does not match the manifest: vocoder: output waveform is declared but the graph has audio; vocoder: output audio exists/,
      );
      expect(sessions.openGraphs).toEqual([]); // a failed open is not cached
      // The other graphs are unaffected.
      const mel = await sessions.run('dcae_decoder', {
        latents: { dtype: 'float32', dims: [1, 8, 16, 1], data: new Float32Array(128) },
      });
      expect(mel.mel!.dims).toEqual([1, 2, 128, 8]);
    } finally {
      await sessions.close();
    }
  });
});

// CUDA cannot be installed for onnxruntime-node on acejam's machines (no NuGet access, no GPU), so asking
// for it exercises the real failure path here.
describe('GraphSessions asked for cuda where CUDA cannot start', () => {
  it('fails with PROVIDER_UNAVAILABLE naming the provider and how to fall back', async () => {
    const error = await GraphSessions.open(pack, config({ provider: 'cuda', deviceId: 0 }), capture().logger).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AcejamError);
    expect((error as AcejamError).code).toBe('PROVIDER_UNAVAILABLE');
    expect((error as AcejamError).message).toMatch(/^the cuda execution provider is unavailable \(device 0\): .*Cuda/);
    expect((error as AcejamError).hint).toMatch(/ACEJAM_ALLOW_CPU_FALLBACK=1/);
  });

  it('with allowCpuFallback, warns and runs on cpu, and reports cpu', async () => {
    const { logger, lines } = capture();
    const sessions = await GraphSessions.open(pack, config({ provider: 'cuda', allowCpuFallback: true }), logger);
    try {
      expect(sessions.provider).toBe('cpu');
      expect(sessions.precision).toBe('fp32');
      expect(lines).toContainEqual(expect.objectContaining({ level: 40, requested: 'cuda', provider: 'cpu' }));
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 30, requested: 'cuda', provider: 'cpu', msg: 'graphs run on cpu (fp32)' }),
      );
      const out = await sessions.run('vocoder', vocoderFeeds());
      expect(out.audio!.dims).toEqual([2, 1, 2048]);
    } finally {
      await sessions.close();
    }
  });
});

describe('choosePrecision', () => {
  const withFp16 = (graphs: readonly string[]): Pack => {
    const manifest = structuredClone(pack.manifest);
    for (const graph of graphs) {
      const entry = manifest.graphs[graph as keyof typeof manifest.graphs];
      entry.precisions.fp16 = { file: `${graph}.fp16.onnx`, files: [`${graph}.fp16.onnx`], external_data: false };
    }
    return { ...pack, manifest };
  };

  it('prefers fp16 on cuda and fp32 on cpu when every graph has both', () => {
    const both = withFp16(Object.keys(pack.manifest.graphs));
    expect(choosePrecision(both, 'cuda')).toBe('fp16');
    expect(choosePrecision(both, 'cpu')).toBe('fp32');
  });

  it('uses fp32 on cuda when one graph lacks fp16', () => {
    expect(choosePrecision(withFp16(['umt5_encoder', 'vocoder']), 'cuda')).toBe('fp32');
    expect(choosePrecision(pack, 'cuda')).toBe('fp32');
  });

  it('uses fp16 on cpu for a pack that has only fp16, and refuses a pack with neither for every graph', () => {
    const only16 = withFp16(Object.keys(pack.manifest.graphs));
    for (const entry of Object.values(only16.manifest.graphs)) delete entry.precisions.fp32;
    expect(choosePrecision(only16, 'cpu')).toBe('fp16');
    delete only16.manifest.graphs.vocoder.precisions.fp16;
    expect(() => choosePrecision(only16, 'cpu')).toThrow(/no precision \(fp32 or fp16\) is present for every graph/);
  });
});
