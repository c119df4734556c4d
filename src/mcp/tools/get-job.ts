/** get_job: a job's state, and its songs once done (after a generation tool's wait ran out). */
import { z } from 'zod';

import { InvalidInputError } from '../../engine/index.js';
import type { ToolContext } from '../shared/context.js';
import { guarded } from '../shared/errors.js';
import { awaitJob, renderOutcome } from '../shared/jobs.js';
import { generationOutput } from '../shared/schemas.js';
import { READ_ANNOTATIONS } from './descriptions.js';

export function registerGetJob(ctx: ToolContext): void {
  ctx.server.registerTool(
    'get_job',
    {
      title: 'Get a job',
      description:
        'Check a generation job by the job_id a generation tool returned when its wait ran out: its queue position or progress, and once it is done, its songs (as the generation tool would have returned them). Pass wait_seconds to block until it finishes (with progress), up to that many seconds.',
      inputSchema: {
        job_id: z.string().trim().min(1).max(128).describe('The job id from compose_music, retake_music, … (the "job.job_id" field).'),
        wait_seconds: z.number().min(0).max(ctx.limits.maxWaitSeconds).optional().describe(`Wait up to this many seconds for the job to finish (default 0: answer at once; at most ${ctx.limits.maxWaitSeconds}).`),
        inline_audio: z.boolean().optional().describe('When done, also return a small audio preview inline (see compose_music).'),
      },
      outputSchema: generationOutput,
      annotations: READ_ANNOTATIONS,
    },
    async ({ job_id, wait_seconds, inline_audio }, extra) =>
      guarded('get_job', ctx.logger, async () => {
        const job = ctx.studio.jobs.get(job_id);
        // Someone else's job looks exactly like a missing one.
        if (!job || job.user !== ctx.actor.user) throw new InvalidInputError('job_id', `no job ${JSON.stringify(job_id)} of yours`, { hint: 'job ids come from a generation tool result (job.job_id); finished jobs are kept for a while, songs for good: use list_songs' });
        const waited = await awaitJob(ctx, job, extra, wait_seconds ?? 0, { cancelOnAbort: false });
        return renderOutcome(ctx, waited, { delivery: { inline_audio }, outputDir: null, operation: null });
      }),
  );
}

