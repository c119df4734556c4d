/**
 * What a task mode hands the sampler: where the latent starts, on which σ schedule, and what stays
 * fixed. Each task file (text2music.ts, retake.ts, …) builds one of these; the sampler never branches
 * on the task itself.
 */
export type SamplingPlan = FlowPlan | RepaintPlan | FlowEditPlan;

/** text2music, retake, audio2audio: the scheduler (euler/heun/pingpong) from `init` over `sigmas`. */
export interface FlowPlan {
  kind: 'flow';
  frames: number;
  init: Float32Array; // [B,8,16,T]
  sigmas: Float64Array; // N+1 values ending in 0
  /** The step count the guidance interval is computed from (upstream's num_inference_steps). */
  intervalSteps: number;
}

/** repaint, extend: plain Euler from step `startStep`, replacing frames outside `frameMask` each step. */
export interface RepaintPlan {
  kind: 'repaint';
  frames: number;
  x0: Float32Array; // source latent (padded for extend), [B,8,16,T]
  z0: Float32Array; // fixed noise, [B,8,16,T]
  frameMask: Uint8Array; // 1 = regenerate, length T
  sigmas: Float64Array;
  startStep: number;
  intervalSteps: number;
  /** Source frames outside the generated window (extend past 240 s), re-attached after sampling. */
  reattach: { before: Float32Array | null; beforeFrames: number; after: Float32Array | null; afterFrames: number };
}

/** edit: FlowEdit (spec §3.5) between a source and a target condition. */
export interface FlowEditPlan {
  kind: 'flowedit';
  frames: number;
  source: Float32Array; // [B,8,16,T]
  sigmas: Float64Array;
  nMin: number; // first step run
  nMax: number; // first step of phase 2
  nAvg: number;
}

/** Latent frames of a duration, as upstream computes them: int(s·44100/512/8) (spec §1.9). */
export function framesOf(seconds: number): number {
  return Math.trunc((seconds * 44100) / 512 / 8);
}

/** Seconds of audio a frame count decodes to. */
export function secondsOf(frames: number): number {
  return (frames * 4096) / 44100;
}

/** Tile a single-item latent [1,8,16,T] over a batch. */
export function tileBatch(latent: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(latent.length * batch);
  for (let b = 0; b < batch; b++) out.set(latent, b * latent.length);
  return out;
}

/** Trigflow mixing cos θ·a + sin θ·b with θ = variance·π/2 (spec §3.2), in float32 like upstream. */
export function mixNoise(a: Float32Array, b: Float32Array, variance: number, mask?: (index: number) => boolean): Float32Array {
  const theta = Math.fround((variance * Math.PI) / 2);
  const c = Math.fround(Math.cos(theta));
  const s = Math.fround(Math.sin(theta));
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    out[i] = mask && !mask(i) ? a[i]! : Math.fround(Math.fround(c * a[i]!) + Math.fround(s * b[i]!));
  }
  return out;
}
