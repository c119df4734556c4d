/**
 * Queue operations with 1,000 waiting jobs from 50 users (issue 3/5, bench): submit, position and
 * job lookups, cancel, and picking the next job, through the real runner (a `positions` listener
 * attached, as the front ends do; one job running on an executor that never finishes until told) and
 * on the bare FairQueue. Figures are per operation, wall clock, one thread.
 *
 * Run: npx tsx bench/queue-ops.ts [jobs] [users]
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';

import { loadConfig } from '../src/config/load.js';
import { FairQueue, type FairItem } from '../src/engine/jobs/fair-queue.js';
import { createJobRunner } from '../src/engine/jobs/runner.js';
import type { JobInfo, JobResult } from '../src/engine/jobs/types.js';
import { createLogger } from '../src/engine/logger.js';

const JOBS = Number(process.argv[2] ?? 1000);
const USERS = Number(process.argv[3] ?? 50);

const config = Object.freeze({
  ...loadConfig({ env: { ACEJAM_PACK: resolve(import.meta.dirname, '../models/tiny'), ACEJAM_LOG_LEVEL: 'silent', ACEJAM_DATA_DIR: '/tmp/acejam-bench' } }),
  concurrency: 1,
  maxQueued: JOBS + 1,
  maxQueuedPerUser: 1000,
});

/** Times `count` calls of `op`; returns µs per call. */
async function time(count: number, op: (i: number) => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await op(i);
  return ((performance.now() - start) * 1000) / count;
}

const rows: [string, number, number][] = [];
const row = (name: string, count: number, us: number) => rows.push([name, count, us]);

// The runner: one job runs, JOBS wait. Each finished job is timed from resolve to the next start.
const finishers: ((result: JobResult) => void)[] = [];
let startedAt = 0;
const starts: number[] = [];
const runner = await createJobRunner({
  config,
  logger: createLogger({ level: 'silent' }),
  initialSecondsPerCost: 0.01,
  executor: (_job, { signal }) =>
    new Promise((done, fail) => {
      finishers.push(done);
      signal.addEventListener('abort', () => fail(signal.reason));
    }),
});
let positionsEvents = 0;
runner.events.on('positions', () => positionsEvents++);
runner.events.on('started', () => starts.push(performance.now() - startedAt));

const user = (i: number) => `user-${i % USERS}`;
const spec = (i: number) => ({ user: user(i), origin: 'discord' as const, request: { task: 'text2music' as const, tags: 'lofi', duration: 30 + (i % 7) * 10, steps: 20 + (i % 3) * 10 }, priority: i % 5 === 0 ? 1 : 0 });
await runner.submit(spec(-1)); // runs
const jobs: JobInfo[] = [];
row('runner.submit (caps, save, positions event)', JOBS, await time(JOBS, async (i) => jobs.push(await runner.submit(spec(i)))));
row('runner.position(id)', JOBS, await time(JOBS, (i) => runner.position(jobs[i]!.id)));
row('runner.get(id) (with ETA)', JOBS, await time(JOBS, (i) => runner.get(jobs[(i * 7919) % JOBS]!.id)));
row('runner.list({ user })', 100, await time(100, (i) => runner.list({ user: user(i) })));
const cancelled = jobs.filter((_, i) => i % 10 === 3);
row('runner.cancel(queued id)', cancelled.length, await time(cancelled.length, (i) => runner.cancel(cancelled[i]!.id)));

// Next pick: finish the running job, measure until the next one has started.
const picks = 200;
starts.length = 0;
for (let i = 0; i < picks; i++) {
  while (finishers.length === 0) await new Promise((r) => setImmediate(r));
  startedAt = performance.now();
  finishers.shift()!({ songIds: [] });
  while (starts.length <= i) await new Promise((r) => setImmediate(r));
}
const pickMean = (starts.slice(0, picks).reduce((a, b) => a + b, 0) / picks) * 1000;
row('runner next pick (finish → next started)', picks, pickMean);
await runner.close();

// The bare fair queue.
const queue = new FairQueue<FairItem>();
const items = Array.from({ length: JOBS }, (_, i) => ({ id: `j${i}`, user: user(i), priority: i % 5 === 0 ? 1 : 0, seq: i }));
row('FairQueue.add', JOBS, await time(JOBS, (i) => queue.add(items[i]!)));
row('FairQueue.ordered() (after a change)', 200, await time(200, (i) => {
  queue.remove(items[i]!.id);
  queue.ordered();
  queue.add(items[i]!);
}));
row('FairQueue.position (cached order)', JOBS, await time(JOBS, (i) => queue.position(items[i]!.id)));
row('FairQueue.remove', JOBS / 10, await time(JOBS / 10, (i) => queue.remove(items[i * 10]!.id)));
row('FairQueue.pick', queue.size, await time(queue.size, () => queue.pick()));

console.log(`queue operations, ${JOBS} waiting jobs from ${USERS} users (${cpus()[0]?.model}, load ${loadavg()[0]!.toFixed(2)})`);
for (const [name, count, us] of rows) console.log(`  ${name.padEnd(46)} ${String(count).padStart(5)} ops  ${us.toFixed(1).padStart(8)} µs/op`);
console.log(`  positions events sent: ${positionsEvents}`);
