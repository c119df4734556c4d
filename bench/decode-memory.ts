/**
 * Decode memory vs duration (spec §5.2 overlapped decode):
 * `npx tsx bench/decode-memory.ts [--pack DIR] [--latent-window N] [--vocoder-window N] [--single]`.
 *
 * Decodes a random 30 s latent (T = 322) and a random 240 s latent (T = 2583) on the tiny pack with
 * the windowed decoder's defaults (DCAE windows of 512 latent frames, vocoder windows of 512 mel
 * frames), each in its own child process, and prints each child's peak RSS (getrusage maxrss) and
 * its peak JS heap + external + array buffers (sampled after every model call), and the 240 s / 30 s
 * ratio against the 1.3× target. The returned audio (2 × 4096·T float32: 10.6 MB at 30 s, 84.6 MB at
 * 240 s) is part of both peaks, since the result has to exist; the "excess" lines subtract it.
 * `--single` adds a 240 s run with windows larger than the input (one DCAE and one vocoder call), to
 * show what windowing saves (needs a lot more memory). `--latent-window` / `--vocoder-window` override
 * the window sizes (latent frames / mel frames).
 *
 * Reading the numbers: RSS = process baseline (node + ORT + sessions) + ORT's working memory for the
 * largest window shapes + the returned audio. ORT's CPU arena with memory patterns keeps the chunks
 * of a shape's first run and allocates one pattern block from its second run on, so a graph that runs
 * twice or more at a shape holds about twice its activations; at 30 s the DCAE runs once (T = 322 is
 * below the 512-frame window) and at 240 s ten times. The "working set" line shows this part.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decodeLatents, type DecodeGraphs } from '../src/engine/audio/decode.js';
import { readPack } from '../src/engine/models/pack.js';
import { createSession } from '../src/engine/runtime/ort.js';

const TARGET = 1.3;
const MB = 1024 * 1024;

interface ChildResult {
  frames: number;
  single: boolean;
  maxRssBytes: number;
  baselineRssBytes: number;
  peakJsBytes: number;
  outputBytes: number;
  seconds: number;
  calls: number;
}

/** Standard normals from a seeded xorshift + Box–Muller (the content does not matter, only the size). */
function randomLatent(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return (state + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

interface Windows {
  latentWindow?: number;
  vocoderWindow?: number;
}

async function child(frames: number, single: boolean, packDir: string, windows: Windows): Promise<void> {
  const pack = await readPack(packDir);
  // As GraphSessions opens them: the windowed decode graphs run without ORT's memory arena.
  const decoder = await createSession(pack.graphFile('dcae_decoder', 'fp32'), { provider: 'cpu', memoryArena: false });
  const vocoder = await createSession(pack.graphFile('vocoder', 'fp32'), { provider: 'cpu', memoryArena: false });
  const graphs: DecodeGraphs = {
    dcaeDecoder: async (lat, b, t) => (await decoder.run({ latents: { dtype: 'float32', dims: [b, 8, 16, t], data: lat } })).mel!.data as Float32Array,
    vocoder: async (mel, n, f) => (await vocoder.run({ mel: { dtype: 'float32', dims: [n, 128, f], data: mel } })).audio!.data as Float32Array,
  };
  const latent = randomLatent(128 * frames, 1234);
  const js = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  const baselineRssBytes = process.memoryUsage().rss;
  let peakJsBytes = js();
  let calls = 0;
  const started = performance.now();
  const audio = await decodeLatents(latent, 1, frames, graphs, {
    ...(single
      ? { latentWindow: 4 * Math.ceil((frames + 1) / 4), vocoder: { window: 8 * frames + 1 } }
      : {
          ...(windows.latentWindow ? { latentWindow: windows.latentWindow } : {}),
          ...(windows.vocoderWindow ? { vocoder: { window: windows.vocoderWindow } } : {}),
        }),
    onProgress: (done) => {
      calls = done;
      peakJsBytes = Math.max(peakJsBytes, js());
    },
  });
  const seconds = (performance.now() - started) / 1000;
  peakJsBytes = Math.max(peakJsBytes, js());
  const outputBytes = audio.flat().reduce((a, c) => a + c.byteLength, 0);
  if (outputBytes !== 2 * 4 * 4096 * frames) throw new Error(`decode returned ${outputBytes} bytes for ${frames} frames`);
  const result: ChildResult = {
    frames,
    single,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes,
    peakJsBytes,
    outputBytes,
    seconds,
    calls,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await decoder.release();
  await vocoder.release();
}

function runChild(frames: number, single: boolean, packDir: string, windows: Windows): ChildResult {
  const script = fileURLToPath(import.meta.url);
  const extra = [
    ...(windows.latentWindow ? ['--latent-window', String(windows.latentWindow)] : []),
    ...(windows.vocoderWindow ? ['--vocoder-window', String(windows.vocoderWindow)] : []),
  ];
  const run = spawnSync(process.execPath, [...process.execArgv, script, '--child', String(frames), single ? '--single' : '--windowed', '--pack', packDir, ...extra], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (run.status !== 0) throw new Error(`child for T=${frames} failed (${run.status ?? run.signal}):\n${run.stderr}`);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ChildResult;
}

function describe(label: string, r: ChildResult): string {
  const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
  return [
    `${label}: T=${r.frames} (${((r.frames * 4096) / 44100).toFixed(1)} s), ${r.calls} model calls, ${r.seconds.toFixed(1)} s`,
    `  peak RSS ${mb(r.maxRssBytes)} (after loading the sessions: ${mb(r.baselineRssBytes)}), output ${mb(r.outputBytes)}`,
    `  working set (peak RSS − baseline − output) ${mb(r.maxRssBytes - r.baselineRssBytes - r.outputBytes)}`,
    `  peak JS heap+external+arrayBuffers ${mb(r.peakJsBytes)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const packIndex = args.indexOf('--pack');
  const packDir = resolve(packIndex >= 0 ? args[packIndex + 1]! : resolve(import.meta.dirname, '../models/tiny'));
  const flag = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const windows: Windows = { latentWindow: flag('--latent-window'), vocoderWindow: flag('--vocoder-window') };
  if (args[0] === '--child') {
    await child(Number(args[1]), args[2] === '--single', packDir, windows);
    return;
  }
  const short = runChild(322, false, packDir, windows);
  const long = runChild(2583, false, packDir, windows);
  console.log(
    `decode memory on ${packDir}: windowed decode, DCAE windows ${windows.latentWindow ?? 512} latent frames, vocoder windows ${windows.vocoderWindow ?? 512} mel frames`,
  );
  console.log(describe('30 s', short));
  console.log(describe('240 s', long));
  const rss = long.maxRssBytes / short.maxRssBytes;
  const excess = (long.maxRssBytes - long.outputBytes) / (short.maxRssBytes - short.outputBytes);
  const jsExcess = (long.peakJsBytes - long.outputBytes) / (short.peakJsBytes - short.outputBytes);
  console.log(`peak RSS ratio 240 s / 30 s: ${rss.toFixed(3)}× (target ≤ ${TARGET}×): ${rss <= TARGET ? 'PASS' : 'FAIL'}`);
  const working = (r: ChildResult) => r.maxRssBytes - r.baselineRssBytes - r.outputBytes;
  console.log(`  excluding the returned audio: RSS ${excess.toFixed(3)}×, JS heap+external ${jsExcess.toFixed(3)}×`);
  console.log(`  working set (excluding baseline and audio): ${(working(long) / working(short)).toFixed(3)}×`);
  if (args.includes('--single')) {
    const single = runChild(2583, true, packDir, {});
    console.log(describe('240 s, one call (no windows)', single));
    console.log(`  windowing saves ${((single.maxRssBytes - long.maxRssBytes) / MB).toFixed(0)} MB of peak RSS at 240 s`);
  }
  if (rss > TARGET) process.exitCode = 1;
}

await main();
