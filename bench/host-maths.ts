/**
 * Host-side maths of one guided sampling step at full length, timed against a 1 ms budget.
 *
 * At T = 2583 frames (240 s), batch 1, a step does: APG guidance (momentum, per-plane clip, float64
 * projection), the Euler update with omega (whole-tensor mean), and a repaint-style mask blend
 * `x = mask ? x : (1 − σ)·x0 + σ·z0`. Buffers are allocated once and reused through the `out` parameters,
 * as a sampling loop would. JavaScript runs this on one thread (one core). The wall-clock median is the figure
 * compared with the target; other load on the machine inflates it, so the load average is printed too.
 *
 * Run: npx tsx bench/host-maths.ts [iterations]
 */

import { cpus, loadavg } from 'node:os';

import { ApgMomentum, apg } from '../src/engine/guidance/apg.js';
import { NoiseGenerator } from '../src/engine/random.js';
import { eulerStep } from '../src/engine/schedulers/euler.js';
import { repaintBlend } from '../src/engine/schedulers/renoise.js';
import { flowMatchSigmas, omegaPrime } from '../src/engine/schedulers/schedule.js';

const FRAMES = 2583;
const BATCH = 1;
const CHANNELS = 8;
const HEIGHT = 16;
const TARGET_MS = 1;
const WARMUP = 10;
const iterations = Number(process.argv[2] ?? 50);

const size = BATCH * CHANNELS * HEIGHT * FRAMES;
const dims = { batch: BATCH, channels: CHANNELS, plane: HEIGHT * FRAMES };
const noise = new NoiseGenerator(1);
const cond = noise.normal(size);
const uncond = noise.normal(size);
for (let i = 0; i < size; i++) uncond[i] = cond[i]! + 0.3 * uncond[i]!; // a realistic, clipped Δ
const x0 = noise.normal(size);
const z0 = noise.normal(size);
let x: Float32Array = noise.normal(size);
let xNext: Float32Array = new Float32Array(size);
const v = new Float32Array(size);
const mask = new Uint8Array(FRAMES);
mask.fill(1, 600, 1800); // regenerate 1200 frames, keep the rest

const sigmas = flowMatchSigmas(60);
const w = omegaPrime(10);
const momentum = new ApgMomentum();

function step(i: number): void {
  const k = 15 + (i % 30); // inside the default guidance interval
  const sigma = sigmas[k]!;
  const sigmaNext = sigmas[k + 1]!;
  apg(cond, uncond, 15, momentum, dims, { out: v });
  eulerStep(x, v, sigma, sigmaNext, w, xNext);
  repaintBlend(xNext, x0, z0, mask, sigmaNext, xNext);
  const previous = x;
  x = xNext;
  xNext = previous;
}

/** Wall-clock and CPU time (user + system, this process) of one call, in ms. */
function measure(fn: () => void): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - wall0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e3 };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

for (let i = 0; i < WARMUP; i++) step(i);

// Whole step: the figure compared with the target.
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < iterations; i++) {
  const t = measure(() => step(i));
  wall.push(t.wall);
  cpu.push(t.cpu);
}

// Breakdown, wall-clock.
const parts = { apg: [] as number[], euler: [] as number[], blend: [] as number[] };
for (let i = 0; i < iterations; i++) {
  const k = 15 + (i % 30);
  const sigma = sigmas[k]!;
  const sigmaNext = sigmas[k + 1]!;
  parts.apg.push(measure(() => apg(cond, uncond, 15, momentum, dims, { out: v })).wall);
  parts.euler.push(measure(() => eulerStep(x, v, sigma, sigmaNext, w, xNext)).wall);
  parts.blend.push(measure(() => repaintBlend(xNext, x0, z0, mask, sigmaNext, xNext)).wall);
  const previous = x;
  x = xNext;
  xNext = previous;
}

const total = median(wall);
const [load1] = loadavg();
console.log(
  `host maths, one guided step: T=${FRAMES}, batch ${BATCH}, ${size} values, ${iterations} iterations, one thread`,
);
console.log(`  apg             ${median(parts.apg).toFixed(3)} ms`);
console.log(`  euler + omega   ${median(parts.euler).toFixed(3)} ms`);
console.log(`  repaint blend   ${median(parts.blend).toFixed(3)} ms`);
console.log(`  step, wall      ${total.toFixed(3)} ms median (min ${Math.min(...wall).toFixed(3)})`);
console.log(`  step, CPU time  ${median(cpu).toFixed(3)} ms median`);
console.log(
  `  ratio to the ${TARGET_MS} ms target: ${(total / TARGET_MS).toFixed(2)} (load average ${load1!.toFixed(2)} on ${cpus().length} CPUs)`,
);
if (!Number.isFinite(x[0]!)) throw new Error('non-finite latent');
