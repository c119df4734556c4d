/**
 * Flow-matching σ schedules, as ACE-Step's three schedulers build them (spec §2.1, §2.5, §2.6, §3.6, §10.1).
 *
 * Each scheduler is made with 1000 training steps and shift 3. Construction makes a float32 table
 * `s_k = linspace(1, σmax_arg·1000, 1000)/1000` (reversed) and shifts it with φ, keeping its ends
 * `σmax = φ(σmax_arg)` and `σmin = φ(0.001)`. `set_timesteps(N)` then spaces N points linearly between those
 * already-shifted ends in float64 and **shifts them again**, rounds to float32 and appends 0. The
 * functions here reproduce that arithmetic, including which steps are float32 and which float64, so
 * the σ values equal upstream's bit for bit (tests check the spec's numbers).
 *
 * Spec: ../shared/spec/acestep-v1.md §2.1, §2.5, §2.6, §3.6, §10.1, §13.
 */

const fround = Math.fround;
const TRAIN_STEPS = 1000;
const DEFAULT_SHIFT = 3;

/** Options shared by the schedule builders. */
export interface ScheduleOptions {
  /** Timestep shift; ACE-Step always uses 3. */
  shift?: number;
  /** The scheduler's `sigma_max` constructor argument, before shifting (1 by default; audio2audio: 1 − strength). */
  sigmaMax?: number;
}

/**
 * The timestep shift φ(s) = shift·s / (1 + (shift − 1)·s), in float64.
 *
 * @param s - an unshifted σ in [0, 1]
 * @param shift - 3 in ACE-Step
 */
export function shift(s: number, shift = DEFAULT_SHIFT): number {
  return (shift * s) / (1 + (shift - 1) * s);
}

/** φ evaluated in float32 arithmetic, one rounding per operation, as torch and numpy do on float32 arrays. */
function shiftF32(s: number, shiftBy: number): number {
  const k = fround(shiftBy);
  return fround(fround(k * s) / fround(1 + fround(fround(shiftBy - 1) * s)));
}

function assertSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`steps must be a non-negative integer, got ${String(steps)}`);
  }
}

function assertShift(value: number): void {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`shift must be a positive number, got ${String(value)}`);
}

/**
 * The ends of a scheduler's shifted training table: `σmax = φ(σmax_arg)` and `σmin = φ(0.001)`, in float32 as
 * upstream's constructor computes them (spec §2.1 "Init"). With the defaults: 1 and 0.0029940.
 */
export function scheduleBounds(opts: ScheduleOptions = {}): { sigmaMax: number; sigmaMin: number } {
  const k = opts.shift ?? DEFAULT_SHIFT;
  const sigmaMaxArg = opts.sigmaMax ?? 1;
  assertShift(k);
  if (!Number.isFinite(sigmaMaxArg) || sigmaMaxArg < 0 || sigmaMaxArg > 1) {
    throw new RangeError(`sigmaMax must be in [0, 1], got ${String(sigmaMaxArg)}`);
  }
  // The table runs from 1 (last entry) to σmax_arg·1000 (first entry); numpy sets both ends exactly, then
  // casts to float32 and torch divides by 1000 in float32.
  const first = fround(fround(sigmaMaxArg * TRAIN_STEPS) / TRAIN_STEPS);
  const last = fround(fround(1) / TRAIN_STEPS);
  return { sigmaMax: shiftF32(first, k), sigmaMin: shiftF32(last, k) };
}

/**
 * numpy's `linspace(start, stop, num)` in float64: `i·step + start` with `step = (stop − start)/(num − 1)`,
 * and the last point set to `stop` exactly.
 */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * The σ schedule of `set_timesteps(steps)`: `steps + 1` values from σ0 down to 0 (spec §2.1).
 *
 * `u = linspace(σmax·1000, σmin·1000, steps)/1000` in float64, shifted again (`σ = φ(u)`), rounded to float32,
 * then 0 appended. Defaults (shift 3, σmax_arg 1): N=60 → 1, 0.9943, 0.98847, …, 0.05739, 0.00893, 0.
 * Values are float32 numbers held in a Float64Array. `steps = 0` gives `[0]` (nothing to run).
 *
 * @param steps - number of Euler steps N (Heun makes 2N−1 model calls from the same list)
 */
export function flowMatchSigmas(steps: number, opts: ScheduleOptions = {}): Float64Array {
  assertSteps(steps);
  const k = opts.shift ?? DEFAULT_SHIFT;
  const { sigmaMax, sigmaMin } = scheduleBounds(opts);
  const t = linspace(sigmaMax * TRAIN_STEPS, sigmaMin * TRAIN_STEPS, steps);
  const out = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) out[i] = fround(shift(t[i]! / TRAIN_STEPS, k));
  out[steps] = 0;
  return out;
}

/**
 * The model's timestep input for each σ: `σ·1000` in float32, as upstream's `scheduler.timesteps`. The
 * trailing σ = 0 of a schedule is not a model call and is dropped.
 *
 * @param sigmas - a schedule from {@link flowMatchSigmas} or {@link ossSigmas} (ending in 0)
 */
export function toTimesteps(sigmas: Float64Array): Float64Array {
  const n = Math.max(0, sigmas.length - 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = fround(fround(sigmas[i]!) * TRAIN_STEPS);
  return out;
}

/**
 * Rounds a float32 to bfloat16 (round to nearest, ties to even), as a tensor cast to bf16 does.
 * NaN stays NaN.
 */
export function roundToBfloat16(value: number): number {
  if (Number.isNaN(value)) return value;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  const bits = view.getUint32(0);
  const rounded = ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  view.setUint32(0, rounded);
  return view.getFloat32(0);
}

/** Options of {@link ossSigmas}. */
export interface OssOptions {
  /** Timestep shift; ACE-Step always uses 3. */
  shift?: number;
  /**
   * The pipeline dtype the picked timesteps are stored in: `'bf16'` (ACE-Step's default, CUDA) rounds them
   * twice (the timestep, then the timestep/1000); `'fp32'` (ACE-Step on CPU/MPS or `ACE_PIPELINE_DTYPE=float32`)
   * keeps them. fp16 is not modelled.
   */
  dtype?: 'bf16' | 'fp32';
}

/**
 * "Optimal Steps" (OSS) schedule: `oss.length + 1` σ values ending in 0 (spec §2.6, §10.1).
 *
 * Upstream builds the normal schedule with `N = max(oss)` steps, takes `timesteps[k − 1]` for each 1-based k
 * into a tensor of the pipeline dtype (bf16: rounded), divides by 1000 in that dtype (rounded again), and
 * hands the result to `set_timesteps(sigmas=…)`, which **shifts it a second time** (float32 maths). Only
 * the Euler and PingPong schedulers accept custom sigmas; upstream's Heun raises on OSS.
 *
 * @param oss - 1-based step indices, e.g. `[16, 29, 52, 96, 129, 158, 172, 183, 189, 200]`
 */
export function ossSigmas(oss: readonly number[], opts: OssOptions = {}): Float64Array {
  if (oss.length === 0) throw new RangeError('oss must list at least one step');
  for (const k of oss) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`oss steps must be integers ≥ 1, got ${String(k)}`);
  }
  const k = opts.shift ?? DEFAULT_SHIFT;
  const bf16 = (opts.dtype ?? 'bf16') === 'bf16';
  const base = toTimesteps(flowMatchSigmas(Math.max(...oss), { shift: k }));
  const out = new Float64Array(oss.length + 1);
  oss.forEach((step, i) => {
    let t = base[step - 1]!;
    if (bf16) t = roundToBfloat16(t);
    let s = fround(t / TRAIN_STEPS);
    if (bf16) s = roundToBfloat16(s);
    out[i] = shiftF32(s, k);
  });
  out[oss.length] = 0;
  return out;
}

/**
 * The "omega" (granularity scale) logistic: ω' = 0.9 + 0.2 / (1 + e^(−0.1·ω)), in (0.9, 1.1)
 * (spec §2.5). ω = 10 → 1.0462117; ω = 0 → 1 (no rescale).
 */
export function omegaPrime(omega: number): number {
  return 0.9 + 0.2 / (1 + Math.exp(-0.1 * omega));
}

/**
 * Where audio2audio starts (spec §3.6, §10.1). With `s = 1 − strength` upstream builds a fresh scheduler with
 * `sigma_max = s`, runs `int(s·steps)` steps, noises the reference latent to `initSigma = φ(s)`
 * (`x = (1 − initSigma)·x_ref + initSigma·ε`), but the schedule's first σ is φ(φ(s)), a double shift. Strength
 * 0.5 at 60 steps: noised to 0.75, first model σ ≈ 0.90, 30 steps. Strength 1 gives 0 steps and `sigmas = [0]`.
 *
 * @param steps - the requested number of steps N
 * @param strength - `ref_audio_strength` in [0, 1]
 * @returns the schedule (`steps + 1` values ending in 0), the noise level of the initial latent, and N'
 */
export function audio2audioStart(
  steps: number,
  strength: number,
): { sigmas: Float64Array; initSigma: number; steps: number } {
  assertSteps(steps);
  if (!Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw new RangeError(`strength must be in [0, 1], got ${String(strength)}`);
  }
  const s = 1 - strength;
  const n = Math.trunc(s * steps);
  return { sigmas: flowMatchSigmas(n, { sigmaMax: s }), initSigma: scheduleBounds({ sigmaMax: s }).sigmaMax, steps: n };
}
