/**
 * Every random draw of a run, from per-item seeded generators (one stream per batch item, like
 * upstream's per-item torch generators), or from arrays the caller gives so a run can be compared
 * number for number with another implementation.
 */
import { InvalidInputError } from './errors.js';
import { NoiseGenerator, randomSeed } from './random.js';

export interface NoiseOverrides {
  /** The initial noise ε_a, [B,8,16,T] f32. */
  init?: Float32Array;
  /** The retake noise ε_b (retake, repaint, extend), [B,8,16,T] f32. */
  retake?: Float32Array;
  /** Every further draw (PingPong steps, FlowEdit forward noise), [K,B,8,16,T] f32, used in order. */
  steps?: Float32Array;
}

export class NoiseSource {
  readonly seeds: number[];
  readonly retakeSeeds: number[];
  private readonly main: NoiseGenerator[];
  private readonly retakeGenerators: NoiseGenerator[];
  private stepOffset = 0;

  constructor(
    private readonly batch: number,
    private readonly itemSize: number,
    seeds: readonly number[] | undefined,
    retakeSeeds: readonly number[] | undefined,
    private readonly overrides: NoiseOverrides = {},
  ) {
    this.seeds = fill(seeds, batch);
    this.retakeSeeds = fill(retakeSeeds, batch);
    this.main = this.seeds.map((seed) => new NoiseGenerator(seed));
    this.retakeGenerators = this.retakeSeeds.map((seed) => new NoiseGenerator(seed));
    for (const [name, array, multiple] of [
      ['init', overrides.init, false],
      ['retake', overrides.retake, false],
      ['steps', overrides.steps, true],
    ] as const) {
      if (!array) continue;
      const size = batch * itemSize;
      if (multiple ? array.length % size !== 0 || array.length === 0 : array.length !== size) {
        throw new InvalidInputError(`noise.${name}`, `has ${array.length} values; expected ${multiple ? 'a multiple of ' : ''}${size} ([${multiple ? 'K,' : ''}${batch},8,16,${itemSize / 128}])`);
      }
    }
  }

  /** ε_a: item b from seeds[b]. */
  initial(): Float32Array {
    return this.overrides.init ? this.overrides.init.slice() : this.draw(this.main);
  }

  /** ε_b: item b from retakeSeeds[b]. */
  retake(): Float32Array {
    return this.overrides.retake ? this.overrides.retake.slice() : this.draw(this.retakeGenerators);
  }

  /** A further draw: PingPong continues item 0's stream for the whole batch (upstream's generator[0]). */
  pingpong(): Float32Array {
    return this.nextOverride() ?? this.main[0]!.normal(this.batch * this.itemSize);
  }

  /** FlowEdit's forward noise, from the retake streams (upstream: "more diversity"). */
  edit(): Float32Array {
    return this.nextOverride() ?? this.draw(this.retakeGenerators);
  }

  private nextOverride(): Float32Array | null {
    const steps = this.overrides.steps;
    if (!steps) return null;
    const size = this.batch * this.itemSize;
    if (this.stepOffset + size > steps.length) {
      throw new InvalidInputError('noise.steps', `has ${steps.length / size} draws; the run needs more`);
    }
    const out = steps.slice(this.stepOffset, this.stepOffset + size);
    this.stepOffset += size;
    return out;
  }

  private draw(generators: NoiseGenerator[]): Float32Array {
    const out = new Float32Array(this.batch * this.itemSize);
    generators.forEach((generator, b) => generator.fillNormal(out.subarray(b * this.itemSize, (b + 1) * this.itemSize)));
    return out;
  }
}

function fill(seeds: readonly number[] | undefined, batch: number): number[] {
  const out = [...(seeds ?? [])].slice(0, batch);
  // Consecutive seeds for the missing items (Discord's "variants" are consecutive seeds), else random.
  while (out.length < batch) out.push(out.length > 0 ? (out[out.length - 1]! + 1) >>> 0 : randomSeed());
  return out;
}
