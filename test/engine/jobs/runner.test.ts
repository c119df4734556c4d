/**
 * The runner's scheduling with a controllable executor (the engine is not under test here): fairness,
 * caps and their errors, positions and ETAs, progress, cancel, timeout, errors, close.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { Config } from '../../../src/config/schema.js';
import { InvalidInputError, QueueFullError, QueueLimitError } from '../../../src/engine/errors.js';
import { createJobRunner } from '../../../src/engine/jobs/runner.js';
import type { JobEvent, JobRunner, JobSpec, QueuePersistence } from '../../../src/engine/jobs/types.js';
import { testConfig, silentLogger } from './helpers/config.js';
import { FakeExecutor, settle } from './helpers/fake-executor.js';

const spec = (user: string, duration = 10, steps = 10): JobSpec => ({ user, origin: 'cli', request: { task: 'text2music', tags: 'lofi', duration, steps } });

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.close();
  runner = null;
});

interface Setup {
  config?: Partial<Config>;
  clock?: { t: number };
  persistence?: QueuePersistence;
}

async function setup({ config, clock, persistence }: Setup = {}) {
  const fake = new FakeExecutor();
  const events: JobEvent[] = [];
  runner = await createJobRunner({
    config: testConfig({ concurrency: 1, ...config }),
    executor: fake.executor,
    logger: silentLogger,
    ...(clock ? { now: () => clock.t } : {}),
    ...(persistence ? { persistence } : {}),
  });
  for (const type of ['queued', 'started', 'progress', 'done', 'failed', 'cancelled', 'positions'] as const) {
    runner.events.on(type, (event: JobEvent) => events.push(event));
  }
  return { runner, fake, events };
}

describe('fair scheduling', () => {
  it('runs B’s one job second while A has ten', async () => {
    const { runner, fake } = await setup({ config: { maxQueuedPerUser: 10 } });
    const a = [];
    for (let i = 0; i < 10; i++) a.push(await runner.submit(spec('A')));
    const b = await runner.submit(spec('B'));
    expect(runner.position(b.id)).toBe(1);
    expect(runner.get(b.id)?.position).toBe(1);
    expect(runner.position(a[1]!.id)).toBe(2);
    for (let i = 0; i < 11; i++) {
      await fake.waitForStarts(i + 1);
      fake.calls[i]!.resolve();
    }
    await fake.waitForStarts(11);
    expect(fake.started.slice(0, 3)).toEqual([a[0]!.id, b.id, a[1]!.id]);
  });

  it('runs `concurrency` jobs at once', async () => {
    const { runner, fake } = await setup({ config: { concurrency: 2 } });
    const jobs = [await runner.submit(spec('A')), await runner.submit(spec('B')), await runner.submit(spec('C'))];
    await fake.waitForStarts(2);
    await settle();
    expect(fake.calls).toHaveLength(2);
    expect(runner.list({ state: 'running' }).map((j) => j.id)).toEqual([jobs[0]!.id, jobs[1]!.id]);
    expect(runner.position(jobs[2]!.id)).toBe(1);
    fake.calls[1]!.resolve();
    await fake.waitForStarts(3);
    expect(runner.get(jobs[1]!.id)?.state).toBe('done');
    expect(runner.get(jobs[1]!.id)?.result).toEqual({ songIds: [`song-${jobs[1]!.id}`] });
  });
});

describe('caps', () => {
  it('refuses a user’s job over maxQueuedPerUser with a typed error naming the limit', async () => {
    const { runner } = await setup({ config: { maxQueuedPerUser: 2 } });
    await runner.submit(spec('A'));
    await runner.submit(spec('A'));
    const error = await runner.submit(spec('A')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueLimitError);
    expect(error).toMatchObject({ code: 'QUEUE_LIMIT', limit: 'maxQueuedPerUser', value: 3, max: 2 });
    expect((error as Error).message).toMatch(/maxQueuedPerUser\) is 2/);
    await expect(runner.submit(spec('B'))).resolves.toMatchObject({ user: 'B', state: 'queued' });
  });

  it('refuses cost over maxCostPerUser, and a job too big on its own without a retry hint', async () => {
    const { runner } = await setup({ config: { maxCostPerUser: 250 } });
    await runner.submit(spec('A', 10, 10)); // 100 units
    await runner.submit(spec('A', 10, 10));
    await expect(runner.submit(spec('A', 10, 10))).rejects.toMatchObject({ limit: 'maxCostPerUser', value: 300, max: 250 });
    const alone = await runner.submit(spec('B', 30, 10)).catch((e: unknown) => e);
    expect(alone).toBeInstanceOf(QueueLimitError);
    expect(alone).toMatchObject({ limit: 'maxCostPerUser', retryAfterSeconds: null });
    expect((alone as QueueLimitError).message).toMatch(/this job alone costs 300 units/);
  });

  it('answers a full queue with QueueFullError and "try again in ~N min" from the ETA', async () => {
    const clock = { t: 1_000_000 };
    const { runner, fake } = await setup({ config: { maxQueued: 2 }, clock });
    await runner.submit(spec('A', 60, 10)); // 600 units
    await fake.waitForStarts(1);
    clock.t += 300_000; // 300 s for 600 units: 0.5 s per unit
    fake.calls[0]!.resolve();
    await runner.submit(spec('A', 60, 10)); // runs, 300 s expected
    await fake.waitForStarts(2);
    await runner.submit(spec('B'));
    await runner.submit(spec('C'));
    const error = await runner.submit(spec('D')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ code: 'QUEUE_FULL', limit: 'maxQueued', max: 2, retryAfterSeconds: 300 });
    expect((error as Error).message).toBe('queue full: 2 jobs are waiting (limit maxQueued = 2); try again in ~5 min');
  });
});

describe('positions, ETAs and progress', () => {
  it('updates positions and ETAs as jobs finish', async () => {
    const clock = { t: 0 };
    const { runner, fake, events } = await setup({ clock });
    const first = await runner.submit(spec('A', 10, 10)); // 100 units each
    await fake.waitForStarts(1);
    const waiting = [await runner.submit(spec('B', 10, 10)), await runner.submit(spec('C', 10, 10))];
    expect(runner.get(waiting[0]!.id)?.etaSeconds).toBeNull(); // nothing measured yet
    clock.t += 20_000; // 0.2 s per unit
    fake.call(first.id).resolve();
    await fake.waitForStarts(2);
    const positions = events.filter((e) => e.type === 'positions').at(-1);
    expect(positions).toEqual({ type: 'positions', jobs: [{ id: waiting[1]!.id, user: 'C', position: 1, etaSeconds: 40 }] });
    expect(runner.get(waiting[0]!.id)).toMatchObject({ state: 'running', position: null, etaSeconds: 20 });
    clock.t += 5_000;
    expect(runner.get(waiting[1]!.id)).toMatchObject({ position: 1, etaSeconds: 35 });
    expect(runner.get(first.id)).toMatchObject({ state: 'done', etaSeconds: null, attempts: 1, startedAt: 0, finishedAt: 20_000 });
  });

  it('emits progress (stage, step k/N, percent, ETA) for the running job', async () => {
    const clock = { t: 0 };
    const { runner, fake, events } = await setup({ clock });
    const job = await runner.submit(spec('A'));
    await fake.waitForStarts(1);
    clock.t += 4_000;
    fake.call(job.id).progress({ stage: 'diffuse', step: 3, steps: 10, percent: 40, etaSeconds: null });
    fake.call(job.id).progress({ stage: 'diffuse', step: 4, steps: 10, percent: 46, etaSeconds: 7.5 });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress).toHaveLength(2);
    // No measurement yet: the ETA comes from the job's own pace (4 s for 40 %).
    expect(progress[0]).toMatchObject({ job: { id: job.id, state: 'running' }, progress: { stage: 'diffuse', step: 3, steps: 10, percent: 40, etaSeconds: 6 } });
    expect(progress[1]).toMatchObject({ progress: { step: 4, etaSeconds: 7.5 } });
    expect(runner.get(job.id)?.progress).toMatchObject({ step: 4, steps: 10 });
  });
});

describe('cancel, timeout, failure', () => {
  it('cancels a queued job at once and a running one between steps', async () => {
    const { runner, fake, events } = await setup();
    const [a, b, c] = [await runner.submit(spec('A')), await runner.submit(spec('B')), await runner.submit(spec('C'))];
    await fake.waitForStarts(1);
    expect(await runner.cancel(b.id)).toBe(true);
    expect(runner.get(b.id)).toMatchObject({ state: 'cancelled', position: null, error: { code: 'CANCELLED' } });
    expect(runner.position(c.id)).toBe(1);
    expect(await runner.cancel(a.id)).toBe(true);
    expect(fake.call(a.id).signal.aborted).toBe(true);
    await fake.waitForStarts(2);
    expect(fake.started).toEqual([a.id, c.id]);
    expect(runner.get(a.id)).toMatchObject({ state: 'cancelled', error: { message: 'cancelled while running' } });
    expect(events.filter((e) => e.type === 'cancelled').map((e) => (e.type === 'cancelled' ? e.job.id : ''))).toEqual([b.id, a.id]);
    expect(await runner.cancel(a.id)).toBe(false);
    expect(await runner.cancel('nope')).toBe(false);
  });

  it('fails a job that runs past jobTimeoutSeconds with reason timeout', async () => {
    const { runner, fake } = await setup({ config: { jobTimeoutSeconds: 1 } });
    const job = await runner.submit(spec('A'));
    await fake.waitForStarts(1);
    const failed = new Promise((resolve) => runner.events.once('failed', resolve));
    await failed;
    expect(fake.call(job.id).signal.aborted).toBe(true);
    expect(runner.get(job.id)).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT', message: expect.stringMatching(/^timeout/) } });
  });

  it('reports an executor error with its code and runs the next job', async () => {
    const { runner, fake } = await setup();
    const [a, b] = [await runner.submit(spec('A')), await runner.submit(spec('B'))];
    await fake.waitForStarts(1);
    fake.call(a.id).reject(new InvalidInputError('tags', 'must not be empty'));
    await fake.waitForStarts(2);
    expect(runner.get(a.id)).toMatchObject({ state: 'failed', error: { code: 'INVALID_INPUT', message: 'tags: must not be empty' } });
    fake.call(b.id).reject(new Error('boom'));
    await new Promise((resolve) => runner.events.once('failed', resolve));
    expect(runner.get(b.id)?.error).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(runner.list({ user: 'A' }).map((j) => j.state)).toEqual(['failed']);
  });

  it('refuses new jobs once closed', async () => {
    const { runner } = await setup();
    await runner.close();
    await expect(runner.submit(spec('A'))).rejects.toThrow(/closed/);
  });
});
