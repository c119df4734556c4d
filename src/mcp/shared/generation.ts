/**
 * Registers a generation tool. Plain clients call it like any tool (bounded wait, progress, job id past
 * the wait). When the server has a task store, the tool is also task-capable (execution.taskSupport
 * "optional", MCP 2025-11-25 tasks): a task-augmented call returns a task at once, the job runs in the
 * background, `tasks/get` shows its progress message, `tasks/result` gives the same result a plain call
 * would, and `tasks/cancel` cancels the job.
 */
import type { CreateTaskRequestHandlerExtra, TaskRequestHandlerExtra } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { ShapeOutput, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

import type { Operation, OperationParams } from '../studio.js';
import type { ToolContext } from './context.js';
import { errorResult } from './errors.js';
import { prepareOutputDir, renderOutcome, runGeneration, type Delivery, type Extra } from './jobs.js';
import { ProgressReporter, progressMessage, watchJob } from './progress.js';

export interface GenerationRequest<O extends Operation> {
  operation: O;
  params: OperationParams[O] | (() => Promise<OperationParams[O]>);
  delivery: Delivery;
}

export interface GenerationConfig<Shape extends ZodRawShapeCompat> {
  title: string;
  description: string;
  inputSchema: Shape;
  outputSchema: z.ZodObject;
  annotations: ToolAnnotations;
}

export function registerGeneration<Shape extends ZodRawShapeCompat, O extends Operation>(
  ctx: ToolContext,
  name: string,
  config: GenerationConfig<Shape>,
  toRequest: (args: ShapeOutput<Shape>, extra: Extra) => GenerationRequest<O>,
): void {
  const plain = (args: ShapeOutput<Shape>, extra: Extra): Promise<CallToolResult> => {
    const { operation, params, delivery } = toRequest(args, extra);
    return runGeneration(ctx, name, operation, params, delivery, extra);
  };
  const tasks = ctx.tasks;
  if (!tasks) {
    ctx.server.registerTool(name, config, plain as never);
    return;
  }
  ctx.server.experimental.tasks.registerToolTask(name, { ...config, execution: { taskSupport: 'optional' } }, {
    createTask: async (args: ShapeOutput<Shape>, extra: CreateTaskRequestHandlerExtra) => {
      const task = await extra.taskStore.createTask({ pollInterval: 500, ...(extra.taskRequestedTtl !== undefined ? { ttl: extra.taskRequestedTtl } : {}) });
      if (tasks.isPlain(task.taskId)) {
        // A plain call the SDK routes through a task: do the whole call now; the SDK returns the result.
        const result = await plain(args, extra);
        await tasks.storeTaskResult(task.taskId, result.isError ? 'failed' : 'completed', result);
        return { task: (await tasks.getTask(task.taskId)) ?? task };
      }
      void runAsTask(ctx, name, task.taskId, toRequest(args, extra), extra);
      return { task };
    },
    getTask: async (_args: ShapeOutput<Shape>, extra: TaskRequestHandlerExtra) => {
      const task = await tasks.getTask(extra.taskId);
      if (!task) throw new Error(`task ${extra.taskId} not found`);
      return task;
    },
    getTaskResult: async (_args: ShapeOutput<Shape>, extra: TaskRequestHandlerExtra) => (await tasks.getTaskResult(extra.taskId)) as CallToolResult,
  } as never);
}

/** A task-augmented call: submit, follow the job into the task's status, store the result. */
async function runAsTask<O extends Operation>(ctx: ToolContext, name: string, taskId: string, request: GenerationRequest<O>, extra: Extra): Promise<void> {
  const tasks = ctx.tasks!;
  let result: CallToolResult;
  try {
    const outputDir = await prepareOutputDir(ctx, request.delivery.output_dir);
    const params = typeof request.params === 'function' ? await request.params() : request.params;
    const job = await ctx.studio.submit(ctx.actor, request.operation, params);
    ctx.logger.info({ tool: name, jobId: job.id, taskId }, 'job submitted as a task');
    tasks.onCancel(taskId, () => void ctx.studio.cancel(ctx.actor, job.id).catch(() => undefined));
    const token = extra._meta?.progressToken;
    const reporter = token !== undefined ? new ProgressReporter(token, (n) => extra.sendNotification(n)) : null;
    const stop = watchJob(ctx.studio, job.id, (info) => {
      reporter?.update(info);
      if (!tasks.isTerminal(taskId)) void tasks.updateTaskStatus(taskId, 'working', progressMessage(info)).catch(() => undefined);
    });
    try {
      const final = await ctx.studio.wait(job.id, { signal: ctx.closing });
      result = await renderOutcome(ctx, final, { delivery: request.delivery, outputDir, operation: request.operation });
    } finally {
      stop();
    }
  } catch (error) {
    result = errorResult(error, ctx.logger, name);
  }
  if (!tasks.isTerminal(taskId)) await tasks.storeTaskResult(taskId, result.isError ? 'failed' : 'completed', result).catch(() => undefined);
}
