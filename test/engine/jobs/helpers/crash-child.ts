/**
 * The process the crash test kills: a runner with a JSON-file queue and the real EngineWorker.
 * Arguments (after tsx is registered, as bin/acejam.js does): QUEUE_FILE submit|resume.
 *   submit   submits four jobs, then runs them
 *   resume   runs what the file holds
 * Prints one JSON line per event on stdout, and `{"type":"idle"}` before exiting when nothing is left.
 */
import type { RequestInput } from '../../../../src/engine/index.js';
import { EngineWorker } from '../../../../src/engine/jobs/engine-worker.js';
import { createJobRunner } from '../../../../src/engine/jobs/runner.js';
import type { JobSpec } from '../../../../src/engine/jobs/types.js';
import { silentLogger, testConfig } from './config.js';
import { FilePersistence } from './file-persistence.js';

const [file, mode] = process.argv.slice(-2) as [string, 'submit' | 'resume'];
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const config = testConfig({ concurrency: 1, threads: 1, maxQueuedPerUser: 10 });
const worker = await EngineWorker.start(config);
const runner = await createJobRunner({
  config,
  logger: silentLogger,
  persistence: new FilePersistence(file),
  executor: async (job, { signal, onProgress }) => {
    await worker.run(job.spec.request as RequestInput, { signal, onProgress });
    return { songIds: [`song-${job.id}`] };
  },
});

runner.events.on('started', ({ job }) => print({ type: 'started', id: job.id, attempts: job.attempts }));
runner.events.on('progress', ({ job, progress }) => {
  if (progress.stage === 'diffuse' && progress.step > 0) print({ type: 'progress', id: job.id, step: progress.step });
});
runner.events.on('failed', ({ job }) => print({ type: 'failed', id: job.id, error: job.error }));
runner.events.on('done', async ({ job }) => {
  print({ type: 'done', id: job.id });
  if (runner.list({ state: 'queued' }).length + runner.list({ state: 'running' }).length > 0) return;
  await runner.close();
  await worker.terminate();
  print({ type: 'idle' });
  process.exit(0);
});

if (mode === 'submit') {
  const spec = (user: string, duration: number, steps: number): JobSpec => ({ user, origin: 'cli', request: { task: 'text2music', tags: 'lofi', duration, steps } });
  const first = await runner.submit(spec('A', 60, 20));
  const rest = [await runner.submit(spec('A', 2, 3)), await runner.submit(spec('B', 2, 3)), await runner.submit(spec('A', 2, 3))];
  const order = [first.id, ...rest.map((j) => j.id).sort((x, y) => (runner.position(x) ?? 0) - (runner.position(y) ?? 0))];
  print({ type: 'submitted', order });
}
