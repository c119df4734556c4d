/**
 * The engine in a worker thread, on the tiny pack through real onnxruntime-node: the same numbers as
 * the in-process engine, progress, transfers, cancel, errors across the thread boundary, encoding,
 * and a main thread that stays responsive during a long render.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CancelledError, Engine, InvalidInputError, PackError, type ProgressEvent } from '../../../src/engine/index.js';
import { EngineWorker } from '../../../src/engine/jobs/engine-worker.js';
import { framesOf } from '../../../src/engine/tasks/plan.js';
import { silentLogger, testConfig } from './helpers/config.js';

const request = { task: 'text2music' as const, tags: 'lofi, piano', lyrics: '[verse]\nla la la', duration: 3, steps: 4, seeds: [42] };
/**
 * The main thread's scheduler counters (Linux schedstat, ms): time on a CPU, and time runnable but
 * waiting for one. Null where /proc is missing.
 */
function mainThreadSched(): { run: number; wait: number } | null {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run: run! / 1e6, wait: wait! / 1e6 };
  } catch {
    return null;
  }
}

const equalBytes = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

let worker: EngineWorker;
beforeAll(async () => {
  worker = await EngineWorker.start(testConfig({ threads: 1 }));
});
afterAll(async () => {
  await worker.terminate();
});

describe('EngineWorker', () => {
  it('renders in the worker exactly what the engine renders in process, with progress', async () => {
    const events: ProgressEvent[] = [];
    const result = await worker.run(request, { onProgress: (event) => events.push(event) });
    expect(worker.info.pack.name).toBe('tiny');
    expect(result.sampleRate).toBe(48000);
    expect(result.frames).toBe(framesOf(3));
    expect(result.audio[0]).toHaveLength(2);
    expect(result.latent).toBeInstanceOf(Float32Array);
    expect(result.audio[0]![0]!.buffer).toBeInstanceOf(SharedArrayBuffer); // hand it to encode() for free
    expect(events.map((e) => e.stage)).toEqual(expect.arrayContaining(['tokenize', 'encode', 'diffuse', 'decode']));
    expect(events.filter((e) => e.stage === 'diffuse' && e.step > 0).map((e) => `${e.step}/${e.steps}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(events.at(-1)?.percent).toBe(100);

    const engine = await Engine.open(testConfig({ threads: 1 }), silentLogger);
    const local = await engine.run(request);
    await engine.close();
    expect(equalBytes(result.audio[0]![0]!, local.audio[0]![0]!)).toBe(true);
    expect(equalBytes(result.latent, local.latent)).toBe(true);
  });

  it('transfers a source latent to the worker (detached in the caller) and the result back', async () => {
    const first = await worker.run(request);
    const latent = first.latent;
    const { duration: _, ...common } = request;
    const repaint = await worker.run({ ...common, task: 'repaint', source: { kind: 'latent', latent, frames: first.frames }, start: 1, end: 2 });
    expect(latent.byteLength).toBe(0);
    expect(repaint.frames).toBe(first.frames);
    expect(repaint.audio[0]![1]!.length).toBe(first.audio[0]![1]!.length);
  });

  it('stops a render between steps when the signal aborts, and stays usable', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const run = worker.run({ ...request, duration: 30, steps: 50 }, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.stage !== 'diffuse') return;
        steps.push(event.step);
        if (event.step === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(Math.max(...steps)).toBeLessThan(50);
    expect(worker.busy).toBe(0);
    await expect(worker.run(request)).resolves.toMatchObject({ seeds: [42] });
  });

  it('rebuilds the engine’s typed errors on the main thread', async () => {
    const error = await worker.run({ ...request, tags: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'tags', code: 'INVALID_INPUT', message: 'tags: must not be empty' });
    await expect(EngineWorker.start(testConfig({ packDir: '/nonexistent/pack' }))).rejects.toBeInstanceOf(PackError);
  });

  it('encodes and draws waveforms in the worker', async () => {
    const channels = [new Float32Array(48000).map((_, i) => Math.sin(i / 10) * 0.5), new Float32Array(48000)];
    const wav = await worker.encode('wav16', channels, 48000);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    expect(channels[0]!.length).toBe(48000); // copied, not transferred, by default
    const mp3 = await worker.encode('mp3', channels, 48000, { bitrateKbps: 128 }, { transfer: true });
    expect(mp3.byteLength).toBeGreaterThan(1000);
    expect(channels[0]!.byteLength).toBe(0);
    await expect(worker.encode('ogg' as never, [new Float32Array(10)], 48000)).rejects.toBeInstanceOf(InvalidInputError);
    const png = await worker.waveformPng([new Float32Array(48000).fill(0.25)], 48000, { width: 200, height: 60 });
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('keeps the main thread responsive: a 5 ms timer never waits 50 ms during a 240 s render and its encoding', { timeout: 180_000 }, async () => {
    // A gap between two ticks is the event loop busy (the main thread on a CPU), the thread asleep
    // until the timer is due, or the machine not running it (other processes, the VM). Only the first
    // is ours, so that is what must stay under 50 ms; the wall-clock gaps are printed. Measured on an
    // idle machine the wall-clock gaps stay under 50 ms too (≈ 20 ms), but with several test runs
    // sharing two CPUs they reach hundreds of ms while this thread neither ran nor waited to run.
    let last = performance.now();
    let lastSched = mainThreadSched();
    let busiest = 0;
    let worstWall = 0;
    let worstUnqueued = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      const sched = mainThreadSched();
      const gap = now - last;
      busiest = Math.max(busiest, sched && lastSched ? sched.run - lastSched.run : gap);
      worstUnqueued = Math.max(worstUnqueued, sched && lastSched ? gap - (sched.wait - lastSched.wait) : gap);
      worstWall = Math.max(worstWall, gap);
      [last, lastSched] = [now, sched];
      ticks++;
    }, 5);
    const started = performance.now();
    const result = await worker.run({ task: 'text2music', tags: 'lofi', duration: 240, steps: 20, seeds: [7] });
    const rendered = performance.now();
    // Then what a finished job does: the song in several files at once, from the shared audio.
    const channels = result.audio[0]!;
    const files = await Promise.all([worker.encode('flac', channels, 48000), worker.encode('mp3', channels, 48000), worker.waveformPng(channels, 48000, { width: 1200, height: 240 })]);
    clearInterval(timer);
    const seconds = (rendered - started) / 1000;
    const encodeSeconds = (performance.now() - rendered) / 1000;
    console.info(
      `240 s render in ${seconds.toFixed(1)} s + FLAC, MP3 and PNG in ${encodeSeconds.toFixed(1)} s: ${ticks} ticks; longest gap ` +
        `${worstWall.toFixed(1)} ms wall clock, ${worstUnqueued.toFixed(1)} ms without run-queue waits; main thread busy ≤ ${busiest.toFixed(1)} ms at a time`,
    );
    expect(files.every((file) => file.byteLength > 1000)).toBe(true);
    expect(result.audio[0]![0]!.length).toBeGreaterThan(240 * 48000 - 48000);
    expect(ticks).toBeGreaterThan(100);
    expect(busiest).toBeLessThan(50);
    // On a machine with CPUs to spare, the gaps themselves (run-queue waits aside) stay under 50 ms.
    if (loadavg()[0]! < availableParallelism() - 0.5) expect(worstUnqueued).toBeLessThan(50);
  });

  it('rejects calls once terminated', async () => {
    const other = await EngineWorker.start(testConfig({ threads: 1 }));
    const pending = expect(other.run(request)).rejects.toThrow(/terminated/);
    await other.terminate();
    await pending;
    await expect(other.run(request)).rejects.toThrow(/terminated/);
  });
});
