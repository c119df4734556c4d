/** retake_music: a variation of a song, same recipe, partly new noise (ACE-Step retake). */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { registerGeneration } from '../shared/generation.js';
import { deliveryShape, generationOutput, seedSchema, songIdSchema } from '../shared/schemas.js';
import { GENERATION_ANNOTATIONS, SONG_ID_DESCRIPTION } from './descriptions.js';

export function registerRetakeMusic(ctx: ToolContext): void {
  const { limits } = ctx.studio.info();
  registerGeneration(
    ctx,
    'retake_music',
    {
      title: 'Retake a song',
      description:
        'Make a new take of an existing song: the same tags, lyrics, length and seed, with part of the noise replaced, so it sounds like a sibling of the original. variance 0.1–0.3 gives a subtle variation, 0.5–0.8 a different performance of the same idea. Returns a new song (the original is kept) whose parent_id is the original.',
      inputSchema: {
        song_id: songIdSchema.describe(SONG_ID_DESCRIPTION),
        variance: z.number().min(0).max(1).optional().describe('How different the take is, 0–1 (default 0.2). 0 reproduces the original exactly.'),
        seed: seedSchema.optional().describe('Seed of the new noise (the retake seed); omit for a random one. The same song, variance and seed give the same take.'),
        steps: z.int().min(1).max(limits.maxSteps).optional().describe("Diffusion steps (default: the original's)."),
        ...deliveryShape(ctx.limits),
      },
      outputSchema: generationOutput,
      annotations: GENERATION_ANNOTATIONS,
    },
    ({ song_id, variance, seed, steps, ...delivery }) => ({ operation: 'retake', params: { songId: song_id, variance, seed, steps }, delivery }),
  );
}
