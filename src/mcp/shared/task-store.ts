/**
 * The task store behind the SDK's experimental tasks support (MCP 2025-11-25 tasks): one per user.
 * Written here rather than using the SDK's InMemoryTaskStore because acejam needs three more things:
 * it tells task-augmented calls from plain ones (plain calls of a task-capable tool also pass through a
 * task, which stays out of tasks/list), it cancels the job behind a task on `tasks/cancel`, and its
 * expiry timers do not keep the process alive.
 */
import { randomUUID } from 'node:crypto';

import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';

interface Entry {
  task: Task;
  result?: Result;
  /** Created for a plain tools/call (no `task` parameter) that the SDK runs through a task. */
  plain: boolean;
  onCancel?: () => void;
  timer?: NodeJS.Timeout;
}

const TERMINAL = new Set<Task['status']>(['completed', 'failed', 'cancelled']);
const PLAIN_TTL_MS = 60_000;
const DEFAULT_TTL_MS = 60 * 60_000;
const MAX_TTL_MS = 24 * 60 * 60_000;
const PAGE = 50;

export class JobTaskStore implements TaskStore {
  private readonly entries = new Map<string, Entry>();

  async createTask(params: CreateTaskOptions, _requestId: RequestId, request: Request): Promise<Task> {
    const plain = (request.params as { task?: unknown } | undefined)?.task === undefined;
    const ttl = Math.min(params.ttl ?? (plain ? PLAIN_TTL_MS : DEFAULT_TTL_MS), MAX_TTL_MS);
    const now = new Date().toISOString();
    const task: Task = { taskId: randomUUID(), status: 'working', ttl, createdAt: now, lastUpdatedAt: now, pollInterval: params.pollInterval ?? 1000 };
    const entry: Entry = { task, plain };
    this.entries.set(task.taskId, entry);
    this.expire(entry);
    return { ...task };
  }

  /** Whether the task stands for a plain (not task-augmented) tool call. */
  isPlain(taskId: string): boolean {
    return this.entries.get(taskId)?.plain ?? false;
  }

  /** What to do when a client cancels the task (cancel its job). */
  onCancel(taskId: string, cancel: () => void): void {
    const entry = this.entries.get(taskId);
    if (entry) entry.onCancel = cancel;
  }

  async getTask(taskId: string): Promise<Task | null> {
    const entry = this.entries.get(taskId);
    return entry ? { ...entry.task } : null;
  }

  isTerminal(taskId: string): boolean {
    const entry = this.entries.get(taskId);
    return !entry || TERMINAL.has(entry.task.status);
  }

  async storeTaskResult(taskId: string, status: 'completed' | 'failed', result: Result): Promise<void> {
    const entry = this.need(taskId);
    if (TERMINAL.has(entry.task.status)) throw new Error(`task ${taskId} is already ${entry.task.status}`);
    entry.result = result;
    this.set(entry, status);
  }

  async getTaskResult(taskId: string): Promise<Result> {
    const entry = this.need(taskId);
    if (!entry.result) throw new Error(`task ${taskId} has no result yet`);
    return entry.result;
  }

  async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string): Promise<void> {
    const entry = this.need(taskId);
    if (TERMINAL.has(entry.task.status)) throw new Error(`task ${taskId} is already ${entry.task.status}`);
    this.set(entry, status, statusMessage);
    if (status === 'cancelled') entry.onCancel?.();
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const visible = [...this.entries.values()].filter((e) => !e.plain).map((e) => ({ ...e.task }));
    const start = cursor ? Number(cursor) : 0;
    if (!Number.isInteger(start) || start < 0) throw new Error(`invalid cursor ${JSON.stringify(cursor)}`);
    const page = visible.slice(start, start + PAGE);
    return start + PAGE < visible.length ? { tasks: page, nextCursor: String(start + PAGE) } : { tasks: page };
  }

  close(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private need(taskId: string): Entry {
    const entry = this.entries.get(taskId);
    if (!entry) throw new Error(`task ${taskId} not found`);
    return entry;
  }

  private set(entry: Entry, status: Task['status'], statusMessage?: string): void {
    entry.task = { ...entry.task, status, lastUpdatedAt: new Date().toISOString(), ...(statusMessage ? { statusMessage } : {}) };
    if (TERMINAL.has(status)) this.expire(entry);
  }

  /** Forgets the task `ttl` ms after it was created or finished. */
  private expire(entry: Entry): void {
    clearTimeout(entry.timer);
    if (entry.task.ttl) entry.timer = setTimeout(() => this.entries.delete(entry.task.taskId), entry.task.ttl).unref();
  }
}
