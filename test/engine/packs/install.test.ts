import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AcejamError, CancelledError, PackError } from '../../../src/engine/errors.js';
import { manifestSchema, type PackManifest } from '../../../src/engine/models/manifest.js';
import { readPack } from '../../../src/engine/models/pack.js';
import { addPack, classifyPath, type InstallProgress } from '../../../src/engine/packs/install.js';
import { closeAfter, fileReaches, sendBytes, startPackServer, type PackServer } from './pack-server.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');
const manifestText = await readFile(join(TINY, 'manifest.json'), 'utf8');
const tinyManifest: PackManifest = manifestSchema.parse(JSON.parse(manifestText));
const fileBytes = (name: string) => readFile(join(TINY, name));
const totalBytes = tinyManifest.files.reduce((sum, f) => sum + f.bytes, 0);
const VOCODER = tinyManifest.files.find((f) => f.path === 'vocoder.onnx')!;

let server: PackServer;
let scratch: string;
let dataDir: string;

beforeAll(async () => {
  server = await startPackServer(TINY);
  scratch = await mkdtemp(join(tmpdir(), 'acejam-install-'));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});
let run = 0;
beforeEach(() => {
  dataDir = join(scratch, `data-${++run}`);
  server.requests.length = 0;
});

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function expectFullyInstalled(dir: string): Promise<void> {
  for (const entry of tinyManifest.files) expect(await sha256(join(dir, entry.path)), entry.path).toBe(entry.sha256);
  expect(await readFile(join(dir, 'manifest.json'), 'utf8')).toBe(manifestText);
}

describe('addPack from a URL', () => {
  it('downloads every file, reports progress up to the total, and renames the pack into place', async () => {
    const events: InstallProgress[] = [];
    const pack = await addPack(`${server.origin}/tiny/`, dataDir, { onProgress: (p) => events.push({ ...p }) });

    const dir = join(dataDir, 'packs', 'tiny');
    expect(pack).toMatchObject({
      name: 'tiny',
      dir,
      precisions: ['fp32'],
      bytes: totalBytes,
      sharedBytes: 0,
      bundled: false,
    });
    expect(pack.problem).toBeUndefined();
    await expectFullyInstalled(dir);
    expect(await readdir(join(dataDir, 'packs'))).toEqual(['tiny']); // no staging left behind
    expect((await readdir(dir)).filter((name) => name.endsWith('.part'))).toEqual([]);

    expect(events.at(-1)).toMatchObject({ bytesDone: totalBytes, bytesTotal: totalBytes, file: 'vocoder.onnx' });
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
    const finished = events.filter((e) => e.fileBytes === e.fileTotal).map((e) => e.file);
    expect(new Set(finished)).toEqual(new Set(tinyManifest.files.map((f) => f.path)));
    expect(server.requests.map((r) => r.path).sort()).toEqual(
      ['/tiny/manifest.json', ...tinyManifest.files.map((f) => `/tiny/${f.path}`)].sort(),
    );
  });

  it('accepts the manifest URL itself, and is a no-op when the same pack is installed again', async () => {
    await addPack(`${server.origin}/tiny/manifest.json`, dataDir);
    server.requests.length = 0;
    const again = await addPack(`${server.origin}/tiny`, dataDir);
    expect(again.name).toBe('tiny');
    expect(server.requests.map((r) => r.path)).toEqual(['/tiny/manifest.json']);
  });

  it('refuses to replace an installed pack of the same name with different contents', async () => {
    await addPack(`${server.origin}/tiny/`, dataDir);
    const other = { ...JSON.parse(manifestText), description: 'another tiny' };
    server.override('/other/manifest.json', (_req, res) => res.end(JSON.stringify(other)), { once: true });
    const error = await addPack(`${server.origin}/other/`, dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AcejamError);
    expect((error as AcejamError).message).toMatch(/a different pack named tiny is already installed/);
  });

  it('fails a truncated download naming the file, keeps the partial file, and resumes it with a Range request', async () => {
    const bytes = await fileBytes('vocoder.onnx');
    const part = join(dataDir, 'packs', '.staging', 'tiny', 'vocoder.onnx.part');
    server.override('/tiny/vocoder.onnx', closeAfter(100_000, () => fileReaches(part, 100_000))(bytes), { once: true });

    const error = await addPack(`${server.origin}/tiny/`, dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).message).toMatch(/^vocoder\.onnx: the transfer stopped at 100000 of 360748 bytes/);
    expect((error as PackError).hint).toMatch(/resumes/);
    expect((await stat(part)).size).toBe(100_000);
    await expect(stat(join(dataDir, 'packs', 'tiny'))).rejects.toThrow(/ENOENT/);

    server.requests.length = 0;
    const events: InstallProgress[] = [];
    const pack = await addPack(`${server.origin}/tiny/`, dataDir, { onProgress: (p) => events.push({ ...p }) });
    expect(pack.name).toBe('tiny');
    await expectFullyInstalled(pack.dir);
    // Only the interrupted file is fetched again, and only its missing tail.
    expect(server.requests).toEqual([
      { path: '/tiny/manifest.json', range: undefined },
      { path: '/tiny/vocoder.onnx', range: 'bytes=100000-' },
    ]);
    expect(events.at(-1)).toMatchObject({ bytesDone: totalBytes, bytesTotal: totalBytes });
    expect(VOCODER.bytes).toBe(bytes.length);
  });

  it('restarts a partial file from zero when the server ignores the Range request', async () => {
    const bytes = await fileBytes('vocoder.onnx');
    const part = join(dataDir, 'packs', '.staging', 'tiny', 'vocoder.onnx.part');
    server.override('/tiny/vocoder.onnx', closeAfter(50_000, () => fileReaches(part, 50_000))(bytes), { once: true });
    await expect(addPack(`${server.origin}/tiny/`, dataDir)).rejects.toThrow(
      /vocoder\.onnx: the transfer stopped at 50000/,
    );
    server.override('/tiny/vocoder.onnx', (req, res) => sendBytes(req, res, bytes, false), { once: true });
    const pack = await addPack(`${server.origin}/tiny/`, dataDir);
    await expectFullyInstalled(pack.dir);
    expect(server.requests.at(-1)).toEqual({ path: '/tiny/vocoder.onnx', range: 'bytes=50000-' });
  });

  it('detects a response that ends early without a Content-Length', async () => {
    const bytes = await fileBytes('dcae_decoder.onnx');
    server.override(
      '/tiny/dcae_decoder.onnx',
      (_req, res) => {
        res.writeHead(200); // chunked: the client cannot know the length
        res.end(bytes.subarray(0, 1234));
      },
      { once: true },
    );
    await expect(addPack(`${server.origin}/tiny/`, dataDir)).rejects.toThrow(
      /^dcae_decoder\.onnx: the transfer stopped at 1234 of 390040 bytes$/,
    );
  });

  it('refuses a file whose size at the source differs from the manifest, before downloading it', async () => {
    const bytes = await fileBytes('vocoder.onnx');
    server.override('/tiny/vocoder.onnx', (req, res) => sendBytes(req, res, bytes.subarray(0, 1000)), { once: true });
    await expect(addPack(`${server.origin}/tiny/`, dataDir)).rejects.toThrow(
      /^vocoder\.onnx: the source has 1000 bytes, the manifest says 360748 \(a different version of the pack\?\)$/,
    );
  });

  it('fails a corrupted file naming it, deletes the bad bytes, and downloads it afresh on retry', async () => {
    const bytes = Buffer.from(await fileBytes('vocoder.onnx'));
    bytes[1000] = bytes[1000]! ^ 0xff;
    server.override('/tiny/vocoder.onnx', (req, res) => sendBytes(req, res, bytes), { once: true });

    const error = await addPack(`${server.origin}/tiny/`, dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).message).toMatch(
      new RegExp(`^vocoder\\.onnx is corrupted: its sha256 is [0-9a-f]{64}, the manifest says ${VOCODER.sha256}$`),
    );
    const staging = join(dataDir, 'packs', '.staging', 'tiny');
    await expect(stat(join(staging, 'vocoder.onnx.part'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(staging, 'vocoder.onnx'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dataDir, 'packs', 'tiny'))).rejects.toThrow(/ENOENT/);

    server.requests.length = 0;
    const pack = await addPack(`${server.origin}/tiny/`, dataDir);
    await expectFullyInstalled(pack.dir);
    expect(server.requests.at(-1)).toEqual({ path: '/tiny/vocoder.onnx', range: undefined });
  });

  it.each([
    ['../escape.bin'],
    ['../../../../tmp/escape.bin'],
    ['sub/../../escape.bin'],
    ['/etc/passwd'],
    ['../tiny/../../escape.bin'],
    ['http://evil.example/x'],
  ])('refuses a manifest listing %s before fetching anything', async (path) => {
    const evil = JSON.parse(manifestText) as PackManifest;
    evil.name = 'evil';
    evil.files.push({ path, bytes: 3, sha256: '0'.repeat(64) });
    server.override('/evil/manifest.json', (_req, res) => res.end(JSON.stringify(evil)), { once: true });

    const error = await addPack(`${server.origin}/evil/`, dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackError);
    expect((error as PackError).message).toContain(`refusing file path ${JSON.stringify(path)}`);
    expect(server.requests.map((r) => r.path)).toEqual(['/evil/manifest.json']);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/); // nothing written at all
  });

  it('stops with CancelledError when its signal aborts, and resumes afterwards', async () => {
    const controller = new AbortController();
    const error = await addPack(`${server.origin}/tiny/`, dataDir, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.file === 'ace_dit_decoder.onnx' && p.fileBytes > 0) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).code).toBe('CANCELLED');
    const part = await stat(join(dataDir, 'packs', '.staging', 'tiny', 'ace_dit_decoder.onnx.part'));
    expect(part.size).toBeGreaterThan(0);

    server.requests.length = 0;
    const pack = await addPack(`${server.origin}/tiny/`, dataDir);
    await expectFullyInstalled(pack.dir);
    expect(server.requests.find((r) => r.path === '/tiny/ace_dit_decoder.onnx')?.range).toBe(`bytes=${part.size}-`);
    expect(server.requests.map((r) => r.path)).not.toContain('/tiny/ace_condition_encoder.onnx');
  });

  it('refuses a pack name that is not a plain folder name', async () => {
    const evil = { ...JSON.parse(manifestText), name: '../escape' };
    server.override('/evil/manifest.json', (_req, res) => res.end(JSON.stringify(evil)), { once: true });
    await expect(addPack(`${server.origin}/evil/`, dataDir)).rejects.toThrow(
      /pack name "\.\.\/escape" is not a safe folder name/,
    );
  });

  it('reports a missing pack as PACK_NOT_FOUND', async () => {
    const error = await addPack(`${server.origin}/nothing/here/`, dataDir).catch((e: unknown) => e);
    expect((error as AcejamError).code).toBe('PACK_NOT_FOUND');
    expect((error as AcejamError).message).toMatch(/manifest\.json answered HTTP 404/);
  });

  describe('a LoRA variant that shares the base pack vocoder', () => {
    const variant = JSON.parse(manifestText) as PackManifest;
    variant.name = 'tiny+variant';
    variant.graphs.vocoder.precisions.fp32 = {
      file: '../tiny/vocoder.onnx',
      files: ['../tiny/vocoder.onnx'],
      external_data: false,
    };
    variant.files = variant.files.map((f) => (f.path === 'vocoder.onnx' ? { ...f, path: '../tiny/vocoder.onnx' } : f));

    it('asks for the base pack first, then installs without fetching the shared file', async () => {
      server.override('/variant/manifest.json', (_req, res) => res.end(JSON.stringify(variant)));
      const error = await addPack(`${server.origin}/variant/`, dataDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PackError);
      expect((error as PackError).message).toMatch(/uses vocoder\.onnx of its base pack tiny, which is not installed/);
      expect((error as PackError).hint).toBe(`install the base pack first: acejam packs add ${server.origin}/tiny/`);

      await addPack(`${server.origin}/tiny/`, dataDir);
      server.requests.length = 0;
      const pack = await addPack(`${server.origin}/variant/`, dataDir);
      expect(pack).toMatchObject({
        name: 'tiny+variant',
        bytes: totalBytes - VOCODER.bytes,
        sharedBytes: VOCODER.bytes,
      });
      expect(server.requests.map((r) => r.path)).not.toContain('/variant/vocoder.onnx');
      expect(server.requests.filter((r) => r.path.includes('vocoder'))).toEqual([]);
      const loaded = await readPack(pack.dir);
      expect(loaded.graphFile('vocoder', 'fp32')).toBe(join(dataDir, 'packs', 'tiny', 'vocoder.onnx'));
    });
  });
});

describe('addPack from a folder', () => {
  it('copies and checks every file', async () => {
    const pack = await addPack(TINY, dataDir);
    expect(pack).toMatchObject({ name: 'tiny', bytes: totalBytes, bundled: false });
    await expectFullyInstalled(pack.dir);
  });

  it('names a folder without a manifest as PACK_NOT_FOUND', async () => {
    const error = await addPack(scratch, dataDir).catch((e: unknown) => e);
    expect((error as AcejamError).code).toBe('PACK_NOT_FOUND');
    expect((error as AcejamError).message).toContain(`${scratch} is not a pack folder`);
  });
});

describe('classifyPath', () => {
  it('keeps paths inside the pack and recognises ../<base>/<file>', () => {
    expect(classifyPath('p', 'vocoder.onnx')).toEqual({ kind: 'own', path: 'vocoder.onnx' });
    expect(classifyPath('p', 'sub/dir/x.onnx.data')).toEqual({ kind: 'own', path: 'sub/dir/x.onnx.data' });
    expect(classifyPath('p', '../ace-step-v1/ace_dit_decoder.onnx')).toEqual({
      kind: 'base',
      base: 'ace-step-v1',
      path: 'ace_dit_decoder.onnx',
    });
  });

  it.each([
    '../x',
    '..',
    '../..',
    '../../x/y',
    './x',
    'a//b',
    'a\\b',
    'C:/x',
    '/abs',
    'a/../../b',
    '../.hidden/x',
    'file:///etc/passwd',
  ])('refuses %s', (path) => {
    expect(() => classifyPath('p', path)).toThrow(PackError);
  });
});
