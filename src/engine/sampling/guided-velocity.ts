/**
 * The guided velocity at one loop index (spec §2.3): inside the guidance interval, the conditional and
 * unconditional (and text-only) predictions come from ONE batched DiT call and are combined by CFG, APG
 * (with its momentum carried across guided steps), CFG-zero* or double-condition guidance; outside it,
 * the conditional prediction alone.
 */
import type { Conditioning } from '../conditioning.js';
import type { Denoiser } from '../denoiser.js';
import { ApgMomentum, apg } from '../guidance/apg.js';
import { cfg } from '../guidance/cfg.js';
import { cfgZeroStar } from '../guidance/cfg-star.js';
import type { PlaneDims } from '../guidance/dims.js';
import { doubleConditionActive, doubleConditionGuidance } from '../guidance/double.js';
import { guidanceActive, guidanceInterval, inGuidanceInterval, scaleAt, type GuidanceInterval } from '../guidance/interval.js';

export interface GuidanceSettings {
  guidanceScale: number;
  cfgType: 'cfg' | 'apg' | 'cfg_star';
  guidanceInterval: number;
  guidanceIntervalDecay: number;
  minGuidanceScale: number;
  guidanceScaleText: number;
  guidanceScaleLyric: number;
}

export class GuidedVelocity {
  readonly interval: GuidanceInterval;
  readonly double: boolean;
  private readonly momentum = new ApgMomentum();

  /**
   * @param intervalSteps - the step count the interval is computed from (upstream: num_inference_steps,
   *   even for Heun whose loop counts 2N−1 calls, §10.5)
   */
  constructor(
    private readonly denoiser: Denoiser,
    private readonly settings: GuidanceSettings,
    intervalSteps: number,
    private readonly dims: PlaneDims,
    private readonly conditioning?: Conditioning,
  ) {
    this.interval = guidanceInterval(intervalSteps, settings.guidanceInterval);
    this.double = doubleConditionActive(settings.guidanceScaleText, settings.guidanceScaleLyric);
  }

  /** True when loop index `i` makes a guided (batched) call. */
  guided(i: number): boolean {
    return guidanceActive(this.settings.guidanceScale) && inGuidanceInterval(i, this.interval);
  }

  async at(i: number, x: Float32Array, sigma: number): Promise<Float32Array> {
    const s = this.settings;
    if (!this.guided(i)) {
      return (await this.denoiser.predict(x, sigma, ['cond'], this.conditioning))[0]!;
    }
    if (this.double) {
      const [cond, textOnly, uncond] = await this.denoiser.predict(x, sigma, ['cond', 'textOnly', 'uncond'], this.conditioning);
      return doubleConditionGuidance(cond!, textOnly!, uncond!, s.guidanceScaleText, s.guidanceScaleLyric);
    }
    const [cond, uncond] = await this.denoiser.predict(x, sigma, ['cond', 'uncond'], this.conditioning);
    const scale = scaleAt(i, { ...this.interval, scale: s.guidanceScale, minScale: s.minGuidanceScale, decay: s.guidanceIntervalDecay });
    switch (s.cfgType) {
      case 'apg':
        return apg(cond!, uncond!, scale, this.momentum, this.dims);
      case 'cfg':
        return cfg(cond!, uncond!, scale);
      case 'cfg_star':
        return cfgZeroStar(cond!, uncond!, scale, i, this.dims);
    }
  }
}
