/**
 * The runner with a real executor: the tiny pack rendered by the EngineWorker. Fair order, progress
 * and ETAs from real runs, cancel of a running render, and the job timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { Config } from '../../../src/config/schema.js';
import type { RequestInput } from '../../../src/engine/index.js';
import { EngineWorker } from '../../../src/engine/jobs/engine-worker.js';
import { createJobRunner } from '../../../src/engine/jobs/runner.js';
import type { Executor, JobEvent, JobRunner, JobSpec } from '../../../src/engine/jobs/types.js';
import { silentLogger, testConfig } from './helpers/config.js';

let worker: EngineWorker;
let runner: JobRunner | null = null;
beforeAll(async () => {
  worker = await EngineWorker.start(testConfig({ threads: 1 }));
});
afterEach(async () => {
  await runner?.close();
  runner = null;
});
afterAll(async () => {
  await worker.terminate();
});

/** Renders a job's request (text2music: no source to resolve) and names the song after the job. */
const executor: Executor = async (job, { signal, onProgress }) => {
  const result = await worker.run(job.spec.request as RequestInput, { signal, onProgress });
  expect(result.audio[0]).toHaveLength(2);
  return { songIds: [`song-${job.id}`] };
};

const spec = (user: string, duration = 2, steps = 3): JobSpec => ({ user, origin: 'cli', request: { task: 'text2music', tags: 'lofi', duration, steps } });

async function start(config: Partial<Config> = {}) {
  runner = await createJobRunner({ config: testConfig({ concurrency: 1, maxQueuedPerUser: 10, ...config }), executor, logger: silentLogger });
  const events: JobEvent[] = [];
  for (const type of ['started', 'progress', 'done', 'failed', 'cancelled', 'positions'] as const) runner.events.on(type, (e: JobEvent) => events.push(e));
  return { runner, events };
}

const waitFor = (r: JobRunner, type: 'done' | 'failed' | 'cancelled', id: string) =>
  new Promise<void>((resolve) => {
    const listener = (event: JobEvent) => {
      if ('job' in event && event.job.id === id) {
        r.events.off(type, listener);
        resolve();
      }
    };
    r.events.on(type, listener);
  });

describe('runner + EngineWorker on the tiny pack', () => {
  it('runs three users’ jobs fairly, with progress, positions and ETAs from measured runs', async () => {
    const { runner, events } = await start();
    // What the waiting jobs look like each time a job starts.
    const waitingAtStarts: { position: number | null; etaSeconds: number | null }[][] = [];
    runner.events.on('started', () => waitingAtStarts.push(runner.list({ state: 'queued' }).map((j) => ({ position: j.position, etaSeconds: j.etaSeconds }))));
    const a1 = await runner.submit(spec('A'));
    const rest = [await runner.submit(spec('A')), await runner.submit(spec('A')), await runner.submit(spec('B')), await runner.submit(spec('C'))];
    const [a2, a3, b1, c1] = rest as [typeof a1, typeof a1, typeof a1, typeof a1];
    expect([b1, c1, a2, a3].map((j) => runner.position(j.id))).toEqual([1, 2, 3, 4]);
    await waitFor(runner, 'done', a3.id);

    const started = events.filter((e) => e.type === 'started').map((e) => (e.type === 'started' ? e.job.id : ''));
    expect(started).toEqual([a1.id, b1.id, c1.id, a2.id, a3.id]);
    expect(runner.list().every((j) => j.state === 'done' && j.result?.songIds[0] === `song-${j.id}`)).toBe(true);

    const progress = events.flatMap((e) => (e.type === 'progress' && e.job.id === b1.id ? [e.progress] : []));
    expect(progress.filter((p) => p.stage === 'diffuse' && p.step > 0).map((p) => `${p.step}/${p.steps}`)).toEqual(['1/3', '2/3', '3/3']);
    expect(progress.every((p) => p.percent >= 0 && p.percent <= 100 && p.etaSeconds !== null)).toBe(true);
    expect(progress.at(-1)?.percent).toBe(100);

    // Once a1 was measured, every waiting job had an ETA, growing with its position, and moved up a place per start.
    const measured = waitingAtStarts.slice(1);
    expect(measured.map((w) => w.map((j) => j.position).sort())).toEqual([[1, 2, 3], [1, 2], [1], []]);
    for (const waiting of measured) {
      const etas = [...waiting].sort((x, y) => x.position! - y.position!).map((j) => j.etaSeconds);
      expect(etas.every((eta) => eta !== null && eta > 0)).toBe(true);
      expect([...etas].sort((x, y) => x! - y!)).toEqual(etas);
    }
    expect(events.some((e) => e.type === 'positions' && e.jobs.length === 3 && e.jobs.every((j) => j.etaSeconds !== null))).toBe(true);
  });

  it('cancels a running render between steps and goes on with the next job', async () => {
    const { runner } = await start();
    const long = await runner.submit(spec('A', 60, 40));
    const next = await runner.submit(spec('B'));
    runner.events.on('progress', ({ job, progress }) => {
      if (job.id === long.id && progress.stage === 'diffuse' && progress.step === 2) void runner.cancel(long.id);
    });
    await waitFor(runner, 'done', next.id);
    expect(runner.get(long.id)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(runner.get(long.id)!.progress!.step).toBeLessThan(40);
  });

  it('stops a render that outlives jobTimeoutSeconds and fails it with reason timeout', async () => {
    const { runner } = await start({ jobTimeoutSeconds: 1 });
    const job = await runner.submit(spec('A', 240, 20));
    const t0 = performance.now();
    await waitFor(runner, 'failed', job.id);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(runner.get(job.id)).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT' } });
  });
});
