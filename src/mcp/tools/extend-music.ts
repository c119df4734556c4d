/** extend_music: add music before and/or after a song (ACE-Step extend). */
import { z } from 'zod';

import type { ToolContext } from '../shared/context.js';
import { registerGeneration } from '../shared/generation.js';
import { deliveryShape, generationOutput, seedSchema, songIdSchema } from '../shared/schemas.js';
import { GENERATION_ANNOTATIONS, LYRICS_DESCRIPTION, SONG_ID_DESCRIPTION, TAGS_DESCRIPTION } from './descriptions.js';

export function registerExtendMusic(ctx: ToolContext): void {
  const { limits } = ctx.studio.info();
  registerGeneration(
    ctx,
    'extend_music',
    {
      title: 'Extend a song',
      description: `Make a song longer: add "left" seconds before its start and/or "right" seconds after its end, continuing its style (default: 30 s at the end). The result is at most ${limits.maxDuration} s long. To add sung lines, pass the whole song's lyrics with the new section included. Returns a new song whose parent_id is the original.`,
      inputSchema: {
        song_id: songIdSchema.describe(SONG_ID_DESCRIPTION),
        left: z.number().min(0).max(limits.maxDuration).optional().describe('Seconds to add before the start (default 0).'),
        right: z.number().min(0).max(limits.maxDuration).optional().describe('Seconds to add after the end (default 30, or 0 when left is given).'),
        tags: z.string().trim().min(1).max(limits.maxTagChars).optional().describe(`Tags for the new music (default: the song's). ${TAGS_DESCRIPTION}`),
        lyrics: z.string().max(limits.maxLyricChars).optional().describe(`Lyrics for the extended song (default: the song's). ${LYRICS_DESCRIPTION}`),
        seed: seedSchema.optional().describe('Seed of the new noise; omit for a random one.'),
        ...deliveryShape(ctx.limits),
      },
      outputSchema: generationOutput,
      annotations: GENERATION_ANNOTATIONS,
    },
    ({ song_id, left, right, tags, lyrics, seed, ...delivery }) => ({ operation: 'extend', params: { songId: song_id, left, right, tags, lyrics, seed }, delivery }),
  );
}
