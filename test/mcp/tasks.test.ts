/**
 * MCP tasks (2025-11-25, the SDK's experimental API): generation tools are task-capable ("optional");
 * a task-augmented call returns a task at once, tasks/get shows progress, tasks/result the song, and
 * tasks/cancel cancels the job. Plain calls stay plain and never show up in tasks/list.
 */
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { GenerationOutput } from '../../src/mcp/shared/schemas.js';
import { FakeStudio } from './fake-studio.js';
import { connect, textOf, type Connected } from './helpers.js';

let studio: FakeStudio;
let mcp: Connected;
beforeEach(async () => {
  studio = new FakeStudio(5);
  mcp = await connect(studio);
});
afterEach(() => mcp.close());

describe('tasks', () => {
  it('declares the tasks capability and marks generation tools task-capable', async () => {
    expect(mcp.client.getServerCapabilities()?.tasks).toMatchObject({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await mcp.client.listTools();
    const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport ?? 'forbidden']));
    for (const name of ['compose_music', 'retake_music', 'repaint_music', 'edit_music', 'extend_music', 'remix_audio']) expect(support[name]).toBe('optional');
    for (const name of ['get_song', 'list_songs', 'get_job', 'cancel_job', 'list_packs']) expect(support[name]).toBe('forbidden');
  });

  it('runs a task-augmented call in the background and returns the same result', async () => {
    const stream = mcp.client.experimental.tasks.callToolStream({ name: 'compose_music', arguments: { tags: 'trance', steps: 8 } }, CallToolResultSchema, { task: { ttl: 60_000 } });
    const kinds: string[] = [];
    let result: GenerationOutput | null = null;
    let taskId = '';
    for await (const message of stream) {
      kinds.push(message.type);
      if (message.type === 'taskCreated') taskId = message.task.taskId;
      if (message.type === 'result') result = message.result.structuredContent as GenerationOutput;
      if (message.type === 'error') throw message.error;
    }
    expect(kinds[0]).toBe('taskCreated');
    expect(kinds.at(-1)).toBe('result');
    expect(result!.job.state).toBe('done');
    expect(result!.songs[0]!.operation).toBe('compose');
    expect((await mcp.client.experimental.tasks.getTask(taskId)).status).toBe('completed');
    const { tasks } = await mcp.client.experimental.tasks.listTasks();
    expect(tasks.map((t) => t.taskId)).toEqual([taskId]);
  });

  it('keeps plain calls plain and out of tasks/list', async () => {
    const result = await mcp.client.callTool({ name: 'compose_music', arguments: { tags: 'plain' } });
    expect((result.structuredContent as GenerationOutput).job.state).toBe('done');
    expect((await mcp.client.experimental.tasks.listTasks()).tasks).toEqual([]);
  });

  it('shows progress in tasks/get and cancels the job on tasks/cancel', async () => {
    const slow = new FakeStudio(20);
    const conn = await connect(slow);
    try {
      const created = await conn.client.request(
        { method: 'tools/call', params: { name: 'compose_music', arguments: { tags: 'slow', steps: 200 }, task: { ttl: 60_000 } } },
        (await import('@modelcontextprotocol/sdk/experimental/tasks')).CreateTaskResultSchema,
      );
      const taskId = created.task.taskId;
      await expect.poll(async () => (await conn.client.experimental.tasks.getTask(taskId)).statusMessage ?? '', { timeout: 3000 }).toMatch(/^step \d+ of 200$/);
      await conn.client.experimental.tasks.cancelTask(taskId);
      expect((await conn.client.experimental.tasks.getTask(taskId)).status).toBe('cancelled');
      await expect.poll(() => slow.jobs.get('job1')?.state).toBe('cancelled');
    } finally {
      await conn.close();
    }
  });

  it('stores a tool error as a failed task whose result carries isError (2025-11-25 conformance)', async () => {
    const stream = mcp.client.experimental.tasks.callToolStream({ name: 'retake_music', arguments: { song_id: 'nosuch' } }, CallToolResultSchema, { task: {} });
    let taskId = '';
    for await (const message of stream) if (message.type === 'taskCreated') taskId = message.task.taskId;
    expect((await mcp.client.experimental.tasks.getTask(taskId)).status).toBe('failed');
    const result = await mcp.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/NOT_FOUND.*nosuch/);
  });
});
