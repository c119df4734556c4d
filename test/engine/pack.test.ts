import { cp, mkdtemp, readFile, rm, truncate, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PackError } from '../../src/engine/errors.js';
import { compareIo, readPack, verifyPack, type Pack } from '../../src/engine/models/pack.js';
import { createSession, type HostTensor, type Session } from '../../src/engine/runtime/ort.js';
import { mulberry32 } from '../helpers/mulberry32.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');

const random = mulberry32;

const f32 = (dims: number[], fill: (i: number) => number): HostTensor => {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  return { dtype: 'float32', dims, data };
};
const i64 = (dims: number[], fill: (i: number) => number): HostTensor => {
  const data = new BigInt64Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = BigInt(fill(i));
  return { dtype: 'int64', dims, data };
};
const allFinite = (tensor: HostTensor) => Array.from(tensor.data as Float32Array).every(Number.isFinite);

describe('the tiny pack', () => {
  let pack: Pack;
  const sessions = new Map<string, Session>();

  beforeAll(async () => {
    pack = await readPack(TINY);
    for (const graph of Object.keys(pack.manifest.graphs) as (keyof typeof pack.manifest.graphs)[]) {
      sessions.set(graph, await createSession(pack.graphFile(graph, 'fp32'), { provider: 'cpu' }));
    }
  });
  afterAll(async () => {
    for (const session of sessions.values()) await session.release();
  });

  it('passes a full verification: manifest, sha256 of every file, IO of every graph', async () => {
    const report = await verifyPack(pack);
    expect(report.pack).toBe('tiny');
    expect(report.graphs.map((g) => g.graph)).toEqual([
      'umt5_encoder',
      'ace_condition_encoder',
      'ace_dit_decoder',
      'dcae_encoder',
      'dcae_decoder',
      'vocoder',
    ]);
    expect(pack.manifest.erg.upstream_indices).toBe(false);
    expect(pack.manifest.langid).toBeNull();
  });

  // The whole text2music data flow of spec §1.1 once, through the real graphs, at two lengths and batches.
  it.each([
    { batch: 1, textLength: 5, lyricLength: 7, frames: 4 },
    { batch: 2, textLength: 11, lyricLength: 3, frames: 9 },
  ])('runs text → condition → DiT → DCAE → vocoder with the manifest shapes (%o)', async ({ batch, textLength, lyricLength, frames }) => {
    const rand = random(batch * 1000 + frames);
    const { constants, modules } = pack.manifest;
    const vocab = Number(modules.umt5?.vocab_size);
    const umt5Layers = Number(modules.umt5?.num_layers);
    const run = (graph: string, feeds: Record<string, HostTensor>) => sessions.get(graph)!.run(feeds);

    const text = await run('umt5_encoder', {
      input_ids: i64([batch, textLength], (i) => (i % textLength === textLength - 1 ? 1 : 3 + Math.floor(rand() * (vocab - 3)))),
      attention_mask: i64([batch, textLength], () => 1),
      q_scale: f32([batch, umt5Layers], () => 1),
    });
    const hidden = text.last_hidden_state!;
    expect(hidden.dims).toEqual([batch, textLength, constants.text_hidden_size]);

    const lyricLayers = Number((modules.transformer?.lyric_encoder as Record<string, unknown>).num_blocks);
    const lyricIds = [261, 259, 6683, 2, 259, 40, 2];
    const condition = await run('ace_condition_encoder', {
      text_hidden_states: hidden,
      text_attention_mask: i64([batch, textLength], () => 1),
      speaker_embeds: f32([batch, constants.speaker_embedding_dim], () => 0),
      lyric_token_ids: i64([batch, lyricLength], (i) => lyricIds[i % lyricLength % lyricIds.length]!),
      lyric_mask: i64([batch, lyricLength], () => 1),
      lyric_q_scale: f32([batch, lyricLayers], () => 1),
    });
    const sequence = 1 + textLength + lyricLength;
    expect(condition.encoder_hidden_states!.dims).toEqual([batch, sequence, Number(modules.transformer?.inner_dim)]);
    expect(condition.encoder_hidden_mask!.dims).toEqual([batch, sequence]);

    const ditLayers = Number(modules.transformer?.num_layers);
    const latentDims = [batch, constants.latent_channels, constants.latent_height, frames];
    const noise = f32(latentDims, () => rand() * 2 - 1);
    const velocity = (
      await run('ace_dit_decoder', {
        hidden_states: noise,
        timestep: f32([batch], () => 1000),
        attention_mask: f32([batch, frames], () => 1),
        encoder_hidden_states: condition.encoder_hidden_states!,
        encoder_hidden_mask: condition.encoder_hidden_mask!,
        cross_attn_q_scale: f32([batch, ditLayers], () => 1),
      })
    ).velocity!;
    expect(velocity.dims).toEqual(latentDims);
    expect(allFinite(velocity)).toBe(true);

    // One Euler step from σ=1 to 0: x0 = x − v.
    const x0 = f32(latentDims, (i) => (noise.data as Float32Array)[i]! - (velocity.data as Float32Array)[i]!);
    const mel = (await run('dcae_decoder', { latents: x0 })).mel!;
    const melFrames = frames * constants.dcae.downsample;
    expect(mel.dims).toEqual([batch, constants.channels, 128, melFrames]);
    expect(allFinite(mel)).toBe(true);

    const audio = (await run('vocoder', { mel: { ...mel, dims: [batch * constants.channels, 128, melFrames] } })).audio!;
    expect(audio.dims).toEqual([batch * constants.channels, 1, melFrames * constants.hop_length]);
    expect(melFrames * constants.hop_length).toBe(frames * constants.samples_per_frame);
    const samples = audio.data as Float32Array;
    expect(samples.every((s) => Number.isFinite(s) && Math.abs(s) <= 1)).toBe(true);
    expect(samples.some((s) => s !== 0)).toBe(true);

    const reencoded = (await run('dcae_encoder', { mel })).latents!;
    expect(reencoded.dims).toEqual(latentDims);
  });
});

describe('pack validation', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'acejam-pack-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  async function copyOfTiny(name: string): Promise<string> {
    const dir = join(scratch, name);
    await cp(TINY, dir, { recursive: true });
    return dir;
  }

  it('rejects a corrupted graph by its sha256, naming the file', async () => {
    const dir = await copyOfTiny('corrupt');
    const handle = await open(join(dir, 'vocoder.onnx'), 'r+');
    await handle.write(Buffer.from([0xff, 0x00, 0xff]), 0, 3, 1000);
    await handle.close();
    const pack = await readPack(dir);
    await expect(verifyPack(pack)).rejects.toThrow(/vocoder\.onnx does not match its sha256/);
  });

  it('rejects a truncated file at load, before any session opens', async () => {
    const dir = await copyOfTiny('truncated');
    await truncate(join(dir, 'ace_dit_decoder.onnx'), 1000);
    await expect(readPack(dir)).rejects.toThrow(/ace_dit_decoder\.onnx has 1000 bytes/);
  });

  it('rejects a manifest with a missing field, naming the field', async () => {
    const dir = await copyOfTiny('manifest');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    delete manifest.constants.max_frames;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(readPack(dir)).rejects.toThrow(/constants\.max_frames/);
    await expect(readPack(dir)).rejects.toBeInstanceOf(PackError);
  });

  it('rejects a manifest whose graph IO disagrees with the ONNX file, naming graph and axis', async () => {
    const dir = await copyOfTiny('io');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.graphs.vocoder.inputs[0].dims[1] = 64;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(verifyPack(await readPack(dir))).rejects.toThrow(/vocoder: input mel axis 1 is 128, manifest says 64/);
  });

  it('compares IO by name, dtype, rank and fixed versus symbolic dims', () => {
    const declared = [{ name: 'x', dtype: 'float32' as const, dims: ['B', 4] }];
    expect(compareIo('g', 'input', declared, [{ name: 'x', dtype: 'float32', dims: ['batch', 4] }])).toEqual([]);
    expect(compareIo('g', 'input', declared, [{ name: 'x', dtype: 'int64', dims: [2, 4] }])).toEqual([
      'g: input x is int64, manifest says float32',
      'g: input x axis 0 is 2, manifest says B',
    ]);
    expect(compareIo('g', 'input', declared, [{ name: 'y', dtype: 'float32', dims: ['B', 4] }])).toEqual([
      'g: input x is declared but the graph has y',
      'g: input y exists in the graph but not in the manifest',
    ]);
  });
});
