import { cp, mkdir, mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addPack } from '../../../src/engine/packs/install.js';
import { BUNDLED_PACK_DIR, listPacks } from '../../../src/engine/packs/list.js';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');
const tinyManifest = JSON.parse(await readFile(join(TINY, 'manifest.json'), 'utf8')) as {
  files: { bytes: number }[];
  description: string;
};
const TINY_BYTES = tinyManifest.files.reduce((sum, f) => sum + f.bytes, 0);
const GRAPHS = ['umt5_encoder', 'ace_condition_encoder', 'ace_dit_decoder', 'dcae_encoder', 'dcae_decoder', 'vocoder'];

describe('listPacks', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'acejam-list-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('lists only the bundled tiny pack when nothing is installed (the data folder need not exist)', async () => {
    const packs = await listPacks(join(scratch, 'does-not-exist'));
    expect(packs).toEqual([
      {
        name: 'tiny',
        description: tinyManifest.description,
        dir: TINY,
        graphs: GRAPHS,
        precisions: ['fp32'],
        bytes: TINY_BYTES,
        sharedBytes: 0,
        bundled: true,
      },
    ]);
    expect(BUNDLED_PACK_DIR).toBe(TINY);
  });

  it('lists installed packs by name after the bundled one, flags a broken one, and skips downloads in progress', async () => {
    const dataDir = join(scratch, 'data');
    await addPack(TINY, dataDir);
    await cp(TINY, join(dataDir, 'packs', 'broken'), { recursive: true });
    await truncate(join(dataDir, 'packs', 'broken', 'vocoder.onnx'), 10);
    await mkdir(join(dataDir, 'packs', '.staging', 'half-done'), { recursive: true });

    const packs = await listPacks(dataDir);
    expect(packs.map((p) => [p.name, p.bundled, p.dir])).toEqual([
      ['tiny', true, TINY],
      ['broken', false, join(dataDir, 'packs', 'broken')],
      ['tiny', false, join(dataDir, 'packs', 'tiny')],
    ]);
    expect(packs[1]!.problem).toMatch(/vocoder\.onnx has 10 bytes, the manifest says 360748/);
    expect(packs[2]).toMatchObject({ precisions: ['fp32'], bytes: TINY_BYTES, graphs: GRAPHS });
    expect(packs[2]!.problem).toBeUndefined();
  });
});
