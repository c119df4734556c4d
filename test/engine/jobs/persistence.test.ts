/**
 * The persisted queue with an in-memory QueuePersistence: what is saved when, and what a new runner
 * does with what a crashed one left (queued jobs in order, the running one retried once).
 */
import { afterEach, describe, expect, it } from 'vitest';

import { planResume } from '../../../src/engine/jobs/resume.js';
import { createJobRunner } from '../../../src/engine/jobs/runner.js';
import type { JobInfo, JobRunner, JobSpec, QueuePersistence } from '../../../src/engine/jobs/types.js';
import { silentLogger, testConfig } from './helpers/config.js';
import { FakeExecutor } from './helpers/fake-executor.js';
import { MemoryPersistence } from './helpers/memory-persistence.js';

const spec = (user: string, tags = 'lofi'): JobSpec => ({ user, origin: 'discord', request: { task: 'text2music', tags, duration: 10, steps: 10 } });
const runners: JobRunner[] = [];
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.close();
});

async function start(persistence: QueuePersistence) {
  const fake = new FakeExecutor();
  const runner = await createJobRunner({ config: testConfig({ concurrency: 1 }), executor: fake.executor, persistence, logger: silentLogger });
  runners.push(runner);
  return { runner, fake };
}

describe('queue persistence', () => {
  it('saves every state change of a queued or running job and removes it when finished', async () => {
    const persistence = new MemoryPersistence();
    const { runner, fake } = await start(persistence);
    const job = await runner.submit(spec('A'));
    await fake.waitForStarts(1);
    expect(persistence.jobs.get(job.id)).toMatchObject({ state: 'running', attempts: 1 });
    fake.call(job.id).resolve();
    await new Promise((resolve) => runner.events.once('done', resolve));
    await runner.close();
    expect(persistence.log).toEqual([`save ${job.id} queued`, `save ${job.id} running`, `remove ${job.id}`]);
    expect(persistence.jobs.size).toBe(0);
  });

  it('after a crash, retries the running job first and resumes the queued ones in their order', async () => {
    const persistence = new MemoryPersistence();
    const first = await start(persistence);
    const a1 = await first.runner.submit(spec('A'));
    await first.fake.waitForStarts(1);
    const queued = [await first.runner.submit(spec('A')), await first.runner.submit(spec('B')), await first.runner.submit(spec('A'))];
    const order = [a1.id, ...queued.map((j) => j.id).sort((x, y) => first.runner.position(x)! - first.runner.position(y)!)];
    const left = persistence.snapshot(); // the process dies here
    expect(left.map((j) => j.state)).toEqual(['running', 'queued', 'queued', 'queued']);

    const second = await start(new MemoryPersistence(left));
    for (let i = 0; i < 4; i++) {
      await second.fake.waitForStarts(i + 1);
      second.fake.calls[i]!.resolve();
    }
    expect(second.fake.started).toEqual(order);
    expect(second.fake.calls[0]!.job).toMatchObject({ id: a1.id, attempts: 2, createdAt: a1.createdAt });
    expect(second.fake.calls[1]!.job.attempts).toBe(1);
  });

  it('fails a job interrupted twice with a clear reason and runs the rest', async () => {
    const persistence = new MemoryPersistence();
    const first = await start(persistence);
    const job = await first.runner.submit(spec('A'));
    const next = await first.runner.submit(spec('B'));
    await first.fake.waitForStarts(1);
    const crashedTwice: JobInfo[] = persistence.snapshot().map((j) => (j.id === job.id ? { ...j, attempts: 2 } : j));

    const resumed = new MemoryPersistence(crashedTwice);
    const second = await start(resumed);
    await second.fake.waitForStarts(1);
    expect(second.fake.started).toEqual([next.id]);
    expect(second.runner.get(job.id)).toMatchObject({ state: 'failed', error: { code: 'INTERRUPTED', message: expect.stringMatching(/interrupted twice/) } });
    expect([...resumed.jobs.keys()]).toEqual([next.id]);
  });

  it('on close, puts the running job back in the persisted queue without counting the attempt', async () => {
    const persistence = new MemoryPersistence();
    const first = await start(persistence);
    const job = await first.runner.submit(spec('A'));
    await first.fake.waitForStarts(1);
    await first.runner.close();
    expect(first.fake.call(job.id).signal.aborted).toBe(true);
    expect(persistence.jobs.get(job.id)).toMatchObject({ state: 'queued', attempts: 0, startedAt: null });
    const second = await start(persistence);
    await second.fake.waitForStarts(1);
    expect(second.fake.calls[0]!.job).toMatchObject({ id: job.id, attempts: 1 });
  });

  it('does not queue a job it could not save', async () => {
    const persistence = new MemoryPersistence();
    persistence.save = async () => {
      throw new Error('disk full');
    };
    const { runner, fake } = await start(persistence);
    await expect(runner.submit(spec('A'))).rejects.toThrow('disk full');
    expect(runner.list()).toEqual([]);
    expect(fake.calls).toEqual([]);
  });
});

describe('planResume', () => {
  it('orders interrupted jobs first, fails those interrupted twice, drops finished ones', () => {
    const base = { user: 'A', origin: 'cli', position: null, etaSeconds: null, cost: 1, progress: null, result: null, error: null, startedAt: 5, finishedAt: null, spec: spec('A') } as const;
    const job = (id: string, state: JobInfo['state'], createdAt: number, attempts: number): JobInfo => ({ ...base, id, state, createdAt, attempts });
    const plan = planResume([job('q2', 'queued', 3, 0), job('r1', 'running', 2, 1), job('q1', 'queued', 1, 0), job('r2', 'running', 0, 2), job('d', 'done', 0, 1)], 99);
    expect(plan.requeue.map((j) => [j.id, j.state, j.startedAt])).toEqual([['r1', 'queued', null], ['q1', 'queued', null], ['q2', 'queued', null]]);
    expect(plan.failed).toMatchObject([{ id: 'r2', state: 'failed', finishedAt: 99, error: { code: 'INTERRUPTED' } }]);
    expect(plan.stale.map((j) => j.id)).toEqual(['d']);
  });
});
