/**
 * Crash safety (issue 3/5 item 4): a process running jobs on the real EngineWorker, with its queue in
 * a JSON file, is killed (SIGKILL) in the middle of a render and started again: the interrupted job
 * runs once more and the queued ones follow in their original order; nothing is left in the file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

import { afterAll, expect, it } from 'vitest';

import type { JobInfo } from '../../../src/engine/jobs/types.js';

const CHILD = resolve(import.meta.dirname, 'helpers/crash-child.ts');
const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'acejam-crash-'));
const file = join(dir, 'queue.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = { type: string; id?: string; attempts?: number; step?: number; order?: string[] };

/** Starts the child; `until` sees every line and returns true to kill it there. Resolves with all lines. */
function runChild(mode: 'submit' | 'resume', until: (line: Line, lines: Line[]) => boolean = () => false): Promise<{ lines: Line[]; code: number | null; signal: string | null }> {
  // Started the way bin/acejam.js starts the CLI: tsx's ESM API registered in the main thread.
  const boot = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(pathToFileURL(CHILD).href)});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', boot, '--', file, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Line[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    if (until(line, lines)) child.kill('SIGKILL');
  });
  return new Promise((done) => child.on('exit', (code, signal) => done({ lines, code, signal })));
}

it('retries the job a SIGKILL interrupted and resumes the queued ones in order', async () => {
  const first = await runChild('submit', (line, lines) => {
    const submitted = lines.find((l) => l.type === 'submitted');
    return line.type === 'progress' && line.id === submitted?.order?.[0] && line.step === 3;
  });
  expect(first.signal).toBe('SIGKILL');
  const order = first.lines.find((l) => l.type === 'submitted')!.order!;
  expect(first.lines.filter((l) => l.type === 'done')).toEqual([]);

  const left = JSON.parse(readFileSync(file, 'utf8')) as JobInfo[];
  expect(left.map((j) => [j.id, j.state, j.attempts])).toEqual([
    [order[0], 'running', 1],
    ...left.slice(1).map((j) => [j.id, 'queued', 0]),
  ]);

  const second = await runChild('resume');
  expect(second.code).toBe(0);
  const started = second.lines.filter((l) => l.type === 'started');
  expect(started.map((l) => l.id)).toEqual(order);
  expect(started.map((l) => l.attempts)).toEqual([2, 1, 1, 1]);
  expect(second.lines.filter((l) => l.type === 'done').map((l) => l.id)).toEqual(order);
  expect(second.lines.at(-1)).toEqual({ type: 'idle' });
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
});
