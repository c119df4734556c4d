/** cancel_job: stop one of the caller's queued or running jobs. */
import { z } from 'zod';

import { InvalidInputError } from '../../engine/index.js';
import type { ToolContext } from '../shared/context.js';
import { guarded } from '../shared/errors.js';
import { JOB_STATES } from '../studio.js';

export function registerCancelJob(ctx: ToolContext): void {
  ctx.server.registerTool(
    'cancel_job',
    {
      title: 'Cancel a job',
      description: 'Stop one of your generation jobs: a queued job is removed, a running one stops after its current step. Finished jobs and their songs are not affected. Cancelling twice is harmless.',
      inputSchema: { job_id: z.string().trim().min(1).max(128).describe('The job id from a generation tool result (job.job_id).') },
      outputSchema: z.object({
        job_id: z.string(),
        cancelled: z.boolean().describe('true if this call stopped the job; false if it had already finished'),
        state: z.enum(JOB_STATES),
      }),
      // Destroys the unfinished work of the job (not any song); repeating it changes nothing more.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ job_id }) =>
      guarded('cancel_job', ctx.logger, async () => {
        const job = ctx.studio.jobs.get(job_id);
        if (!job || job.user !== ctx.actor.user) throw new InvalidInputError('job_id', `no job ${JSON.stringify(job_id)} of yours`);
        const cancelled = await ctx.studio.cancel(ctx.actor, job_id);
        const state = ctx.studio.jobs.get(job_id)?.state ?? (cancelled ? 'cancelled' : job.state);
        const text = cancelled ? `Cancelled job ${job_id}.` : `Job ${job_id} had already finished (${state}); nothing to cancel.`;
        return { content: [{ type: 'text', text }], structuredContent: { job_id, cancelled, state } };
      }),
  );
}
