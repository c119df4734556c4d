/**
 * The DiT under several conditions in ONE session call: the batch rows are [items × condition] (for
 * example cond and uncond for B items = 2B rows), where upstream makes separate batch-1 calls (§2.2).
 * ERG-diffusion scales the cross-attention queries of the unconditional rows only (§2.4, §13).
 */
import type { Condition, Conditioning } from './conditioning.js';
import { queryScales } from './guidance/erg.js';
import type { PackGraphs } from './models/graphs.js';

export type ConditionName = 'cond' | 'uncond' | 'textOnly';

export interface DenoiserOptions {
  batch: number;
  frames: number;
  ditLayers: number;
  ergLayers: readonly number[];
  ergDiffusion: boolean;
  tau: number;
}

export class Denoiser {
  /** Number of DiT session calls made so far (the bench's "calls per song"). */
  calls = 0;

  constructor(
    private readonly graphs: PackGraphs,
    private readonly conditioning: Conditioning,
    private readonly options: DenoiserOptions,
  ) {}

  /** Velocities of `x` ([B,8,16,T]) at σ under each named condition, in the order asked. */
  async predict(x: Float32Array, sigma: number, names: readonly ConditionName[], conditioning: Conditioning = this.conditioning): Promise<Float32Array[]> {
    const { batch, frames, ditLayers } = this.options;
    const rows = batch * names.length;
    const itemSize = x.length / batch;
    const { sequence, width } = conditioning;
    const latents = new Float32Array(rows * itemSize);
    const hidden = new Float32Array(rows * sequence * width);
    const mask = new Float32Array(rows * sequence);
    const qScale = new Float32Array(rows * ditLayers);
    const ergScales = queryScales(ditLayers, this.options.ergLayers, this.options.ergDiffusion, this.options.tau);
    const plain = queryScales(ditLayers, this.options.ergLayers, false, this.options.tau);
    names.forEach((name, n) => {
      const condition = pick(conditioning, name);
      for (let b = 0; b < batch; b++) {
        const row = n * batch + b;
        latents.set(x.subarray(b * itemSize, (b + 1) * itemSize), row * itemSize);
        hidden.set(condition.hidden, row * sequence * width);
        mask.set(condition.mask, row * sequence);
        qScale.set(name === 'uncond' ? ergScales : plain, row * ditLayers);
      }
    });
    this.calls += 1;
    const velocity = await this.graphs.velocity({
      latents,
      timestep: new Float32Array(rows).fill(sigma * 1000),
      frames,
      hidden,
      mask,
      crossAttnQScale: qScale,
      batch: rows,
      sequence,
    });
    return names.map((_, n) => velocity.slice(n * batch * itemSize, (n + 1) * batch * itemSize));
  }
}

function pick(conditioning: Conditioning, name: ConditionName): Condition {
  if (name === 'textOnly') {
    if (!conditioning.textOnly) throw new Error('text-only condition was not encoded (double guidance is off)');
    return conditioning.textOnly;
  }
  return conditioning[name];
}
