/** Batched guidance (cond + uncond [+ text-only] in one DiT call) equals upstream's separate calls. */
import { resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { buildConditioning, type Conditioning } from '../../src/engine/conditioning.js';
import { Denoiser } from '../../src/engine/denoiser.js';
import { createLogger } from '../../src/engine/logger.js';
import { PackGraphs } from '../../src/engine/models/graphs.js';
import { readPack, type Pack } from '../../src/engine/models/pack.js';
import { GraphSessions } from '../../src/engine/models/sessions.js';
import { NoiseGenerator } from '../../src/engine/random.js';

const TINY = resolve(import.meta.dirname, '../../models/tiny');
let pack: Pack;
let sessions: GraphSessions;
let graphs: PackGraphs;

beforeAll(async () => {
  pack = await readPack(TINY);
  sessions = await GraphSessions.open(pack, loadConfig({ env: { ACEJAM_PACK: TINY } }), createLogger({ level: 'silent' }));
  graphs = new PackGraphs((graph, feeds) => sessions.run(graph, feeds));
});
afterAll(async () => {
  await sessions.close();
});

const tokens = { textIds: [20, 31, 44, 1], textMask: [1, 1, 1, 1], lyricIds: [261, 259, 6683, 2, 259, 40, 41, 2], lyricMask: [1, 1, 1, 1, 1, 1, 1, 1] };

async function conditioning(options: { ergTag: boolean; ergLyric: boolean; doubleGuidance: boolean }): Promise<Conditioning> {
  return buildConditioning(graphs, pack.manifest, tokens, options);
}

describe('denoiser', () => {
  it.each([
    { batch: 1, ergDiffusion: true },
    { batch: 2, ergDiffusion: false },
  ])('gives the same velocities batched as in separate calls (%o)', async ({ batch, ergDiffusion }) => {
    const frames = 9;
    const conditions = await conditioning({ ergTag: true, ergLyric: true, doubleGuidance: true });
    const denoiser = new Denoiser(graphs, conditions, {
      batch, frames, ditLayers: Number(pack.manifest.modules.transformer?.num_layers), ergLayers: pack.manifest.erg.dit_layers, ergDiffusion, tau: pack.manifest.erg.tau,
    });
    const x = new NoiseGenerator(5).normal(batch * 128 * frames);
    const batched = await denoiser.predict(x, 0.7, ['cond', 'textOnly', 'uncond']);
    for (const [index, name] of (['cond', 'textOnly', 'uncond'] as const).entries()) {
      const [separate] = await denoiser.predict(x, 0.7, [name]);
      let worst = 0;
      for (let i = 0; i < separate!.length; i++) worst = Math.max(worst, Math.abs(separate![i]! - batched[index]![i]!));
      expect(worst).toBeLessThan(1e-5);
    }
    expect(denoiser.calls).toBe(4);
  });

  it('builds the null condition of spec §2.3: zero text and lyric ids with the masks kept, or the weakened condition under ERG-lyric', async () => {
    const plain = await conditioning({ ergTag: true, ergLyric: false, doubleGuidance: false });
    const erg = await conditioning({ ergTag: true, ergLyric: true, doubleGuidance: false });
    expect(Array.from(plain.uncond.mask)).toEqual(Array.from(plain.cond.mask));
    expect(plain.uncond.mask.every((m) => m === 1)).toBe(true);
    const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]!) > 1e-6);
    expect(differs(plain.uncond.hidden, plain.cond.hidden)).toBe(true);
    expect(differs(erg.uncond.hidden, plain.uncond.hidden)).toBe(true);
    // The conditional branch does not depend on the ERG settings.
    expect(differs(erg.cond.hidden, plain.cond.hidden)).toBe(false);
    const flowEdit = await buildConditioning(graphs, pack.manifest, tokens, { ergTag: true, ergLyric: false, doubleGuidance: false, flowEditNull: true });
    const lyricStart = 1 + tokens.textIds.length;
    expect(Array.from(flowEdit.uncond.mask.slice(lyricStart))).toEqual(tokens.lyricIds.map(() => 0));
  });
});
